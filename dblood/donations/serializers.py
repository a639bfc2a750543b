from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _
from rest_framework import serializers

from dblood.core.blood import ABO, Component, DonationType, RhD
from dblood.core.serializers import ClinicalBooleanField, ClinicalChoiceField, StrictSerializer
from dblood.donors.models import Deferral, Donor
from dblood.drives.models import Appointment
from dblood.inventory.models import BloodUnit
from dblood.sites.models import Site

from . import din as isbt
from .fields import DinField
from .models import Donation, ScreeningResult


class DonationCreateSerializer(StrictSerializer):
    """A collection record: from a checked-in `appointment`, or a walk-in (`donor`, `site`, `donation_type`).

    Physical ranges are checked here (400); the eligibility profile's ranges decide deferral.
    """

    appointment = serializers.PrimaryKeyRelatedField(queryset=Appointment.objects.all(), required=False)
    donor = serializers.SlugRelatedField(
        slug_field="donor_number", queryset=Donor.objects.all(), required=False, help_text="Donor number."
    )
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.filter(kind=Site.Kind.BLOOD_BANK), required=False)
    donation_type = serializers.ChoiceField(choices=DonationType.choices, required=False)
    bag_type = serializers.CharField(max_length=40, required=False, allow_blank=True)
    volume_ml = serializers.IntegerField(min_value=50, max_value=1000)
    hemoglobin_g_dl = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=3, max_value=25)
    bp_systolic = serializers.IntegerField(required=False, min_value=40, max_value=300)
    bp_diastolic = serializers.IntegerField(required=False, min_value=20, max_value=200)
    pulse = serializers.IntegerField(required=False, min_value=20, max_value=250)
    temperature_c = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, min_value=30, max_value=45)
    outcome = ClinicalChoiceField(choices=Donation.Outcome.choices)
    adverse_event_kind = serializers.CharField(max_length=100, required=False, allow_blank=True)
    din = DinField(required=False, help_text="A pre-printed DIN scanned from the bag; otherwise one is allocated.")
    replacement_code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="A request's replacement-donation code the donor brought (ABCD-EFGH): a completed donation "
        "is credited to that request. Without it, the code the donor booked with, if any.",
    )

    def validate(self, attrs):
        if "appointment" not in attrs and not {"donor", "site", "donation_type"} <= set(attrs):
            missing = sorted({"donor", "site", "donation_type"} - set(attrs))
            raise serializers.ValidationError(
                {name: [_("Required for a walk-in (no appointment).")] for name in missing}
            )
        if attrs.get("outcome") == Donation.Outcome.ADVERSE_EVENT and not attrs.get("adverse_event_kind"):
            raise serializers.ValidationError({"adverse_event_kind": [_("Name the adverse event.")]})
        return attrs


class TypingSerializer(StrictSerializer):
    abo = ClinicalChoiceField(choices=ABO.choices)
    rhd = ClinicalChoiceField(choices=RhD.choices)


class ScreeningSerializer(StrictSerializer):
    test = ClinicalChoiceField(choices=ScreeningResult.Test.choices)
    reactive = ClinicalBooleanField()

    def validate_test(self, value):
        from .release import in_words, required_tests

        if value not in required_tests():
            raise serializers.ValidationError(
                _("%(test)s is not screened here (SCREENING_MALARIA is off).") % in_words(test=value)
            )
        return value


class ComponentRequestSerializer(StrictSerializer):
    component = ClinicalChoiceField(choices=Component.choices)
    volume_ml = serializers.IntegerField(
        required=False, validators=[MinValueValidator(10), MaxValueValidator(1000)], help_text="Default per component."
    )


class SeparationSerializer(StrictSerializer):
    components = ComponentRequestSerializer(many=True, allow_empty=False)


class DeferralOutSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(source="reason.label")
    reason_code = serializers.CharField(source="reason.code")

    class Meta:
        model = Deferral
        fields = ["id", "reason", "reason_code", "permanent", "starts_on", "ends_on", "note"]
        read_only_fields = fields


class DeferredCollectionSerializer(serializers.Serializer):
    outcome = serializers.CharField(default="deferred")
    problems = serializers.ListField(child=serializers.CharField())
    deferrals = DeferralOutSerializer(many=True)


class UnitBriefSerializer(serializers.ModelSerializer):
    issued_to_name = serializers.SerializerMethodField()

    class Meta:
        model = BloodUnit
        fields = ["id", "component", "product_code", "abo", "rhd", "volume_ml", "state", "expires_at", "issued_to_name"]
        read_only_fields = fields

    def get_issued_to_name(self, unit) -> str | None:
        # "Where did my blood go": the hospital's name only, and only once issued.
        if unit.state in (BloodUnit.State.ISSUED, BloodUnit.State.TRANSFUSED) and unit.issued_to_id:
            return unit.issued_to.name
        return None


