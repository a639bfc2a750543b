"""Audit writes for services that change audited rows without save() (bulk updates).

The signals in `audit.signals` log every save() and delete. A service that changes many rows in one
statement (QuerySet.update) reads them first, under a lock, and then logs them here with one INSERT:

    before = {unit.pk: audit_snapshot(unit) for unit in locked}
    BloodUnit.objects.filter(pk__in=...).update(state=...)
    ...set the same values on the instances...
    audit_updates(before=before, instances=locked)
"""

from collections.abc import Iterable, Mapping

from django.db.models import Model

from .models import AuditEvent
from .signals import changes, event_for, snapshot

audit_snapshot = snapshot


def audit_updates(*, before: Mapping, instances: Iterable[Model]) -> list[AuditEvent]:
    """Log an update of each instance whose values differ from `before[pk]` (a snapshot taken when
    it was read), with the old and new values of the changed fields only. One INSERT for all."""
    events = []
    actor = None
    for instance in instances:
        old, new = changes(before[instance.pk], snapshot(instance))
        if not new:
            continue
        event = event_for(instance, AuditEvent.Action.UPDATE, old, new, actor=actor)
        actor = event.actor  # who is acting does not change within one call
        events.append(event)
    return AuditEvent.objects.bulk_create(events)


def audit_track(instance: Model) -> Model:
    """`instance` was just read from the database (under a row lock, typically): remember its values
    so that its next save() is logged without re-reading the row. Returns the instance."""
    instance._audit_known = snapshot(instance)
    return instance


def audit_creates(*, instances: Iterable[Model], actor=None) -> list[AuditEvent]:
    """Log the creation of each instance (made by bulk_create, which sends no signal). One INSERT."""
    events = [
        event_for(instance, AuditEvent.Action.CREATE, {}, snapshot(instance), actor=actor) for instance in instances
    ]
    return AuditEvent.objects.bulk_create(events) if events else []
