"""Writes for notifications. Other apps call `notification_send`; it is idempotent per event."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from .models import Notification

logger = logging.getLogger(__name__)

EMAIL_MAX_ATTEMPTS = 5


def wants_email(user) -> bool:
    """Donors choose their channels (empty: in-app and e-mail, the default); staff always get email."""
    donor = getattr(user, "donor", None) if user.is_donor else None
    if donor is None or not donor.notify_channels:
        return bool(user.email)
    return "email" in donor.notify_channels and bool(user.email)


def notification_send(
    *, user, kind: str, key: str, title: str, body: str, data: dict | None = None
) -> Notification | None:
    """Queue a message for `user` for the event `key`. A second call for the same event does nothing.

    `title` and `body` are lazy or plain strings; they are rendered in the user's language (the
    e-mail), and in every language of the site for the inbox, which follows its reader's language.
    The email, if the user wants one, is sent later by the worker (`notifications_email_pending`),
    and so are its SMS and WhatsApp copies (`deliveries.deliveries_send_due`).
    """
    from .deliveries import deliveries_queue

    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts[language] = {"title": str(title)[:200], "body": str(body)}
    own = texts.get(getattr(user, "language", None) or "id") or texts[settings.LANGUAGES[0][0]]
    rendered_title, rendered_body = own["title"], own["body"]
    state = Notification.EmailState.PENDING if wants_email(user) else Notification.EmailState.SKIPPED
    try:
        # The unique (user, dedupe_key) constraint settles two workers racing on one event.
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user,
                kind=kind,
                dedupe_key=key,
                title=rendered_title[:200],
                body=rendered_body,
                texts=texts,
                data=data or {},
                email_state=state,
            )
    except IntegrityError:
        return None
    deliveries_queue(notification)
    return notification


def notification_mark_read(*, user, notification_id: int) -> Notification:
    notification = Notification.objects.get(pk=notification_id, user=user)
    if notification.read_at is None:
        # Conditional update: a double click does not move the first read time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def _email_text(notification: Notification) -> str:
    with translation.override(notification.user.language or "id"):
        footer = translation.gettext("Open your inbox: {url}").format(url=f"{settings.WEB_BASE_URL}/me/notifications/")
    return f"{notification.body}\n\n{footer}\n"


def notifications_email_urgent(*, limit: int = 200) -> int:
    """Email the pending alerts of emergency requests only: the worker's fast lane, run every few
    seconds between its full runs, so a bank hears of an emergency by e-mail within a minute."""
    return notifications_email_pending(limit=limit, urgent_only=True)


def notifications_email_pending(*, limit: int = 200, urgent_only: bool = False) -> int:
    """Email pending notifications; returns how many were sent. Runs in the worker, never in a request.

    Rows are locked with SKIP LOCKED so two workers never email the same notification.
    """
    sent = 0
    pending = Notification.objects.filter(email_state=Notification.EmailState.PENDING)
    if urgent_only:
        pending = pending.filter(data__urgency="emergency")
    with transaction.atomic():
        batch = list(
            pending.select_for_update(skip_locked=True, of=("self",)).select_related("user").order_by("id")[:limit]
        )
        for notification in batch:
            try:
                send_mail(
                    notification.title,
                    _email_text(notification),
                    settings.DEFAULT_FROM_EMAIL,
                    [notification.user.email],
                )
            except Exception:  # noqa: BLE001 - any transport failure is retried later
                logger.warning("email for notification %s failed", notification.pk, exc_info=True)
                notification.email_attempts += 1
                if notification.email_attempts >= EMAIL_MAX_ATTEMPTS:
                    notification.email_state = Notification.EmailState.FAILED
                notification.save(update_fields=["email_attempts", "email_state"])
                continue
            notification.email_state = Notification.EmailState.SENT
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["email_state", "emailed_at"])
            sent += 1
    return sent
