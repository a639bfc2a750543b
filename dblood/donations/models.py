from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from dblood.core.blood import DonationType


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

    class Meta:
        ordering = ["-collected_at", "-id"]
        indexes = [models.Index(fields=["donor", "donation_type", "collected_at"])]

    def __str__(self) -> str:
        return self.din or f"donation {self.pk}"
