"""Record every save and delete of the audited models (donor records, blood units).

QuerySet.update() and bulk_create() bypass model signals; the audited apps change these rows
through save() (unit states go through inventory.services.unit_transition, which saves).
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
    "accounts.User": {"password", "last_login"},
}
_encoder = DjangoJSONEncoder()


def _snapshot(instance) -> dict:
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
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _snapshot(old) if old is not None else None


def _record(instance, action: str, before: dict, after: dict) -> None:
    actor = current_actor()
    AuditEvent.objects.create(
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        before=before,
        after=after,
    )


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = _snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        _record(instance, AuditEvent.Action.CREATE, {}, after)
        return
    changed = [name for name in after if before.get(name) != after[name]]
    if changed:
        _record(instance, AuditEvent.Action.UPDATE, {n: before.get(n) for n in changed}, {n: after[n] for n in changed})


def _after_delete(sender, instance, **kwargs):
    # Inside the deleting transaction: the log row and the delete commit or roll back together.
    with transaction.atomic():
        _record(instance, AuditEvent.Action.DELETE, _snapshot(instance), {})


def connect() -> None:
    for label in AUDITED:
        model = apps.get_model(label)
        uid = f"audit:{label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
