"""Allocation costs the same few queries whether it reserves one unit or many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dblood.audit.models import AuditEvent
from dblood.inventory.models import BloodUnit, UnitEvent
from dblood.notifications.tests.factories import make_unit
from dblood.requests.models import Allocation

# The request read and locked at once (through what the caller may see), the counts, the units
# picked and locked (with their donations), one UPDATE, UnitEvents, audit events, allocations, the
# request's status. The answer is rendered from what was written (no read back) when the request had
# no allocation before, but for the request's replacement-donation code (one read). The caller's
# token and memberships come from the token cache once the client has made a first request.
ALLOCATE_QUERIES = 9


def _allocate(client, blood_request) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/api/v1/requests/{blood_request.pk}/allocate", {}, format="json")
    assert response.status_code == 200, response.content
    return len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]])


@pytest.mark.django_db
def test_allocate_costs_the_same_queries_for_one_unit_and_for_four(api, make_request, staff_a, bank_a, bank_b):
    for _ in range(6):
        make_unit(bank_a, abo="A", rhd="+")
        make_unit(bank_b, abo="O", rhd="+")
    client = api(staff_a)
    client.get("/api/v1/me")  # warms the token cache (and its once-a-minute last_used_at write)
    one, four = make_request(units=1), make_request(units=4)
    counts = [_allocate(client, one), _allocate(client, four)]
    assert counts == [ALLOCATE_QUERIES, ALLOCATE_QUERIES]
    assert Allocation.objects.filter(request=four, status="reserved").count() == 4
    reserved = list(BloodUnit.objects.filter(allocations__request=four).values_list("pk", flat=True))
    # Every unit still gets its own UnitEvent and its own audit event with before and after.
    assert UnitEvent.objects.filter(unit_id__in=reserved, to_state="reserved", by=staff_a).count() == 4
    events = AuditEvent.objects.filter(
        model="inventory.BloodUnit", object_id__in=[str(pk) for pk in reserved], action="update"
    )
    assert events.count() == 4
    for event in events:
        assert event.actor == staff_a
        assert event.before["state"] == "available" and event.after["state"] == "reserved"


@pytest.mark.django_db
def test_reserve_costs_the_same_queries_for_one_unit_and_for_four(api, make_request, staff_a, bank_a):
    units = [make_unit(bank_a, abo="A", rhd="+") for _ in range(5)]
    client = api(staff_a)
    client.get("/api/v1/me")  # warms the token cache (and its once-a-minute last_used_at write)
    counts = []
    for blood_request, chosen in ((make_request(units=1), units[:1]), (make_request(units=4), units[1:])):
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                f"/api/v1/requests/{blood_request.pk}/reserve", {"units": [u.pk for u in chosen]}, format="json"
            )
        assert response.status_code == 200, response.content
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_allocate_picks_the_nearest_bank_after_the_target(api, make_request, staff_a, bank_a, bank_b):
    from testing.personas import make_site

    far = make_site("bank-far", name="UDD Far", latitude=-7.8, longitude=110.37)
    make_unit(far, abo="A", rhd="+", days_left=2)
    near = make_unit(bank_b, abo="A", rhd="+", days_left=5)
    target = make_unit(bank_a, abo="A", rhd="+", days_left=9)
    blood_request = make_request(units=2)
    response = api(staff_a).post(f"/api/v1/requests/{blood_request.pk}/allocate", {}, format="json")
    assert response.status_code == 200, response.content
    assert set(Allocation.objects.filter(request=blood_request).values_list("unit_id", flat=True)) == {
        target.pk,
        near.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 2, 3, 5, 8])
def test_best_units_read_at_the_target_alone_are_the_top_of_the_full_ranking(
    make_request, bank_a, bank_b, limit, django_assert_num_queries
):
    """One statement reads the head of the ranking (`limit` + SKIP_MARGIN units, shelf by shelf) when
    the stock covers the request; short stock, and the whole ranking is read. Either way the answer
    is the ranking's top."""
    from dblood.requests.selectors import best_units, proposable_units

    make_unit(bank_a, abo="A", rhd="-", days_left=3)
    make_unit(bank_a, abo="A", rhd="+", days_left=9)
    make_unit(bank_a, abo="A", rhd="+", days_left=5)
    make_unit(bank_a, abo="O", rhd="+", days_left=1)  # compatible, not identical: after any A
    make_unit(bank_b, abo="A", rhd="+", days_left=2)  # identical, another bank: after the target's A
    make_unit(bank_b, abo="O", rhd="-", days_left=4)
    blood_request = make_request(units=limit)
    expected = [unit.pk for unit in proposable_units(blood_request=blood_request)[:limit]]
    with django_assert_num_queries(1 if limit <= 6 else 2):  # six units in stock
        chosen = best_units(blood_request=blood_request, limit=limit)
    assert [unit.pk for unit in chosen] == expected


@pytest.mark.django_db
def test_the_answer_rendered_from_what_was_written_is_what_a_read_gives(api, make_request, staff_a, bank_a):
    for days in (3, 5, 7):
        make_unit(bank_a, abo="A", rhd="+", days_left=days)
    client = api(staff_a)
    blood_request = make_request(units=2)
    answer = client.post(f"/api/v1/requests/{blood_request.pk}/allocate", {}, format="json")
    assert answer.status_code == 200, answer.content
    assert len(answer.json()["allocations"]) == 2 and answer.json()["allocations"][0]["din"]
    assert answer.json() == client.get(f"/api/v1/requests/{blood_request.pk}").json()


@pytest.mark.django_db
def test_a_request_with_earlier_allocations_is_read_back_whole(api, make_request, staff_a, bank_a):
    """Allocated before (one reservation released since, one held): the answer lists all three."""
    first, second, third = (make_unit(bank_a, abo="A", rhd="+", days_left=days) for days in (3, 5, 7))
    blood_request = make_request(units=2)
    Allocation.objects.create(request=blood_request, unit=first, status="released")
    BloodUnit.objects.filter(pk=second.pk).update(state="reserved")
    Allocation.objects.create(request=blood_request, unit=second)
    client = api(staff_a)
    answer = client.post(f"/api/v1/requests/{blood_request.pk}/allocate", {}, format="json")
    assert answer.status_code == 200, answer.content
    assert [a["unit"] for a in answer.json()["allocations"]] == [first.pk, second.pk, first.pk]
    assert answer.json() == client.get(f"/api/v1/requests/{blood_request.pk}").json()


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["abc", "999999"])
def test_allocating_for_a_request_that_is_not_there_is_404(api, staff_a, pk):
    assert api(staff_a).post(f"/api/v1/requests/{pk}/allocate", {}, format="json").status_code == 404


@pytest.mark.django_db
def test_serializers_built_once_give_each_answer_its_own_fields(make_request, bank_a):
    """The fields are worked out once per class; every instance still binds copies of its own."""
    from dblood.requests.serializers import BloodRequestSerializer

    first, second = make_request(units=1), make_request(units=3, patient_abo="O")
    one, two = BloodRequestSerializer(first), BloodRequestSerializer(second)
    assert one.fields["hospital"] is not two.fields["hospital"]
    assert one.fields["hospital"].parent is one and two.fields["hospital"].parent is two
    assert (one.data["units"], two.data["units"], two.data["patient_abo"]) == (1, 3, "O")
    assert (
        one.data["hospital"]
        == two.data["hospital"]
        == {
            "id": first.hospital_id,
            "code": first.hospital.code,
            "name": first.hospital.name,
            "city": first.hospital.city,
        }
    )
