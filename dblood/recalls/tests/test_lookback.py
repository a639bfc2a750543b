"""Lookback: a donation that becomes finally reactive traces the donor's units of the window."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from dblood.core.errors import Conflict
from dblood.donations.lab import screening_record
from dblood.donations.release import required_tests
from dblood.inventory.models import BloodUnit, Transfer
from dblood.inventory.services import unit_discard, unit_transition
from dblood.inventory.tests.factories import make_donation, make_donor, make_unit, screen_and_release
from dblood.inventory.transfers import transfer_receive, transfer_send
from dblood.notifications.models import Notification
from dblood.notifications.services import notifications_email_pending
from dblood.recalls.models import Recall, RecallUnit
from dblood.requests.models import Allocation
from dblood.requests.services import allocation_reserve
from dblood.requests.tests.factories import make_blood_request
from testing.labels import label_scans

pytestmark = pytest.mark.django_db


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def turn_reactive(donation, by=None):
    """HCV reactive, and reactive again on the repeat: finally reactive."""
    screening_record(donation=donation, test="hcv", reactive=True, by=by)
    screening_record(donation=donation, test="hcv", reactive=True, by=by)
    return Recall.objects.get(donation=donation)


@pytest.fixture
def person():
    return make_donor(abo="O", rhd="+")


@pytest.fixture
def blood_request(hospital, bank_a, hospital_user):
    return make_blood_request(hospital=hospital, target_bank=bank_a, created_by=hospital_user, units=1)


def test_every_unit_of_the_window_is_traced_and_each_gets_its_action(
    person, bank_a, bank_b, hospital, hospital_user, staff_a, staff_b, blood_request
):
    six_months = make_donation(donor=person, site=bank_a, collected_at=days_ago(180))
    shelf = make_unit(site=bank_a, donation=six_months, component="PRC")
    elsewhere = make_unit(site=bank_b, donation=six_months, component="FFP")
    issued = make_unit(
        site=bank_a, donation=six_months, component="TC", state="issued", issued_to=hospital, issued_at=days_ago(170)
    )
    two_months = make_donation(donor=person, site=bank_a, collected_at=days_ago(60))
    reserved = make_unit(site=bank_a, donation=two_months, component="PRC")
    allocation_reserve(blood_request=blood_request, unit_ids=[reserved.pk], by=staff_a)
    on_the_road = make_unit(site=bank_a, donation=two_months, component="FFP")
    transfer = transfer_send(unit=on_the_road, to_site=bank_b, by=staff_a)
    in_testing = make_unit(site=bank_a, donation=two_months, component="AHF", state="quarantined")
    long_ago = make_unit(site=bank_a, donation=make_donation(donor=person, site=bank_a, collected_at=days_ago(400)))
    stranger = make_unit(site=bank_a)
    index = make_donation(donor=person, site=bank_a, collected_at=days_ago(1))

    recall = turn_reactive(index, by=staff_a)

    state = {u.pk: u.state for u in BloodUnit.objects.all()}
    assert state[shelf.pk] == state[elsewhere.pk] == state[reserved.pk] == "quarantined"  # at once, any bank
    assert state[in_testing.pk] == "quarantined" and state[issued.pk] == "issued"
    assert state[on_the_road.pk] == "in_transit"
    assert state[long_ago.pk] == state[stranger.pk] == "available"  # outside the window; another donor
    actions = {row.unit_id: row.action for row in recall.traced.all()}
    assert actions == {
        shelf.pk: "quarantined",
        elsewhere.pk: "quarantined",
        reserved.pk: "quarantined",
        issued.pk: "hospital_notified",
        on_the_road.pk: "stopped",
        in_testing.pk: "held",
    }
    assert recall.status == "open" and recall.site == bank_a and recall.opened_by == staff_a
    assert RecallUnit.objects.get(unit=on_the_road).transfer == transfer
    # The reservation ended with the unit's place on the shelf.
    assert Allocation.objects.get(unit=reserved).status == "released"
    blood_request.refresh_from_db()
    assert blood_request.status == "submitted"
    # The unit on the road is booked in only into quarantine.
    scans = label_scans(on_the_road)
    transfer_receive(
        transfer=transfer,
        by=staff_b,
        din_scan=scans["din"],
        product_scan=scans["product_code"],
        temperature_c=Decimal("-25"),
    )
    on_the_road.refresh_from_db()
    assert on_the_road.state == "quarantined" and on_the_road.site == bank_b
    assert Transfer.objects.get(pk=transfer.pk).status == "received"


def test_the_hospital_is_told_the_din_and_component_never_the_test_or_donor(
    person, bank_a, hospital, hospital_user, staff_a
):
    earlier = make_donation(donor=person, site=bank_a, collected_at=days_ago(30))
    make_unit(site=bank_a, donation=earlier, component="PRC", state="transfused", issued_to=hospital)
    hospital_user.language = "id"
    hospital_user.save(update_fields=["language"])
    turn_reactive(make_donation(donor=person, site=bank_a), by=staff_a)

    notice = Notification.objects.get(user=hospital_user)
    assert notice.kind == "unit_recall" and notice.email_state == "pending"
    assert earlier.din in notice.title and earlier.din in notice.body
    assert "Penarikan" in notice.title and "PRC" in notice.title  # in the recipient's language
    text = (notice.title + notice.body + str(notice.data)).lower()
    forbidden = ["hcv", "hepatitis", "hiv", "syphilis", "reactive", "reaktif", person.donor_number.lower()]
    forbidden.append(person.user.full_name.lower())
    assert not [word for word in forbidden if word in text]
    assert not Notification.objects.filter(kind="unit_recall").exclude(user=hospital_user).exists()
    assert notifications_email_pending() >= 1
    assert any(earlier.din in message.body for message in mail.outbox if hospital_user.email in message.to)


def test_a_held_unit_never_becomes_available_by_any_path(person, bank_a, staff_a):
    earlier = make_donation(donor=person, site=bank_a, collected_at=days_ago(20))
    unit = make_unit(site=bank_a, donation=earlier)
    in_testing = make_donation(donor=person, site=bank_a, collected_at=days_ago(10), typed_abo="O", typed_rhd="+")
    waiting = make_unit(site=bank_a, donation=in_testing, state="quarantined")
    turn_reactive(make_donation(donor=person, site=bank_a), by=staff_a)

    with pytest.raises(Conflict) as refused:
        unit_transition(unit=BloodUnit.objects.get(pk=unit.pk), to="available")
    assert refused.value.get_codes() == "unit_recalled"
    # The lab finishes the donation in testing: released, but its unit stays in quarantine.
    for test in required_tests():
        screening_record(donation=in_testing, test=test, reactive=False, by=staff_a)
    in_testing.refresh_from_db()
    waiting.refresh_from_db()
    assert in_testing.status == "released" and waiting.state == "quarantined"


def test_the_window_goes_back_to_the_last_non_reactive_donation_if_that_is_later(person, bank_a):
    before = make_unit(site=bank_a, donation=make_donation(donor=person, site=bank_a, collected_at=days_ago(200)))
    clear = screen_and_release(make_donation(donor=person, site=bank_a, collected_at=days_ago(90)))
    from_clear = make_unit(site=bank_a, donation=clear)
    recall = turn_reactive(make_donation(donor=person, site=bank_a))
    assert recall.window_start == clear.collected_at
    assert list(recall.traced.values_list("unit_id", flat=True)) == [from_clear.pk]
    before.refresh_from_db()
    assert before.state == "available"


def test_the_window_is_a_setting(person, bank_a, settings):
    settings.LOOKBACK_MONTHS = 3
    old = make_unit(site=bank_a, donation=make_donation(donor=person, site=bank_a, collected_at=days_ago(120)))
    recent = make_unit(site=bank_a, donation=make_donation(donor=person, site=bank_a, collected_at=days_ago(80)))
    recall = turn_reactive(make_donation(donor=person, site=bank_a))
    assert list(recall.traced.values_list("unit_id", flat=True)) == [recent.pk]
    old.refresh_from_db()
    assert old.state == "available"


def test_a_first_time_donor_leaves_a_closed_recall_with_nothing_traced(person, bank_a):
    recall = turn_reactive(make_donation(donor=person, site=bank_a))
    assert recall.status == "closed" and not recall.traced.exists()


def test_closing_needs_every_unit_out_of_the_banks_custody(api, person, bank_a, staff_a, staff_b):
    unit = make_unit(site=bank_a, donation=make_donation(donor=person, site=bank_a, collected_at=days_ago(20)))
    recall = turn_reactive(make_donation(donor=person, site=bank_a), by=staff_a)
    url = f"/api/v1/recalls/{recall.pk}/close"
    early = api(staff_a).post(url)
    assert early.status_code == 409 and early.json()["code"] == "recall_unsettled"
    assert early.json()["units"] == [{"din": unit.donation.din, "component": "PRC"}]
    assert api(staff_b).post(url).status_code == 404  # bank B is not concerned
    unit_discard(unit=BloodUnit.objects.get(pk=unit.pk), reason="Lookback recall", by=staff_a)
    closed = api(staff_a).post(url)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert api(staff_a).post(url).json()["code"] == "recall_closed"
    assert api(staff_a).get("/api/v1/recalls").json()["count"] == 0
    assert api(staff_a).get("/api/v1/recalls", {"status": "closed"}).json()["count"] == 1


def test_staff_see_only_their_banks_part_and_only_the_opener_the_donation(
    api, person, bank_a, bank_b, staff_a, staff_b, hospital_user, donor, admin_user
):
    donation = make_donation(donor=person, site=bank_a, collected_at=days_ago(20))
    at_a = make_unit(site=bank_a, donation=donation, component="PRC")
    at_b = make_unit(site=bank_b, donation=donation, component="FFP")
    recall = turn_reactive(make_donation(donor=person, site=bank_a))

    mine = api(staff_a).get(f"/api/v1/recalls/{recall.pk}").json()
    assert mine["donation"]["din"] == recall.donation.din and mine["window_start"]
    assert {row["unit"] for row in mine["units"]} == {at_a.pk, at_b.pk}
    theirs = api(staff_b).get("/api/v1/recalls").json()["results"]
    assert len(theirs) == 1 and theirs[0]["donation"] is None and theirs[0]["window_start"] is None
    assert [row["unit"] for row in theirs[0]["units"]] == [at_b.pk]
    assert theirs[0]["units"][0] | {"state": "quarantined", "action": "quarantined", "state_at_trace": "available"}
    for outsider in (hospital_user, donor, admin_user):
        assert api(outsider).get("/api/v1/recalls").status_code == 403
    bad = api(staff_a).get("/api/v1/recalls", {"status": "lost"})
    assert bad.status_code == 400 and "status" in bad.json()["fields"]


def test_recall_list_query_count_is_flat(api, person, bank_a, staff_a, django_assert_num_queries):
    client = api(staff_a)
    client.get("/api/v1/me")  # the token's once-a-minute last_used_at write happens here

    def one_more():
        donor = make_donor()
        donation = make_donation(donor=donor, site=bank_a, collected_at=days_ago(20))
        make_unit(site=bank_a, donation=donation)
        make_unit(site=bank_a, donation=donation, component="FFP")
        turn_reactive(make_donation(donor=donor, site=bank_a))

    one_more()
    with django_assert_num_queries(3):
        assert client.get("/api/v1/recalls").json()["count"] == 1
    for _ in range(4):
        one_more()
    with django_assert_num_queries(3):
        assert client.get("/api/v1/recalls").json()["count"] == 5
