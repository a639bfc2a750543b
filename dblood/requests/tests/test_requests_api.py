"""Hospital staff create and follow requests; blood-bank staff see the ones addressed to them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.requests.models import BloodRequest
from testing.personas import make_site, make_user


def _payload(bank, **extra):
    body = {
        "target_bank": bank.pk,
        "patient_abo": "O",
        "patient_rhd": "-",
        "patient_female_cbp": False,
        "component": "PRC",
        "units": 2,
        "urgency": "urgent",
        "needed_by": (timezone.now() + timedelta(hours=4)).isoformat(),
    }
    body.update(extra)
    return body


@pytest.mark.django_db
def test_hospital_creates_and_follows_a_request(api, hospital_user, hospital, bank_a):
    client = api(hospital_user)
    response = client.post("/api/v1/requests", _payload(bank_a), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["hospital"]["id"] == hospital.pk
    assert body["target_bank"]["id"] == bank_a.pk
    assert client.get(f"/api/v1/requests/{body['id']}").json()["units"] == 2
    assert client.get("/api/v1/requests").json()["count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("units", 0),
        ("units", -3),
        ("needed_by", "2020-01-01T00:00:00Z"),
        ("component", "XYZ"),
        ("patient_abo", "C"),
        ("target_bank", 999999),
        ("colour", "red"),
    ],
)
def test_bad_input_names_the_field(api, hospital_user, bank_a, field, value):
    response = api(hospital_user).post("/api/v1/requests", _payload(bank_a, **{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not BloodRequest.objects.exists()


@pytest.mark.django_db
def test_a_hospital_cannot_be_a_target_nor_request_for_another_hospital(api, hospital_user, hospital, bank_a):
    other = make_site("rs-other", kind="hospital")
    client = api(hospital_user)
    assert client.post("/api/v1/requests", _payload(hospital), format="json").status_code == 400
    response = client.post("/api/v1/requests", _payload(bank_a, hospital=other.pk), format="json")
    assert response.status_code == 400
    assert "hospital" in response.json()["fields"]


@pytest.mark.django_db
def test_who_may_create(api, donor, staff_a, bank_a):
    assert api(donor).post("/api/v1/requests", _payload(bank_a), format="json").status_code == 403
    assert api(staff_a).post("/api/v1/requests", _payload(bank_a), format="json").status_code == 403
    assert api().post("/api/v1/requests", _payload(bank_a), format="json").status_code == 401


@pytest.mark.django_db
def test_each_party_sees_only_its_requests(api, make_request, staff_a, staff_b, bank_b, donor):
    to_a = make_request()
    to_b = make_request(target_bank=bank_b)
    other_hospital = make_site("rs-x", kind="hospital")
    nurse_x = make_user("x@rs.org", role="hospital_staff")
    nurse_x.memberships.create(site=other_hospital)
    ids = lambda user: {r["id"] for r in api(user).get("/api/v1/requests").json()["results"]}  # noqa: E731
    assert ids(staff_a) == {to_a.pk}
    assert ids(staff_b) == {to_b.pk}
    assert ids(nurse_x) == set()
    assert api(nurse_x).get(f"/api/v1/requests/{to_a.pk}").status_code == 404
    assert api(donor).get("/api/v1/requests").status_code == 403
    to_a.status = "cancelled"
    to_a.save()
    assert api(staff_a).get("/api/v1/requests?status=submitted").json()["count"] == 0
    assert api(staff_a).get("/api/v1/requests?status=cancelled").json()["count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 10])
def test_request_list_query_count_is_flat(api, make_request, staff_a, bank_a, django_assert_num_queries, rows):
    from dblood.notifications.tests.factories import make_unit
    from dblood.requests.services import allocation_reserve

    for _ in range(rows):
        blood_request = make_request(units=1)
        unit = make_unit(bank_a, abo="A", rhd="+")
        allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    client = api(staff_a)
    # token, token touch, site_ids, count, page, allocations prefetch
    with django_assert_num_queries(6):
        response = client.get("/api/v1/requests")
    assert response.json()["count"] == rows
    assert response.json()["results"][0]["allocations"][0]["din"]
