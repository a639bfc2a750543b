"""Odd input never reaches the database as a 500."""

import pytest

from dblood.donors.tests.factories import make_donor
from dblood.drives.tests.factories import make_drive

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "method, path, payload, expected",
    [
        ("post", "/api/v1/appointments", {"slot": HUGE}, 400),
        ("get", f"/api/v1/appointments/{HUGE}", None, 404),
        ("get", "/api/v1/appointments/abc", None, 404),
        ("get", f"/api/v1/appointments?drive={HUGE}", None, 200),
        ("get", f"/api/v1/drives/{HUGE}", None, 404),
        ("get", f"/api/v1/drives?organiser={HUGE}", None, 200),
        ("get", f"/api/v1/sites/{HUGE}", None, 404),
        ("get", f"/api/v1/donors/{HUGE}", None, 404),
        ("get", "/api/v1/drives?lat=nan&lon=1", None, 400),
        ("get", "/api/v1/drives?lat=1&lon=inf", None, 400),
        ("get", "/api/v1/sites?lat=1e400&lon=1", None, 400),
        ("post", "/api/v1/appointments", [1, 2], 400),
        ("patch", "/api/v1/donors/me", {"weight_kg": "NaN"}, 400),
        ("patch", "/api/v1/donors/me", {"latitude": "nan", "longitude": 1}, 400),
        ("patch", "/api/v1/donors/me", {"notify_channels": "email"}, 400),
    ],
)
def test_hostile_input(api, donor, bank_a, method, path, payload, expected):
    make_donor(donor)
    make_drive(bank_a)
    client = api(donor)
    client.raise_request_exception = False
    response = getattr(client, method)(path, payload, format="json") if payload is not None else client.get(path)
    assert response.status_code == expected, response.content
