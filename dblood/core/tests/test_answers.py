"""Read answers served from the cache (dblood.core.answers): a repeat costs no query, the answer is
exactly the computed one, and every write behind it makes the next read recompute."""

import gzip
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from dblood.core import answers
from dblood.donors.services import deferral_record
from dblood.donors.tests.factories import make_donor
from dblood.drives.tests.factories import make_drive
from dblood.inventory.services import unit_transition
from dblood.inventory.tests.factories import make_unit
from dblood.sites.models import Site

JAKARTA = {"lat": -6.2, "lon": 106.85, "radius_km": 25}


def _queries(client, path, params=None, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {}, **headers)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response


# --- drive search -------------------------------------------------------------------------------


@pytest.fixture
def jakarta_drive(bank_a):
    bank_a.latitude, bank_a.longitude = -6.21, 106.84
    bank_a.save()
    return make_drive(bank_a, days_ahead=7, capacity=2)


@pytest.mark.django_db
def test_a_repeated_drive_search_costs_no_query_and_is_the_same_answer(api, jakarta_drive):
    client = api()
    first_count, first = _queries(client, "/api/v1/drives", JAKARTA)
    again_count, again = _queries(client, "/api/v1/drives", JAKARTA)
    assert first_count >= 3 and again_count == 0
    assert again.json() == first.json() and first.json()["count"] == 1
    # Another page size is another answer.
    other_count, other = _queries(client, "/api/v1/drives", {**JAKARTA, "page_size": 1})
    assert other_count >= 3 and other.json()["results"] == first.json()["results"]


@pytest.mark.django_db
def test_a_booking_an_edit_and_a_site_rename_each_show_in_the_next_search(api, donor, staff_a, jakarta_drive):
    make_donor(donor)
    client = api()
    slot = jakarta_drive.slots.order_by("starts_at").first()

    def search():
        return client.get("/api/v1/drives", JAKARTA).json()["results"][0]

    assert search()["free"] == 8
    assert (
        api(donor)
        .post("/api/v1/appointments", {"slot": slot.pk, "donation_type": "whole_blood"}, format="json")
        .status_code
        == 201
    )
    assert search()["free"] == 7
    response = api(staff_a).patch(f"/api/v1/drives/{jakarta_drive.pk}", {"name": "Renamed day"}, format="json")
    assert response.status_code == 200, response.content
    assert search()["name"] == "Renamed day"
    assert _queries(client, "/api/v1/drives", JAKARTA)[0] == 0
    site = Site.objects.get(pk=jakarta_drive.site_id)
    site.name = "Bank A, renamed"
    site.save()
    assert search()["site_name"] == "Bank A, renamed"


@pytest.mark.django_db
def test_a_cancellation_frees_a_place_in_the_next_search_and_a_check_in_changes_nothing(
    api, donor, other_donor, staff_a, jakarta_drive
):
    make_donor(donor)
    make_donor(other_donor)
    client = api()
    slot = jakarta_drive.slots.order_by("starts_at").first()
    booked = (
        api(donor).post("/api/v1/appointments", {"slot": slot.pk, "donation_type": "whole_blood"}, format="json").json()
    )
    assert client.get("/api/v1/drives", JAKARTA).json()["results"][0]["free"] == 7
    staff = api(staff_a)
    with time_machine.travel(slot.starts_at - timedelta(minutes=5), tick=False):
        # Checked in at the drive: the appointment changes, the places do not.
        response = staff.post(f"/api/v1/appointments/{booked['id']}/check-in")
        assert response.status_code == 200, response.content
    assert _queries(client, "/api/v1/drives", JAKARTA)[0] == 0
    other = api(other_donor)
    again = other.post("/api/v1/appointments", {"slot": slot.pk, "donation_type": "whole_blood"}, format="json").json()
    assert client.get("/api/v1/drives", JAKARTA).json()["results"][0]["free"] == 6
    assert other.post(f"/api/v1/appointments/{again['id']}/cancel").status_code == 200
    assert client.get("/api/v1/drives", JAKARTA).json()["results"][0]["free"] == 7


