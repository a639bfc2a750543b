"""The check every test's api responses go through (testing/openapi.py) catches what it is for:
a null where the schema promises a value, a status the operation does not document, a page where
it promises a list, a public answer where it promises a token; and it passes what is documented."""

import json

import pytest

from dblood.drives.tests.factories import make_drive
from testing import openapi

pytestmark = pytest.mark.django_db


@pytest.fixture
def drive_response(api, bank_a):
    """A real answer for a mobile drive (no site): it passed the check on its way here."""
    drive = make_drive(bank_a, site=None, city="Bogor", province="Jawa Barat", latitude=-6.6, longitude=106.8)
    response = api().get(f"/api/v1/drives/{drive.pk}")
    assert response.status_code == 200, response.content
    return response


def problems_of(response, body=None, status=None, anonymous=False):
    content = response.content if body is None else json.dumps(body).encode()
    return openapi.problems(
        "GET", response.wsgi_request.path_info, status or response.status_code, "application/json", content, anonymous
    )


def test_a_documented_nullable_field_may_be_null(drive_response):
    assert drive_response.json()["site_name"] is None
    assert problems_of(drive_response) == []


def test_a_null_in_a_field_documented_as_never_null_is_caught(drive_response):
    body = drive_response.json()
    body["name"] = None
    assert problems_of(drive_response, body) == ["name: None is not of type 'string'"]


def test_the_client_wrapper_raises_on_a_mismatch(drive_response, monkeypatch):
    monkeypatch.setattr(openapi, "mismatches", [])  # this one is meant: not in the run's summary
    body = drive_response.json()
    body["organiser_name"] = None
    drive_response.content = json.dumps(body).encode()
    with pytest.raises(openapi.SchemaMismatch, match=r"GET /api/v1/drives/\{id\} -> 200: organiser_name: None"):
        openapi.check(drive_response)
    assert len(openapi.mismatches) == 1


def test_an_undocumented_status_is_caught(drive_response):
    found = problems_of(drive_response, status=201)
    assert len(found) == 1 and found[0].startswith("status 201 is not documented"), found


def test_a_page_where_a_list_is_documented_is_caught(api, staff_a, bank_a):
    response = api(staff_a).get("/api/v1/units/din/A999926000001")
    assert response.status_code == 404  # no such unit: the shared error shape, documented
    found = openapi.problems(
        "GET", "/api/v1/units/din/A999926000001", 200, "application/json", b'{"count": 0, "results": []}', False
    )
    assert found and found[0].startswith("(body): {'count': 0"), found


def test_an_anonymous_answer_from_an_operation_needing_a_token_is_caught():
    found = openapi.problems("GET", "/api/v1/me", 200, "application/json", None, anonymous=True)
    assert found == ["answered 200 to an anonymous caller but is documented as needing a token"]


def test_an_undocumented_media_type_and_path_are_caught(drive_response):
    path = drive_response.wsgi_request.path_info
    assert openapi.problems("GET", path, 200, "text/html", b"<p>", False)[0].startswith("media type 'text/html'")
    assert openapi.problems("GET", "/api/v1/nowhere", 200, "application/json", b"{}", False) == [
        "/api/v1/nowhere is not a documented path (status 200)"
    ]
    assert openapi.problems("GET", "/api/v1/nowhere", 404, "application/json", b"{}", False) == []
