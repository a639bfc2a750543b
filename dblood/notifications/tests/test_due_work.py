"""Due work (reminders, emails) runs in the worker, each event notifies once."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from dblood.notifications.models import Notification
from dblood.notifications.reminders import appointment_tomorrow_remind, eligible_again_remind
from dblood.notifications.services import notification_send, notifications_email_pending

from .factories import book, make_donation, make_donor, make_drive


@pytest.mark.django_db
def test_eligible_again_reminds_once_per_donation(donor, other_donor, bank_a):
    profile = make_donor(donor)
    make_donation(profile, bank_a, days_ago=100)
    recent = make_donor(other_donor)
    make_donation(recent, bank_a, days_ago=10)
    assert eligible_again_remind() == 1
    assert eligible_again_remind() == 0
    message = Notification.objects.get(kind=Notification.Kind.ELIGIBLE_AGAIN)
    assert message.user == donor
    # After the next donation and its interval, a new reminder is due.
    make_donation(profile, bank_a, days_ago=1)
    assert eligible_again_remind() == 0
    with time_machine.travel(timedelta(days=120)):
        assert eligible_again_remind() == 2
    assert Notification.objects.filter(user=donor, kind=Notification.Kind.ELIGIBLE_AGAIN).count() == 2


@pytest.mark.django_db
def test_appointment_tomorrow_reminds_once(donor, other_donor, bank_a):
    tomorrow = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    _, slot = make_drive(bank_a, starts_at=tomorrow)
    booked = book(make_donor(donor), slot)
    _, later = make_drive(bank_a, starts_at=tomorrow + timedelta(days=2))
    book(make_donor(other_donor), later)
    assert appointment_tomorrow_remind() == 1
    assert appointment_tomorrow_remind() == 0
    message = Notification.objects.get(kind=Notification.Kind.APPOINTMENT_REMINDER)
    assert message.user == donor
    assert message.data["appointment"] == booked.pk
    assert "09:00" in message.body


@pytest.mark.django_db
def test_emails_go_once_and_only_to_who_wants_them(donor, other_donor, staff_a):
    make_donor(donor)  # no channel preference: in-app and email
    make_donor(other_donor, notify_channels=["in_app"])
    for user in (donor, other_donor, staff_a):
        notification_send(user=user, kind="generic", key="x", title="Hi", body="Body")
    notification_send(user=other_donor, kind="generic", key="y", title="Hi", body="Body")
    notification_send(user=donor, kind="generic", key="y", title="Hello", body="Body")
    assert notifications_email_pending() == 3
    assert notifications_email_pending() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([donor.email, donor.email, staff_a.email])
    # In the recipient's language (the default, Bahasa Indonesia), linking to the web's inbox.
    assert "Buka kotak masuk Anda: http://127.0.0.1:8000/me/notifications/" in mail.outbox[0].body
    assert Notification.objects.get(user=other_donor, dedupe_key="y").email_state == "skipped"


@pytest.mark.django_db
def test_failed_email_is_retried_then_given_up(donor, monkeypatch):
    from dblood.notifications import services

    def broken(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr(services, "send_mail", broken)
    services.notification_send(user=donor, kind="generic", key="z", title="Hi", body="Body")
    for _ in range(services.EMAIL_MAX_ATTEMPTS):
        assert services.notifications_email_pending() == 0
    message = Notification.objects.get(user=donor)
    assert message.email_state == "failed"
    assert message.email_attempts == services.EMAIL_MAX_ATTEMPTS


@pytest.mark.django_db
def test_run_due_work_and_worker_commands(donor, bank_a):
    make_donation(make_donor(donor), bank_a, days_ago=100)
    out = StringIO()
    call_command("run_due_work", stdout=out)
    assert "eligible_again_remind: 1" in out.getvalue()
    assert "notifications_email_pending: 1" in out.getvalue()
    assert "FAILED" not in out.getvalue()
    out = StringIO()
    call_command("worker", "--max-runs", "1", "--interval", "0", stdout=out)
    assert "stopped" in out.getvalue()
    assert len(mail.outbox) == 1
