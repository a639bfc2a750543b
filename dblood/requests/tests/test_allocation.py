"""Proposal order, reserve (with override), issue, cancel and transfusion outcome."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dblood.inventory.models import BloodUnit
from dblood.notifications.models import Notification
from dblood.notifications.tests.factories import make_donor, make_unit
from dblood.requests.models import Allocation
from dblood.requests.services import allocation_reserve
from dblood.requests.upkeep import units_expire_and_release
from dblood.returns.models import UnitReturn


@pytest.fixture
def far_bank(db):
    from testing.personas import make_site

    return make_site("bank-far", name="UDD Far", latitude=-7.8, longitude=110.37)


@pytest.mark.django_db
def test_proposal_order(api, make_request, staff_a, hospital_user, bank_a, bank_b, far_bank):
    blood_request = make_request(patient_abo="A", patient_rhd="+", units=10)
    a_pos_target_late = make_unit(bank_a, abo="A", rhd="+", days_left=20)
    a_pos_target_soon = make_unit(bank_a, abo="A", rhd="+", days_left=5)
    a_neg_target = make_unit(bank_a, abo="A", rhd="-", days_left=3)
    a_pos_near = make_unit(bank_b, abo="A", rhd="+", days_left=2)
    a_pos_far = make_unit(far_bank, abo="A", rhd="+", days_left=2)
    o_pos_target = make_unit(bank_a, abo="O", rhd="+", days_left=1)
    make_unit(bank_a, abo="B", rhd="+")  # incompatible
    make_unit(bank_a, abo="A", rhd="+", component="FFP")  # other component
    make_unit(bank_a, abo="A", rhd="+", state="quarantined")
    make_unit(bank_a, abo="A", rhd="+", days_left=0)  # expires before needed_by
    body = api(staff_a).get(f"/api/v1/requests/{blood_request.pk}/proposal").json()
    assert [u["id"] for u in body] == [
        a_pos_target_soon.pk,
        a_pos_target_late.pk,
        a_neg_target.pk,
        a_pos_near.pk,
        a_pos_far.pk,
        o_pos_target.pk,
    ]
    assert body[0]["abo_identical"] is True and body[0]["distance_km"] == 0
    assert body[-1]["abo_identical"] is False
    assert body[3]["distance_km"] < body[4]["distance_km"]
    assert api(hospital_user).get(f"/api/v1/requests/{blood_request.pk}/proposal").status_code == 403


@pytest.mark.django_db
def test_rhd_negative_patient_is_never_proposed_positive(api, make_request, staff_a, bank_a):
    blood_request = make_request(patient_abo="O", patient_rhd="-", units=5)
    make_unit(bank_a, abo="O", rhd="+")
    negative = make_unit(bank_a, abo="O", rhd="-")
    assert [u["id"] for u in api(staff_a).get(f"/api/v1/requests/{blood_request.pk}/proposal").json()] == [negative.pk]


@pytest.mark.django_db
def test_reserve_issue_outcome_and_where_my_blood_went(
    api, make_request, staff_a, hospital_user, bank_a, donor, hospital
):
    blood_request = make_request(patient_abo="A", patient_rhd="+", units=2)
    profile = make_donor(donor, abo="A", rhd="+")
    mine = make_unit(bank_a, abo="A", rhd="+", donor=profile)
    other = make_unit(bank_a, abo="O", rhd="+")
    staff = api(staff_a)
    url = f"/api/v1/requests/{blood_request.pk}"
    body = staff.post(f"{url}/reserve", {"units": [mine.pk]}, format="json").json()
    assert body["status"] == "partly_allocated"
    body = staff.post(f"{url}/reserve", {"units": [other.pk]}, format="json").json()
    assert body["status"] == "allocated"
    mine.refresh_from_db()
    assert mine.state == BloodUnit.State.RESERVED
    # Hospital staff cannot issue; bank staff can.
    assert api(hospital_user).post(f"{url}/issue", {}, format="json").status_code == 403
    body = staff.post(f"{url}/issue", {}, format="json").json()
    assert body["status"] == "issued"
    mine.refresh_from_db()
    assert (mine.state, mine.issued_to_id) == (BloodUnit.State.ISSUED, hospital.pk)
    assert mine.issued_at is not None
    message = Notification.objects.get(user=donor, kind=Notification.Kind.UNIT_ISSUED)
    assert hospital.name in message.body
    assert message.data["hospital"] == hospital.name
    assert "patient" not in message.data
    nurse = api(hospital_user)
    response = nurse.post(
        f"{url}/outcome", {"unit": mine.pk, "transfused": True, "reaction": "mild fever"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "transfused"
    mine.refresh_from_db()
    assert mine.state == BloodUnit.State.TRANSFUSED
    again = nurse.post(f"{url}/outcome", {"unit": mine.pk, "transfused": True}, format="json")
    assert again.status_code == 409
    # Not transfused: handed back through the returns flow, the bank decides (never left issued unseen).
    kept = {"left_storage_at": timezone.now().isoformat(), "temperature_c": "4.0", "validated_box": True}
    back = nurse.post(f"{url}/outcome", {"unit": other.pk, "transfused": False, "return_details": kept}, format="json")
    assert back.status_code == 200, back.content
    assert UnitReturn.objects.filter(unit=other, decision="").exists()
    assert nurse.get(url).json()["status"] == "closed"


@pytest.mark.django_db
def test_incompatible_unit_needs_a_recorded_override(api, make_request, staff_a, bank_a):
    blood_request = make_request(patient_abo="O", patient_rhd="-", units=1, urgency="emergency")
    positive = make_unit(bank_a, abo="O", rhd="+")
    url = f"/api/v1/requests/{blood_request.pk}/reserve"
    response = api(staff_a).post(url, {"units": [positive.pk]}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "override_required"
    response = api(staff_a).post(
        url, {"units": [positive.pk], "override_reason": "massive haemorrhage, no O- in stock"}, format="json"
    )
    assert response.status_code == 200
    assert Allocation.objects.get(unit=positive).override_reason == "massive haemorrhage, no O- in stock"


@pytest.mark.django_db
def test_reserve_conflicts(api, make_request, staff_a, staff_b, bank_a):
    first = make_request(units=1)
    second = make_request(units=1)
    unit = make_unit(bank_a, abo="A", rhd="+")
    spare = make_unit(bank_a, abo="A", rhd="+")
    platelets = make_unit(bank_a, abo="A", rhd="+", component="TC")
    staff = api(staff_a)
    assert staff.post(f"/api/v1/requests/{first.pk}/reserve", {"units": [unit.pk]}, format="json").status_code == 200
    # The same unit for another request: 409, and nothing written.
    response = staff.post(f"/api/v1/requests/{second.pk}/reserve", {"units": [unit.pk]}, format="json")
    assert response.status_code == 409
    # More units than the request needs.
    response = staff.post(f"/api/v1/requests/{first.pk}/reserve", {"units": [spare.pk]}, format="json")
    assert response.status_code == 409
    response = staff.post(f"/api/v1/requests/{second.pk}/reserve", {"units": [platelets.pk]}, format="json")
    assert response.status_code == 409
    response = staff.post(f"/api/v1/requests/{second.pk}/reserve", {"units": [987654]}, format="json")
    assert response.status_code == 400 and "units" in response.json()["fields"]
    # Staff of another bank cannot even see the request.
    assert (
        api(staff_b).post(f"/api/v1/requests/{second.pk}/reserve", {"units": [spare.pk]}, format="json").status_code
        == 404
    )
    assert Allocation.objects.count() == 1


@pytest.mark.django_db
def test_issuing_a_unit_not_reserved_for_the_request_is_409(api, make_request, staff_a, bank_a):
    first = make_request(units=1)
    second = make_request(units=1)
    unit = make_unit(bank_a, abo="A", rhd="+")
    loose = make_unit(bank_a, abo="A", rhd="+")
    staff = api(staff_a)
    staff.post(f"/api/v1/requests/{first.pk}/reserve", {"units": [unit.pk]}, format="json")
    assert staff.post(f"/api/v1/requests/{second.pk}/issue", {"units": [unit.pk]}, format="json").status_code == 409
    assert staff.post(f"/api/v1/requests/{first.pk}/issue", {"units": [loose.pk]}, format="json").status_code == 409
    assert staff.post(f"/api/v1/requests/{second.pk}/issue", {}, format="json").status_code == 409
    unit.refresh_from_db()
    assert unit.state == BloodUnit.State.RESERVED


@pytest.mark.django_db
def test_cancel_frees_reserved_units(api, make_request, staff_a, hospital_user, bank_a):
    blood_request = make_request(units=2)
    units = [make_unit(bank_a, abo="A", rhd="+") for _ in range(2)]
    api(staff_a).post(f"/api/v1/requests/{blood_request.pk}/allocate", format="json")
    assert BloodUnit.objects.filter(state="reserved").count() == 2
    response = api(hospital_user).post(
        f"/api/v1/requests/{blood_request.pk}/cancel", {"reason": "patient stabilised"}, format="json"
    )
    assert response.json()["status"] == "cancelled"
    for unit in units:
        unit.refresh_from_db()
        assert unit.state == BloodUnit.State.AVAILABLE
    assert set(Allocation.objects.values_list("status", flat=True)) == {"released"}
    # A cancelled request cannot be cancelled, reserved or issued again.
    assert api(hospital_user).post(f"/api/v1/requests/{blood_request.pk}/cancel", {}, format="json").status_code == 409
    response = api(staff_a).post(
        f"/api/v1/requests/{blood_request.pk}/reserve", {"units": [units[0].pk]}, format="json"
    )
    assert response.status_code == 409


@pytest.mark.django_db
def test_auto_allocate_takes_the_proposal_and_says_when_there_is_none(api, make_request, staff_a, bank_a):
    blood_request = make_request(units=3)
    make_unit(bank_a, abo="A", rhd="+")
    body = api(staff_a).post(f"/api/v1/requests/{blood_request.pk}/allocate", format="json").json()
    assert body["status"] == "partly_allocated"
    response = api(staff_a).post(f"/api/v1/requests/{blood_request.pk}/allocate", format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "no_stock"


@pytest.mark.django_db
def test_a_reserved_unit_that_expires_is_let_go(make_request, staff_a, bank_a):
    blood_request = make_request(units=1, needed_by=timezone.now() + timedelta(hours=1))
    unit = make_unit(bank_a, abo="A", rhd="+", days_left=1)
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    assert units_expire_and_release() == 0
    with time_machine.travel(timedelta(days=2)):
        assert units_expire_and_release() == 1
    unit.refresh_from_db()
    blood_request.refresh_from_db()
    assert unit.state == BloodUnit.State.EXPIRED
    assert blood_request.status == "submitted"
    assert Allocation.objects.get(unit=unit).status == "released"


@pytest.mark.parametrize(
    ("status", "english", "indonesian"),
    [
        ("cancelled", "This request is cancelled.", "Permintaan ini sudah dibatalkan."),
        ("closed", "This request is closed.", "Permintaan ini sudah ditutup."),
        ("issued", "Every unit of this request has been issued.", "Semua kantong permintaan ini sudah dikeluarkan."),
    ],
)
def test_nothing_is_proposed_for_a_request_that_is_not_open(
    api, make_request, staff_a, bank_a, status, english, indonesian
):
    blood_request = make_request(units=1, status=status)
    make_unit(bank_a, abo="A", rhd="+")
    path = f"/api/v1/requests/{blood_request.pk}/proposal"
    response = api(staff_a).get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409, response.content
    # The error's own `status` stays the HTTP status; the request's state is `request_status`.
    body = response.json()
    assert (body["status"], body["code"], body["request_status"], body["detail"]) == (
        409,
        "request_not_open",
        status,
        english,
    )
    assert api(staff_a).get(path, HTTP_ACCEPT_LANGUAGE="id").json()["detail"] == indonesian