@pytest.mark.django_db
def test_a_search_is_not_kept_past_its_next_slot_start(api, jakarta_drive):
    client = api()
    first = jakarta_drive.slots.order_by("starts_at").first()
    with time_machine.travel(first.starts_at - timedelta(seconds=30), tick=False):
        assert client.get("/api/v1/drives", JAKARTA).json()["results"][0]["free"] > 0
        assert _queries(client, "/api/v1/drives", JAKARTA)[0] == 0
    # 31 s later the first slot has started: no data changed, but the answer is recomputed.
    with time_machine.travel(first.starts_at + timedelta(seconds=1), tick=False):
        count, response = _queries(client, "/api/v1/drives", JAKARTA)
    assert count > 0
    started = [s for s in response.json()["results"][0]["slots"] if s["id"] == first.pk]
    assert started[0]["free"] == 0


@pytest.mark.django_db
def test_bad_input_is_never_cached(api, jakarta_drive):
    client = api()
    for _ in range(2):
        response = client.get("/api/v1/drives", {"lat": "north", "lon": 106.85})
        assert response.status_code == 400 and "lat" in response.json()["fields"]


@pytest.mark.django_db(transaction=True)
def test_through_memcached_a_booking_shows_in_the_next_search(memcached, api, donor, jakarta_drive):
    make_donor(donor)
    client = api()
    first = client.get("/api/v1/drives", JAKARTA).json()["results"][0]
    assert _queries(client, "/api/v1/drives", JAKARTA)[0] == 0
    slot = jakarta_drive.slots.order_by("starts_at").first()
    assert (
        api(donor)
        .post("/api/v1/appointments", {"slot": slot.pk, "donation_type": "whole_blood"}, format="json")
        .status_code
        == 201
    )
    assert client.get("/api/v1/drives", JAKARTA).json()["results"][0]["free"] == first["free"] - 1


