"""The contact relay: a call-out responder and the call-out's staff write to each other through
dblood; neither sees the other's phone number or e-mail, the donor can block, and old messages go."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from dblood.donors.tests.factories import make_donor
from dblood.notifications.models import Notification
from dblood.notifications.worker import DUE_WORK, run_due_work
from dblood.relay.models import Message, Thread
from dblood.relay.services import relay_forget_old, thread_open
from dblood.requests.callouts import call_out_answer
from dblood.requests.models import CallOut, CallOutRecipient
from dblood.requests.tests.factories import make_blood_request
from dblood.sites.models import Site
from testing.personas import make_site
from testing.races import race


@pytest.fixture
def call_out(hospital, bank_a, hospital_user, staff_a):
    blood_request = make_blood_request(
        hospital=hospital, target_bank=bank_a, created_by=hospital_user, patient_abo="O", patient_rhd="-"
    )
    return CallOut.objects.create(
        request=blood_request,
        collection_site=bank_a,
        started_by=staff_a,
        donation_type="whole_blood",
        radius_km=25,
        donors_wanted=5,
        come_by=timezone.now() + timedelta(hours=12),
    )


@pytest.fixture
def answered(call_out, donor):
    """The donor was asked and answered coming; their phone number is on their record."""
    profile = make_donor(donor, phone="+6281234567890")
    CallOutRecipient.objects.create(call_out=call_out, donor=profile, batch=1)
    return call_out_answer(call_out=call_out, donor=profile, answer="coming")


def _open(client, response_id):
    return client.post("/api/v1/relay/threads", {"response": response_id}, format="json")


def test_staff_and_donor_write_to_each_other_without_contact_details(
    api, answered, donor, staff_a, bank_a, django_capture_on_commit_callbacks
):
    staff, volunteer = api(staff_a), api(donor)
    opened = _open(staff, answered.pk)
    assert opened.status_code == 201, opened.json()
    thread_id = opened.json()["id"]
    assert _open(staff, answered.pk).json()["id"] == thread_id  # the same conversation, not a second
    assert _open(volunteer, answered.pk).status_code == 200

    sent = staff.post(f"/api/v1/relay/threads/{thread_id}/messages", {"body": "Please come to gate B."}, format="json")
    assert sent.status_code == 201, sent.json()
    reply = volunteer.post(f"/api/v1/relay/threads/{thread_id}/messages", {"body": "On my way."}, format="json")
    assert reply.status_code == 201

    seen = volunteer.get(f"/api/v1/relay/threads/{thread_id}").json()
    assert [(m["side"], m["sender_name"], m["mine"], m["body"]) for m in seen["messages"]] == [
        ("staff", bank_a.name, False, "Please come to gate B."),
        ("donor", donor.full_name, True, "On my way."),
    ]
    for body in (json.dumps(seen), json.dumps(staff.get(f"/api/v1/relay/threads/{thread_id}").json())):
        for contact in (staff_a.email, donor.email, "+6281234567890", "81234567890"):
            assert contact not in body


def test_each_side_is_told_who_wrote_but_never_what(api, answered, donor, staff_a, staff_b, hospital_user):
    donor.language = "id"
    donor.save(update_fields=["language"])
    thread_id = _open(api(staff_a), answered.pk).json()["id"]
    api(staff_a).post(f"/api/v1/relay/threads/{thread_id}/messages", {"body": "Gate B, secret"}, format="json")

    told = Notification.objects.get(user=donor, kind=Notification.Kind.RELAY_MESSAGE)
    assert "UDD A" in told.title and "Pesan" in told.title  # the donor's language
    assert "secret" not in told.title + told.body
    assert told.data == {
        "relay_thread": thread_id,
        "call_out": answered.call_out_id,
        "request": answered.call_out.request_id,
    }

    api(donor).post(f"/api/v1/relay/threads/{thread_id}/messages", {"body": "Coming, private"}, format="json")
    replies = Notification.objects.filter(kind=Notification.Kind.RELAY_REPLY)
    # staff_a wrote and started the call-out: told once; nobody else wrote.
    assert [n.user for n in replies] == [staff_a]
    assert "private" not in replies[0].title + replies[0].body


def test_who_may_see_a_conversation(api, answered, donor, other_donor, staff_b, hospital_user, admin_user, hospital):
    thread_id = _open(api(donor), answered.pk).json()["id"]
    for outsider in (other_donor, staff_b):
        assert _open(api(outsider), answered.pk).status_code == 404
        assert api(outsider).get(f"/api/v1/relay/threads/{thread_id}").status_code == 404
        posted = api(outsider).post(f"/api/v1/relay/threads/{thread_id}/messages", {"body": "hi"}, format="json")
        assert posted.status_code == 404
        assert api(outsider).get("/api/v1/relay/threads").json()["results"] == []
    # The requesting hospital's staff, its hospital verified by a bank, writes as the hospital.
    nurse = api(hospital_user)
    nurse.post(f"/api/v1/relay/threads/{thread_id}/messages", {"body": "Ward 3"}, format="json")
    assert api(donor).get(f"/api/v1/relay/threads/{thread_id}").json()["messages"][0]["sender_name"] == hospital.name
    assert api(admin_user).get(f"/api/v1/relay/threads/{thread_id}").status_code == 200
    # Once the hospital is no longer verified, its staff can no longer reach the donor.
    Site.objects.filter(pk=hospital.pk).update(verified_by=None)
    assert nurse.get(f"/api/v1/relay/threads/{thread_id}").status_code == 404
    assert Message.objects.count() == 1


def test_the_donor_blocks_and_unblocks(api, answered, donor, staff_a):
    thread_id = _open(api(staff_a), answered.pk).json()["id"]
    assert api(staff_a).post(f"/api/v1/relay/threads/{thread_id}/block").status_code == 403
    blocked = api(donor).post(f"/api/v1/relay/threads/{thread_id}/block")
    assert blocked.status_code == 200 and blocked.json()["blocked"] is True
    refused = api(staff_a).post(
        f"/api/v1/relay/threads/{thread_id}/messages",
        {"body": "Are you coming?"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "relay_blocked"
    assert "donor" in refused.json()["detail"].lower() and "does not" not in refused.json()["detail"]
    assert not Message.objects.exists() and not Notification.objects.filter(kind="relay_message").exists()
    # The donor may still write; unblocking lets staff write again.
    assert (
        api(donor).post(f"/api/v1/relay/threads/{thread_id}/messages", {"body": "x"}, format="json").status_code == 201
    )
    assert api(donor).post(f"/api/v1/relay/threads/{thread_id}/unblock").json()["blocked"] is False
    assert (
        api(staff_a).post(f"/api/v1/relay/threads/{thread_id}/messages", {"body": "ok"}, format="json").status_code
        == 201
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [({"body": "   "}, "body"), ({"body": "x" * 1001}, "body"), ({}, "body"), ({"body": "hi", "to": "x"}, "to")],
)
def test_bad_messages_are_refused_by_field_and_write_nothing(api, answered, staff_a, body, field):
    thread_id = _open(api(staff_a), answered.pk).json()["id"]
    refused = api(staff_a).post(
        f"/api/v1/relay/threads/{thread_id}/messages", body, format="json", HTTP_ACCEPT_LANGUAGE="id"
    )
    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == [field]
    assert not Message.objects.exists()


def test_opening_needs_an_answer_one_may_see(api, staff_a):
    missing = _open(api(staff_a), 999999)
    assert missing.status_code == 404
    assert _open(api(staff_a), "x").json()["fields"] == {"response": ["A valid integer is required."]}


def test_old_messages_are_forgotten(api, answered, donor, staff_a, settings):
    settings.RELAY_RETENTION_DAYS = 30
    thread = Thread.objects.create(response=answered)
    now = timezone.now()
    old = Message.objects.create(
        thread=thread, side="donor", sender=donor, body="old", created_at=now - timedelta(days=31)
    )
    recent = Message.objects.create(
        thread=thread, side="donor", sender=donor, body="new", created_at=now - timedelta(days=29)
    )
    Thread.objects.filter(pk=thread.pk).update(last_message_at=recent.created_at)
    assert relay_forget_old(now=now) == 1
    assert list(Message.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Message.objects.filter(pk=old.pk).exists()
    # A month later the conversation itself goes, and the worker runs the sweep.
    assert "dblood.relay.services.relay_forget_old" in DUE_WORK
    Message.objects.update(created_at=now - timedelta(days=40))
    Thread.objects.update(last_message_at=now - timedelta(days=40))
    assert run_due_work()["relay_forget_old"] == 1
    assert not Thread.objects.exists()


def test_the_list_costs_the_same_for_many_conversations(api, call_out, staff_a, django_assert_max_num_queries):
    from django.contrib.auth import get_user_model

    for n in range(6):
        user = get_user_model().objects.create_user(
            email=f"d{n}@example.org", password="x-pass-2026-long", full_name=f"D {n}"
        )
        profile = make_donor(user)
        CallOutRecipient.objects.create(call_out=call_out, donor=profile, batch=1)
        thread_open(response_id=call_out_answer(call_out=call_out, donor=profile, answer="coming").pk, by=staff_a)
    client = api(staff_a)
    with django_assert_max_num_queries(5):
        listed = client.get("/api/v1/relay/threads", {"call_out": call_out.pk})
    assert len(listed.json()["results"]) == 6


@pytest.mark.django_db(transaction=True)
def test_two_people_opening_at_once_get_one_conversation():
    from dblood.accounts.models import Membership, User
    from testing.personas import make_user

    assert connection.vendor == "postgresql"
    bank = make_site("relay-race-bank")
    hospital = make_site("relay-race-rs", kind=Site.Kind.HOSPITAL, verified_by=bank)
    clerk = make_user("relay.clerk@example.org", User.Role.BLOOD_BANK_STAFF)
    Membership.objects.create(user=clerk, site=bank)
    volunteer = make_user("relay.donor@example.org")
    profile = make_donor(volunteer)
    blood_request = make_blood_request(
        hospital=hospital, target_bank=bank, created_by=None, patient_abo="O", patient_rhd="+", units=1
    )
    call_out = CallOut.objects.create(
        request=blood_request,
        collection_site=bank,
        donation_type="whole_blood",
        radius_km=25,
        donors_wanted=2,
        come_by=timezone.now() + timedelta(hours=6),
    )
    CallOutRecipient.objects.create(call_out=call_out, donor=profile, batch=1)
    response = call_out_answer(call_out=call_out, donor=profile, answer="coming")
    assert clerk.site_ids == {bank.pk} and volunteer.is_donor
    outcomes = race(
        [
            lambda: thread_open(response_id=response.pk, by=clerk),
            lambda: thread_open(response_id=response.pk, by=volunteer),
        ]
        * 4
    )
    assert outcomes == ["done"] * 8
    assert Thread.objects.filter(response=response).count() == 1
