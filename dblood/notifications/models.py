from django.conf import settings
from django.db import models


class Notification(models.Model):
    """A message to one user: in the in-app inbox, and by email when the worker sends it."""

    class Kind(models.TextChoices):
        GENERIC = "generic", "Message"
        ELIGIBLE_AGAIN = "eligible_again", "Eligible again"
        APPOINTMENT_REMINDER = "appointment_reminder", "Appointment tomorrow"
        DRIVE_CANCELLED = "drive_cancelled", "Drive cancelled"
        UNIT_ISSUED = "unit_issued", "Your blood was issued"
        CALL_OUT = "call_out", "Emergency call-out"
        SCREENING_FOLLOW_UP = "screening_follow_up", "Please contact your blood bank"
        RECRUITMENT = "recruitment", "Invitation to donate"
        UNIT_RECALL = "unit_recall", "Unit recalled"
        REQUEST_NEW = "request_new", "New blood request"
        TRANSFER_REQUESTED = "transfer_requested", "Unit to send to another blood bank"
        TRANSFER_DISPATCHED = "transfer_dispatched", "Unit on its way"
        DONOR_COMPLICATION = "donor_complication", "Severe donor complication"
        DONOR_REACTION_REPORTED = "donor_reaction_reported", "A donor reported a reaction"
        TRANSFUSION_REACTION = "transfusion_reaction", "Transfusion reaction reported"

    class EmailState(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not wanted"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # One event notifies a user at most once: the event's key is unique per user.
    dedupe_key = models.CharField(max_length=200)
    # Title and body in the recipient's language (the e-mail's text).
    title = models.CharField(max_length=200)
    body = models.TextField()
    # The same message in every language of the site, {"id": {"title", "body"}, "en": ...}: the inbox
    # shows it in the language its reader reads the site in.
    texts = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The worker emails PENDING rows once; SKIPPED when the user chose in-app only.
    email_state = models.CharField(max_length=8, choices=EmailState.choices, default=EmailState.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once_per_event")]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            # The weekly alert cap counts a user's recent call-outs and invitations.
            models.Index(fields=["user", "kind", "created_at"]),
            models.Index(fields=["id"], condition=models.Q(email_state="pending"), name="notification_email_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.user}"
