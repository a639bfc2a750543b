from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One change of an audited record: who, when, and the fields before and after.

    Written by `audit.signals` for every save and delete of the models in AUDITED (donor
    records, deferrals, blood units, accounts), and by `audit.services.audit_updates` for the
    services that change many rows in one statement (unit state changes, the lab's relabelling).
    Rows are never updated or deleted by the application.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too: the log must still say who it was after the account is deleted.
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=6, choices=Action.choices)
    model = models.CharField(max_length=100, help_text="app_label.ModelName")
    object_id = models.CharField(max_length=64)
    before = models.JSONField(default=dict, blank=True, help_text="Changed fields, old values.")
    after = models.JSONField(default=dict, blank=True, help_text="Changed fields, new values.")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or 'system'} {self.action} {self.model}#{self.object_id}"
