from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from dblood.accounts.models import User
from dblood.core.blood import ABO, DonationType, RhD, Sex
from dblood.core.phones import PhoneError, is_mobile, to_e164
from dblood.core.serializers import StrictModelSerializer, StrictSerializer

from . import identity
from .access import contact_visible
from .models import Channel, Deferral, DeferralReason, Donor, DonorMerge, DuplicatePair


def _mobile(phone: str) -> bool:
    try:
        return is_mobile(to_e164(phone))
    except PhoneError:
        return False


class DonorSerializer(StrictModelSerializer):
    """The donor's own profile. Blood group is editable until the lab confirms it."""

    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", max_length=150, required=False)
    language = serializers.ChoiceField(source="user.language", choices=User.Language.choices, required=False)
    blood_group = serializers.SerializerMethodField()
    notify_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices),
        required=False,
        help_text="in_app is always on; sms and whatsapp need a mobile phone and a channel in available_channels.",
    )
    phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="Stored as E.164; Indonesian numbers may be written 0812..., 62812... or +62 812...",
    )
    available_channels = serializers.SerializerMethodField(help_text="The channels this service can use now.")
    nik = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="Your NIK (16 digits), checked against your birth date and sex; shown in full only to you "
        "and the bank desk that verifies it. Empty to remove it.",
    )
    nik_masked = serializers.SerializerMethodField()
    nik_verified = serializers.SerializerMethodField()

    class Meta:
        model = Donor
        fields = [
            "id",
            "donor_number",
            "nik",
            "nik_masked",
            "nik_verified",
            "email",
            "full_name",
            "language",
            "abo",
            "rhd",
            "blood_group",
            "group_confirmed",
            "birth_date",
            "sex",
            "weight_kg",
            "phone",
            "share_contact",
            "city",
            "province",
            "latitude",
            "longitude",
            "notify_channels",
            "available_channels",
            "max_alerts_per_week",
            "alert_radius_km",
            "call_out_opt_in",
            "created_at",
        ]
        read_only_fields = ["id", "donor_number", "group_confirmed", "created_at"]

    def get_available_channels(self, donor) -> list[str]:
        from dblood.notifications import channels

        return [Channel.IN_APP, Channel.EMAIL, *channels.available()]

    def validate_phone(self, value: str) -> str:
        if not value:
            return ""
        try:
            return to_e164(value)
        except PhoneError:
            raise serializers.ValidationError(
                _("Enter a phone number such as 0812 3456 7890 or +62 812 3456 7890.")
            ) from None

    def get_blood_group(self, donor) -> str:
        return f"{donor.abo}{donor.rhd}" if donor.abo and donor.rhd else ""

    def get_nik_masked(self, donor) -> str:
        return identity.nik_mask(identity.nik_decrypt(donor.nik_ciphertext))

    def get_nik_verified(self, donor) -> bool:
        return donor.nik_verified_at is not None

    def to_representation(self, donor):
        data = super().to_representation(donor)
        data["nik"] = identity.nik_decrypt(donor.nik_ciphertext)  # the donor's own page: in full
        return data

    def validate_nik(self, value: str) -> str:
        return identity.nik_normalise(value)

    def validate_birth_date(self, value: date | None):
        if value and value >= timezone.localdate():
            raise serializers.ValidationError(_("The birth date must be in the past."))
        if value and value.year < 1900:
            raise serializers.ValidationError(_("Enter a real birth date."))
        return value

    def validate_notify_channels(self, value):
        from dblood.notifications import channels

        off = sorted(set(value) & {Channel.SMS, Channel.WHATSAPP} - set(channels.available()))
        if off:
            raise serializers.ValidationError(_("Not available here: %(channels)s.") % {"channels": ", ".join(off)})
        return sorted(set(value) | {Channel.IN_APP})

    def validate(self, attrs):
        instance = self.instance
        if instance is not None and instance.group_confirmed:
            for name in ("abo", "rhd"):
                if name in attrs and attrs[name] != getattr(instance, name):
                    raise serializers.ValidationError({name: [_("The lab has confirmed your blood group.")]})
        channels = attrs.get("notify_channels", instance.notify_channels if instance else [])
        phone = attrs.get("phone", instance.phone if instance else "")
        if {Channel.SMS, Channel.WHATSAPP} & set(channels) and not (phone and _mobile(phone)):
            field = "phone" if "phone" in attrs else "notify_channels"
            raise serializers.ValidationError(
                {field: [_("SMS and WhatsApp need a mobile phone number, such as 0812 3456 7890.")]}
            )
        if ("latitude" in attrs) != ("longitude" in attrs) and instance is None:
            raise serializers.ValidationError({"longitude": [_("Give both latitude and longitude.")]})
        self._check_nik(attrs)
        return attrs

    def _check_nik(self, attrs) -> None:
        """A NIK given (or a birth date or sex changed under one) must agree with both; a NIK the
        desk verified is changed at the desk only."""
        instance = self.instance
        if "nik" in attrs:
            nik, field = attrs["nik"], "nik"
            verified = instance is not None and instance.nik_verified_at is not None
            if verified and (not nik or identity.nik_digest(nik) != instance.nik_hash):
                raise serializers.ValidationError(
                    {"nik": [_("A blood bank desk verified your NIK: ask the desk to change it.")]}
                )
        elif instance is not None and instance.nik_hash and {"birth_date", "sex"} & set(attrs):
            nik, field = identity.nik_decrypt(instance.nik_ciphertext), "birth_date" if "birth_date" in attrs else "sex"
        else:
            return
        if not nik:
            return
        birth_date = attrs.get("birth_date", getattr(instance, "birth_date", None))
        sex = attrs.get("sex", getattr(instance, "sex", ""))
        problems = identity.nik_problems(nik, birth_date=birth_date, sex=sex)
        if problems:
            raise serializers.ValidationError({field: problems})


