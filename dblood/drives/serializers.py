from datetime import timedelta

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dblood.core.blood import DonationType, Sex
from dblood.core.serializers import ClinicalBooleanField, ClinicalChoiceField, StrictModelSerializer, StrictSerializer
from dblood.sites.geo import PointQuerySerializer
from dblood.sites.models import Site

from .models import Appointment, Drive, Questionnaire, Slot
from .questionnaire import flags_in_words


class SlotSerializer(serializers.ModelSerializer):
    free = serializers.SerializerMethodField(help_text="Places still bookable: 0 once the slot has started.")

    class Meta:
        model = Slot
        fields = ["id", "starts_at", "ends_at", "capacity", "free"]
        read_only_fields = fields

    def get_free(self, slot) -> int:
        return slot.free if slot.starts_at > self._now else 0

    @cached_property
    def _now(self):
        return timezone.now()

    @cached_property
    def _zone(self):
        return timezone.get_current_timezone()

    def to_representation(self, slot) -> dict:
        """The declared fields written out: a search page at 1,000,000 donors carries ~240 slots, and
        DRF's generic walk (an attribute lookup and a time zone lookup per field per slot) was half
        of the request's CPU. The same output as the generic walk (tested), with one `now` and one
        time zone for the whole page."""
        return {
            "id": slot.id,
            "starts_at": _iso(slot.starts_at, self._zone),
            "ends_at": _iso(slot.ends_at, self._zone),
            "capacity": slot.capacity,
            "free": self.get_free(slot),
        }


def _iso(value, zone) -> str:
    """DRF's DateTimeField output (ISO 8601 in the current time zone, 'Z' for UTC)."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class DriveSerializer(serializers.ModelSerializer):
    organiser = serializers.PrimaryKeyRelatedField(read_only=True)
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True, allow_null=True, default=None)
    slots = SlotSerializer(many=True, read_only=True)
    free = serializers.SerializerMethodField()
    distance_km = serializers.SerializerMethodField()

    class Meta:
        model = Drive
        fields = [
            "id",
            "name",
            "status",
            "organiser",
            "organiser_name",
            "site",
            "site_name",
            "location_name",
            "address",
            "city",
            "province",
            "latitude",
            "longitude",
            "date",
            "start_time",
            "end_time",
            "slot_minutes",
            "capacity_per_slot",
            "donation_types",
            "cancel_reason",
            "free",
            "distance_km",
            "slots",
        ]
        read_only_fields = fields

    def get_free(self, drive) -> int:
        now = timezone.now()
        return sum(slot.free for slot in drive.slots.all() if slot.starts_at > now)

    def get_distance_km(self, drive) -> float | None:
        value = getattr(drive, "distance_km", None)
        return None if value is None else round(value, 2)


MAX_DAYS_AHEAD = 730


class DriveWriteSerializer(StrictModelSerializer):
    """Create or edit a drive. `site`: a blood bank hosting it; leave empty and give the address
    and coordinates for a mobile drive."""

    organiser = serializers.PrimaryKeyRelatedField(queryset=Site.objects.filter(kind=Site.Kind.BLOOD_BANK))
    site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.filter(kind=Site.Kind.BLOOD_BANK, is_active=True), required=False, allow_null=True
    )
    donation_types = serializers.ListField(
        child=serializers.ChoiceField(choices=DonationType.choices), min_length=1, required=False
    )
    status = serializers.ChoiceField(
        choices=[(Drive.Status.PLANNED, "Planned"), (Drive.Status.OPEN, "Open"), (Drive.Status.CLOSED, "Closed")],
        required=False,
    )

    class Meta:
        model = Drive
        fields = [
            "organiser",
            "site",
            "name",
            "location_name",
            "address",
            "city",
            "province",
            "latitude",
            "longitude",
            "date",
            "start_time",
            "end_time",
            "slot_minutes",
            "capacity_per_slot",
            "donation_types",
            "status",
        ]
        extra_kwargs = {"city": {"required": False}, "province": {"required": False}}

    def validate_date(self, value):
        # Slots are computed as datetimes from the date: near year 9999 they overflow.
        if value > timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD):
            raise serializers.ValidationError(
                _("A drive is planned at most %(days)d days ahead.") % {"days": MAX_DAYS_AHEAD}
            )
        return value

    def get_fields(self):
        fields = super().get_fields()
        fields["latitude"].required = False
        fields["longitude"].required = False
        if self.instance is not None:
            fields["organiser"].read_only = True
        return fields


class DriveCancelSerializer(StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class DriveQuerySerializer(PointQuerySerializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    city = serializers.CharField(required=False, max_length=100)
    province = serializers.CharField(required=False, max_length=100)
    organiser = serializers.IntegerField(required=False, min_value=1)
    donation_type = serializers.ChoiceField(required=False, choices=DonationType.choices)
    has_free_slots = serializers.BooleanField(required=False, allow_null=True, default=None)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": [_("Must not be before date_from.")]})
        return attrs


class AnswerFlagSerializer(serializers.Serializer):
    question = serializers.CharField(help_text="The question's code.")
    text = serializers.CharField(help_text="The question in the reader's language.")
    answer = serializers.BooleanField()
    reason_code = serializers.CharField(help_text="The deferral reason the answer implies.")
    reason = serializers.CharField(help_text="That reason's name in the reader's language.")
    sentence = serializers.CharField(help_text="Question, answer and reason in one sentence, for the check-in desk.")


class AppointmentSerializer(serializers.ModelSerializer):
    drive = serializers.IntegerField(source="slot.drive_id", read_only=True)
    drive_name = serializers.CharField(source="slot.drive.name", read_only=True)
    location = serializers.SerializerMethodField()
    starts_at = serializers.DateTimeField(source="slot.starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="slot.ends_at", read_only=True)
    donor_number = serializers.CharField(source="donor.donor_number", read_only=True)
    donor_name = serializers.CharField(source="donor.user.full_name", read_only=True)
    questionnaire_version = serializers.IntegerField(
        source="questionnaire.version", read_only=True, allow_null=True, default=None
    )
    rescheduled_to = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    flags = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "status",
            "donation_type",
            "walk_in",
            "date",
            "starts_at",
            "ends_at",
            "slot",
            "drive",
            "drive_name",
            "location",
            "donor",
            "donor_number",
            "donor_name",
            "questionnaire_version",
            "answers",
            "flags",
            "answered_at",
            "checked_in_at",
            "cancelled_at",
            "rescheduled_to",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AnswerFlagSerializer(many=True))
    def get_flags(self, appointment) -> list[dict]:
        """Answers that imply a deferral, read in the reader's language."""
        return flags_in_words(flags=appointment.flags, questionnaire=appointment.questionnaire)

    def get_location(self, appointment) -> str:
        drive = appointment.slot.drive
        return ", ".join(part for part in (drive.location_name, drive.address, drive.city) if part)


