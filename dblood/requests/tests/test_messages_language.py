"""A request refusal reads in the language the client asks for (Accept-Language), English by default."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.notifications.tests.factories import make_unit

ID, EN = {"HTTP_ACCEPT_LANGUAGE": "id"}, {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "detail"),
    [
        (ID, "Tidak ada kantong cocok yang tersedia untuk permintaan ini."),
        (EN, "No compatible unit is available for this request."),
    ],
)
def test_no_stock_is_refused_in_the_readers_language(api, make_request, staff_a, language, detail):
    blood_request = make_request(units=1)
    response = api(staff_a).post(f"/api/v1/requests/{blood_request.pk}/allocate", format="json", **language)
    assert response.status_code == 409 and response.json()["code"] == "no_stock"
    assert response.json()["detail"] == detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "detail"),
    [
        (ID, "Kantong %(unit)s berstatus dipesan, tidak tersedia."),
        (EN, "Unit %(unit)s is reserved, not available."),
    ],
)
def test_a_unit_state_inside_a_sentence_is_translated(api, make_request, staff_a, bank_a, language, detail):
    unit = make_unit(bank_a, abo="A", rhd="+")
    first, second = make_request(units=1), make_request(units=1)
    reserve = {"units": [unit.pk]}
    assert api(staff_a).post(f"/api/v1/requests/{first.pk}/reserve", reserve, format="json").status_code == 200
    response = api(staff_a).post(f"/api/v1/requests/{second.pk}/reserve", reserve, format="json", **language)
    assert response.status_code == 409 and response.json()["code"] == "unit_not_available"
    assert response.json()["detail"] == detail % {"unit": unit.pk}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "detail"),
    [(ID, "Permintaan ini berstatus dibatalkan."), (EN, "The request is cancelled.")],
)
def test_a_call_out_for_a_closed_request_is_refused_in_the_readers_language(
    api, make_request, staff_a, language, detail
):
    blood_request = make_request(status="cancelled")
    response = api(staff_a).post(f"/api/v1/requests/{blood_request.pk}/call-outs", {}, format="json", **language)
    assert response.status_code == 409 and response.json()["code"] == "request_not_open"
    assert response.json()["detail"] == detail


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "detail"), [(ID, "Harus di masa mendatang."), (EN, "Must be in the future.")])
def test_a_field_error_is_in_the_readers_language(api, hospital_user, bank_a, language, detail):
    body = {
        "target_bank": bank_a.pk,
        "patient_abo": "O",
        "patient_rhd": "-",
        "patient_female_cbp": False,
        "component": "PRC",
        "units": 1,
        "urgency": "urgent",
        "needed_by": (timezone.now() - timedelta(hours=1)).isoformat(),
    }
    response = api(hospital_user).post("/api/v1/requests", body, format="json", **language)
    assert response.status_code == 400
    assert response.json()["fields"]["needed_by"] == [detail]
