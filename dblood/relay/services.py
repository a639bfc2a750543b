"""Writes of the contact relay: open a conversation, send a message, block, and forget old messages.

A message is kept in dblood only: the other side is told by a notification that says who wrote
(the bank or hospital, or "a donor") and never carries the text, so no free text, and no health
information in it, leaves by e-mail or SMS.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound

from dblood.core.errors import Conflict
from dblood.notifications.messages import notify
from dblood.notifications.models import Notification

from .models import Message, Thread
from .selectors import responses_visible_to, threads_visible_to


def _not_found() -> NotFound:
    return NotFound(_("No such conversation."))


def thread_open(*, response_id: int, by) -> tuple[Thread, bool]:
    """The conversation about call-out answer `response_id`, made on first use. Two people opening
    it at once get the same one (the unique response settles it)."""
    response = responses_visible_to(by).filter(pk=response_id).first()
    if response is None:
        raise NotFound(_("No such call-out answer."))
    thread, created = Thread.objects.get_or_create(response=response)
    return threads_visible_to(by).get(pk=thread.pk), created


def _staff_site(user, thread: Thread):
    """The bank or hospital a staff member writes for: all the donor sees of them."""
    blood_request = thread.response.call_out.request
    if user.is_blood_bank_staff and blood_request.target_bank_id in user.site_ids:
        return blood_request.target_bank
    if user.is_hospital_staff and blood_request.hospital_id in user.site_ids:
        return blood_request.hospital
    return None


@transaction.atomic
def message_send(*, thread_id: int, by, body: str) -> Message:
    thread = (
        threads_visible_to(by)
        .select_related("response__call_out__request__hospital", "response__call_out__request__target_bank")
        .select_for_update(of=("self",))
        .filter(pk=thread_id)
        .first()
    )
    if thread is None:
        raise _not_found()
    if by.is_donor:
        side, site = Message.Side.DONOR, None
    else:
        if thread.blocked_at is not None:
            raise Conflict(_("The donor does not accept messages in this conversation."), code="relay_blocked")
        side, site = Message.Side.STAFF, _staff_site(by, thread)
    message = Message.objects.create(
        thread=thread, side=side, sender=by, sender_site=site, body=body, created_at=timezone.now()
    )
    thread.last_message_at = message.created_at
    thread.save(update_fields=["last_message_at"])
    _tell_the_other_side(thread, message)
    return message


def _tell_the_other_side(thread: Thread, message: Message) -> None:
    call_out = thread.response.call_out
    data = {"relay_thread": thread.pk, "call_out": call_out.pk, "request": call_out.request_id}
    key = f"relay-message:{message.pk}"
    if message.side == Message.Side.STAFF:
        sender = message.sender_site.name if message.sender_site else "dblood"
        notify(user=thread.response.donor.user, kind=Notification.Kind.RELAY_MESSAGE, key=key, data=data, site=sender)
        return
    # The staff who wrote in this conversation, and whoever started the call-out.
    writers = set(thread.messages.filter(side=Message.Side.STAFF).values_list("sender", flat=True))
    writers.add(call_out.started_by_id)
    from dblood.accounts.models import User

    for user in User.objects.filter(pk__in=writers - {None}, is_active=True):
        if responses_visible_to(user).filter(pk=thread.response_id).exists():
            notify(user=user, kind=Notification.Kind.RELAY_REPLY, key=key, data=data, call_out=call_out.pk)


def thread_block(*, thread_id: int, by, blocked: bool) -> Thread:
    """The donor stops (or again accepts) staff messages in their conversation. Idempotent: blocking
    twice keeps the first time."""
    thread = threads_visible_to(by).filter(pk=thread_id).first()
    if thread is None:
        raise _not_found()
    if blocked:
        Thread.objects.filter(pk=thread.pk, blocked_at__isnull=True).update(blocked_at=timezone.now())
    else:
        Thread.objects.filter(pk=thread.pk).update(blocked_at=None)
    thread.refresh_from_db(fields=["blocked_at"])
    return thread


def relay_forget_old(now=None) -> int:
    """Due work: delete messages older than RELAY_RETENTION_DAYS, and the conversations left with
    none. Returns how many messages were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RELAY_RETENTION_DAYS)
    deleted, _by_model = Message.objects.filter(created_at__lt=cutoff).delete()
    Thread.objects.filter(
        Q(last_message_at__lt=cutoff) | Q(last_message_at__isnull=True, created_at__lt=cutoff)
    ).delete()
    return deleted
