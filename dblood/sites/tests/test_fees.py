"""The processing fee (BPPD) is public: set by the bank's staff, shown on the bank's page and on
every issue note to the hospital, kept as it was at issue."""

import pytest

from dblood.audit.models import AuditEvent
from dblood.notifications.tests.factories import make_unit
from dblood.requests.models import Allocation
from dblood.requests.tests.conftest import make_request  # noqa: F401 - fixture
from dblood.sites.models import ProcessingFee


def _set(client, site, fees):
    return client.put(f"/api/v1/sites/{site.pk}/fees", {"fees": fees}, format="json")


@pytest.mark.django_db
def test_bank_staff_set_the_fees_and_everyone_sees_them(api, staff_a, bank_a):
    response = _set(
        api(staff_a), bank_a, [{"component": "PRC", "amount_idr": 360000}, {"component": "TC", "amount_idr": 490000}]
    )
    assert response.status_code == 200
    assert [(f["component"], f["amount_idr"]) for f in response.json()["fees"]] == [("PRC", 360000), ("TC", 490000)]
    public = api().get(f"/api/v1/sites/{bank_a.pk}").json()
    assert [(f["component"], f["amount_idr"], f["component_name"]) for f in public["processing_fees"]] == [
        ("PRC", 360000, "Packed red cells"),
        ("TC", 490000, "Thrombocyte concentrate (platelets)"),
    ]
    # The whole table is replaced: TC left out has no fee any more, PRC changed.
    _set(api(staff_a), bank_a, [{"component": "PRC", "amount_idr": 380000}])
    assert list(ProcessingFee.objects.values_list("component", "amount_idr")) == [("PRC", 380000)]
    logged = AuditEvent.objects.filter(model="sites.ProcessingFee")
    assert sorted(logged.values_list("action", flat=True)) == ["create", "create", "delete", "update"]
    assert set(logged.values_list("actor_email", flat=True)) == {staff_a.email}


@pytest.mark.django_db
def test_others_may_not_set_a_banks_fees(api, staff_b, hospital_user, donor, bank_a, hospital, admin_user):
    fees = [{"component": "PRC", "amount_idr": 1}]
    assert _set(api(), bank_a, fees).status_code == 401
    assert _set(api(donor), bank_a, fees).status_code == 403
    assert _set(api(staff_b), bank_a, fees).status_code == 403
    assert _set(api(hospital_user), bank_a, fees).status_code == 403
    response = _set(api(admin_user), hospital, fees)
    assert (response.status_code, response.json()["code"]) == (409, "not_a_blood_bank")
    assert not ProcessingFee.objects.exists()
    assert _set(api(admin_user), bank_a, fees).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fees", "field"),
    [
        ([{"component": "PRC", "amount_idr": -1}], "fees.0.amount_idr"),
        ([{"component": "PRC", "amount_idr": 10_000_001}], "fees.0.amount_idr"),
        ([{"component": "XYZ", "amount_idr": 1}], "fees.0.component"),
        ([{"component": "PRC", "amount_idr": 1}, {"component": "PRC", "amount_idr": 2}], "fees"),
        ([{"component": "PRC"}], "fees.0.amount_idr"),
        ("PRC", "fees"),
    ],
)
def test_bad_fee_tables_are_refused_and_nothing_is_written(api, staff_a, bank_a, fees, field):
    ProcessingFee.objects.create(site=bank_a, component="WB", amount_idr=300000)
    response = _set(api(staff_a), bank_a, fees)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert list(ProcessingFee.objects.values_list("component", "amount_idr")) == [("WB", 300000)]


@pytest.mark.django_db
def test_the_issue_note_shows_the_fee_kept_at_issue(api, make_request, staff_a, hospital_user, bank_a):  # noqa: F811
    ProcessingFee.objects.create(site=bank_a, component="PRC", amount_idr=360000)
    blood_request = make_request(patient_abo="A", patient_rhd="+", units=2)
    units = [make_unit(bank_a, abo="A", rhd="+") for _ in range(2)]
    staff = api(staff_a)
    url = f"/api/v1/requests/{blood_request.pk}"
    assert staff.post(f"{url}/reserve", {"units": [u.pk for u in units]}, format="json").status_code == 200
    body = staff.post(f"{url}/issue", {}, format="json").json()
    note = body["issue_note"]
    assert note["lines"] == [{"component": "PRC", "units": 2, "fee_per_unit_idr": 360000, "subtotal_idr": 720000}]
    assert note["total_idr"] == 720000
    assert (note["bank"], note["hospital"]) == (bank_a.name, blood_request.hospital.name)
    assert "never sold" in note["blood_is_not_sold"]
    # The bank raises its fee later: what the hospital was charged stays as it was.
    _set(staff, bank_a, [{"component": "PRC", "amount_idr": 400000}])
    seen = api(hospital_user).get(url).json()
    assert [a["processing_fee_idr"] for a in seen["allocations"]] == [360000, 360000]
    assert set(Allocation.objects.values_list("processing_fee_idr", flat=True)) == {360000}


@pytest.mark.django_db
def test_a_component_without_a_published_fee_says_so(api, make_request, staff_a, bank_a):  # noqa: F811
    blood_request = make_request(patient_abo="A", patient_rhd="+", units=1)
    unit = make_unit(bank_a, abo="A", rhd="+")
    staff = api(staff_a)
    url = f"/api/v1/requests/{blood_request.pk}"
    staff.post(f"{url}/reserve", {"units": [unit.pk]}, format="json")
    response = staff.post(f"{url}/issue", {}, headers={"Accept-Language": "id"}, format="json")
    note = response.json()["issue_note"]
    assert note["lines"] == [{"component": "PRC", "units": 1, "fee_per_unit_idr": None, "subtotal_idr": None}]
    assert note["total_idr"] == 0
    assert note["blood_is_not_sold"].startswith("Darah tidak pernah dijual")