class StaffDonorSerializer(serializers.ModelSerializer):
    """What blood-bank staff see of a donor with an appointment at their site. Phone and e-mail
    only where `access.contact_visible` allows (null otherwise)."""

    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    # Blank until known: declared so the schema's enums allow "".
    abo = serializers.ChoiceField(choices=ABO.choices, allow_blank=True, read_only=True)
    rhd = serializers.ChoiceField(choices=RhD.choices, allow_blank=True, read_only=True)
    sex = serializers.ChoiceField(choices=Sex.choices, allow_blank=True, read_only=True)
    blood_group = serializers.SerializerMethodField()
    nik_masked = serializers.SerializerMethodField(help_text="The NIK masked (3174********0001); empty if none.")
    nik_verified = serializers.SerializerMethodField()

    class Meta:
        model = Donor
        fields = [
            "id",
            "donor_number",
            "nik_masked",
            "nik_verified",
            "email",
            "full_name",
            "abo",
            "rhd",
            "blood_group",
            "group_confirmed",
            "group_flagged",
            "birth_date",
            "sex",
            "weight_kg",
            "phone",
            "city",
            "province",
        ]
        read_only_fields = fields

    def get_blood_group(self, donor) -> str:
        return f"{donor.abo}{donor.rhd}" if donor.abo and donor.rhd else ""

    def get_email(self, donor) -> str | None:
        return donor.user.email if contact_visible(donor) else None

    def get_nik_masked(self, donor) -> str:
        return identity.nik_mask(identity.nik_decrypt(donor.nik_ciphertext))

    def get_nik_verified(self, donor) -> bool:
        return donor.nik_verified_at is not None

    def get_phone(self, donor) -> str | None:
        return donor.phone if contact_visible(donor) else None


class TypeEligibilitySerializer(serializers.Serializer):
    donation_type = serializers.ChoiceField(choices=DonationType.choices)
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    next_eligible_on = serializers.DateField(allow_null=True)


class EligibilitySerializer(serializers.Serializer):
    on = serializers.DateField()
    profile = serializers.CharField()
    eligible_for_any = serializers.BooleanField()
    types = TypeEligibilitySerializer(many=True)

    def to_representation(self, instance):
        return super().to_representation(
            {
                "on": instance.on,
                "profile": instance.profile,
                "eligible_for_any": instance.eligible_for_any,
                "types": list(instance.types.values()),
            }
        )


class EligibilityQuerySerializer(StrictSerializer):
    on = serializers.DateField(required=False, help_text="Default: today.")


class DeferralSerializer(serializers.ModelSerializer):
    reason_code = serializers.CharField(source="reason.code", read_only=True)
    reason = serializers.CharField(source="reason.label", read_only=True)

    class Meta:
        model = Deferral
        fields = [
            "id",
            "reason_code",
            "reason",
            "permanent",
            "starts_on",
            "ends_on",
            "note",
            "created_at",
            "lifted_at",
            "lift_reason",
        ]
        read_only_fields = fields


