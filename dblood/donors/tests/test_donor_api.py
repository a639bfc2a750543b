from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.core.dates import shift_months
from dblood.donors.tests.factories import make_donor
from dblood.drives.appointments import appointment_book
from dblood.drives.tests.factories import make_drive


def test_donor_reads_own_profile_created_on_first_use(api, donor):
    body = api(donor).get("/api/v1/donors/me").json()
    assert body["donor_number"].startswith("D")
    assert body["email"] == donor.email


def test_donor_edits_own_profile(api, donor):
    response = api(donor).patch(
        "/api/v1/donors/me",
        {
            "abo": "B",
            "rhd": "-",
            "birth_date": "1990-05-01",
            "sex": "F",
            "weight_kg": "55.5",
            "phone": "0812-1234-5678",
            "language": "en",
            "full_name": "Dewi",
            "city": "Bandung",
            "latitude": -6.9,
            "longitude": 107.6,
            "notify_channels": ["email", "in_app"],
            "max_alerts_per_week": 3,
            "alert_radius_km": 40,
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["blood_group"] == "B-" and body["weight_kg"] == "55.5" and body["language"] == "en"
    assert body["phone"] == "+6281212345678"  # stored as E.164
    donor.refresh_from_db()
    assert donor.full_name == "Dewi" and donor.language == "en"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"latitude": 95}, "latitude"),
        ({"longitude": -181}, "longitude"),
        ({"abo": "C"}, "abo"),
        ({"phone": "0812"}, "phone"),
        ({"phone": "+62 1234 5678"}, "phone"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"weight_kg": 5}, "weight_kg"),
        ({"notify_channels": ["pigeon"]}, "notify_channels.0"),
        ({"donor_number": "D1"}, "donor_number"),
        ({"group_confirmed": True}, "group_confirmed"),
    ],
)
def test_bad_profile_input_names_the_field(api, donor, payload, field):
    response = api(donor).patch("/api/v1/donors/me", payload)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_confirmed_group_cannot_be_changed(api, donor):
    d = make_donor(donor, abo="A", rhd="+", group_confirmed=True)
    response = api(donor).patch("/api/v1/donors/me", {"abo": "B"})
    assert response.status_code == 400 and "abo" in response.json()["fields"]
    d.refresh_from_db()
    assert d.abo == "A"


def test_another_donors_profile_is_404(api, donor, other_donor):
    other = make_donor(other_donor)
    make_donor(donor)
    assert api(donor).get(f"/api/v1/donors/{other.id}").status_code == 404


def test_staff_see_only_donors_with_appointments_at_their_sites(api, donor, other_donor, staff_a, staff_b, bank_a):
    booked = make_donor(donor)
    make_donor(other_donor)
    drive = make_drive(bank_a)
    appointment_book(donor=booked, slot_id=drive.slots.first().id)
    assert [d["donor_number"] for d in api(staff_a).get("/api/v1/donors").json()["results"]] == [booked.donor_number]
    assert api(staff_b).get("/api/v1/donors").json()["count"] == 0
    assert api(staff_b).get(f"/api/v1/donors/{booked.id}").status_code == 404
    # Booked only, no donation here and no share_contact: the donor is seen, their contacts not.
    assert api(staff_a).get(f"/api/v1/donors/{booked.id}").json()["email"] is None


def test_staff_list_query_count(api, staff_a, bank_a, django_assert_num_queries):
    from testing.personas import make_user

    drive = make_drive(bank_a, capacity=20)
    slot = drive.slots.first()

    def add(i):
        appointment_book(donor=make_donor(make_user(f"d{i}@example.org")), slot_id=slot.id)

    add(0)
    client = api(staff_a)
    client.get("/api/v1/donors")  # the first use of a token records last_used_at
    with django_assert_num_queries(2):  # count, page (token and memberships are cached)
        assert client.get("/api/v1/donors").json()["count"] == 1
    for i in range(1, 10):
        add(i)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/donors").json()["count"] == 10


def test_eligibility_endpoint(api, donor, bank_a):
    from dblood.donors.tests.factories import give_donation

    d = make_donor(donor)
    today = timezone.localdate()
    give_donation(d, bank_a, today - timedelta(days=10))
    body = api(donor).get("/api/v1/donors/me/eligibility").json()
    assert body["profile"] == "pmi" and body["on"] == today.isoformat()
    wb = next(t for t in body["types"] if t["donation_type"] == "whole_blood")
    assert wb["eligible"] is False and wb["reasons"]
    assert wb["next_eligible_on"] == (today + timedelta(days=50)).isoformat()
    later = api(donor).get("/api/v1/donors/me/eligibility", {"on": (today + timedelta(days=50)).isoformat()}).json()
    assert next(t for t in later["types"] if t["donation_type"] == "whole_blood")["eligible"] is True


def test_eligibility_bad_date_and_wrong_role(api, donor, staff_a):
    response = api(donor).get("/api/v1/donors/me/eligibility", {"on": "someday"})
    assert response.status_code == 400 and "on" in response.json()["fields"]
    assert api(staff_a).get("/api/v1/donors/me/eligibility").status_code == 403
    assert api().get("/api/v1/donors/me").status_code == 401


def test_staff_record_a_deferral(api, donor, staff_a, staff_b, bank_a):
    d = make_donor(donor)
    drive = make_drive(bank_a)
    appointment_book(donor=d, slot_id=drive.slots.first().id)
    response = api(staff_a).post(f"/api/v1/donors/{d.id}/deferrals", {"reason_code": "tattoo-piercing"})
    assert response.status_code == 201, response.json()
    assert response.json()["ends_on"] == shift_months(timezone.localdate(), 6).isoformat()  # six calendar months
    assert api(staff_b).post(f"/api/v1/donors/{d.id}/deferrals", {"reason_code": "cancer"}).status_code == 404
    bad = api(staff_a).post(f"/api/v1/donors/{d.id}/deferrals", {"reason_code": "no-such"})
    assert bad.status_code == 400 and "reason_code" in bad.json()["fields"]
    assert api(donor).get("/api/v1/donors/me/deferrals").json()["count"] == 1
    assert api(donor).post(f"/api/v1/donors/{d.id}/deferrals", {"reason_code": "cancer"}).status_code == 403
    reasons = api(donor).get("/api/v1/deferral-reasons").json()
    assert any(r["code"] == "tti-reactive" and r["permanent"] for r in reasons)


def test_reasons_in_bahasa_indonesia(api, donor):
    make_donor(donor, weight_kg=None)
    body = api(donor).get("/api/v1/donors/me/eligibility", HTTP_ACCEPT_LANGUAGE="id").json()
    assert body["types"][0]["reasons"] == ["Lengkapi berat badan di profil Anda."]
