"""Transfusion reactions, coded (ISBT/IHN): the hospital reports against the issued unit(s), the
issuing bank investigates and concludes, and may trace or defer the donor."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.audit.models import AuditEvent
from dblood.donors.models import Deferral
from dblood.haemovigilance.models import TransfusionReaction
from dblood.inventory.models import BloodUnit
from dblood.inventory.tests.factories import make_unit
from dblood.notifications.models import Notification
from dblood.recalls.models import Recall
from dblood.requests.models import Allocation
from dblood.requests.services import allocation_reserve, request_issue
from dblood.requests.tests.factories import make_blood_request
from dblood.returns.models import UnitReturn

pytestmark = pytest.mark.django_db


def ago(**kwargs):
    return (timezone.now() - timedelta(**kwargs)).isoformat()


@pytest.fixture
def issued(hospital, bank_a, hospital_user, staff_a):
    """A PRC unit of bank A issued to hospital H for a one-unit request, three hours ago."""
    blood_request = make_blood_request(hospital=hospital, target_bank=bank_a, created_by=hospital_user, units=1)
    unit = make_unit(site=bank_a, abo="A", rhd="+")
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    request_issue(blood_request=blood_request, by=staff_a)
    BloodUnit.objects.filter(pk=unit.pk).update(issued_at=timezone.now() - timedelta(hours=3))
    unit.refresh_from_db()
    return unit


def report(client, implicated, **changes):
    body = {
        "units": [unit.pk for unit in implicated],
        "category": "fnhtr",
        "severity": "non_severe",
        "imputability": "likely",
        "transfusion_started_at": ago(hours=2),
        "onset_at": ago(hours=1, minutes=15),
        "signs": ["fever", "chills"],
    }
    body.update(changes)
    return client.post("/api/v1/transfusion-reactions", {k: v for k, v in body.items() if v is not None}, format="json")


def test_the_hospital_reports_a_reaction_and_the_unit_counts_as_transfused(api, issued, hospital_user, staff_a):
    response = report(api(hospital_user), [issued])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "reported" and body["minutes_from_start"] == 45
    assert body["signs"] == ["chills", "fever"] and body["units"][0]["din"] == issued.donation.din
    assert "recall" not in body["units"][0] and "deferral" not in body["units"][0]  # the donor is not theirs
    issued.refresh_from_db()
    assert issued.state == "transfused"
    assert Allocation.objects.get(unit=issued).outcome == "transfused"
    [alert] = Notification.objects.filter(user=staff_a, kind=Notification.Kind.TRANSFUSION_REACTION)
    assert issued.donation.din in alert.body
    assert AuditEvent.objects.filter(model="haemovigilance.TransfusionReaction", object_id=str(body["id"])).exists()
    assert AuditEvent.objects.filter(model="haemovigilance.ReactionUnit", action="create").count() == 1


@pytest.mark.parametrize(
    "field", ["units", "category", "severity", "imputability", "transfusion_started_at", "onset_at", "signs"]
)
def test_every_clinical_field_is_required(api, issued, hospital_user, field):
    response = report(api(hospital_user), [issued], **{field: None})
    assert response.status_code == 400 and field in response.json()["fields"]
    empty = report(api(hospital_user), [issued], **{field: [] if field in ("units", "signs") else ""})
    assert empty.status_code == 400 and field in empty.json()["fields"]
    assert not TransfusionReaction.objects.exists()
    issued.refresh_from_db()
    assert issued.state == "issued"  # nothing half-written


def test_units_and_times_that_cannot_be_are_refused(api, issued, hospital_user, bank_a):
    client = api(hospital_user)
    shelf = make_unit(site=bank_a)
    assert "units" in report(client, [shelf]).json()["fields"]
    late_start = report(client, [issued], transfusion_started_at=ago(minutes=5), onset_at=ago(minutes=30))
    assert "transfusion_started_at" in late_start.json()["fields"]
    before_issue = report(client, [issued], transfusion_started_at=ago(hours=5))
    assert "transfusion_started_at" in before_issue.json()["fields"]
    future = report(client, [issued], onset_at=(timezone.now() + timedelta(hours=1)).isoformat())
    assert "onset_at" in future.json()["fields"]
    indonesian = client.post("/api/v1/transfusion-reactions", {}, format="json", HTTP_ACCEPT_LANGUAGE="id")
    assert indonesian.status_code == 400 and indonesian.json()["detail"] == "Isian tidak valid."


def test_the_bank_investigates_and_concludes_once(api, issued, hospital_user, staff_a, staff_b):
    pk = report(api(hospital_user), [issued]).json()["id"]
    url = f"/api/v1/transfusion-reactions/{pk}"
    conclusion = {"category": "fnhtr", "severity": "non_severe", "imputability": "possible", "conclusion": "FNHTR."}
    early = api(staff_a).post(f"{url}/conclude", conclusion, format="json")
    assert early.status_code == 409 and early.json()["code"] == "reaction_not_investigated"
    assert api(staff_b).post(f"{url}/investigate").status_code == 404
    assert api(hospital_user).post(f"{url}/investigate").status_code == 403
    assert api(staff_a).post(f"{url}/investigate").json()["status"] == "under_investigation"
    assert api(staff_a).post(f"{url}/investigate").json()["code"] == "reaction_investigated"
    for field in conclusion:
        missing = api(staff_a).post(f"{url}/conclude", {k: v for k, v in conclusion.items() if k != field})
        assert missing.status_code == 400 and field in missing.json()["fields"]
    done = api(staff_a).post(f"{url}/conclude", conclusion, format="json")
    assert done.status_code == 200 and done.json()["status"] == "concluded", done.content
    assert done.json()["concluded_imputability"] == "possible" and done.json()["imputability"] == "likely"
    again = api(staff_a).post(f"{url}/conclude", conclusion, format="json")
    assert again.status_code == 409 and again.json()["code"] == "reaction_concluded"
    assert api(hospital_user).get(url).json()["conclusion"] == "FNHTR."
    statuses = [
        e.after.get("status")
        for e in AuditEvent.objects.filter(model="haemovigilance.TransfusionReaction", object_id=str(pk)).order_by("id")
    ]
    assert [s for s in statuses if s] == ["reported", "under_investigation", "concluded"]


def test_a_lookback_traces_the_donor_and_the_units_own_donation(api, issued, hospital_user, staff_a, bank_a):
    sibling = make_unit(site=bank_a, donation=issued.donation, component="FFP")  # same bag's plasma, on the shelf
    pk = report(api(hospital_user), [issued], category="tti").json()["id"]
    url = f"/api/v1/transfusion-reactions/{pk}"
    assert api(staff_a).post(f"{url}/lookback", {"unit": issued.pk}).json()["code"] == "reaction_not_investigated"
    api(staff_a).post(f"{url}/investigate")
    response = api(staff_a).post(f"{url}/lookback", {"unit": issued.pk}, format="json")
    assert response.status_code == 200, response.content
    recall = Recall.objects.get(donation=issued.donation)
    assert response.json()["units"][0]["recall"] == recall.pk
    sibling.refresh_from_db()
    assert sibling.state == "quarantined"
    again = api(staff_a).post(f"{url}/lookback", {"unit": issued.pk}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "lookback_started"


def test_a_trali_donor_is_deferred(api, issued, hospital_user, staff_a):
    pk = report(api(hospital_user), [issued], category="trali", severity="life_threatening", signs=["hypoxaemia"])
    url = f"/api/v1/transfusion-reactions/{pk.json()['id']}"
    api(staff_a).post(f"{url}/investigate")
    unknown = api(staff_a).post(f"{url}/defer", {"unit": issued.pk, "reason_code": "nope"}, format="json")
    assert unknown.status_code == 400 and "reason_code" in unknown.json()["fields"]
    response = api(staff_a).post(f"{url}/defer", {"unit": issued.pk, "reason_code": "trali-implicated"})
    assert response.status_code == 200, response.content
    deferral = Deferral.objects.get(pk=response.json()["units"][0]["deferral"])
    assert deferral.donor_id == issued.donation.donor_id and deferral.permanent
    assert api(staff_a).post(f"{url}/defer", {"unit": issued.pk, "reason_code": "trali-implicated"}).status_code == 409


def test_not_transfused_returns_the_unit_through_the_returns_flow(api, issued, hospital_user):
    url = f"/api/v1/requests/{Allocation.objects.get(unit=issued).request_id}/outcome"
    bare = api(hospital_user).post(url, {"unit": issued.pk, "transfused": False}, format="json")
    assert bare.status_code == 400 and "return_details" in bare.json()["fields"]
    details = {"left_storage_at": ago(minutes=20), "temperature_c": "5.0", "validated_box": False}
    response = api(hospital_user).post(
        url, {"unit": issued.pk, "transfused": False, "return_details": details}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "not_transfused"
    returned = UnitReturn.objects.get(unit=issued)
    assert returned.decision == "" and returned.minutes_out in (19, 20)
    reaction = report(api(hospital_user), [issued])
    assert reaction.status_code == 409 and reaction.json()["code"] == "not_transfused"


def test_each_side_sees_its_own_reactions(
    api, issued, hospital_user, staff_a, staff_b, donor, admin_user, django_assert_num_queries
):
    report(api(hospital_user), [issued])
    client = api(staff_a)
    client.get("/api/v1/transfusion-reactions")
    with django_assert_num_queries(3):  # count, page, implicated units
        assert len(client.get("/api/v1/transfusion-reactions").json()["results"]) == 1
    assert api(hospital_user).get("/api/v1/transfusion-reactions").json()["count"] == 1
    assert api(staff_b).get("/api/v1/transfusion-reactions").json()["count"] == 0
    for outsider in (donor, admin_user):
        assert api(outsider).get("/api/v1/transfusion-reactions").status_code == 403


def test_a_unit_awaiting_inspection_after_its_return_is_not_transfused(api, bank_a, hospital, hospital_user, staff_a):
    """Issued without an allocation (no request's outcome to say so), then handed back: the return
    awaits the bank's decision, so a reaction report against it is refused and the unit stays issued."""
    unit = make_unit(site=bank_a, state="issued", issued_to=hospital, issued_at=timezone.now() - timedelta(hours=3))
    details = {"unit": unit.pk, "left_storage_at": ago(minutes=20), "temperature_c": "5.0", "validated_box": False}
    assert api(hospital_user).post("/api/v1/returns", details, format="json").status_code == 201
    refused = report(api(hospital_user), [unit])
    assert refused.status_code == 409 and refused.json()["code"] == "not_transfused"
    unit.refresh_from_db()
    assert unit.state == "issued" and not TransfusionReaction.objects.exists()
