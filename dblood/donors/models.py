from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from dblood.core.blood import ABO, DonationType, RhD, Sex


class Channel(models.TextChoices):
    """How a donor hears from dblood: in the app always, plus any of the others (Donor.notify_channels;
    empty means in the app and e-mail). SMS and WhatsApp need a mobile number and a configured provider."""

    IN_APP = "in_app", "In the app"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


class Donor(models.Model):
    """A donor's profile. Blood group is self-declared until the lab confirms it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="donor")
    donor_number = models.CharField(max_length=16, unique=True)
    abo = models.CharField(max_length=2, choices=ABO.choices, blank=True)
    rhd = models.CharField(max_length=1, choices=RhD.choices, blank=True)
    group_confirmed = models.BooleanField(default=False, help_text="Typed by the lab, not only self-declared.")
    # A typing result that disagreed with the confirmed group: staff must look before the next donation.
    group_flagged = models.BooleanField(default=False)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    weight_kg = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(300)],
    )
    phone = models.CharField(max_length=32, blank=True)
    share_contact = models.BooleanField(default=False, help_text="Staff may see phone and email in call-outs.")
    city = models.CharField(max_length=100, blank=True)
    province = models.CharField(max_length=100, blank=True)
    latitude = models.FloatField(null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)])
    notify_channels = models.JSONField(default=list, blank=True)
    max_alerts_per_week = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(50)])
    alert_radius_km = models.PositiveSmallIntegerField(default=25, validators=[MaxValueValidator(500)])
    call_out_opt_in = models.BooleanField(default=True)
    # The NIK (donors.identity): encrypted, and found by its keyed hash, unique nationally.
    nik_ciphertext = models.TextField(blank=True, help_text="The NIK, encrypted (NIK_ENCRYPTION_KEYS).")
    nik_hash = models.CharField(max_length=64, null=True, blank=True, help_text="HMAC-SHA256 of the NIK.")
    nik_verified_at = models.DateTimeField(null=True, blank=True, help_text="A bank desk saw the identity card.")
    nik_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Merged into another record (donors.merge): its history moved there; undone by the merge's undo.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["abo", "rhd"]),
            # Likely duplicates are looked for among records of one birth date and sex.
            models.Index(fields=["birth_date", "sex"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nik_hash"],
                name="donor_nik_once_nationally",
                violation_error_message="This NIK belongs to another donor record.",
            ),
            models.CheckConstraint(
                condition=models.Q(nik_hash__isnull=True, nik_ciphertext="")
                | models.Q(nik_hash__isnull=False) & ~models.Q(nik_ciphertext=""),
                name="donor_nik_hash_with_ciphertext",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor_number} ({self.user})"


class DeferralReason(models.Model):
    """A catalogue entry (PMI list): tattoo 6 months, reactive HIV permanent, ..."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    permanent = models.BooleanField(default=False)
    default_days = models.PositiveIntegerField(null=True, blank=True, help_text="Length of a temporary deferral.")
    default_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Length of a temporary deferral in calendar months (ends on the same day of the month).",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_days__isnull=True) | models.Q(default_months__isnull=True),
                name="deferral_length_in_days_or_months",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        from .catalogue import reason_label

        return reason_label(self.name)


class Deferral(models.Model):
    """A donor may not donate: until `ends_on` (temporary, lapses by itself) or for good (permanent)."""

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="deferrals")
    reason = models.ForeignKey(DeferralReason, on_delete=models.PROTECT, related_name="deferrals")
    permanent = models.BooleanField(default=False)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="First day the donor may donate again.")
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Lifted early (a temporary deferral recorded in error, or its cause cleared): `ends_on` becomes
    # the day it was lifted, so every eligibility rule reads it as over; who, when and why are kept.
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        # Reports: deferrals recorded in a period (2.2 ms -> 0.6 ms at 22,000 deferrals).
        indexes = [models.Index(fields=["created_at"], name="deferral_created_at")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(permanent=True, ends_on__isnull=True)
                | models.Q(permanent=False, ends_on__isnull=False),
                name="deferral_permanent_xor_end",
            )
        ]

    def __str__(self) -> str:
        return f"{self.donor}: {self.reason}"


