from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dblood.core.blood import DonationType


class Drive(models.Model):
    """A donation session at a blood bank or a mobile location, cut into time slots."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for booking")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    organiser = models.ForeignKey(
        "sites.Site", on_delete=models.PROTECT, related_name="drives", limit_choices_to={"kind": "blood_bank"}
    )
    site = models.ForeignKey(
        "sites.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_drives",
        help_text="Set when the drive is at a blood bank; empty for a mobile drive.",
    )
    name = models.CharField(max_length=200)
    location_name = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100)
    province = models.CharField(max_length=100)
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    slot_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    capacity_per_slot = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    donation_types = models.JSONField(default=list, help_text=f"Subset of {list(DonationType.values)}.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["date", "start_time", "id"]
        indexes = [
            models.Index(fields=["date", "status"]),
            models.Index(fields=["city", "date"]),
            models.Index(fields=["latitude", "longitude"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date})"


class Slot(models.Model):
    """A bookable time. `booked` counts active appointments; the check constraint caps it at capacity."""

    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["drive", "starts_at"], name="slot_unique_start"),
            # The database, not Python, settles a race for the last place.
            models.CheckConstraint(condition=models.Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"),
        ]

    def __str__(self) -> str:
        return f"{self.drive} @ {self.starts_at:%H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        COMPLETED = "completed", _("Donated")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    ACTIVE = (Status.BOOKED, Status.CHECKED_IN)

    donor = models.ForeignKey("donors.Donor", on_delete=models.CASCADE, related_name="appointments")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    date = models.DateField(help_text="The drive's date, copied for the one-a-day constraint.")
    donation_type = models.CharField(max_length=24, choices=DonationType.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    walk_in = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    rescheduled_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_from"
    )
    # The pre-donation questionnaire, answered online before arrival (or at the desk).
    questionnaire = models.ForeignKey(
        "drives.Questionnaire", null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    answers = models.JSONField(default=dict, blank=True, help_text="Question code -> true/false.")
    # [{"question", "reason_code", "reason"}]: answers that imply a deferral, for staff at check-in.
    flags = models.JSONField(default=list, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "slot__starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["donor", "date"],
                condition=models.Q(status__in=["booked", "checked_in"]),
                name="one_active_appointment_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.donor} -> {self.slot}"


class Questionnaire(models.Model):
    """A published version of the pre-donation questionnaire. Versions are never edited once
    answered: a change is a new version, so stored answers keep their meaning.

    `questions`: [{"code", "text": {"en", "id"}, "defer_if": true|false, "reason_code"}]; an answer
    equal to `defer_if` is flagged with the DeferralReason `reason_code`.
    """

    version = models.PositiveIntegerField(unique=True)
    questions = models.JSONField()
    published_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"questionnaire v{self.version}"
