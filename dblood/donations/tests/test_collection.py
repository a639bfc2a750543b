"""The collection record: from a checked-in appointment or a walk-in, deferrals, DINs, bad input."""

from decimal import Decimal

import pytest

from dblood.donations import din as isbt
from dblood.donations.models import Donation
from dblood.donors.models import Deferral
from dblood.donors.services import deferral_record
from dblood.donors.tests.factories import make_donor
from dblood.drives.models import Appointment
from dblood.drives.tests.factories import make_drive
from dblood.inventory.models import BloodUnit
from testing.labels import api_label_check

pytestmark = pytest.mark.django_db

VITALS = {
    "outcome": "completed",
    "volume_ml": 450,
    "hemoglobin_g_dl": "14.2",
    "bp_systolic": 120,
    "bp_diastolic": 80,
    "pulse": 72,
}


@pytest.fixture
def profile(donor):
    return make_donor(donor, abo="B", rhd="+")


def walk_in(profile, site, **extra):
    return {"donor": profile.donor_number, "site": site.pk, "donation_type": "whole_blood", **VITALS, **extra}


def test_walk_in_gets_a_din_from_the_facility_setting(api, staff_a, bank_a, profile, settings):
    settings.DIN_FACILITY_NUMBER = "W4321"
    response = api(staff_a).post("/api/v1/donations", walk_in(profile, bank_a, bag_type="Triple 450"))
    assert response.status_code == 201, response.content
    body = response.json()
    parsed = isbt.parse(body["din"] + body["din_check"])
    assert parsed.fin == "W4321" and parsed.sequence == 1
    assert body["status"] == "in_testing" and body["collected_by"] == staff_a.pk
    second = api(staff_a).post("/api/v1/donations", walk_in(make_donor(_user("x")), bank_a)).json()
    assert isbt.parse(second["din"]).sequence == 2


def _user(name):
    from testing.personas import make_user

    return make_user(f"{name}@example.org")


def test_from_a_checked_in_appointment(api, staff_a, bank_a, profile):
    drive = make_drive(bank_a, days_ahead=0)
    slot = drive.slots.first()
    appointment = Appointment.objects.create(
        donor=profile, slot=slot, date=drive.date, donation_type="whole_blood", status="checked_in"
    )
    client = api(staff_a)
    response = client.post("/api/v1/donations", {"appointment": appointment.pk, **VITALS})
    assert response.status_code == 201, response.content
    assert response.json()["appointment"] == appointment.pk and response.json()["site"] == bank_a.pk
    appointment.refresh_from_db()
    assert appointment.status == "completed"
    again = client.post("/api/v1/donations", {"appointment": appointment.pk, **VITALS})
    assert again.status_code == 409
    booked = Appointment.objects.create(
        donor=make_donor(_user("booked")), slot=slot, date=drive.date, donation_type="whole_blood"
    )
    assert client.post("/api/v1/donations", {"appointment": booked.pk, **VITALS}).status_code == 409


def test_a_deferred_donor_gets_409_with_the_reason(api, staff_a, bank_a, profile):
    deferral_record(donor=profile, reason_code="tti-reactive")
    response = api(staff_a).post("/api/v1/donations", walk_in(profile, bank_a))
    assert response.status_code == 409
    body = response.json()
    reason = Deferral.objects.get(donor=profile).reason.name
    assert reason in body["detail"] and any(reason in r for r in body["reasons"])
    assert not Donation.objects.exists()


def test_out_of_range_vitals_record_a_deferral_instead(api, staff_a, bank_a, profile):
    response = api(staff_a).post("/api/v1/donations", walk_in(profile, bank_a, hemoglobin_g_dl="11.0", pulse=120))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "deferred"
    assert {d["reason_code"] for d in body["deferrals"]} == {"low-hemoglobin", "vitals-out-of-range"}
    assert not Donation.objects.exists()
    assert Deferral.objects.filter(donor=profile).count() == 2
    # And now the donor is deferred: the next attempt is a 409.
    assert api(staff_a).post("/api/v1/donations", walk_in(profile, bank_a)).status_code == 409


