"""Returns: the hospital hands back an issued, untransfused unit; the issuing bank inspects and decides."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.inventory.models import BloodUnit
from dblood.inventory.tests.factories import make_unit
from dblood.recalls.services import lookback_trace
from dblood.requests.models import Allocation
from dblood.requests.services import allocation_reserve, request_issue
from dblood.requests.tests.factories import make_blood_request
from dblood.returns.models import UnitReturn

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(hospital, bank_a, hospital_user, staff_a):
    """A PRC unit of bank A issued to hospital H for a one-unit request."""
    blood_request = make_blood_request(hospital=hospital, target_bank=bank_a, created_by=hospital_user, units=1)
    unit = make_unit(site=bank_a, abo="A", rhd="+")
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    request_issue(blood_request=blood_request, by=staff_a)
    BloodUnit.objects.filter(pk=unit.pk).update(issued_at=timezone.now() - timedelta(hours=3))  # this morning
    unit.refresh_from_db()
    assert unit.state == "issued"
    return unit


@pytest.fixture
def other_hospital_user(bank_a):
    from dblood.accounts.models import Membership, User
    from dblood.sites.models import Site
    from testing.personas import make_site, make_user

    user = make_user("nurse.k@example.org", User.Role.HOSPITAL_STAFF)
    Membership.objects.create(user=user, site=make_site("hosp-k", kind=Site.Kind.HOSPITAL, verified_by=bank_a))
    return user


def minutes_ago(minutes: int) -> str:
    return (timezone.now() - timedelta(minutes=minutes)).isoformat()


def give_back(api, user, unit, *, minutes=20, temperature="4.5", validated_box=False, fmt="json"):
    body = {
        "unit": unit.pk,
        "left_storage_at": minutes_ago(minutes),
        "temperature_c": temperature,
        "validated_box": validated_box,
    }
    return api(user).post("/api/v1/returns", body, format=fmt)


def decide(api, staff, returned_id, **body):
    return api(staff).post(f"/api/v1/returns/{returned_id}/decide", body, format="json")


def test_within_the_limits_the_bank_puts_it_back_into_stock_after_inspection(api, issued, hospital_user, staff_a):
    response = give_back(api, hospital_user, issued)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["within_limits"] and body["problems"] == [] and body["decision"] == ""
    assert body["minutes_out"] in (19, 20) and body["returned_by"] == hospital_user.pk
    allocation = Allocation.objects.get(unit=issued)
    assert allocation.outcome == "not_transfused" and allocation.request.status == "closed"
    issued.refresh_from_db()
    assert issued.state == "issued"  # until the bank decides

    decided = decide(api, staff_a, body["id"], decision="restocked", seal_intact=True, note="Bag clean, no leak.")
    assert decided.status_code == 200, decided.content
    record = UnitReturn.objects.get(pk=body["id"])
    assert (record.decision, record.seal_intact, record.decided_by) == ("restocked", True, staff_a)
    assert record.decided_at and record.temperature_c == 4.5 and record.left_storage_at
    issued.refresh_from_db()
    assert issued.state == "available" and issued.issued_to is None and issued.site_id == record.bank_id
    assert Allocation.objects.get(unit=issued).status == "released"  # it may be reserved again


@pytest.mark.parametrize(
    "minutes, temperature, validated_box, problem",
    [
        (45, "4.5", False, "Out of controlled storage for more than 30 minutes."),
        (20, "12.0", False, "The temperature was outside 1.0 to 10.0 °C."),
        (20, "0.5", False, "The temperature was outside 1.0 to 10.0 °C."),
    ],
)
def test_outside_the_limits_it_may_only_be_discarded(
    api, issued, hospital_user, staff_a, minutes, temperature, validated_box, problem
):
    body = give_back(api, hospital_user, issued, minutes=minutes, temperature=temperature).json()
    assert body["within_limits"] is False and body["problems"] == [problem]
    refused = decide(api, staff_a, body["id"], decision="restocked", seal_intact=True)
    assert refused.status_code == 409 and refused.json()["code"] == "return_not_restockable"
    assert refused.json()["reasons"] == [problem]
    issued.refresh_from_db()
    assert issued.state == "issued" and UnitReturn.objects.get(pk=body["id"]).decision == ""
    discarded = decide(api, staff_a, body["id"], decision="discarded", seal_intact=True)
    assert discarded.status_code == 200 and discarded.json()["decision"] == "discarded"
    issued.refresh_from_db()
    assert issued.state == "discarded" and f"return {body['id']}" in issued.discard_reason


def test_a_validated_transport_box_allows_a_longer_time_out(api, issued, hospital_user, staff_a):
    body = give_back(api, hospital_user, issued, minutes=120, validated_box=True).json()
    assert body["within_limits"] is True
    assert decide(api, staff_a, body["id"], decision="restocked", seal_intact=True).status_code == 200


def test_a_broken_seal_or_an_expired_unit_is_not_restocked(api, issued, hospital_user, staff_a):
    body = give_back(api, hospital_user, issued).json()
    broken = decide(api, staff_a, body["id"], decision="restocked", seal_intact=False)
    assert broken.status_code == 409 and broken.json()["reasons"] == ["The seal is not intact."]
    BloodUnit.objects.filter(pk=issued.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = decide(api, staff_a, body["id"], decision="restocked", seal_intact=True)
    assert expired.json()["reasons"] == ["The unit has expired."]


def test_a_component_without_a_validated_return_is_discarded(api, hospital, bank_a, hospital_user, staff_a):
    blood_request = make_blood_request(
        hospital=hospital, target_bank=bank_a, created_by=hospital_user, units=1, component="FFP"
    )
    unit = make_unit(site=bank_a, abo="AB", rhd="+", component="FFP")
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    request_issue(blood_request=blood_request, by=staff_a)
    BloodUnit.objects.filter(pk=unit.pk).update(issued_at=timezone.now() - timedelta(hours=3))
    body = give_back(api, hospital_user, unit, temperature="-25.0").json()
    assert "This component has no validated return: it is discarded." in body["problems"]
    assert decide(api, staff_a, body["id"], decision="restocked", seal_intact=True).status_code == 409


def test_a_recalled_unit_that_comes_back_is_never_restocked(api, issued, hospital_user, staff_a, bank_a):
    from dblood.inventory.tests.factories import make_donation

    body = give_back(api, hospital_user, issued).json()
    lookback_trace(donation=make_donation(donor=issued.donation.donor, site=bank_a))
    refused = decide(api, staff_a, body["id"], decision="restocked", seal_intact=True)
    assert refused.status_code == 409 and refused.json()["code"] == "unit_recalled"
    assert decide(api, staff_a, body["id"], decision="discarded", seal_intact=True).status_code == 200


def test_a_unit_of_a_closed_recall_that_comes_back_is_never_restocked(api, issued, hospital_user, staff_a, bank_a):
    """The recall closed while the unit was at the hospital (nothing left in a bank's custody): the donor is
    still reactive, so the unit handed back afterwards may only be discarded."""
    from dblood.inventory.tests.factories import make_donation
    from dblood.recalls.services import recall_close

    recall = lookback_trace(donation=make_donation(donor=issued.donation.donor, site=bank_a))
    recall_close(recall=recall, by=staff_a)
    body = give_back(api, hospital_user, issued).json()
    refused = decide(api, staff_a, body["id"], decision="restocked", seal_intact=True)
    assert refused.status_code == 409 and refused.json()["code"] == "unit_recalled"
    assert BloodUnit.objects.get(pk=issued.pk).state == "issued"
    assert decide(api, staff_a, body["id"], decision="discarded", seal_intact=True).status_code == 200


def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(api, issued, hospital_user, other_hospital_user):
    missing = api(hospital_user).post("/api/v1/returns", {"unit": issued.pk}, format="multipart")
    assert missing.status_code == 400
    assert {"left_storage_at", "temperature_c", "validated_box"} <= set(missing.json()["fields"])
    form = {"unit": issued.pk, "left_storage_at": minutes_ago(5), "temperature_c": "4.0"}
    no_box = api(hospital_user).post("/api/v1/returns", form, format="multipart")  # validated_box left out
    assert no_box.status_code == 400 and list(no_box.json()["fields"]) == ["validated_box"]
    assert give_back(api, hospital_user, issued, validated_box="1").json()["fields"].keys() == {"validated_box"}
    future = give_back(api, hospital_user, issued, minutes=-10)
    assert future.status_code == 400 and "left_storage_at" in future.json()["fields"]
    hot = give_back(api, hospital_user, issued, temperature="80")
    assert hot.status_code == 400 and "temperature_c" in hot.json()["fields"]
    stranger = give_back(api, other_hospital_user, issued)
    assert stranger.status_code == 400 and "unit" in stranger.json()["fields"]
    assert not UnitReturn.objects.exists()
    assert Allocation.objects.get(unit=issued).outcome == ""
    indonesian = api(hospital_user).post(
        "/api/v1/returns",
        {"unit": issued.pk, "left_storage_at": minutes_ago(-10), "temperature_c": "4.0", "validated_box": False},
        format="json",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert indonesian.json()["fields"]["left_storage_at"] == ["Waktu ini ada di masa depan."]


def test_a_unit_is_returned_once_and_decided_once(api, issued, hospital_user, staff_a, staff_b):
    first = give_back(api, hospital_user, issued).json()
    again = give_back(api, hospital_user, issued)
    assert again.status_code == 409 and again.json()["code"] == "already_returned"
    assert decide(api, staff_b, first["id"], decision="discarded", seal_intact=True).status_code == 404
    assert decide(api, hospital_user, first["id"], decision="discarded", seal_intact=True).status_code == 403
    no_answer = api(staff_a).post(
        f"/api/v1/returns/{first['id']}/decide", {"decision": "restocked"}, format="multipart"
    )
    assert no_answer.status_code == 400 and list(no_answer.json()["fields"]) == ["seal_intact"]
    assert decide(api, staff_a, first["id"], decision="discarded", seal_intact=False).status_code == 200
    twice = decide(api, staff_a, first["id"], decision="restocked", seal_intact=True)
    assert twice.status_code == 409 and twice.json()["code"] == "return_decided"
    transfused = give_back(api, hospital_user, issued)
    assert transfused.status_code == 409 and transfused.json()["code"] == "not_returnable"


def test_each_side_sees_its_own_returns(api, issued, hospital_user, staff_a, staff_b, donor, django_assert_num_queries):
    give_back(api, hospital_user, issued)
    client = api(staff_a)
    client.get("/api/v1/me")  # the token's once-a-minute last_used_at write happens here
    with django_assert_num_queries(2):
        assert client.get("/api/v1/returns").json()["count"] == 1
    assert api(hospital_user).get("/api/v1/returns").json()["count"] == 1
    assert api(staff_b).get("/api/v1/returns").json()["count"] == 0
    assert api(donor).get("/api/v1/returns").status_code == 403
