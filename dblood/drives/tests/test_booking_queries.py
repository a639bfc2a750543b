"""What a booking costs in queries (booking is measured under load by the benchmark)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dblood.donors.eligibility import active_profile
from dblood.donors.tests.factories import make_donor
from dblood.drives.tests.factories import make_drive

# The donor, the slot with its drive, donations, deferrals, the donor's active appointments (that
# day's and the others, read once), the place (conditional UPDATE) and the INSERT. The answer is
# rendered from what was read; the token and the eligibility profile come from the cache.
BOOKING_QUERIES = 7


def _book(client, slot) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/appointments", {"slot": slot.pk, "donation_type": "whole_blood"}, format="json")
    count = len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slot"] == slot.pk and body["drive"] == slot.drive_id and body["donor_name"]
    # The answer, rendered from what the booking read, is what a read of the appointment gives.
    assert client.get(f"/api/v1/appointments/{body['id']}").json() == body
    return count


@pytest.mark.django_db
def test_booking_costs_a_fixed_number_of_queries(api, donor, bank_a):
    make_donor(donor)
    first, later = make_drive(bank_a, days_ahead=7), make_drive(bank_a, days_ahead=120)
    client = api(donor)
    client.get("/api/v1/me")  # warms the token cache (and its once-a-minute last_used_at write)
    active_profile()  # warms the eligibility profile's cache
    assert _book(client, first.slots.order_by("starts_at").first()) == BOOKING_QUERIES
    # With an appointment already booked on another day (checked for the interval): the same count.
    assert _book(client, later.slots.order_by("starts_at").first()) == BOOKING_QUERIES


@pytest.mark.django_db
def test_a_second_booking_the_same_day_is_refused(api, donor, bank_a):
    make_donor(donor)
    drive = make_drive(bank_a)
    first, second = drive.slots.order_by("starts_at")[:2]
    client = api(donor)
    assert (
        client.post(
            "/api/v1/appointments", {"slot": first.pk, "donation_type": "whole_blood"}, format="json"
        ).status_code
        == 201
    )
    response = client.post("/api/v1/appointments", {"slot": second.pk, "donation_type": "whole_blood"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "already_booked"
    second.refresh_from_db()
    assert second.booked == 0
