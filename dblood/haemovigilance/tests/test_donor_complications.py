"""Donor complications, coded (ISBT 2014): staff record them at or after a collection, a donor
reports a delayed one from their own page, severe ones alert the bank's medical officer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.accounts.models import Membership, User
from dblood.audit.models import AuditEvent
from dblood.haemovigilance.models import DonorComplication
from dblood.inventory.tests.factories import make_donation, make_donor
from dblood.notifications.models import Notification
from testing.personas import make_user

pytestmark = pytest.mark.django_db

CODES = {
    "category": "vasovagal_delayed",
    "severity": "non_severe",
    "onset": "delayed",
    "outcome": "resolved",
    "follow_up": "advice",
}


@pytest.fixture
def officer(bank_a):
    user = make_user("dr.a@example.org", User.Role.BLOOD_BANK_STAFF)
    Membership.objects.create(user=user, site=bank_a, role=Membership.Role.MEDICAL_OFFICER)
    return user


@pytest.fixture
def donation(donor, bank_a):
    return make_donation(donor=make_donor(donor), site=bank_a, collected_at=timezone.now() - timedelta(days=2))


def record(client, donation_row, **changes):
    body = {"donation": donation_row.pk, "occurred_at": (timezone.now() - timedelta(days=1)).isoformat(), **CODES}
    body.update(changes)
    return client.post("/api/v1/donor-complications", {k: v for k, v in body.items() if v is not None}, format="json")


def test_staff_record_a_coded_complication_days_after_the_collection(api, staff_a, donation):
    response = record(api(staff_a), donation)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "recorded" and body["din"] == donation.din
    assert {k: body[k] for k in CODES} == CODES
    event = AuditEvent.objects.get(model="haemovigilance.DonorComplication", object_id=str(body["id"]))
    assert event.action == "create" and event.actor == staff_a and event.after["category"] == "vasovagal_delayed"


@pytest.mark.parametrize("field", [*CODES, "occurred_at", "donation"])
def test_every_clinical_field_is_required_and_none_is_filled_in(api, staff_a, donation, field):
    response = record(api(staff_a), donation, **{field: None})
    assert response.status_code == 400 and field in response.json()["fields"]
    blank = record(api(staff_a), donation, **{field: ""})
    assert blank.status_code == 400 and field in blank.json()["fields"]
    assert not DonorComplication.objects.exists()


def test_a_category_outside_isbt_2014_is_refused_in_the_readers_language(api, staff_a, donation):
    response = record(api(staff_a), donation, category="headache")
    assert response.status_code == 400 and "category" in response.json()["fields"]
    indonesian = api(staff_a).post(
        "/api/v1/donor-complications", {"donation": donation.pk}, format="json", HTTP_ACCEPT_LANGUAGE="id"
    )
    assert indonesian.json()["detail"] == "Isian tidak valid."
    assert indonesian.json()["fields"]["category"] == ["Bidang ini harus diisi."]


def test_times_that_cannot_be_are_refused(api, staff_a, donation):
    future = record(api(staff_a), donation, occurred_at=(timezone.now() + timedelta(hours=1)).isoformat())
    assert future.status_code == 400 and "occurred_at" in future.json()["fields"]
    before = record(api(staff_a), donation, occurred_at=(donation.collected_at - timedelta(days=1)).isoformat())
    assert before.status_code == 400 and "occurred_at" in before.json()["fields"]


def test_only_the_collecting_banks_staff_see_or_record(api, staff_a, staff_b, hospital_user, admin_user, donation):
    assert record(api(staff_b), donation).status_code == 400  # no donation of theirs has this id
    made = record(api(staff_a), donation).json()
    assert api(staff_b).get(f"/api/v1/donor-complications/{made['id']}").status_code == 404
    assert api(staff_b).get("/api/v1/donor-complications").json()["results"] == []
    for outsider in (hospital_user, admin_user):
        assert api(outsider).get("/api/v1/donor-complications").status_code == 403


def test_a_severe_complication_alerts_the_medical_officer_only(api, staff_a, officer, donation):
    response = record(api(staff_a), donation, severity="severe", outcome="ongoing", follow_up="hospitalised")
    assert response.status_code == 201 and response.json()["alerted"] == 1
    [alert] = Notification.objects.filter(user=officer, kind=Notification.Kind.DONOR_COMPLICATION)
    assert donation.din in alert.title and alert.email_state == "pending"
    assert donation.donor.user.full_name not in alert.body
    assert not Notification.objects.filter(user=staff_a).exists()
    record(api(staff_a), donation)  # non-severe: nobody alerted
    assert Notification.objects.filter(kind=Notification.Kind.DONOR_COMPLICATION).count() == 1


def test_without_a_medical_officer_the_banks_staff_are_alerted(api, staff_a, donation):
    record(api(staff_a), donation, severity="severe")
    assert Notification.objects.filter(user=staff_a, kind=Notification.Kind.DONOR_COMPLICATION).count() == 1


def test_the_alert_speaks_the_officers_language(api, staff_a, officer, donation):
    officer.language = "id"
    officer.save(update_fields=["language"])
    record(api(staff_a), donation, severity="severe", category="nerve_injury")
    alert = Notification.objects.get(user=officer)
    assert alert.title.startswith("Komplikasi donor berat") and "saraf" in alert.body.lower()


def test_a_donor_reports_a_delayed_reaction_and_staff_code_it(api, donor, staff_a, officer, donation):
    mine = api(donor)
    report = {
        "donation": donation.pk,
        "symptoms": ["bruise", "arm_pain"],
        "occurred_at": (timezone.now() - timedelta(hours=20)).isoformat(),
        "still_unwell": "true",
        "description": "Big bruise, arm tingles",
    }
    response = mine.post("/api/v1/donor-complications/mine", report, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["seen_by_bank"] is False
    assert Notification.objects.filter(user=officer, kind=Notification.Kind.DONOR_REACTION_REPORTED).count() == 1
    pk = response.json()["id"]
    listed = api(staff_a).get("/api/v1/donor-complications", {"status": "reported"}).json()["results"]
    assert [row["id"] for row in listed] == [pk] and listed[0]["donor_symptoms"] == ["arm_pain", "bruise"]
    news = {"outcome": "resolved", "follow_up": "advice"}
    follow_up = api(staff_a).post(f"/api/v1/donor-complications/{pk}/follow-up", news, format="json")
    assert follow_up.status_code == 409 and follow_up.json()["code"] == "complication_not_coded"
    coded = api(staff_a).post(f"/api/v1/donor-complications/{pk}/code", {**CODES, "category": "haematoma"})
    assert coded.status_code == 200 and coded.json()["status"] == "recorded", coded.content
    again = api(staff_a).post(f"/api/v1/donor-complications/{pk}/code", CODES, format="json")
    assert again.status_code == 409 and again.json()["code"] == "complication_coded"
    later = api(staff_a).post(
        f"/api/v1/donor-complications/{pk}/follow-up", {"outcome": "minor_sequelae", "follow_up": "referred"}
    )
    assert later.status_code == 200 and later.json()["outcome"] == "minor_sequelae"
    assert mine.get("/api/v1/donor-complications/mine").json()["results"][0]["seen_by_bank"] is True
    changes = AuditEvent.objects.filter(model="haemovigilance.DonorComplication", object_id=str(pk)).order_by("id")
    # reported (by the donor), the officer alerted, coded, followed up
    assert [e.action for e in changes] == ["create", "update", "update", "update"]
    assert changes[0].actor == donor and changes[2].after["category"] == "haematoma"
    assert changes[3].before["outcome"] == "resolved" and changes[3].actor == staff_a


def test_a_donor_reports_only_on_their_own_donation_and_says_something(api, donor, other_donor, donation):
    make_donor(other_donor)
    at = (timezone.now() - timedelta(hours=1)).isoformat()
    body = {"donation": donation.pk, "symptoms": ["faint"], "occurred_at": at, "still_unwell": "false"}
    assert api(other_donor).post("/api/v1/donor-complications/mine", body, format="json").status_code == 400
    empty = api(donor).post("/api/v1/donor-complications/mine", {**body, "symptoms": []}, format="json")
    assert empty.status_code == 400 and "symptoms" in empty.json()["fields"]
    unsaid = api(donor).post("/api/v1/donor-complications/mine", {**body, "still_unwell": ""}, format="json")
    assert unsaid.status_code == 400 and "still_unwell" in unsaid.json()["fields"]
    assert not DonorComplication.objects.exists()


def test_the_staff_list_does_not_grow_its_queries(api, staff_a, donation, django_assert_num_queries):
    client = api(staff_a)
    for _ in range(3):
        record(client, donation)
    client.get("/api/v1/donor-complications")  # warm the token cache
    with django_assert_num_queries(2):  # count, page (the token and its user are cached)
        assert len(client.get("/api/v1/donor-complications").json()["results"]) == 3


@pytest.mark.parametrize(("outcome", "follow_up"), [("death", "none_needed"), ("major_sequelae", "referred"),
                                                    ("ongoing", "hospitalised")])  # fmt: skip
def test_what_isbt_calls_severe_cannot_be_coded_non_severe(api, staff_a, donation, outcome, follow_up):
    english = record(api(staff_a), donation, outcome=outcome, follow_up=follow_up)
    indonesian = api(staff_a).post(
        "/api/v1/donor-complications",
        {"donation": donation.pk, "occurred_at": (timezone.now() - timedelta(days=1)).isoformat(),
         **CODES, "outcome": outcome, "follow_up": follow_up},
        format="json",
        HTTP_ACCEPT_LANGUAGE="id",
    )  # fmt: skip
    assert english.status_code == indonesian.status_code == 400
    assert list(english.json()["fields"]) == list(indonesian.json()["fields"]) == ["severity"]
    assert "ISBT" in english.json()["fields"]["severity"][0]
    assert english.json()["fields"]["severity"] != indonesian.json()["fields"]["severity"]
    assert not DonorComplication.objects.exists()


def test_news_that_makes_a_complication_severe_alerts_the_medical_officer(api, staff_a, officer, donation):
    pk = record(api(staff_a), donation).json()["id"]
    assert not Notification.objects.filter(user=officer).exists()
    news = {"outcome": "ongoing", "follow_up": "hospitalised"}
    response = api(staff_a).post(f"/api/v1/donor-complications/{pk}/follow-up", news, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["severity"] == "severe"
    assert Notification.objects.filter(user=officer, kind=Notification.Kind.DONOR_COMPLICATION).count() == 1
    logged = AuditEvent.objects.filter(model="haemovigilance.DonorComplication", object_id=str(pk), action="update")
    assert any(event.after.get("severity") == "severe" and event.actor == staff_a for event in logged)
    # Further news of a severe complication alerts nobody again.
    api(staff_a).post(f"/api/v1/donor-complications/{pk}/follow-up", {"outcome": "resolved",
                      "follow_up": "hospitalised"}, format="json")  # fmt: skip
    assert Notification.objects.filter(user=officer).count() == 1
