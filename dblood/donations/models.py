from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from dblood.core.blood import ABO, DonationType, RhD


class Donation(models.Model):
    """One collection: the bag, the pre-donation checks, the outcome and the DIN on the label."""

    class Outcome(models.TextChoices):
        COMPLETED = "completed", "Completed"
        INCOMPLETE = "incomplete", "Incomplete"
        ADVERSE_EVENT = "adverse_event", "Adverse event"

    class Status(models.TextChoices):
        """Lab status of the donation as a whole (units have their own states)."""

        IN_TESTING = "in_testing", "In testing"
        RELEASED = "released", "Released"
        HELD = "held", "Held (typing mismatch)"
        REJECTED = "rejected", "Rejected (reactive screen)"

    donor = models.ForeignKey("donors.Donor", on_delete=models.PROTECT, related_name="donations")
    appointment = models.OneToOneField(
        "drives.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="donation"
    )
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="donations")
    donation_type = models.CharField(max_length=24, choices=DonationType.choices)
    bag_type = models.CharField(max_length=40, blank=True)
    volume_ml = models.PositiveSmallIntegerField(validators=[MinValueValidator(50), MaxValueValidator(1000)])
    hemoglobin_g_dl = models.DecimalField(
        max_digits=4, decimal_places=1, validators=[MinValueValidator(3), MaxValueValidator(25)]
    )
    bp_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(null=True, blank=True)
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.COMPLETED)
    adverse_event_kind = models.CharField(max_length=100, blank=True)
    # ISBT 128 Donation Identification Number: FIN (5) + year (2) + sequence (6). Unique for 100 years.
    din = models.CharField(max_length=13, unique=True, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_TESTING)
    collected_at = models.DateTimeField()
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)
    # ABO/RhD as typed by the lab for this donation (empty until typed).
    typed_abo = models.CharField(max_length=2, choices=ABO.choices, blank=True)
    typed_rhd = models.CharField(max_length=1, choices=RhD.choices, blank=True)
    typed_at = models.DateTimeField(null=True, blank=True)
    typed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-collected_at", "-id"]
        indexes = [
            models.Index(fields=["donor", "donation_type", "collected_at"]),
            # Reports: one bank's collections in a period (1,000,000 donors: 27 ms -> 2 ms; the
            # national report reads a twelfth of the table and scans it, which is faster).
            models.Index(fields=["site", "collected_at"], name="donation_site_collected_at"),
        ]

    def __str__(self) -> str:
        return self.din or f"donation {self.pk}"

    @property
    def is_typed(self) -> bool:
        return bool(self.typed_abo and self.typed_rhd)


class DinSequence(models.Model):
    """The last DIN sequence number used per facility number and nominal year (see din.py)."""

    fin = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fin", "year"], name="din_sequence_per_fin_year")]

    def __str__(self) -> str:
        return f"{self.fin}/{self.year}: {self.last}"


class ScreeningResult(models.Model):
    """One run of one infection test on a donation's sample (repeat-reactive algorithm: screening.py).

    Attempt 1 is the initial test; attempts 2 and 3 are the duplicate repeat after a reactive first.
    """

    class Test(models.TextChoices):
        HIV = "hiv", "HIV"
        HBV = "hbv", "Hepatitis B"
        HCV = "hcv", "Hepatitis C"
        SYPHILIS = "syphilis", "Syphilis"
        MALARIA = "malaria", "Malaria"

    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="screening_results")
    test = models.CharField(max_length=12, choices=Test.choices)
    attempt = models.PositiveSmallIntegerField()
    reactive = models.BooleanField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["donation", "test", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["donation", "test", "attempt"], name="one_result_per_attempt"),
            models.CheckConstraint(condition=models.Q(attempt__gte=1, attempt__lte=3), name="attempt_1_to_3"),
        ]

    def __str__(self) -> str:
        return f"{self.donation} {self.test} #{self.attempt}: {'R' if self.reactive else 'NR'}"


def certificate_token() -> str:
    """128 random bits, URL-safe: the certificate's id on its public check page, never guessable."""
    import secrets

    return secrets.token_urlsafe(16)


class MilestoneCertificate(models.Model):
    """A donor reached one of PMI's award counts (DONATION_MILESTONES) of completed donations, at any
    blood bank: the certificate they download, with a public check page found by `token`."""

    donor = models.ForeignKey("donors.Donor", on_delete=models.CASCADE, related_name="milestone_certificates")
    milestone = models.PositiveSmallIntegerField()
    # The donation that reached the count (several milestones at once only when the setting changes).
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="milestone_certificates")
    token = models.CharField(max_length=32, unique=True, default=certificate_token)
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["donor", "milestone"]
        constraints = [models.UniqueConstraint(fields=["donor", "milestone"], name="one_certificate_per_milestone")]

    def __str__(self) -> str:
        return f"{self.donor}: {self.milestone} donations"
