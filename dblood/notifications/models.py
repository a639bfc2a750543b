import uuid

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
        RELAY_MESSAGE = "relay_message", "Message about a call-out"
        RELAY_REPLY = "relay_reply", "A donor replied about a call-out"
        DONATION_MILESTONE = "donation_milestone", "Donation milestone reached"
        EXCURSION_STORAGE = "excursion_storage", "Storage temperature out of range"
        EXCURSION_TRANSPORT = "excursion_transport", "Unit arrived out of its temperature range"

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


# Messages that count against a donor's weekly alert cap (Donor.max_alerts_per_week): one alert is
# one notification, however many channels carry it.
CAPPED_KINDS = (Notification.Kind.CALL_OUT, Notification.Kind.RECRUITMENT)


class Delivery(models.Model):
    """One notification on one outside channel (SMS, WhatsApp): its short text, the number it went
    to, and the provider's story of it. E-mail keeps its columns on Notification.

    The worker sends PENDING rows whose `next_attempt_at` has come, retrying with exponential
    backoff; `idempotency_key` goes to the provider with every attempt, so a retry after a lost
    answer does not send the message twice. The provider's signed status callbacks move the state on.
    """

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        WHATSAPP = "whatsapp", "WhatsApp"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Accepted by the provider"
        DELIVERED = "delivered", "Delivered"
        READ = "read", "Read"
        FAILED = "failed", "Failed"

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # E.164, as it was when the message was queued (a later change of number does not redirect it).
    to = models.CharField(max_length=16)
    text = models.CharField(max_length=320)
    state = models.CharField(max_length=9, choices=State.choices, default=State.PENDING)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=None, null=True, blank=True)
    provider_message_id = models.CharField(max_length=128, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_at = models.DateTimeField(null=True, blank=True, help_text="When the provider last reported on it.")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel")]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(state="pending"), name="delivery_due"),
            models.Index(fields=["channel", "provider_message_id"], name="delivery_by_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.state} -> {self.to}"