# --- gzip, renderers, switches -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_client_that_accepts_gzip_gets_the_same_answer_compressed(api, jakarta_drive):
    client = api()
    plain = client.get("/api/v1/drives", JAKARTA)
    packed = client.get("/api/v1/drives", JAKARTA, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert plain["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_the_browsable_api_is_never_served_from_the_cache(api, jakarta_drive):
    client = api()
    client.get("/api/v1/drives", JAKARTA)
    count, response = _queries(client, "/api/v1/drives", JAKARTA, HTTP_ACCEPT="text/html")
    assert count > 0 and response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_zero_seconds_turns_the_cache_off(api, jakarta_drive, settings):
    settings.ANSWER_CACHE_SECONDS = 0
    client = api()
    client.get("/api/v1/drives", JAKARTA)
    assert _queries(client, "/api/v1/drives", JAKARTA)[0] > 0


@pytest.mark.django_db
def test_with_the_cache_down_every_read_computes(api, jakarta_drive, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client = api()
    first = client.get("/api/v1/drives", JAKARTA).json()
    count, again = _queries(client, "/api/v1/drives", JAKARTA)
    assert count > 0 and again.json() == first


# --- the mechanism: races and evictions ----------------------------------------------------------


class _Counted(APIView):
    permission_classes: list = []  # a bare view for the mechanism only (not routed)
    authentication_classes: list = []
    made = 0
    during = staticmethod(lambda: None)

    def get(self, request):
        def make():
            type(self).made += 1
            data = {"made": type(self).made}
            type(self).during()  # a writer commits while the answer is being made
            return Response(data)

        return answers.respond(request, name="test", scopes=["test-scope"], make=make)


def _ask() -> dict:
    return json.loads(_Counted.as_view()(APIRequestFactory().get("/counted")).content)


@pytest.fixture
def counted():
    _Counted.made, _Counted.during = 0, staticmethod(lambda: None)
    return _Counted


def test_an_answer_made_while_a_write_commits_is_never_served(counted):
    counted.during = staticmethod(lambda: answers.changed("test-scope"))
    assert _ask() == {"made": 1}
    # The first answer was made from data older than the change: it is not served...
    counted.during = staticmethod(lambda: None)
    assert _ask() == {"made": 2}
    # ...the second one, made with nothing changing meanwhile, is.
    assert _ask() == {"made": 2}


def test_an_evicted_version_never_brings_an_old_answer_back(counted):
    assert _ask() == {"made": 1}
    answers.changed("test-scope")  # the data changed: version n+1
    cache.delete(answers.version_key("test-scope"))  # then memcached evicted the version
    # A new version, not 1 or n: the answer stored under the old one does not match it.
    assert _ask() == {"made": 2}
    assert _ask() == {"made": 2}


# --- the staff unit list -------------------------------------------------------------------------


@pytest.mark.django_db
def test_colleagues_share_the_unit_list_and_a_state_change_shows_at_once(
    api, bank_a, staff_a, bank_b, staff_b, django_capture_on_commit_callbacks
):
    from testing.personas import make_user

    colleague = make_user("colleague@example.org", role=staff_a.role)
    colleague.memberships.create(site=bank_a)
    unit = make_unit(site=bank_a)
    make_unit(site=bank_b)
    first_count, first = _queries(api(staff_a), "/api/v1/units")
    assert first_count > 0 and [u["id"] for u in first.json()["results"]] == [unit.pk]
    # The colleague at the same bank gets the same answer without a query; bank B's staff their own.
    colleague_client = api(colleague)
    colleague_client.get("/api/v1/me")  # their token, now in the token cache
    colleague_count, colleague_answer = _queries(colleague_client, "/api/v1/units")
    assert colleague_count == 0 and colleague_answer.json() == first.json()
    assert [u["site"] for u in api(staff_b).get("/api/v1/units").json()["results"]] == [bank_b.pk]
    with django_capture_on_commit_callbacks(execute=True):  # the commit the services invalidate on
        unit_transition(unit=unit, to="reserved", by=staff_a)
    assert api(staff_a).get("/api/v1/units").json()["count"] == 0


@pytest.mark.django_db
def test_a_unit_leaves_the_list_when_it_expires_without_any_write(api, bank_a, staff_a):
    unit = make_unit(site=bank_a, days=1)
    client = api(staff_a)
    assert client.get("/api/v1/units").json()["count"] == 1
    with time_machine.travel(unit.expires_at + timedelta(seconds=1), tick=False):
        assert client.get("/api/v1/units").json()["count"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_committed_transition_changes_the_list_for_every_reader(api, bank_a, staff_a):
    """The real order of things: the version moves only when the write commits."""
    unit = make_unit(site=bank_a)
    client = api(staff_a)
    assert client.get("/api/v1/units").json()["count"] == 1
    unit_transition(unit=unit, to="reserved", by=staff_a)  # commits (autocommit), then on-commit runs
    assert client.get("/api/v1/units").json()["count"] == 0


# --- a donor's eligibility -----------------------------------------------------------------------


def _whole_blood(answer: dict) -> dict:
    return next(kind for kind in answer["types"] if kind["donation_type"] == "whole_blood")


@pytest.mark.django_db
def test_eligibility_is_cached_per_donor_and_a_deferral_shows_at_once(api, donor, other_donor):
    own = make_donor(donor)
    make_donor(other_donor)
    client = api(donor)
    first_count, first = _queries(client, "/api/v1/donors/me/eligibility")
    assert first_count > 0
    assert _queries(client, "/api/v1/donors/me/eligibility")[0] == 0
    # Another donor is asked about separately.
    other = api(other_donor)
    assert _queries(other, "/api/v1/donors/me/eligibility")[0] > 0
    deferral_record(donor=own, reason_code="low-hemoglobin")
    again = client.get("/api/v1/donors/me/eligibility").json()
    assert _whole_blood(again)["eligible"] is False
    assert len(_whole_blood(again)["reasons"]) == len(_whole_blood(first.json())["reasons"]) + 1
    # The other donor's cached answer is untouched by this donor's deferral.
    assert _queries(other, "/api/v1/donors/me/eligibility")[0] == 0


@pytest.mark.django_db
def test_each_language_gets_its_own_cached_answer(api, donor):
    make_donor(donor, birth_date=None)  # no birth date: the reasons say so, in the asker's language
    client = api(donor)
    english = _whole_blood(client.get("/api/v1/donors/me/eligibility", HTTP_ACCEPT_LANGUAGE="en").json())
    indonesian = _whole_blood(client.get("/api/v1/donors/me/eligibility", HTTP_ACCEPT_LANGUAGE="id").json())
    assert english["reasons"] and indonesian["reasons"] and english["reasons"] != indonesian["reasons"]
    again = _whole_blood(client.get("/api/v1/donors/me/eligibility", HTTP_ACCEPT_LANGUAGE="en").json())
    assert again == english


@pytest.mark.django_db
def test_eligibility_follows_the_rules_when_the_profile_changes(api, donor):
    from dblood.donors.eligibility import active_profile

    make_donor(donor)
    client = api(donor)
    before = _whole_blood(client.get("/api/v1/donors/me/eligibility").json())
    profile = active_profile()
    profile.max_whole_blood_per_year = 0
    profile.save()
    after = _whole_blood(client.get("/api/v1/donors/me/eligibility").json())
    assert after["eligible"] is False and len(after["reasons"]) == len(before["reasons"]) + 1
