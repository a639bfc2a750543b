"""Token lookups served from the cache: a query saved per request, and revocation still immediate."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dblood.accounts import token_cache
from dblood.accounts.models import ApiToken, Membership, hash_token
from dblood.accounts.services import token_create
from testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _client(api, user):
    key, _ = token_create(user=user)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client, key


def _token_queries(client, path="/api/v1/me") -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return sum('"accounts_apitoken"' in q["sql"] for q in ctx.captured_queries)


def test_a_cached_token_costs_no_query(api, donor):
    client, _ = _client(api, donor)
    assert _token_queries(client) >= 1  # first use: read from the database (and last use written)
    assert _token_queries(client) == 0


def test_the_cache_can_be_switched_off(api, donor, settings):
    settings.AUTH_TOKEN_CACHE_SECONDS = 0
    client, _ = _client(api, donor)
    client.get("/api/v1/me")
    assert _token_queries(client) == 1


def test_logout_is_immediate_on_a_cached_token(api, donor):
    response = api().post("/api/v1/auth/login", {"email": donor.email, "password": PASSWORD})
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert client.get("/api/v1/me").status_code == 200  # now cached
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_deactivating_a_user_is_immediate(api, donor):
    client, _ = _client(api, donor)
    assert client.get("/api/v1/me").status_code == 200
    donor.is_active = False
    donor.save(update_fields=["is_active"])
    assert client.get("/api/v1/me").status_code == 401


def test_a_lost_membership_is_immediate(api, staff_a, bank_a):
    client, _ = _client(api, staff_a)
    assert client.get("/api/v1/units").status_code == 200
    Membership.objects.filter(user=staff_a).delete()
    me = client.get("/api/v1/me").json()
    assert me["memberships"] == []


def test_a_reader_that_raced_a_revocation_cannot_plant_a_stale_entry(api, donor, django_capture_on_commit_callbacks):
    client, key = _client(api, donor)
    key_hash = hash_token(key)
    token = ApiToken.objects.get(key_hash=key_hash)
    stale = token_cache.Entry(token.pk, token.expires_at, token.last_used_at, donor)
    with django_capture_on_commit_callbacks(execute=True):
        token.delete()
    # A reader that loaded the token before the delete committed writes its entry afterwards:
    token_cache.store(key_hash, stale)
    assert token_cache.lookup(key_hash) is None
    assert client.get("/api/v1/me").status_code == 401
