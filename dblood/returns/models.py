from django.conf import settings
from django.db import models


class UnitReturn(models.Model):
    """An issued, untransfused unit handed back by the hospital, and the blood bank's decision on it.

    The hospital says when the unit left controlled storage, its temperature and whether it travelled
    in a validated transport box; the limits (docs/domain.md "Returns and lookback") are applied when
    it is returned, and the bank decides after inspection: back into stock (only within the limits,
    seal intact), or discarded. Every field of both steps stays on the record.
    """

    class Decision(models.TextChoices):
        PENDING = "", "Awaiting inspection"
        RESTOCKED = "restocked", "Put back into stock"
        DISCARDED = "discarded", "Discarded"

    unit = models.ForeignKey("inventory.BloodUnit", on_delete=models.PROTECT, related_name="returns")
    allocation = models.ForeignKey(
        "requests.Allocation", null=True, blank=True, on_delete=models.PROTECT, related_name="returns"
    )
    hospital = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="units_returned")
    bank = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="returns_received")
    left_storage_at = models.DateTimeField(help_text="When the unit left controlled storage at the hospital.")
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, help_text="Measured when returned.")
    validated_box = models.BooleanField(help_text="Kept in a validated transport box since it left storage.")
    returned_at = models.DateTimeField()
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    minutes_out = models.PositiveIntegerField(help_text="From leaving controlled storage to the return.")
    # Why the return is outside the limits (empty: within them, the unit may go back into stock).
    limit_problems = models.JSONField(default=list, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True, default=Decision.PENDING)
    seal_intact = models.BooleanField(null=True, blank=True, help_text="The bank's inspection.")
    note = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-returned_at", "-id"]
        # Reports: returns in a period (the planner uses it even at a few hundred returns).
        indexes = [models.Index(fields=["returned_at"], name="unitreturn_returned_at")]
        constraints = [
            # Race: two clerks recording the return of one bag. One return awaits inspection at a time.
            models.UniqueConstraint(
                fields=["unit"], condition=models.Q(decision=""), name="one_pending_return_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"return of unit {self.unit_id} ({self.decision or 'pending'})"

    @property
    def within_limits(self) -> bool:
        return not self.limit_problems
