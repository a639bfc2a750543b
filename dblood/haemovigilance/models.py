from django.conf import settings
from django.db import models
from django.db.models import Q

from .codes import (
    ComplicationCategory,
    ComplicationOutcome,
    ComplicationSeverity,
    DonorSymptom,
    FollowUp,
    Imputability,
    Onset,
    ReactionCategory,
    ReactionSeverity,
    Sign,
)

_CODED = ("category", "severity", "onset", "outcome", "follow_up")


class DonorComplication(models.Model):
    """A complication of one collection (ISBT 2014), recorded by the collecting bank's staff at or
    after the collection, or first reported by the donor from their own page (REPORTED: the
    donor's words, waiting for staff to code it; then RECORDED). Every coded field is explicit:
    the database refuses a recorded complication with one of them blank."""

    class Status(models.TextChoices):
        REPORTED = "reported", "Reported by the donor, to be coded"
        RECORDED = "recorded", "Recorded"

    donation = models.ForeignKey("donations.Donation", on_delete=models.PROTECT, related_name="complications")
    # The collecting bank (the donation's), kept here so lists and permissions need no join.
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="donor_complications")
    status = models.CharField(max_length=8, choices=Status.choices)
    category = models.CharField(max_length=32, choices=ComplicationCategory.choices, blank=True)
    severity = models.CharField(max_length=12, choices=ComplicationSeverity.choices, blank=True)
    onset = models.CharField(max_length=8, choices=Onset.choices, blank=True)
    outcome = models.CharField(max_length=16, choices=ComplicationOutcome.choices, blank=True)
    follow_up = models.CharField(max_length=16, choices=FollowUp.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField(help_text="When it began.")
    # The donor's own report (empty when staff recorded it first).
    donor_symptoms = models.JSONField(default=list, blank=True, help_text=f"Of {DonorSymptom.values}.")
    donor_still_unwell = models.BooleanField(null=True, blank=True)
    donor_description = models.CharField(max_length=1000, blank=True)
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True, help_text="Last outcome or follow-up update.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    alerted = models.PositiveSmallIntegerField(default=0, help_text="Medical officers alerted (severe).")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["site", "status", "occurred_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="reported") | Q(**{f"{name}__gt": "" for name in _CODED}),
                name="recorded_complication_is_coded",
            ),
            models.CheckConstraint(
                condition=Q(status="recorded") | ~Q(donor_symptoms=[]), name="donor_report_names_a_symptom"
            ),
        ]

    def __str__(self) -> str:
        return f"complication {self.pk} of donation {self.donation_id} ({self.category or self.status})"


class TransfusionReaction(models.Model):
    """A reaction in a patient, reported by the hospital against the unit(s) transfused
    (ISBT/IHN category, severity, imputability, onset from the start of the transfusion, signs),
    and the issuing bank's investigation: REPORTED -> UNDER_INVESTIGATION -> CONCLUDED, whose
    conclusion codes the reaction again (the bank's word) with its reasoning. No patient is named."""

    class Status(models.TextChoices):
        REPORTED = "reported", "Reported"
        UNDER_INVESTIGATION = "under_investigation", "Under investigation"
        CONCLUDED = "concluded", "Concluded"

    hospital = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="reactions_reported")
    bank = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="reactions_to_investigate")
    request = models.ForeignKey(
        "requests.BloodRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="reactions"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REPORTED)
    category = models.CharField(max_length=12, choices=ReactionCategory.choices)
    severity = models.CharField(max_length=16, choices=ReactionSeverity.choices)
    imputability = models.CharField(max_length=10, choices=Imputability.choices)
    transfusion_started_at = models.DateTimeField()
    onset_at = models.DateTimeField()
    minutes_from_start = models.PositiveIntegerField()
    signs = models.JSONField(help_text=f"One or more of {Sign.values}.")
    note = models.CharField(max_length=500, blank=True, help_text="Clinical detail; no patient names.")
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    investigation_started_at = models.DateTimeField(null=True, blank=True)
    investigation_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The bank's conclusion: the reaction coded again after investigation.
    concluded_category = models.CharField(max_length=12, choices=ReactionCategory.choices, blank=True)
    concluded_severity = models.CharField(max_length=16, choices=ReactionSeverity.choices, blank=True)
    concluded_imputability = models.CharField(max_length=10, choices=Imputability.choices, blank=True)
    conclusion = models.CharField(max_length=2000, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    alerted = models.PositiveSmallIntegerField(default=0, help_text="Bank staff alerted.")

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["bank", "status", "reported_at"]), models.Index(fields=["hospital"])]
        constraints = [
            models.CheckConstraint(condition=~Q(signs=[]), name="reaction_names_a_sign"),
            models.CheckConstraint(
                condition=~Q(status="concluded")
                | Q(
                    concluded_category__gt="",
                    concluded_severity__gt="",
                    concluded_imputability__gt="",
                    conclusion__gt="",
                ),
                name="concluded_reaction_is_coded",
            ),
        ]

    def __str__(self) -> str:
        return f"reaction {self.pk} ({self.category}, {self.status})"


class ReactionUnit(models.Model):
    """One unit a reaction implicates, and what the bank did about its donor: a lookback of the
    donor (the recall mechanism), a deferral (TRALI, ...)."""

    reaction = models.ForeignKey(TransfusionReaction, on_delete=models.CASCADE, related_name="implicated")
    unit = models.ForeignKey("inventory.BloodUnit", on_delete=models.PROTECT, related_name="reactions")
    recall = models.ForeignKey("recalls.Recall", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deferral = models.ForeignKey("donors.Deferral", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["reaction", "id"]
        constraints = [models.UniqueConstraint(fields=["reaction", "unit"], name="unit_once_per_reaction")]

    def __str__(self) -> str:
        return f"{self.reaction}: unit {self.unit_id}"
