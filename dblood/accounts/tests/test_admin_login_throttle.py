"""The admin's sign-in has the api login's limits, in the same buckets."""

import pytest
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

RATES = {"login": "3/min", "login_ip": "100/min", "password_reset": "5/hour"}


@pytest.fixture
def rates(monkeypatch):
    """Small limits for the test (the throttles read their rates once, when DRF loads)."""

    def use(**changes):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**RATES, **changes})

    use()
    return use


def _admin_guess(client, username="admin@dblood.local"):
    return client.post("/admin/login/", {"username": username, "password": "wrong-guess", "next": "/admin/"})


def test_admin_guesses_on_one_account_are_throttled_without_checking_the_password(admin_user, rates):
    client = Client()
    for _ in range(3):
        assert _admin_guess(client, admin_user.email).status_code == 200  # the form again, with its error
    refused = _admin_guess(client, admin_user.email)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # Even the right password is not checked once the account's bucket is full: no session.
    right = client.post("/admin/login/", {"username": admin_user.email, "password": PASSWORD, "next": "/admin/"})
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    assert client.get("/admin/login/").status_code == 200  # the form itself is still shown


def test_api_and_admin_guesses_share_the_accounts_bucket(api, rates):
    client = Client()
    for _ in range(3):
        response = api().post("/api/v1/auth/login", {"email": "target@example.org", "password": "nope"}, format="json")
        assert response.status_code == 400
    assert _admin_guess(client, "target@example.org").status_code == 429


def test_one_address_trying_many_admin_accounts_is_throttled(rates):
    rates(login="100/min", login_ip="4/min")
    client = Client()
    statuses = [_admin_guess(client, f"user{i}@example.org").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
