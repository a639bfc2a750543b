from django.conf import settings
from django.db import models


class Recall(models.Model):
    """The lookback of one donation that became finally reactive: every unit traced from the
    donor's other donations inside the lookback window, and what was done with each (services.py).

    OPEN while traced units are still in a blood bank's custody; CLOSED once the bank that opened it
    has settled each of them. Open or closed, it holds its window's units: none becomes available.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    # The reactive donation whose result opened the lookback (its own units are UNSAFE already).
    donation = models.OneToOneField("donations.Donation", on_delete=models.PROTECT, related_name="recall")
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="recalls", help_text="Opened by.")
    window_start = models.DateTimeField(help_text="Donations collected from this moment on were traced.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "opened_at"])]

    def __str__(self) -> str:
        return f"recall {self.pk} ({self.status})"


class RecallUnit(models.Model):
    """One traced unit: where it was and in what state when traced, and what the lookback did."""

    class Action(models.TextChoices):
        QUARANTINED = "quarantined", "Taken off the shelf into quarantine"
        HELD = "held", "Kept in quarantine"
        STOPPED = "stopped", "Stopped in transit (booked in only into quarantine)"
        HOSPITAL_NOTIFIED = "hospital_notified", "Holding hospital notified"
        NONE = "none", "Nothing to do (already out of stock)"

    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="traced")
    unit = models.ForeignKey("inventory.BloodUnit", on_delete=models.PROTECT, related_name="recall_traces")
    state_at_trace = models.CharField(max_length=12)
    action = models.CharField(max_length=20, choices=Action.choices)
    # Where the unit was: the blood bank holding it (in transit: the sending bank, and `transfer`
    # names the receiving one), or the hospital it was issued to.
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="+")
    transfer = models.ForeignKey(
        "inventory.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notified = models.PositiveSmallIntegerField(default=0, help_text="Hospital staff sent the notice.")

    class Meta:
        ordering = ["recall", "id"]
        constraints = [models.UniqueConstraint(fields=["recall", "unit"], name="unit_traced_once_per_recall")]

    def __str__(self) -> str:
        return f"{self.recall}: unit {self.unit_id} ({self.action})"
