"""The contact relay: a call-out's responder and the staff who may act on the call-out write to each
other through dblood, so neither side sees the other's phone number or e-mail address."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Thread(models.Model):
    """One conversation per call-out answer: the donor who answered on one side, the staff of the
    call-out's blood bank and of its verified hospital on the other. The donor may block it."""

    response = models.OneToOneField("requests.CallOutResponse", on_delete=models.CASCADE, related_name="relay_thread")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # Set while the donor does not accept staff messages in this conversation.
    blocked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]

    def __str__(self) -> str:
        return f"relay thread of call-out answer {self.response_id}"


class Message(models.Model):
    class Side(models.TextChoices):
        DONOR = "donor", _("Donor")
        STAFF = "staff", _("Staff")

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    side = models.CharField(max_length=5, choices=Side.choices)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Whose staff wrote it (the bank or the hospital): all the donor is shown of the sender.
    sender_site = models.ForeignKey("sites.Site", null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=1000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        # The retention sweep deletes by age.
        indexes = [models.Index(fields=["created_at"], name="relay_message_age")]

    def __str__(self) -> str:
        return f"{self.side} message in thread {self.thread_id}"