class DonationSerializer(serializers.ModelSerializer):
    """Staff view of a collection record and its lab state."""

    din_check = serializers.SerializerMethodField()
    site_name = serializers.CharField(source="site.name", read_only=True)
    donor_number = serializers.CharField(source="donor.donor_number", read_only=True)
    units = UnitBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Donation
        fields = [
            "id",
            "din",
            "din_check",
            "donor_number",
            "appointment",
            "site",
            "site_name",
            "donation_type",
            "bag_type",
            "volume_ml",
            "hemoglobin_g_dl",
            "bp_systolic",
            "bp_diastolic",
            "pulse",
            "temperature_c",
            "outcome",
            "adverse_event_kind",
            "status",
            "collected_at",
            "collected_by",
            "released_at",
            "typed_abo",
            "typed_rhd",
            "typed_at",
            "units",
        ]
        read_only_fields = fields

    def get_din_check(self, donation) -> str | None:
        return isbt.check_character(donation.din) if donation.din else None


class DonationLabSerializer(DonationSerializer):
    screening = serializers.SerializerMethodField()
    release_blockers = serializers.SerializerMethodField()

    class Meta(DonationSerializer.Meta):
        fields = [*DonationSerializer.Meta.fields, "screening", "release_blockers"]
        read_only_fields = fields

    def get_screening(self, donation) -> dict[str, str]:
        from .release import screening_summary

        return screening_summary(donation)

    def get_release_blockers(self, donation) -> list[str]:
        from .release import release_blockers

        return release_blockers(donation)


# What a donor is told of each unit: never a lab verdict. A reactive donation's units are "unsafe",
# and a donor must hear that from a counsellor, not read it in their history: every way a unit can
# leave the shelf unused reads the same.
DONOR_UNIT_STATES = {
    BloodUnit.State.QUARANTINED: "in_testing",
    BloodUnit.State.AVAILABLE: "in_stock",
    BloodUnit.State.RESERVED: "in_stock",
    BloodUnit.State.IN_TRANSIT: "in_stock",
    BloodUnit.State.ISSUED: "given",
    BloodUnit.State.TRANSFUSED: "given",
    BloodUnit.State.UNSAFE: "not_used",
    BloodUnit.State.DISCARDED: "not_used",
    BloodUnit.State.EXPIRED: "not_used",
}


class DonorUnitSerializer(UnitBriefSerializer):
    """A unit as its donor sees it: the component, and a neutral state (`DONOR_UNIT_STATES`)."""

    state = serializers.SerializerMethodField()

    class Meta(UnitBriefSerializer.Meta):
        fields = ["id", "component", "volume_ml", "state", "issued_to_name"]
        read_only_fields = fields

    def get_state(self, unit) -> str:
        return DONOR_UNIT_STATES[unit.state]


class MyDonationSerializer(serializers.ModelSerializer):
    """A donor's own record: date, place, type, hemoglobin, and what became of each unit.

    `follow_up` says the blood bank asked the donor to get in touch (the private message they were
    sent); it never says why.
    """

    date = serializers.SerializerMethodField()
    place = serializers.CharField(source="site.name")
    units = DonorUnitSerializer(many=True, read_only=True)
    follow_up = serializers.SerializerMethodField()

    class Meta:
        model = Donation
        fields = ["id", "date", "place", "donation_type", "hemoglobin_g_dl", "outcome", "din", "units", "follow_up"]
        read_only_fields = fields

    def get_follow_up(self, donation) -> bool:
        return donation.status == Donation.Status.REJECTED

    def get_date(self, donation) -> str:
        from django.utils import timezone

        return timezone.localdate(donation.collected_at).isoformat()


class WorkItemSerializer(serializers.Serializer):
    """One donation on the lab's worklist (`donations.worklist`)."""

    id = serializers.IntegerField(source="donation.pk")
    din = serializers.CharField(source="donation.din")
    donor_number = serializers.CharField(source="donation.donor.donor_number")
    donation_type = serializers.CharField(source="donation.donation_type")
    collected_at = serializers.DateTimeField(source="donation.collected_at")
    site_name = serializers.CharField(source="donation.site.name")
    steps = serializers.ListField(child=serializers.CharField())
    separate_by = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()


class MyCertificateSerializer(serializers.Serializer):
    milestone = serializers.IntegerField()
    issued_on = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField(help_text="The certificate's PDF, in the api.")
    check_url = serializers.SerializerMethodField(help_text="Its public check page (the QR code on it).")

    def get_issued_on(self, certificate) -> str:
        from django.utils import timezone

        return timezone.localdate(certificate.issued_at).isoformat()

    def get_pdf(self, certificate) -> str:
        return f"/api/v1/donations/mine/certificates/{certificate.milestone}/certificate.pdf"

    def get_check_url(self, certificate) -> str:
        from .milestones import check_url

        return check_url(certificate)


class MyMilestonesSerializer(serializers.Serializer):
    """The donor's count of completed donations at every blood bank, the next award, and the
    certificates of those reached."""

    count = serializers.IntegerField()
    next_milestone = serializers.IntegerField(allow_null=True)
    to_go = serializers.IntegerField(allow_null=True)
    milestones = serializers.ListField(child=serializers.IntegerField())
    certificates = MyCertificateSerializer(many=True)


class CertificateCheckSerializer(serializers.Serializer):
    """All a public check says: the count, the day, and the holder's first name and last initial."""

    milestone = serializers.IntegerField()
    issued_on = serializers.DateField()
    holder = serializers.CharField()
