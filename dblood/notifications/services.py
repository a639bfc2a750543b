"""Writes for notifications. Other apps call `notification_send`; it is idempotent per event."""

from django.db import IntegrityError, transaction
from django.utils import translation

from .models import Notification


def notification_send(
    *, user, kind: str, key: str, title: str, body: str, data: dict | None = None
) -> Notification | None:
    """Queue a message for `user` for the event `key`. A second call for the same event does nothing.

    `title` and `body` are lazy or plain strings; they are rendered in the user's language.
    """
    with translation.override(getattr(user, "language", None) or "id"):
        rendered_title, rendered_body = str(title), str(body)
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user=user, kind=kind, dedupe_key=key, title=rendered_title, body=rendered_body, data=data or {}
            )
    except IntegrityError:
        return None
