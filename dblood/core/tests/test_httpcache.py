"""HTTP caching of public data (dblood.core.httpcache): the stock, drive search and site lists carry
a strong ETag and public Cache-Control; a client holding the current body gets a 304 without a
database query; any change behind the body gives a new tag; only the stock sends CORS headers."""

from datetime import timedelta

import pytest
import time_machine

from dblood.drives.tests.factories import make_drive
from dblood.inventory.services import unit_transition
from dblood.inventory.tests.factories import make_unit

pytestmark = pytest.mark.django_db

JAKARTA = {"lat": -6.2, "lon": 106.85, "radius_km": 25}
PUBLIC = [("/api/v1/stock", {}), ("/api/v1/stock.csv", {}), ("/api/v1/drives", JAKARTA), ("/api/v1/sites", {})]


@pytest.fixture
def data(bank_a, hospital):
    """A unit on the shelf and a drive near Jakarta: something in each public answer."""
    bank_a.latitude, bank_a.longitude = -6.21, 106.84
    bank_a.save()
    return {"unit": make_unit(site=bank_a), "drive": make_drive(bank_a, days_ahead=7, capacity=2)}


def _tag(response) -> str:
    assert response.status_code == 200, response.content
    return response["ETag"]


@pytest.mark.parametrize(("path", "params"), PUBLIC)
def test_a_public_answer_has_a_strong_tag_and_a_repeat_with_it_is_a_304_without_a_query(
    api, data, path, params, django_assert_num_queries
):
    client = api()
    first = client.get(path, params)
    tag = _tag(first)
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert first["Cache-Control"] == "public, max-age=5, stale-while-revalidate=10"
    assert {"Accept-Encoding", "Accept-Language"} <= {v.strip() for v in first["Vary"].split(",")}
    with django_assert_num_queries(0):
        again = client.get(path, params, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == tag and again["Cache-Control"] == first["Cache-Control"]
    # A list of tags (a cache holding several), weak forms and `*` match as RFC 9110 says.
    for header in (f'"other", {tag}', f"W/{tag}", "*"):
        assert client.get(path, params, HTTP_IF_NONE_MATCH=header).status_code == 304
    assert client.get(path, params, HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize(("path", "params"), PUBLIC)
def test_the_gzipped_and_the_plain_body_have_different_tags(api, data, path, params):
    client = api()
    plain = _tag(client.get(path, params))
    packed = client.get(path, params, HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip" and _tag(packed) != plain
    assert client.get(path, params, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=plain).status_code == 200
    assert client.get(path, params, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 304


def test_a_unit_state_change_gives_the_stock_a_new_tag(api, data, django_capture_on_commit_callbacks):
    client = api()
    before = {path: _tag(client.get(path)) for path in ("/api/v1/stock", "/api/v1/stock.csv")}
    assert before["/api/v1/stock"] != before["/api/v1/stock.csv"]
    with django_capture_on_commit_callbacks(execute=True):
        unit_transition(unit=data["unit"], to="reserved")
    for path, old in before.items():
        response = client.get(path, HTTP_IF_NONE_MATCH=old)
        assert response.status_code == 200 and _tag(response) != old
    assert client.get("/api/v1/stock", {"abo": "O"}).status_code == 200


def test_a_new_drive_gives_drive_search_a_new_tag(api, bank_a, data, django_capture_on_commit_callbacks):
    client = api()
    old = _tag(client.get("/api/v1/drives", JAKARTA))
    with django_capture_on_commit_callbacks(execute=True):
        make_drive(bank_a, days_ahead=9, capacity=2)
    response = client.get("/api/v1/drives", JAKARTA, HTTP_IF_NONE_MATCH=old)
    assert response.status_code == 200 and response.json()["count"] == 2 and _tag(response) != old


def test_a_site_change_gives_the_site_list_a_new_tag(api, bank_a, data, django_capture_on_commit_callbacks):
    client = api()
    old = _tag(client.get("/api/v1/sites"))
    with django_capture_on_commit_callbacks(execute=True):
        bank_a.name = "UDD A, renamed"
        bank_a.save()
    response = client.get("/api/v1/sites", HTTP_IF_NONE_MATCH=old)
    assert response.status_code == 200 and _tag(response) != old
    assert "UDD A, renamed" in {site["name"] for site in response.json()["results"]}


def test_a_drive_search_whose_slot_started_gets_a_new_tag_though_no_data_changed(api, data):
    """The answer changes by the clock alone (a started slot has no free place): the tag is the
    body's, so the old one no longer matches."""
    client = api()
    first = data["drive"].slots.order_by("starts_at").first()
    with time_machine.travel(first.starts_at - timedelta(seconds=30), tick=False):
        old = _tag(client.get("/api/v1/drives", JAKARTA))
    with time_machine.travel(first.starts_at + timedelta(seconds=1), tick=False):
        response = client.get("/api/v1/drives", JAKARTA, HTTP_IF_NONE_MATCH=old)
    assert response.status_code == 200 and _tag(response) != old


@pytest.mark.parametrize(("path", "params"), [("/api/v1/drives", JAKARTA), ("/api/v1/sites", {})])
def test_each_language_gets_its_own_tag(api, data, path, params):
    client = api()
    english = _tag(client.get(path, params, HTTP_ACCEPT_LANGUAGE="en"))
    indonesian = _tag(client.get(path, params, HTTP_ACCEPT_LANGUAGE="id"))
    assert english != indonesian
    assert client.get(path, params, HTTP_ACCEPT_LANGUAGE="id", HTTP_IF_NONE_MATCH=english).status_code == 200


def test_only_the_open_stock_api_sends_cors_headers(api, data):
    client = api()
    for path in ("/api/v1/stock", "/api/v1/stock.csv"):
        response = client.get(path)
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response
        assert client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])["Access-Control-Allow-Origin"] == "*"
    bad = client.get("/api/v1/stock", {"abo": "Z"})  # a page reading the stock can read its errors too
    assert bad.status_code == 400 and bad["Access-Control-Allow-Origin"] == "*"
    for path, params in (("/api/v1/drives", JAKARTA), ("/api/v1/sites", {}), ("/api/v1/questionnaire", {})):
        assert "Access-Control-Allow-Origin" not in client.get(path, params)


@pytest.mark.parametrize(("path", "params"), PUBLIC)
def test_a_request_with_credentials_is_never_offered_to_shared_caches(api, staff_a, data, path, params, settings):
    """These answers are the same for everyone, but an answer to a signed-in request is private."""
    anonymous = api().get(path, params)
    signed_in = api(staff_a).get(path, params)
    assert signed_in.status_code == 200 and signed_in.content == anonymous.content
    assert signed_in["Cache-Control"] == "private, max-age=5, stale-while-revalidate=10"
    session = api()
    session.cookies[settings.SESSION_COOKIE_NAME] = "whatever"
    assert session.get(path, params)["Cache-Control"].startswith("private,")


def test_the_ages_are_settings(api, data, settings):
    settings.PUBLIC_CACHE_SECONDS, settings.PUBLIC_STALE_SECONDS = 0, 30
    for path, params in PUBLIC:
        assert api().get(path, params)["Cache-Control"] == "public, max-age=0, stale-while-revalidate=30"


def test_other_answers_stay_uncached(api, staff_a, data):
    """A drive's own page and a staff list are not public answers: no tag, `no-store` as before."""
    for client, path in ((api(), f"/api/v1/drives/{data['drive'].pk}"), (api(staff_a), "/api/v1/units")):
        response = client.get(path)
        assert response.status_code == 200, response.content
        assert "ETag" not in response and response["Cache-Control"] == "no-store"
