"""The override policy (requests/overrides.py), at reservation and again at issue: ABO-incompatible
units never; an RhD mismatch only on an emergency request, with a reason, and for a woman of
childbearing potential only with a second acknowledgement. Each refusal is a 409 naming its rule,
and nothing is reserved or issued."""

import pytest

from dblood.audit.models import AuditEvent
from dblood.inventory.models import BloodUnit
from dblood.notifications.tests.factories import make_unit
from dblood.requests.models import Allocation

pytestmark = pytest.mark.django_db

REASON = "massive haemorrhage, no O- in stock"


def _reserve(api, staff, blood_request, units, **body):
    return api(staff).post(
        f"/api/v1/requests/{blood_request.pk}/reserve", {"units": [u.pk for u in units], **body}, format="json"
    )


def _refused(response, code, unit):
    assert response.status_code == 409, response.content
    assert response.json()["code"] == code
    unit.refresh_from_db()
    assert unit.state == BloodUnit.State.AVAILABLE
    assert not Allocation.objects.filter(unit=unit).exists()


@pytest.mark.parametrize("urgency", ["routine", "urgent", "emergency"])
def test_abo_incompatible_red_cells_are_never_allowed_whatever_the_reason(api, make_request, staff_a, bank_a, urgency):
    blood_request = make_request(patient_abo="O", patient_rhd="+", units=1, urgency=urgency)
    ab_positive = make_unit(bank_a, abo="AB", rhd="+")
    response = _reserve(api, staff_a, blood_request, [ab_positive], override_reason=REASON, override_acknowledged=True)
    _refused(response, "abo_incompatible", ab_positive)


def test_abo_incompatible_plasma_is_never_allowed(api, make_request, staff_a, bank_a):
    blood_request = make_request(patient_abo="AB", patient_rhd="+", units=1, urgency="emergency", component="FFP")
    group_o_plasma = make_unit(bank_a, abo="O", rhd="+", component="FFP")
    _refused(
        _reserve(api, staff_a, blood_request, [group_o_plasma], override_reason=REASON),
        "abo_incompatible",
        group_o_plasma,
    )


def test_an_rhd_override_needs_an_emergency_request(api, make_request, staff_a, bank_a):
    blood_request = make_request(patient_abo="O", patient_rhd="-", units=1, urgency="routine")
    positive = make_unit(bank_a, abo="O", rhd="+")
    _refused(
        _reserve(api, staff_a, blood_request, [positive], override_reason=REASON), "override_needs_emergency", positive
    )


def test_an_rhd_override_on_an_emergency_needs_a_reason_and_is_recorded(api, make_request, staff_a, bank_a):
    blood_request = make_request(patient_abo="O", patient_rhd="-", units=1, urgency="emergency")
    positive = make_unit(bank_a, abo="O", rhd="+")
    _refused(_reserve(api, staff_a, blood_request, [positive], override_reason="  "), "override_required", positive)
    response = _reserve(api, staff_a, blood_request, [positive], override_reason=REASON)
    assert response.status_code == 200, response.content
    allocation = Allocation.objects.get(unit=positive)
    assert (allocation.override_reason, allocation.reserved_by) == (REASON, staff_a)
    shown = api(staff_a).get(f"/api/v1/requests/{blood_request.pk}").json()
    assert [a["override_reason"] for a in shown["allocations"]] == [REASON]
    assert api(staff_a).post(f"/api/v1/requests/{blood_request.pk}/issue", {}, format="json").status_code == 200


def test_a_woman_of_childbearing_potential_needs_a_second_acknowledgement(api, make_request, staff_a, bank_a):
    blood_request = make_request(
        patient_abo="A", patient_rhd="-", patient_female_cbp=True, units=1, urgency="emergency", component="TC"
    )
    positive_platelets = make_unit(bank_a, abo="A", rhd="+", component="TC")
    response = _reserve(api, staff_a, blood_request, [positive_platelets], override_reason=REASON)
    _refused(response, "override_needs_acknowledgement", positive_platelets)
    response = _reserve(
        api, staff_a, blood_request, [positive_platelets], override_reason=REASON, override_acknowledged=True
    )
    assert response.status_code == 200, response.content
    assert Allocation.objects.get(unit=positive_platelets).override_acknowledged is True


def test_issue_applies_the_policy_again_to_an_override_stored_earlier(api, make_request, staff_a, bank_a):
    """An allocation written with an override the policy does not permit (an older release's rule,
    an import, a hand edit) is refused at issue, and nothing is issued."""
    blood_request = make_request(patient_abo="O", patient_rhd="+", units=1, urgency="emergency")
    ab_positive = make_unit(bank_a, abo="AB", rhd="+")
    BloodUnit.objects.filter(pk=ab_positive.pk).update(state=BloodUnit.State.RESERVED)
    Allocation.objects.create(request=blood_request, unit=ab_positive, reserved_by=staff_a, override_reason=REASON)
    response = api(staff_a).post(f"/api/v1/requests/{blood_request.pk}/issue", {}, format="json")
    assert response.status_code == 409, response.content
    body = response.json()
    assert (body["code"], body["policy"]) == ("unit_incompatible", "abo_incompatible")
    ab_positive.refresh_from_db()
    assert ab_positive.state == BloodUnit.State.RESERVED and ab_positive.issued_to_id is None


def test_the_refusals_are_in_indonesian(api, make_request, staff_a, bank_a):
    blood_request = make_request(patient_abo="O", patient_rhd="+", units=1, urgency="emergency")
    ab_positive = make_unit(bank_a, abo="AB", rhd="+")
    client = api(staff_a)
    response = client.post(
        f"/api/v1/requests/{blood_request.pk}/reserve",
        {"units": [ab_positive.pk], "override_reason": REASON},
        format="json",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.status_code == 409
    assert "tidak cocok ABO" in response.json()["detail"]


def test_an_override_is_in_the_audit_log_and_shown_with_who_and_why(api, make_request, staff_a, bank_a):
    blood_request = make_request(units=2, patient_abo="A", patient_rhd="-", urgency="emergency")
    positive = make_unit(bank_a, abo="A", rhd="+")
    negative = make_unit(bank_a, abo="A", rhd="-")
    response = _reserve(api, staff_a, blood_request, [positive, negative], override_reason=REASON)
    assert response.status_code == 200, response.content
    overridden = Allocation.objects.get(unit=positive)
    [event] = AuditEvent.objects.filter(model="requests.Allocation", action="create")
    assert (event.object_id, event.actor, event.after["override_reason"]) == (str(overridden.pk), staff_a, REASON)
    assert event.after["unit_id"] == positive.pk and event.after["request_id"] == blood_request.pk
    shown = {a["unit"]: a for a in response.json()["allocations"]}
    assert (shown[positive.pk]["override_reason"], shown[positive.pk]["reserved_by_name"]) == (
        REASON,
        staff_a.full_name,
    )
    assert shown[negative.pk]["override_reason"] == ""  # the matching unit needed no override