class EligibilityProfile(models.Model):
    """One jurisdiction's donor-selection rules, as data (docs/domain.md; PMI/Permenkes 91/2015 by default).

    The setting ELIGIBILITY_PROFILE names the active one (`dblood.donors.eligibility.active_profile`);
    staff edit the numbers in the admin, no code change needed.
    """

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=300, blank=True, help_text="Regulation or guideline the numbers come from.")

    min_age = models.PositiveSmallIntegerField(help_text="Years, inclusive.")
    max_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Last year of age a first-time donor may give; empty: no upper limit."
    )
    max_age_regular = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Last year of age for a donor who has given before; empty: same as max age."
    )
    min_weight_kg = models.DecimalField(max_digits=4, decimal_places=1)

    hb_min_male = models.DecimalField(max_digits=3, decimal_places=1, help_text="g/dL")
    hb_min_female = models.DecimalField(max_digits=3, decimal_places=1, help_text="g/dL")
    hb_max = models.DecimalField(max_digits=3, decimal_places=1, help_text="g/dL")
    bp_systolic_min = models.PositiveSmallIntegerField(help_text="mmHg")
    bp_systolic_max = models.PositiveSmallIntegerField(help_text="mmHg")
    bp_diastolic_min = models.PositiveSmallIntegerField(help_text="mmHg")
    bp_diastolic_max = models.PositiveSmallIntegerField(help_text="mmHg")
    pulse_min = models.PositiveSmallIntegerField(help_text="beats a minute")
    pulse_max = models.PositiveSmallIntegerField(help_text="beats a minute")
    temp_min = models.DecimalField(max_digits=3, decimal_places=1, help_text="°C")
    temp_max = models.DecimalField(max_digits=3, decimal_places=1, help_text="°C")

    # Minimum days between donations, by (previous, next) kind; apheresis = platelets or plasma.
    whole_blood_after_whole_blood_days = models.PositiveSmallIntegerField()
    apheresis_after_apheresis_days = models.PositiveSmallIntegerField()
    apheresis_after_whole_blood_days = models.PositiveSmallIntegerField()
    whole_blood_after_apheresis_days = models.PositiveSmallIntegerField()
    # Within any 365 days.
    max_whole_blood_per_year = models.PositiveSmallIntegerField()
    max_apheresis_per_year = models.PositiveSmallIntegerField()

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def interval_days(self, *, previous: str, planned: str) -> int:
        """Minimum days from a donation of kind `previous` to one of kind `planned` (DonationType values)."""
        prev_wb = previous == DonationType.WHOLE_BLOOD
        next_wb = planned == DonationType.WHOLE_BLOOD
        if prev_wb and next_wb:
            return self.whole_blood_after_whole_blood_days
        if prev_wb:
            return self.apheresis_after_whole_blood_days
        if next_wb:
            return self.whole_blood_after_apheresis_days
        return self.apheresis_after_apheresis_days

    def max_per_year(self, donation_type: str) -> int:
        if donation_type == DonationType.WHOLE_BLOOD:
            return self.max_whole_blood_per_year
        return self.max_apheresis_per_year

    def hb_min(self, sex: str) -> Decimal:
        return self.hb_min_male if sex == Sex.MALE else self.hb_min_female


class DuplicatePair(models.Model):
    """Two donor records that are likely one person (donors.duplicates), found when a record was
    made or changed; bank staff and admins review it and merge, or leave it. One row per pair,
    the lower id first."""

    class Reason(models.TextChoices):
        NIK = "nik", "Same NIK"
        NAME = "name", "Similar name, same birth date and sex"

    class Via(models.TextChoices):
        PROFILE = "profile", "Donor's profile"
        WALK_IN = "walk_in", "Walk-in at the desk"
        ADMIN = "admin", "Admin"

    first = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=4, choices=Reason.choices)
    score = models.PositiveSmallIntegerField(help_text="Name similarity, 0-100 (100 for the same NIK).")
    found_via = models.CharField(max_length=8, choices=Via.choices)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")), name="duplicate_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.reason})"


class DonorMerge(models.Model):
    """`merged` folded into `survivor`: what moved (model label and field -> row ids) and the
    values both records had before, so an undo puts everything back. Audited."""

    survivor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="merges_absorbed")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    moved = models.JSONField(default=dict, help_text="'app.Model.field' -> ids of the rows moved to the survivor.")
    survivor_before = models.JSONField(default=dict, help_text="The survivor's fields the merge changed.")
    merged_before = models.JSONField(default=dict, help_text="The merged record's fields the merge changed.")
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            # The backstop of the row locks in donors.merge: a record is folded into one other at a time.
            models.UniqueConstraint(
                fields=["merged"], condition=models.Q(undone_at__isnull=True), name="donor_merged_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} -> {self.survivor_id}"
