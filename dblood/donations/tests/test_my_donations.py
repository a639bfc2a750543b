from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.donations.lab import screening_record
from dblood.donations.serializers import DONOR_UNIT_STATES
from dblood.inventory.models import BloodUnit
from dblood.inventory.services import unit_transition
from dblood.inventory.tests.factories import make_donation, make_donor, make_unit

pytestmark = pytest.mark.django_db


def test_donor_sees_own_donations_and_where_units_went(api, donor, other_donor, bank_a, hospital):
    me = make_donor(donor)
    donation = make_donation(site=bank_a, donor=me, hemoglobin_g_dl="13.4")
    prc = make_unit(site=bank_a, donation=donation, component="PRC")
    make_unit(site=bank_a, donation=donation, component="FFP", state="quarantined")
    unit_transition(unit=prc, to="reserved")
    unit_transition(unit=prc, to="issued", issued_to=hospital)
    make_donation(site=bank_a, donor=make_donor(other_donor))
    body = api(donor).get("/api/v1/donations/mine").json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row["place"] == "UDD A" and row["donation_type"] == "whole_blood" and row["hemoglobin_g_dl"] == "13.4"
    units = {u["component"]: u for u in row["units"]}
    assert (units["PRC"]["state"], units["PRC"]["issued_to_name"]) == ("given", "RS H")
    assert (units["FFP"]["state"], units["FFP"]["issued_to_name"]) == ("in_testing", None)
    assert "issued_to" not in units["PRC"]  # the hospital's name only
    assert row["follow_up"] is False


def test_a_reactive_donation_reads_neutrally_to_its_donor(api, donor, bank_a, staff_a):
    """Before anyone has talked to them, a donor must not learn from their history that a test was
    reactive: the units read "not used", like an expired one, and the donation asks them to get in touch."""
    me = make_donor(donor)
    reactive = make_donation(site=bank_a, donor=me)
    make_unit(site=bank_a, donation=reactive, component="PRC", state="quarantined")
    screening_record(donation=reactive, test="hiv", reactive=True, by=staff_a)
    screening_record(donation=reactive, test="hiv", reactive=True, by=staff_a)
    expired = make_donation(site=bank_a, donor=me, collected_at=timezone.now() - timedelta(days=60))
    make_unit(site=bank_a, donation=expired, component="PRC", state="expired")
    response = api(donor).get("/api/v1/donations/mine")
    text = response.content.decode().lower()
    assert "unsafe" not in text and "reactive" not in text and "rejected" not in text and "hiv" not in text
    rows = {row["id"]: row for row in response.json()["results"]}
    assert [u["state"] for u in rows[reactive.pk]["units"]] == [u["state"] for u in rows[expired.pk]["units"]]
    assert rows[reactive.pk]["units"][0]["state"] == "not_used"
    assert (rows[reactive.pk]["follow_up"], rows[expired.pk]["follow_up"]) == (True, False)


def test_every_unit_state_has_a_donor_state():
    assert set(DONOR_UNIT_STATES) == set(BloodUnit.State.values)


def test_only_donors(api, staff_a, donor):
    assert api(staff_a).get("/api/v1/donations/mine").status_code == 403
    assert api().get("/api/v1/donations/mine").status_code == 401
    assert api(donor).get("/api/v1/donations/mine").json()["count"] == 0  # no profile yet: nothing


def test_query_count_is_flat(api, donor, bank_a, django_assert_num_queries):
    me = make_donor(donor)
    client = api(donor)
    client.get("/api/v1/me")
    make_unit(site=bank_a, donation=make_donation(site=bank_a, donor=me))
    with django_assert_num_queries(3):
        assert client.get("/api/v1/donations/mine").json()["count"] == 1
    for _ in range(9):
        donation = make_donation(site=bank_a, donor=me)
        make_unit(site=bank_a, donation=donation, component="PRC")
        make_unit(site=bank_a, donation=donation, component="FFP")
    with django_assert_num_queries(3):
        assert client.get("/api/v1/donations/mine").json()["count"] == 10


def test_staff_donation_list_query_count_is_flat(api, staff_a, bank_a, bank_b, django_assert_num_queries):
    client = api(staff_a)
    client.get("/api/v1/me")
    make_unit(site=bank_a, donation=make_donation(site=bank_a))
    make_donation(site=bank_b)
    with django_assert_num_queries(3):
        assert client.get("/api/v1/donations").json()["count"] == 1
    for _ in range(9):
        make_unit(site=bank_a, donation=make_donation(site=bank_a))
    with django_assert_num_queries(3):
        assert client.get("/api/v1/donations").json()["count"] == 10
