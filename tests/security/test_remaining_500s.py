"""The inputs the red team turned into 500s: each is a 400 naming the field."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from dblood.donors.tests.factories import make_donor
from dblood.drives.appointments import appointment_book
from dblood.drives.tests.factories import make_drive

pytestmark = pytest.mark.django_db


def _client(api, user):
    client = api(user)
    client.raise_request_exception = False
    return client


def _field_error(response, field: str) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response.json()["fields"][field], response.json()


def test_a_null_character_in_the_donor_search(api, staff_a):
    _field_error(_client(api, staff_a).get("/api/v1/donors?q=%00"), "q")


def test_a_drive_on_the_last_day_of_year_9999(api, staff_a, bank_a):
    body = {
        "organiser": bank_a.id,
        "site": bank_a.id,
        "name": "Late",
        "date": "9999-12-31",
        "start_time": "23:00",
        "end_time": "23:59",
        "slot_minutes": 30,
        "capacity_per_slot": 1,
    }
    _field_error(_client(api, staff_a).post("/api/v1/drives", body, format="json"), "date")


def test_a_deferral_starting_in_year_9999(api, staff_a, donor, bank_a):
    d = make_donor(donor)
    drive = make_drive(bank_a, days_ahead=2)
    appointment_book(donor=d, slot_id=drive.slots.first().id)
    body = {"reason_code": "vaccine-live", "starts_on": "9999-12-30"}
    _field_error(_client(api, staff_a).post(f"/api/v1/donors/{d.id}/deferrals", body, format="json"), "starts_on")


@api_view(["GET"])
@permission_classes([AllowAny])
def _raises_full_clean_error(request):
    raise DjangoValidationError({"name": ["A model rule refused this name."]})


urlpatterns = [path("api/v1/full-clean", _raises_full_clean_error)]


def test_a_django_validation_error_inside_a_service(client, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    _field_error(client.get("/api/v1/full-clean"), "name")