class CheckInSerializer(AppointmentSerializer):
    """At check-in: the appointment, its questionnaire flags, and the donor's eligibility today
    for the booked donation type (a deferral recorded since booking shows here)."""

    eligible_today = serializers.SerializerMethodField()
    reasons_today = serializers.SerializerMethodField()

    class Meta(AppointmentSerializer.Meta):
        fields = [*AppointmentSerializer.Meta.fields, "eligible_today", "reasons_today"]
        read_only_fields = fields

    def _verdict(self, appointment):
        return self.context["verdict"]

    def get_eligible_today(self, appointment) -> bool:
        return self._verdict(appointment).eligible

    def get_reasons_today(self, appointment) -> list[str]:
        return list(self._verdict(appointment).reasons)


class AppointmentCreateSerializer(StrictSerializer):
    slot = serializers.IntegerField(min_value=1)
    donation_type = ClinicalChoiceField(choices=DonationType.choices)
    replacement_code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="A request's replacement-donation code, when you donate for a patient (ABCD-EFGH).",
    )


class AppointmentRescheduleSerializer(StrictSerializer):
    slot = serializers.IntegerField(min_value=1)
    donation_type = serializers.ChoiceField(choices=DonationType.choices, required=False)


class WalkInSerializer(StrictSerializer):
    """An existing donor at the desk (donor number and birth date), or a new one (email and full name)."""

    donor_number = serializers.CharField(required=False, max_length=16)
    email = serializers.EmailField(required=False, max_length=254)
    full_name = serializers.CharField(required=False, max_length=150)
    birth_date = serializers.DateField(
        required=False, help_text="With the donor number: must match the profile. For a new donor: recorded."
    )
    sex = serializers.ChoiceField(required=False, choices=Sex.choices)
    weight_kg = serializers.DecimalField(required=False, max_digits=5, decimal_places=1, min_value=20, max_value=300)
    nik = serializers.CharField(
        required=False,
        max_length=32,
        help_text="The NIK read off the identity card: recorded as verified if the donor has none yet; checked "
        "against the birth date and sex.",
    )
    donation_type = ClinicalChoiceField(choices=DonationType.choices)
    slot = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs):
        if not attrs.get("donor_number") and not attrs.get("email"):
            raise serializers.ValidationError({"donor_number": [_("Give the donor number or an email.")]})
        return attrs


class WalkInResultSerializer(AppointmentSerializer):
    likely_duplicates = serializers.IntegerField(
        read_only=True, help_text="Likely duplicate records of this donor waiting for review (the duplicates list)."
    )

    class Meta(AppointmentSerializer.Meta):
        fields = [*AppointmentSerializer.Meta.fields, "likely_duplicates"]
        read_only_fields = fields


class AnswersSerializer(StrictSerializer):
    version = serializers.IntegerField(min_value=1)
    answers = serializers.DictField(child=ClinicalBooleanField())


class QuestionnaireSerializer(serializers.ModelSerializer):
    class Meta:
        model = Questionnaire
        fields = ["version", "questions", "published_at"]
        read_only_fields = fields


class AppointmentQuerySerializer(StrictSerializer):
    date = serializers.DateField(required=False)
    drive = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(required=False, choices=Appointment.Status.choices)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)
