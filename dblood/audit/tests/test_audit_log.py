"""Every change of a donor record or a blood unit is logged: who, when, before and after."""

import pytest

from dblood.audit.context import audit_actor
from dblood.audit.models import AuditEvent
from dblood.donors.tests.factories import make_donor
from dblood.inventory.models import UnitEvent
from dblood.inventory.services import unit_transition
from dblood.inventory.tests.factories import make_unit
from testing.mail import outbox_to, signup_token_in
from testing.personas import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def events(model: str, object_id) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(model=model, object_id=str(object_id)).order_by("id"))


def test_a_donor_editing_their_profile_is_logged_with_before_and_after(api, donor):
    profile = make_donor(donor, weight_kg="60.0")
    response = api(donor).patch("/api/v1/donors/me", {"weight_kg": "62.5", "city": "Bogor"}, format="json")
    assert response.status_code == 200, response.content
    last = events("donors.Donor", profile.pk)[-1]
    assert last.action == "update"
    assert last.actor == donor and last.actor_email == donor.email
    assert last.before == {"weight_kg": "60.0", "city": ""}
    assert last.after == {"weight_kg": "62.5", "city": "Bogor"}


def test_every_unit_state_change_is_logged_with_the_staff_member(api, staff_a, bank_a):
    unit = make_unit(site=bank_a, state="available")
    response = api(staff_a).post(f"/api/v1/units/{unit.pk}/discard", {"reason": "bag leaking"}, format="json")
    assert response.status_code == 200, response.content
    change = events("inventory.BloodUnit", unit.pk)[-1]
    assert change.actor == staff_a
    assert change.before["state"] == "available" and change.after["state"] == "discarded"
    assert change.after["discard_reason"] == "bag leaking"
    assert UnitEvent.objects.filter(unit=unit, to_state="discarded", by=staff_a).exists()


def test_changes_outside_a_request_name_the_actor_given_or_none(bank_a, admin_user):
    unit = make_unit(site=bank_a, state="available")
    with audit_actor(admin_user):
        unit_transition(unit=unit, to="reserved", by=admin_user)
    unit_transition(unit=unit, to="available")
    reserved, released = events("inventory.BloodUnit", unit.pk)[-2:]
    assert reserved.actor == admin_user
    assert reserved.after["state"] == "reserved"
    # Only what changed is logged (the timestamp may equal the creation time on a fast clock).
    assert set(reserved.after) <= {"state", "state_changed_at"}
    assert released.actor is None and released.actor_email == ""


def test_deletes_are_logged_with_the_whole_record(donor):
    profile = make_donor(donor)
    pk = profile.pk
    profile.delete()
    deleted = events("donors.Donor", pk)[-1]
    assert deleted.action == "delete"
    assert deleted.before["donor_number"] == profile.donor_number
    assert deleted.after == {}


def test_passwords_never_reach_the_log(api):
    api().post(
        "/api/v1/auth/register", {"email": "new@example.org", "password": PASSWORD, "full_name": "N"}, format="json"
    )
    token = signup_token_in(outbox_to("new@example.org").body)
    assert api().post("/api/v1/auth/register/confirm", {"token": token}, format="json").status_code == 201
    assert AuditEvent.objects.filter(model="accounts.User").exists()
    for event in AuditEvent.objects.all():
        assert "password" not in event.before and "password" not in event.after
        assert PASSWORD not in str(event.before) + str(event.after)


def test_only_admins_read_the_log(api, donor, staff_a, hospital_user, admin_user):
    make_donor(donor)
    assert api().get("/api/v1/audit/events").status_code == 401
    for user in (donor, staff_a, hospital_user):
        assert api(user).get("/api/v1/audit/events").status_code == 403
    body = api(admin_user).get("/api/v1/audit/events", {"model": "donors.donor"}).json()
    assert body["count"] >= 1
    assert {row["model"] for row in body["results"]} == {"donors.Donor"}


def test_log_listing_query_count_does_not_grow(api, admin_user, django_assert_num_queries):
    client = api(admin_user)
    client.get("/api/v1/audit/events")  # warm: token last-used write
    make_user("one@example.org")
    with django_assert_num_queries(2) as one:  # count, page (the token comes from the cache)
        client.get("/api/v1/audit/events")
    for i in range(10):
        make_user(f"many{i}@example.org")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/api/v1/audit/events")
    assert response.json()["count"] >= 11
