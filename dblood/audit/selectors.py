from django.db.models import QuerySet

from .models import AuditEvent


def audit_events(*, model: str = "", object_id: str = "", actor_id: int | None = None) -> QuerySet[AuditEvent]:
    """The log, newest first, filtered by record (`donors.Donor`, id) or by who acted."""
    events = AuditEvent.objects.all()
    if model:
        events = events.filter(model__iexact=model)
    if object_id:
        events = events.filter(object_id=object_id)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    return events
