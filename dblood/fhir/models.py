from django.conf import settings
from django.db import models


class FhirOrder(models.Model):
    """A blood request that came in as a FHIR ServiceRequest: the hospital system's own identifier
    for it (what `If-None-Exist: identifier=...` matches) and the opaque patient identifier it gave.

    The identifier is unique per hospital, so two deliveries of the same order (a retry after a
    lost answer, two workers) make one request: the second insert fails in the database.
    """

    blood_request = models.OneToOneField("requests.BloodRequest", on_delete=models.CASCADE, related_name="fhir_order")
    hospital = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="+")
    identifier_system = models.CharField(max_length=255, blank=True)
    identifier_value = models.CharField(max_length=255)
    # The hospital's opaque patient identifier, echoed back; never a name, never a national id we check.
    patient_identifier_system = models.CharField(max_length=255, blank=True)
    patient_identifier_value = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "identifier_system", "identifier_value"], name="fhir_order_identifier_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identifier_system}|{self.identifier_value} -> request {self.blood_request_id}"


class FhirInteraction(models.Model):
    """One FHIR interaction (read, search, create, update...), whoever made it and how it ended.

    Each row is also written to the audit log (`dblood.audit`), with the caller as its actor.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_id = models.CharField(max_length=100, blank=True, help_text="The OAuth2 client, when one was used.")
    interaction = models.CharField(max_length=16)
    resource_type = models.CharField(max_length=40, blank=True)
    resource_id = models.CharField(max_length=64, blank=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.interaction} {self.resource_type}/{self.resource_id} {self.status}"
