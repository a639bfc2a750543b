"""Record every save and delete of the audited models (donor records, blood units, accounts).

Writes that bypass model signals (QuerySet.update(), bulk_create()) must log themselves through
`dblood.audit.services` (`audit_updates`): unit state changes do (inventory.services.units_transition
updates many units in one statement), and so does the lab's relabelling of quarantined units.
A service that already holds a freshly read (locked) row can `audit_track` it, so its save() is
logged without the SELECT that otherwise re-reads the row for the before-values.
"""

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from .context import current_actor
from .models import AuditEvent

# model label -> fields never written to the log (secrets, noise).
AUDITED = {
    "donors.Donor": set(),
    "donors.Deferral": set(),
    "inventory.BloodUnit": set(),
    # Every printed label (inventory.labels.label_print): who printed which unit, first or again.
    "inventory.LabelPrint": set(),
    # Every scan check of a printed label (inventory.verification.label_verify), matched or not.
    "inventory.LabelVerification": set(),
    # A reservation that overrides compatibility (who, why, acknowledged), and what the hospital
    # reports of a unit; plain reservations are bulk-created and not logged one by one.
    "requests.Allocation": set(),
    # Who issued or renewed a request's replacement-donation code, and every donor credited to it.
    "requests.ReplacementCode": set(),
    "requests.ReplacementCredit": set(),
    "accounts.User": {"password", "last_login"},
    # Haemovigilance: every complication and reaction report, its coding and the bank's decisions.
    "haemovigilance.DonorComplication": set(),
    "haemovigilance.TransfusionReaction": set(),
    "haemovigilance.ReactionUnit": set(),
    # Every CSV or XLSX report downloaded: who took which banks' numbers for which days.
    "reports.ReportDownload": set(),
    # Every FHIR interaction (read, search, create, update), by a hospital system or a person.
    "fhir.FhirInteraction": set(),
    # A blood bank's published processing fees (BPPD): who set which amount, and when.
    "sites.ProcessingFee": set(),
}
_encoder = DjangoJSONEncoder()


def snapshot(instance) -> dict:
    """The instance's logged fields as JSON-ready values (column names, secrets left out)."""
    skip = AUDITED[instance._meta.label]
    values = {}
    for field in instance._meta.concrete_fields:
        if field.attname in skip:
            continue
        value = field.value_from_object(instance)
        if value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = _encoder.default(value)
        values[field.attname] = value
    return values


def _before_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    known = getattr(instance, "_audit_known", None)
    if known is not None:  # audit_track: the service read this row itself, no need to read it again
        instance._audit_before = known
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old is not None else None


def event_for(instance, action: str, before: dict, after: dict, actor=None) -> AuditEvent:
    """An unsaved log row for one change of `instance` (the actor defaults to whoever is acting now)."""
    actor = actor if actor is not None else current_actor()
    return AuditEvent(
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        before=before,
        after=after,
    )


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only what changed: (old values, new values) of the fields that differ."""
    changed = [name for name in after if before.get(name) != after[name]]
    return {n: before.get(n) for n in changed}, {n: after[n] for n in changed}


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if getattr(instance, "_audit_known", None) is not None:
        instance._audit_known = after
    if created or before is None:
        event_for(instance, AuditEvent.Action.CREATE, {}, after).save()
        return
    old, new = changes(before, after)
    if new:
        event_for(instance, AuditEvent.Action.UPDATE, old, new).save()


def _after_delete(sender, instance, **kwargs):
    # Inside the deleting transaction: the log row and the delete commit or roll back together.
    with transaction.atomic():
        event_for(instance, AuditEvent.Action.DELETE, snapshot(instance), {}).save()


def connect() -> None:
    for label in AUDITED:
        model = apps.get_model(label)
        uid = f"audit:{label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