@pytest.mark.parametrize(
    "field, value",
    [("hemoglobin_g_dl", "30"), ("hemoglobin_g_dl", "1.0"), ("volume_ml", 2000), ("volume_ml", 10), ("pulse", 400)],
)
def test_physically_impossible_values_are_400(api, staff_a, bank_a, profile, field, value):
    response = api(staff_a).post("/api/v1/donations", walk_in(profile, bank_a, **{field: value}))
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_scanned_din_validated_and_unique(api, staff_a, bank_a, profile):
    client = api(staff_a)
    din = "W123426000042"
    wrong = "A" if isbt.check_character(din) != "A" else "B"
    bad = client.post("/api/v1/donations", walk_in(profile, bank_a, din=din + wrong))
    assert bad.status_code == 400 and "din" in bad.json()["fields"]
    ok = client.post("/api/v1/donations", walk_in(profile, bank_a, din=din + isbt.check_character(din)))
    assert ok.status_code == 201 and ok.json()["din"] == din
    other = make_donor(_user("other2"))
    dup = client.post("/api/v1/donations", walk_in(other, bank_a, din=din))
    assert dup.status_code == 409 and dup.json()["code"] == "duplicate_din"


def test_walk_in_needs_donor_site_and_type_and_my_own_bank(api, staff_a, staff_b, bank_a, profile):
    missing = api(staff_a).post("/api/v1/donations", VITALS)
    assert missing.status_code == 400 and {"donor", "site", "donation_type"} <= set(missing.json()["fields"])
    assert api(staff_b).post("/api/v1/donations", walk_in(profile, bank_a)).status_code == 403


def test_a_partial_collection_gets_its_din_and_its_units_are_not_for_use(api, staff_a, bank_a, profile):
    client = api(staff_a)
    body = client.post("/api/v1/donations", walk_in(profile, bank_a, outcome="incomplete", volume_ml=120)).json()
    assert isbt.DIN_RE.match(body["din"]) and body["outcome"] == "incomplete"
    assert "The collection was incomplete." in client.get(f"/api/v1/donations/{body['id']}").json()["release_blockers"]
    made = client.post(
        f"/api/v1/donations/{body['id']}/components", {"components": [{"component": "PRC"}]}, format="json"
    )
    assert made.status_code == 201, made.content
    [unit] = made.json()["units"]
    assert unit["state"] == "discarded"
    assert BloodUnit.objects.get(pk=unit["id"]).discard_reason == "Partial collection: not for use."
    adverse = api(staff_a).post("/api/v1/donations", walk_in(profile, bank_a, outcome="adverse_event"))
    assert adverse.status_code == 400 and "adverse_event_kind" in adverse.json()["fields"]


def test_chair_to_shelf(api, staff_a, bank_a, profile, django_capture_on_commit_callbacks):
    """Collect, separate, type and screen, then print and scan each final label: the units are on the
    public stock at once."""
    client = api(staff_a)
    donation = client.post("/api/v1/donations", walk_in(profile, bank_a)).json()
    url = f"/api/v1/donations/{donation['id']}"
    client.post(f"{url}/components", {"components": [{"component": "PRC"}, {"component": "FFP"}]})
    client.post(f"{url}/typing", {"abo": "B", "rhd": "+"})
    with django_capture_on_commit_callbacks(execute=True):
        for test in ["hiv", "hbv", "hcv", "syphilis"]:
            body = client.post(f"{url}/screening", {"test": test, "reactive": False}).json()
    assert body["status"] == "released"
    assert {unit["state"] for unit in body["units"]} == {"quarantined"}  # awaiting their label check
    with django_capture_on_commit_callbacks(execute=True):
        for unit in body["units"]:
            assert api_label_check(client, unit["id"]).status_code == 201
    stock = api().get("/api/v1/stock", {"site": bank_a.pk, "abo": "B", "rhd": "pos"}).json()["results"]
    assert {r["component"]: r["available"] for r in stock if r["available"]} == {"PRC": 1, "FFP": 1}
    profile.refresh_from_db()
    assert profile.group_confirmed
    assert Decimal(body["hemoglobin_g_dl"]) == Decimal("14.2")


def test_a_second_collection_the_same_day_is_409_already_collected(api, staff_a, staff_b, bank_a, bank_b, profile):
    assert api(staff_a).post("/api/v1/donations", walk_in(profile, bank_a, outcome="incomplete")).status_code == 201
    again = api(staff_b).post("/api/v1/donations", walk_in(profile, bank_b))
    assert again.status_code == 409 and again.json()["code"] == "already_collected"
    assert Donation.objects.filter(donor=profile).count() == 1
    indonesian = api(staff_b).post("/api/v1/donations", walk_in(profile, bank_b), HTTP_ACCEPT_LANGUAGE="id")
    assert indonesian.status_code == 409 and "satu pengambilan" in indonesian.json()["detail"]
