"""SMS and WhatsApp copies of notifications: which are made, sending them, and the providers' reports.

A notification gets one Delivery per outside channel the donor chose, that is configured, and that
their phone can take; staff get none (their channel is e-mail). Alerts over the donor's weekly cap
get none either (the cap is about messages to the phone as much as about asking too often).
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from dblood.core.phones import PhoneError, is_mobile, to_e164

from . import channels
from .models import CAPPED_KINDS, Delivery, Notification
from .short_texts import SHORT_TEXTS

logger = logging.getLogger(__name__)

# The longest wait between two attempts, whatever the attempt count.
MAX_BACKOFF = timedelta(hours=1)
# Later states win; a late "sent" after "delivered" changes nothing. FAILED ends a message that was
# not delivered, but a provider that reports delivery after a failure report is believed.
STATE_RANK = {
    Delivery.State.PENDING: 0,
    Delivery.State.SENT: 1,
    Delivery.State.FAILED: 2,
    Delivery.State.DELIVERED: 3,
    Delivery.State.READ: 4,
}


def phone_channels(user) -> tuple[list[str], str]:
    """(outside channels this user gets, their number as E.164): the donor's choice, less what is
    off or what the number cannot take. Nothing for staff or a donor without a usable mobile."""
    donor = getattr(user, "donor", None) if user.is_donor else None
    if donor is None or not donor.phone:
        return [], ""
    chosen = [channel for channel in donor.notify_channels if channel in Delivery.Channel.values]
    if not chosen:
        return [], ""
    try:
        number = to_e164(donor.phone)
    except PhoneError:
        return [], ""
    if not is_mobile(number):
        return [], ""
    on = channels.available()
    return [channel for channel in chosen if channel in on], number


def short_text(*, kind: str, language: str) -> str:
    template = SHORT_TEXTS.get(kind, SHORT_TEXTS[Notification.Kind.GENERIC])
    with translation.override(language or "id"):
        return str(template).format(url=f"{settings.WEB_BASE_URL}/me/notifications/")


def _over_weekly_cap(notification: Notification) -> bool:
    if notification.kind not in CAPPED_KINDS:
        return False
    donor = notification.user.donor
    since = notification.created_at - timedelta(days=7)
    recent = Notification.objects.filter(user=notification.user, kind__in=CAPPED_KINDS, created_at__gte=since)
    return recent.count() > donor.max_alerts_per_week


def deliveries_queue(notification: Notification) -> list[Delivery]:
    """Queue the SMS/WhatsApp copies of a notification just created (in its transaction)."""
    wanted, number = phone_channels(notification.user)
    if not wanted or _over_weekly_cap(notification):
        return []
    text = short_text(kind=notification.kind, language=notification.user.language)
    now = timezone.now()
    return Delivery.objects.bulk_create(
        [
            Delivery(notification=notification, channel=channel, to=number, text=text[:320], next_attempt_at=now)
            for channel in wanted
        ]
    )


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: base, 2 x base, 4 x base... at most an hour."""
    return min(timedelta(seconds=settings.CHANNEL_RETRY_BASE_SECONDS * 2 ** (attempts - 1)), MAX_BACKOFF)


def deliveries_send_due(*, limit: int = 50, now=None) -> int:
    """Send the pending deliveries whose time has come; returns how many the providers accepted.
    Runs in the worker. Rows are locked with SKIP LOCKED, so two workers never send the same one;
    a failure is retried after `backoff`, until CHANNEL_MAX_ATTEMPTS."""
    now = now or timezone.now()
    sent = 0
    providers: dict[str, channels.Provider | None] = {}
    due = Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
    with transaction.atomic():
        batch = list(
            due.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification__user")
            .order_by("next_attempt_at", "id")[:limit]
        )
        for delivery in batch:
            if delivery.channel not in providers:
                providers[delivery.channel] = channels.provider_for(delivery.channel)
            provider = providers[delivery.channel]
            if provider is None:
                # Switched off since it was queued: it waits, as sent mail waits for a mail server.
                delivery.next_attempt_at = now + MAX_BACKOFF
                delivery.save(update_fields=["next_attempt_at"])
                continue
            delivery.attempts += 1
            try:
                result = provider.send(
                    to=delivery.to,
                    text=delivery.text,
                    idempotency_key=str(delivery.idempotency_key),
                    language=delivery.notification.user.language or "id",
                )
            except channels.TemporaryFailure as exc:
                delivery.last_error = str(exc)[:300]
                if delivery.attempts >= settings.CHANNEL_MAX_ATTEMPTS:
                    delivery.state = Delivery.State.FAILED
                    delivery.next_attempt_at = None
                else:
                    delivery.next_attempt_at = now + backoff(delivery.attempts)
                logger.warning("%s delivery %s failed (attempt %s)", delivery.channel, delivery.pk, delivery.attempts)
            except channels.PermanentFailure as exc:
                delivery.last_error = str(exc)[:300]
                delivery.state = Delivery.State.FAILED
                delivery.next_attempt_at = None
                logger.warning("%s delivery %s refused: %s", delivery.channel, delivery.pk, exc)
            else:
                # A report may have come before the answer (it carries our key): keep the later state.
                delivery.provider_message_id = result.provider_message_id
                delivery.state = Delivery.State.SENT
                delivery.sent_at = now
                delivery.next_attempt_at = None
                delivery.last_error = ""
                sent += 1
            delivery.save(
                update_fields=["attempts", "state", "next_attempt_at", "last_error", "provider_message_id", "sent_at"]
            )
    return sent


def delivery_reports_apply(*, channel: str, reports: list) -> int:
    """Apply a provider's status reports; returns how many deliveries changed. A report for an
    unknown message is ignored (the provider must not keep resending it); states only move on."""
    changed = 0
    now = timezone.now()
    for report in reports:
        match = Q()
        if report.provider_message_id:
            match |= Q(provider_message_id=report.provider_message_id)
        if report.reference:
            try:
                match |= Q(idempotency_key=uuid.UUID(report.reference))
            except ValueError:
                pass
        if not match:
            continue
        with transaction.atomic():
            # Locked: two reports for one message (delivered, read) arriving at once both compare
            # against the state the other left.
            delivery = Delivery.objects.select_for_update().filter(match, channel=channel).first()
            if delivery is None or STATE_RANK[report.state] <= STATE_RANK[delivery.state]:
                continue
            delivery.state = report.state
            delivery.status_at = now
            delivery.next_attempt_at = None
            if report.provider_message_id and not delivery.provider_message_id:
                delivery.provider_message_id = report.provider_message_id[:128]
            if report.error:
                delivery.last_error = report.error[:300]
            delivery.save(update_fields=["state", "status_at", "next_attempt_at", "provider_message_id", "last_error"])
            changed += 1
    return changed
