"""Typing, repeat-reactive screening and the release rule, through the api."""

import pytest

from dblood.donations.models import Donation
from dblood.donations.release import Outcome, screening_outcome
from dblood.inventory import components
from dblood.inventory.models import ComponentType
from dblood.inventory.tests.factories import make_donation, make_donor
from testing.labels import api_label_check

pytestmark = pytest.mark.django_db
TESTS = ["hiv", "hbv", "hcv", "syphilis"]


class R:
    def __init__(self, attempt, reactive):
        self.attempt, self.reactive = attempt, reactive


@pytest.mark.parametrize(
    "runs, outcome",
    [
        ([], Outcome.PENDING),
        ([False], Outcome.NON_REACTIVE),
        ([True], Outcome.REPEAT_PENDING),
        ([True, False], Outcome.REPEAT_PENDING),
        ([True, False, False], Outcome.NON_REACTIVE),
        ([True, True], Outcome.REACTIVE),
        ([True, False, True], Outcome.REACTIVE),
    ],
)
def test_repeat_reactive_algorithm(runs, outcome):
    assert screening_outcome([R(i + 1, r) for i, r in enumerate(runs)]) == outcome


@pytest.fixture
def donation(bank_a):
    return make_donation(site=bank_a, donor=make_donor(abo="A", rhd="+"))


def separate(client, donation, *components):
    return client.post(
        f"/api/v1/donations/{donation.pk}/components", {"components": [{"component": c} for c in components]}
    )


def screen_all(client, donation, reactive=False):
    for test in TESTS:
        response = client.post(f"/api/v1/donations/{donation.pk}/screening", {"test": test, "reactive": reactive})
        assert response.status_code == 200, response.content
    return response


def test_units_are_released_only_when_typed_and_every_screen_is_non_reactive(api, staff_a, donation):
    client = api(staff_a)
    response = separate(client, donation, "PRC", "FFP", "TC")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {u["component"]: u["state"] for u in body["units"]} == dict.fromkeys(["PRC", "FFP", "TC"], "quarantined")
    assert len(body["release_blockers"]) == 5
    body = screen_all(client, donation).json()
    assert body["release_blockers"] == ["ABO/RhD typing is not complete."]
    assert {u["state"] for u in body["units"]} == {"quarantined"}
    body = client.post(f"/api/v1/donations/{donation.pk}/typing", {"abo": "A", "rhd": "+"}).json()
    assert body["status"] == "released" and body["release_blockers"] == []
    # Released by the lab, still in quarantine: each unit enters stock on its label check.
    assert {u["state"] for u in body["units"]} == {"quarantined"}
    for unit in body["units"]:
        assert api_label_check(client, unit["id"]).status_code == 201
    body = client.get(f"/api/v1/donations/{donation.pk}").json()
    assert {u["state"] for u in body["units"]} == {"available"}
    donation.donor.refresh_from_db()
    assert donation.donor.group_confirmed


def test_separation_follows_the_shelf_life_table(api, staff_a, donation):
    ComponentType.objects.filter(code="PRC").update(shelf_life=42)
    components.forget()
    body = separate(api(staff_a), donation, "PRC", "TC").json()
    expiry = {u["component"]: u["expires_at"] for u in body["units"]}
    units = {u.component: u for u in donation.units.all()}
    assert (units["PRC"].expires_at - donation.collected_at).days == 42
    assert (units["TC"].expires_at - donation.collected_at).days == 5
    assert expiry
    client = api(staff_a)
    assert separate(client, donation, "FFP").status_code == 409  # already separated
    other = make_donation(site=donation.site, donation_type="apheresis_platelets")
    bad = separate(client, other, "PRC")
    assert bad.status_code == 400 and "components" in bad.json()["fields"]
    assert separate(client, make_donation(site=donation.site), "WB", "PRC").status_code == 400
    assert separate(client, make_donation(site=donation.site), "LP").status_code == 400  # no shelf life set


def test_typing_mismatch_holds_the_units_and_flags_the_donor(api, staff_a, bank_a):
    donor = make_donor(abo="O", rhd="-", group_confirmed=True)
    donation = make_donation(site=bank_a, donor=donor)
    client = api(staff_a)
    separate(client, donation, "PRC")
    screen_all(client, donation)
    body = client.post(f"/api/v1/donations/{donation.pk}/typing", {"abo": "A", "rhd": "+"}).json()
    assert body["status"] == "held"
    assert {u["state"] for u in body["units"]} == {"quarantined"}
    assert "disagrees" in " ".join(body["release_blockers"])
    donor.refresh_from_db()
    assert donor.group_flagged and (donor.abo, donor.rhd) == ("O", "-")
    # A fresh sample that agrees lifts the hold; then the donation is typed for good.
    body = client.post(f"/api/v1/donations/{donation.pk}/typing", {"abo": "O", "rhd": "-"}).json()
    assert body["status"] == "released" and {u["state"] for u in body["units"]} == {"quarantined"}
    assert {(u["abo"], u["rhd"]) for u in body["units"]} == {("O", "-")}
    assert client.post(f"/api/v1/donations/{donation.pk}/typing", {"abo": "O", "rhd": "-"}).status_code == 409


def test_malaria_only_when_the_setting_is_on(api, staff_a, donation, settings):
    client = api(staff_a)
    url = f"/api/v1/donations/{donation.pk}/screening"
    bad = client.post(url, {"test": "malaria", "reactive": False})
    assert bad.status_code == 400 and "test" in bad.json()["fields"]
    settings.SCREENING_MALARIA = True
    separate(client, donation, "PRC")
    client.post(f"/api/v1/donations/{donation.pk}/typing", {"abo": "A", "rhd": "+"})
    body = screen_all(client, donation).json()
    assert body["status"] == "in_testing" and "malaria" in body["screening"]
    body = client.post(url, {"test": "malaria", "reactive": False}).json()
    assert body["status"] == "released"


def test_lab_is_for_the_donations_own_blood_bank(api, staff_b, donor, donation):
    assert api(staff_b).post(f"/api/v1/donations/{donation.pk}/typing", {"abo": "A", "rhd": "+"}).status_code == 404
    assert api(donor).get(f"/api/v1/donations/{donation.pk}").status_code == 403
    assert Donation.objects.get(pk=donation.pk).typed_abo == ""


@pytest.mark.parametrize(
    ("language", "typing", "screen"),
    [
        ("en", "ABO/RhD typing is not complete.", "Screening for HIV is not finally non-reactive (no result yet)."),
        ("id", "Uji golongan ABO/RhD belum selesai.", "Uji saring HIV belum dinyatakan non-reaktif (belum ada hasil)."),
    ],
)
def test_release_blockers_speak_the_readers_language(api, staff_a, bank_a, language, typing, screen):
    donation = make_donation(site=bank_a)
    body = api(staff_a).get(f"/api/v1/donations/{donation.pk}", HTTP_ACCEPT_LANGUAGE=language).json()
    assert body["release_blockers"][0] == typing
    assert body["release_blockers"][1] == screen
    assert not any("pending" in reason or "hiv" in reason for reason in body["release_blockers"])  # no raw code