class StaffDeferralSerializer(DeferralSerializer):
    """A deferral as the bank's register shows it: also who recorded and who lifted it."""

    recorded_by_name = serializers.CharField(
        source="recorded_by.full_name", read_only=True, allow_null=True, default=None
    )
    lifted_by_name = serializers.CharField(source="lifted_by.full_name", read_only=True, allow_null=True, default=None)

    class Meta(DeferralSerializer.Meta):
        fields = [*DeferralSerializer.Meta.fields, "recorded_by_name", "lifted_by_name"]
        read_only_fields = fields


class DeferralLiftSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=300, help_text="Why the deferral ends early (kept with your name).")


MAX_DEFERRAL_START_DAYS = 366
MAX_DEFERRAL_END_YEAR = 2999


class DeferralCreateSerializer(StrictSerializer):
    reason_code = serializers.SlugField(max_length=40)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    def validate_starts_on(self, value):
        # The end is computed from the start (its reason's default length): near year 9999 it overflows.
        if value > timezone.localdate() + timedelta(days=MAX_DEFERRAL_START_DAYS):
            raise serializers.ValidationError(
                _("A deferral starts at most %(days)d days ahead.") % {"days": MAX_DEFERRAL_START_DAYS}
            )
        return value

    def validate_ends_on(self, value):
        if value.year > MAX_DEFERRAL_END_YEAR:
            raise serializers.ValidationError(
                _("A deferral ends by %(year)d (or is permanent).") % {"year": MAX_DEFERRAL_END_YEAR}
            )
        return value


class DeferralReasonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="label", read_only=True, help_text="In the reader's language.")

    class Meta:
        model = DeferralReason
        fields = ["code", "name", "permanent", "default_days", "default_months"]
        read_only_fields = fields


class NikDeskSerializer(serializers.Serializer):
    """The bank desk's view of a donor's NIK, to compare with the identity card: in full."""

    donor = serializers.IntegerField(source="pk")
    donor_number = serializers.CharField()
    nik = serializers.SerializerMethodField()
    nik_verified_at = serializers.DateTimeField(allow_null=True)
    nik_verified_by_name = serializers.CharField(
        source="nik_verified_by.full_name", allow_null=True, default=None, read_only=True
    )

    def get_nik(self, donor) -> str:
        return identity.nik_decrypt(donor.nik_ciphertext)


class NikVerifySerializer(StrictSerializer):
    nik = serializers.CharField(max_length=32, help_text="The NIK as read from the donor's identity card (KTP).")


class DuplicateDonorSerializer(serializers.Serializer):
    """One record of a likely-duplicate pair: enough to tell them apart, no contact, no health data."""

    id = serializers.IntegerField()
    donor_number = serializers.CharField()
    full_name = serializers.CharField(source="user.full_name")
    birth_date = serializers.DateField(allow_null=True)
    sex = serializers.ChoiceField(choices=Sex.choices, allow_blank=True)
    nik_masked = serializers.SerializerMethodField()
    nik_verified = serializers.SerializerMethodField()
    donations = serializers.IntegerField(source="donation_count", default=0)
    created_at = serializers.DateTimeField()

    def get_nik_masked(self, donor) -> str:
        return identity.nik_mask(identity.nik_decrypt(donor.nik_ciphertext))

    def get_nik_verified(self, donor) -> bool:
        return donor.nik_verified_at is not None


class DuplicatePairSerializer(serializers.ModelSerializer):
    first = DuplicateDonorSerializer(read_only=True)
    second = DuplicateDonorSerializer(read_only=True)

    class Meta:
        model = DuplicatePair
        fields = ["id", "first", "second", "reason", "score", "found_via", "found_at"]
        read_only_fields = fields


class DonorMergeCreateSerializer(StrictSerializer):
    survivor = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The record that stays.")
    merged = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The record folded into the survivor."
    )


class DonorMergeSerializer(serializers.ModelSerializer):
    survivor = DuplicateDonorSerializer(read_only=True)
    merged = DuplicateDonorSerializer(read_only=True)
    by_name = serializers.CharField(source="by.full_name", allow_null=True, default=None, read_only=True)
    undone_by_name = serializers.CharField(source="undone_by.full_name", allow_null=True, default=None, read_only=True)
    moved = serializers.SerializerMethodField()

    class Meta:
        model = DonorMerge
        fields = ["id", "survivor", "merged", "by_name", "at", "moved", "undone_at", "undone_by_name"]
        read_only_fields = fields

    def get_moved(self, merge) -> dict[str, int]:
        """How many rows of each kind moved ('donations.Donation.donor': 3)."""
        return {label: len(ids) for label, ids in merge.moved.items()}
