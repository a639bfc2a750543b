"""Replacement donors ("donor pengganti"): a request's code, issued by its hospital or blood bank,
credits each completed donation made with it (booked or at the desk); the family's public page of
the code shows counts only."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dblood.donors.tests.factories import make_donor
from dblood.drives.models import Appointment
from dblood.drives.tests.factories import make_drive
from dblood.requests.models import BloodRequest, ReplacementCode, ReplacementCredit
from dblood.requests.replacement import ALPHABET, code_normalised
from testing.personas import make_user

pytestmark = pytest.mark.django_db

VITALS = {"outcome": "completed", "volume_ml": 450, "hemoglobin_g_dl": "14.2", "bp_systolic": 120, "pulse": 72}


@pytest.fixture
def blood_request(hospital, bank_a, hospital_user):
    return BloodRequest.objects.create(
        hospital=hospital,
        target_bank=bank_a,
        created_by=hospital_user,
        patient_abo="B",
        patient_rhd="+",
        component="PRC",
        units=3,
        needed_by=timezone.now() + timedelta(hours=12),
        note="Thalassaemia, ward 3",
    )


def issue(api, user, blood_request, **headers):
    return api(user).post(f"/api/v1/requests/{blood_request.pk}/replacement-code", **headers)


@pytest.fixture
def code(api, hospital_user, blood_request) -> str:
    response = issue(api, hospital_user, blood_request)
    assert response.status_code == 201, response.content
    return response.json()["code"]


def walk_in(profile, site, **extra):
    return {"donor": profile.donor_number, "site": site.pk, "donation_type": "whole_blood", **VITALS, **extra}


def new_donor(name: str):
    return make_donor(make_user(f"{name}@example.org"), abo="O", rhd="+")


def test_the_code_is_typeable_and_unguessable(code):
    assert len(code) == 9 and code[4] == "-"
    plain = code.replace("-", "")
    assert all(c in ALPHABET for c in plain) and not set("0O1I") & set(plain)
    assert len(ALPHABET) ** 8 >= 2**40
    assert code_normalised(f" {plain.lower()[:4]} {plain[4:]} ") == plain


def test_hospital_or_bank_issue_once_and_renew(api, hospital_user, staff_a, staff_b, blood_request, code):
    renewed = issue(api, staff_a, blood_request)
    assert renewed.status_code == 200 and renewed.json()["code"] == code
    assert ReplacementCode.objects.count() == 1
    assert issue(api, staff_b, blood_request).status_code == 404  # another bank's request


def test_no_code_for_a_cancelled_request(api, hospital_user, blood_request):
    blood_request.status = BloodRequest.Status.CANCELLED
    blood_request.save()
    response = issue(api, hospital_user, blood_request)
    assert response.status_code == 409 and response.json()["code"] == "request_cancelled"
    assert not ReplacementCode.objects.exists()


def test_a_desk_donation_with_the_code_is_credited_and_shown_on_the_request(
    api, staff_a, hospital_user, bank_a, blood_request, code
):
    for name in ("kakak", "paman"):
        response = api(staff_a).post("/api/v1/donations", walk_in(new_donor(name), bank_a, replacement_code=code))
        assert response.status_code == 201, response.content
    # A partial collection is not credited.
    partial = walk_in(new_donor("sepupu"), bank_a, replacement_code=code.lower(), outcome="incomplete")
    assert api(staff_a).post("/api/v1/donations", partial).status_code == 201
    shown = api(hospital_user).get(f"/api/v1/requests/{blood_request.pk}").json()["replacement"]
    assert (shown["code"], shown["received"], shown["booked"], shown["state"]) == (code, 2, 0, "active")
    listed = api(staff_a).get("/api/v1/requests").json()["results"][0]["replacement"]
    assert listed["received"] == 2


def test_a_booking_with_the_code_counts_as_booked_then_received(api, staff_a, bank_a, blood_request, code, donor):
    profile = make_donor(donor, abo="O", rhd="+")
    drive = make_drive(bank_a, days_ahead=0)
    slot = drive.slots.last()
    with time_machine.travel(slot.starts_at - timedelta(hours=3)):
        booked = api(donor).post(
            "/api/v1/appointments", {"slot": slot.pk, "donation_type": "whole_blood", "replacement_code": code}
        )
    assert booked.status_code == 201, booked.content
    status = api().get(f"/api/v1/public/replacement-codes/{code}").json()
    assert (status["received"], status["booked"]) == (0, 1)
    appointment = Appointment.objects.get(pk=booked.json()["id"])
    appointment.status = Appointment.Status.CHECKED_IN
    appointment.save()
    response = api(staff_a).post("/api/v1/donations", {"appointment": appointment.pk, **VITALS})
    assert response.status_code == 201, response.content
    credit = ReplacementCredit.objects.get()
    assert credit.donation.donor == profile and credit.code.code == code.replace("-", "")
    status = api().get(f"/api/v1/public/replacement-codes/{code}").json()
    assert (status["received"], status["booked"]) == (1, 0)


@pytest.mark.parametrize(
    ("given", "english", "indonesian"),
    [
        ("ZZZZ-ZZZZ", "No replacement-donation code ZZZZ-ZZZZ is known.", "tidak dikenal"),
        ("ABC0-1234", "This is not a replacement-donation code", "Ini bukan kode donor pengganti"),
    ],
)
def test_an_unknown_code_is_a_400_naming_the_field_in_both_languages(
    api, staff_a, bank_a, code, given, english, indonesian
):
    profile = new_donor("asing")
    for language, expected in (("en", english), ("id", indonesian)):
        response = api(staff_a).post(
            "/api/v1/donations", walk_in(profile, bank_a, replacement_code=given), HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 400, response.content
        assert expected in response.json()["fields"]["replacement_code"][0]
    assert not profile.donations.exists() and not ReplacementCredit.objects.exists()  # nothing half-written


def test_an_expired_code_credits_nothing_and_says_when_it_expired(api, staff_a, bank_a, donor, code, settings):
    profile = new_donor("terlambat")
    later = timezone.now() + timedelta(days=settings.REPLACEMENT_CODE_VALID_DAYS, hours=1)
    with time_machine.travel(later):
        response = api(staff_a).post("/api/v1/donations", walk_in(profile, bank_a, replacement_code=code))
        status = api().get(f"/api/v1/public/replacement-codes/{code}").json()
    assert response.status_code == 400
    assert "expired on" in response.json()["fields"]["replacement_code"][0]
    assert status["state"] == "expired"
    assert not profile.donations.exists()


def test_a_cancelled_requests_code_credits_nothing(api, staff_a, hospital_user, bank_a, blood_request, code, donor):
    make_donor(donor)
    blood_request.status = BloodRequest.Status.CANCELLED
    blood_request.save()
    drive = make_drive(bank_a, days_ahead=3)
    booked = api(donor).post(
        "/api/v1/appointments",
        {"slot": drive.slots.first().pk, "donation_type": "whole_blood", "replacement_code": code},
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert booked.status_code == 400
    assert "dibatalkan" in booked.json()["fields"]["replacement_code"][0]
    assert not Appointment.objects.filter(donor__user=donor).exists()
    assert api().get(f"/api/v1/public/replacement-codes/{code}").json()["state"] == "cancelled"


def test_a_fulfilled_requests_code_still_credits(api, staff_a, bank_a, blood_request, code):
    """Families replace the blood their patient was given, mostly after it was issued."""
    blood_request.status = BloodRequest.Status.ISSUED
    blood_request.save()
    response = api(staff_a).post("/api/v1/donations", walk_in(new_donor("ganti"), bank_a, replacement_code=code))
    assert response.status_code == 201
    assert ReplacementCredit.objects.filter(donation__isnull=False).count() == 1


def test_the_public_page_shows_counts_only(api, staff_a, bank_a, blood_request, code):
    api(staff_a).post("/api/v1/donations", walk_in(new_donor("adik"), bank_a, replacement_code=code))
    response = api().get(f"/api/v1/public/replacement-codes/{code.lower().replace('-', '')}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"code", "expires_at", "state", "received", "booked"}
    assert body["received"] == 1
    text = response.content.decode()
    for secret in ("Thalassaemia", "RS H", "UDD A", "Adik", "PRC", '"B"', str(blood_request.pk) + ","):
        assert secret not in text
    assert response["X-Robots-Tag"].startswith("noindex")


def test_the_public_page_of_an_unknown_code_is_a_clear_404_and_throttled(api, code):
    client = api()
    response = client.get("/api/v1/public/replacement-codes/ZZZZZZZZ", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 404 and "tidak dikenal" in response.json()["detail"]
    statuses = [client.get("/api/v1/public/replacement-codes/ZZZZZZZZ").status_code for _ in range(30)]
    assert statuses[-1] == 429 and statuses.count(404) == 29


def test_the_request_list_reads_codes_without_a_query_per_request(
    api, staff_a, bank_a, hospital, hospital_user, django_assert_max_num_queries
):
    from dblood.requests.replacement import replacement_code_issue

    for _ in range(6):
        blood_request = BloodRequest.objects.create(
            hospital=hospital,
            target_bank=bank_a,
            patient_abo="O",
            patient_rhd="+",
            component="PRC",
            units=1,
            needed_by=timezone.now() + timedelta(hours=6),
        )
        replacement_code_issue(blood_request=blood_request, by=hospital_user)
    client = api(staff_a)
    client.get("/api/v1/requests")  # warm the token cache
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/requests")
    assert len(response.json()["results"]) == 6
    assert all(row["replacement"]["received"] == 0 for row in response.json()["results"])


def test_the_pledge_moves_with_a_rescheduled_booking(api, staff_a, bank_a, code, donor):
    make_donor(donor)
    drive = make_drive(bank_a, days_ahead=3)
    first, second = list(drive.slots.order_by("starts_at"))[:2]
    booked = api(donor).post(
        "/api/v1/appointments", {"slot": first.pk, "donation_type": "whole_blood", "replacement_code": code}
    )
    assert booked.status_code == 201, booked.content
    moved = api(donor).post(f"/api/v1/appointments/{booked.json()['id']}/reschedule", {"slot": second.pk})
    assert moved.status_code == 200, moved.content
    credit = ReplacementCredit.objects.get()
    assert credit.appointment_id == moved.json()["id"]
    assert api().get(f"/api/v1/public/replacement-codes/{code}").json()["booked"] == 1
