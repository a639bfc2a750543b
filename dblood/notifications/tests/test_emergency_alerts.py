"""An emergency request reaches its bank's staff in the inbox at once (on commit) and by e-mail
within a minute: the worker's fast lane sends it every few seconds between its full runs."""

import pytest
from django.core import mail

from dblood.notifications.models import Notification
from dblood.notifications.worker import URGENT_BOUND, URGENT_INTERVAL, run_urgent_work, worker_loop
from dblood.requests.tests.test_requests_api import _payload

pytestmark = pytest.mark.django_db


def _request(api, hospital_user, bank, urgency, capture):
    with capture(execute=True):
        response = api(hospital_user).post("/api/v1/requests", _payload(bank, urgency=urgency), format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_an_emergency_is_in_the_inbox_on_commit_and_e_mailed_by_the_fast_lane(
    api, hospital_user, bank_a, staff_a, django_capture_on_commit_callbacks
):
    routine = _request(api, hospital_user, bank_a, "routine", django_capture_on_commit_callbacks)
    emergency = _request(api, hospital_user, bank_a, "emergency", django_capture_on_commit_callbacks)
    alerts = {n.data["request"]: n for n in Notification.objects.filter(user=staff_a, kind="request_new")}
    assert set(alerts) == {routine, emergency}  # both in the inbox as soon as the request is committed

    assert run_urgent_work() == {"notifications_email_urgent": 1}
    [sent] = mail.outbox
    assert sent.to == [staff_a.email] and alerts[emergency].title == sent.subject
    states = dict(Notification.objects.filter(user=staff_a).values_list("data__request", "email_state"))
    # The routine one waits for the full run; the emergency is not e-mailed twice.
    assert states == {routine: "pending", emergency: "sent"}
    assert run_urgent_work() == {"notifications_email_urgent": 0}


class FakeClock:
    """Time that moves only when the loop waits: what the loop does at each moment, without sleeping."""

    def __init__(self, stop_at: float):
        self.now, self.stop_at, self.waits = 0.0, stop_at, []

    def __call__(self) -> float:
        return self.now

    def is_set(self) -> bool:
        return self.now >= self.stop_at

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += seconds
        return self.is_set()


def test_the_worker_never_waits_a_minute_between_two_emergency_e_mail_runs(
    api, hospital_user, bank_a, staff_a, django_capture_on_commit_callbacks
):
    clock = FakeClock(stop_at=95.0)
    sent_at = []

    def report(results):
        if results.get("notifications_email_urgent") or results.get("notifications_email_pending"):
            sent_at.append(clock.now)

    # The emergency arrives just after the first full run (the worst moment for a 30 s interval).
    original_wait = clock.wait

    def wait(seconds):
        if not clock.waits:
            _request(api, hospital_user, bank_a, "emergency", django_capture_on_commit_callbacks)
        return original_wait(seconds)

    clock.wait = wait
    runs = worker_loop(stop=clock, interval=30.0, clock=clock, report=report)
    assert runs == 4  # full runs at 0, 30, 60, 90
    assert max(clock.waits) <= URGENT_INTERVAL < URGENT_BOUND
    assert sent_at == [URGENT_INTERVAL]  # e-mailed at the first fast-lane run, 5 s after it arrived
    assert len(mail.outbox) == 1


def test_a_fast_lane_of_a_minute_or_more_is_refused():
    with pytest.raises(ValueError, match="urgent_interval"):
        worker_loop(stop=FakeClock(0), interval=30.0, urgent_interval=URGENT_BOUND)
