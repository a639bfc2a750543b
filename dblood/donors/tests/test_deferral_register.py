"""The bank's deferral register: staff read a donor's deferrals, and lift a temporary one early with
a reason (who and why kept, audited); a permanent deferral is never lifted through the api."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from dblood.audit.models import AuditEvent
from dblood.donors.models import Deferral
from dblood.donors.services import deferral_record
from dblood.drives.appointments import appointment_book
from dblood.drives.tests.factories import make_drive

from .factories import make_donor

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(donor, bank_a):
    d = make_donor(donor)
    appointment_book(donor=d, slot_id=make_drive(bank_a).slots.first().id)
    return d


def _eligible_whole_blood(api, donor) -> bool:
    body = api(donor).get("/api/v1/donors/me/eligibility").json()
    return next(t for t in body["types"] if t["donation_type"] == "whole_blood")["eligible"]


def test_staff_read_the_register_with_who_recorded_it(api, booked, staff_a, staff_b):
    older = deferral_record(donor=booked, reason_code="tattoo-piercing", recorded_by=staff_a)
    newer = deferral_record(donor=booked, reason_code="tti-reactive", recorded_by=staff_a)
    body = api(staff_a).get(f"/api/v1/donors/{booked.pk}/deferrals").json()
    assert [d["id"] for d in body] == [newer.pk, older.pk]
    assert body[0]["permanent"] is True and body[0]["recorded_by_name"] == staff_a.full_name
    assert body[1]["lifted_at"] is None and body[1]["lifted_by_name"] is None
    # Another bank the donor never visited learns nothing, not even that the donor exists.
    assert api(staff_b).get(f"/api/v1/donors/{booked.pk}/deferrals").status_code == 404


def test_a_temporary_deferral_is_lifted_today_with_the_reason(api, donor, booked, staff_a):
    deferral = deferral_record(donor=booked, reason_code="tattoo-piercing", recorded_by=staff_a)
    assert _eligible_whole_blood(api, donor) is False
    response = api(staff_a).post(
        f"/api/v1/donors/{booked.pk}/deferrals/{deferral.pk}/lift", {"reason": "recorded for the wrong donor"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["ends_on"] == timezone.localdate().isoformat()
    assert body["lift_reason"] == "recorded for the wrong donor" and body["lifted_by_name"] == staff_a.full_name
    assert _eligible_whole_blood(api, donor) is True  # every rule reads it as over, at once
    event = AuditEvent.objects.filter(model="donors.Deferral", object_id=str(deferral.pk), action="update").get()
    assert event.actor_id == staff_a.pk and event.after["lift_reason"] == "recorded for the wrong donor"
    again = api(staff_a).post(f"/api/v1/donors/{booked.pk}/deferrals/{deferral.pk}/lift", {"reason": "twice"})
    assert again.status_code == 409 and again.json()["code"] == "deferral_over"


def test_a_permanent_deferral_is_never_lifted_here(api, booked, staff_a):
    deferral = deferral_record(donor=booked, reason_code="tti-reactive", recorded_by=staff_a)
    response = api(staff_a).post(
        f"/api/v1/donors/{booked.pk}/deferrals/{deferral.pk}/lift", {"reason": "x"}, HTTP_ACCEPT_LANGUAGE="id"
    )
    assert response.status_code == 409 and response.json()["code"] == "deferral_permanent"
    assert response.json()["detail"].startswith("Penundaan permanen tidak dapat dicabut")
    deferral.refresh_from_db()
    assert deferral.permanent and deferral.ends_on is None and deferral.lifted_at is None


def test_a_lift_needs_a_reason_and_names_the_field(api, booked, staff_a):
    deferral = deferral_record(donor=booked, reason_code="tattoo-piercing", recorded_by=staff_a)
    for body in ({}, {"reason": ""}, {"reason": "x" * 301}):
        response = api(staff_a).post(f"/api/v1/donors/{booked.pk}/deferrals/{deferral.pk}/lift", body)
        assert response.status_code == 400 and "reason" in response.json()["fields"], body
    deferral.refresh_from_db()
    assert deferral.lifted_at is None


def test_a_deferral_of_another_donor_is_not_found(api, booked, staff_a, other_donor):
    theirs = deferral_record(donor=make_donor(other_donor), reason_code="tattoo-piercing")
    response = api(staff_a).post(f"/api/v1/donors/{booked.pk}/deferrals/{theirs.pk}/lift", {"reason": "x"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.lifted_at is None


@pytest.mark.django_db(transaction=True)
def test_two_clerks_lifting_at_once_lift_it_once(api, booked, staff_a):
    deferral = deferral_record(donor=booked, reason_code="tattoo-piercing", recorded_by=staff_a)
    statuses, start = [], threading.Barrier(6)

    def lift():
        try:
            start.wait(timeout=10)
            statuses.append(
                api(staff_a)
                .post(f"/api/v1/donors/{booked.pk}/deferrals/{deferral.pk}/lift", {"reason": "cleared"})
                .status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=lift) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 409, 409, 409, 409, 409]
    assert AuditEvent.objects.filter(model="donors.Deferral", object_id=str(deferral.pk), action="update").count() == 1
    assert Deferral.objects.get(pk=deferral.pk).lifted_by_id == staff_a.pk
