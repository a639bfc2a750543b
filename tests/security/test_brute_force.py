"""Password guessing at scale: per account, per address, in parallel, and with forged headers.
Password-reset links: single use, expiring, bound to their account."""

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client

from testing.personas import PASSWORD, make_user

LOGIN = "/api/v1/auth/login"


@pytest.fixture(autouse=True)
def _mid_window():
    """Throttle windows are fixed minutes: hold the clock mid-window so counts are exact."""
    with time_machine.travel(datetime(2026, 11, 2, 3, 4, 30, tzinfo=UTC), tick=False):
        yield


def attempt(client: Client, email: str, password: str = "guess-wrong-1", **headers) -> int:
    return client.post(
        LOGIN, {"email": email, "password": password}, content_type="application/json", **headers
    ).status_code


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_on_one_account_get_exactly_the_limit():
    """40 clients at once, 3 guesses each: exactly 10 get a password check (counted with atomic incr)."""
    make_user("target@example.org")
    statuses: list[int] = []
    barrier = threading.Barrier(40)

    def guess(i: int) -> None:
        client = Client(REMOTE_ADDR=f"10.1.0.{i}")
        barrier.wait()
        for _ in range(3):
            statuses.append(attempt(client, "target@example.org"))
        connection.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 120
    assert statuses.count(429) == 110
    assert statuses.count(400) == 10


@pytest.mark.django_db
def test_one_account_from_many_addresses_is_limited_per_account(donor):
    statuses = [attempt(Client(REMOTE_ADDR=f"10.2.{i // 250}.{i % 250}"), donor.email) for i in range(300)]
    assert statuses.count(400) == 10
    assert statuses.count(429) == 290
    # Even the right password waits: the attacker cannot tell when they hit it.
    response = Client(REMOTE_ADDR="10.9.9.9").post(
        LOGIN, {"email": donor.email.upper(), "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    with time_machine.travel(timedelta(seconds=61)):
        assert attempt(Client(REMOTE_ADDR="10.9.9.9"), donor.email, PASSWORD) == 200


@pytest.mark.django_db
def test_many_accounts_from_one_address_are_limited_per_address():
    client = Client(REMOTE_ADDR="10.3.0.1")
    statuses = [attempt(client, f"user{i}@example.org") for i in range(200)]
    assert statuses.count(400) == 60
    assert statuses.count(429) == 140
    assert attempt(Client(REMOTE_ADDR="10.3.0.2"), "fresh@example.org") == 400


@pytest.mark.django_db
def test_forged_forwarded_for_does_not_buy_fresh_attempts(settings):
    client = Client(REMOTE_ADDR="10.4.0.1")
    # No proxy trusted: the header is ignored.
    statuses = [attempt(client, f"a{i}@example.org", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}") for i in range(100)]
    assert statuses.count(400) == 60
    # Behind nginx (one proxy): only the address nginx appended counts, not what the client wrote.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = Client(REMOTE_ADDR="127.0.0.1")
    statuses = [
        attempt(client, f"b{i}@example.org", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 198.51.100.7") for i in range(100)
    ]
    assert statuses.count(400) == 60
    other_client = attempt(client, "c@example.org", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other_client == 400


@pytest.mark.django_db
def test_hostile_emails_make_throttle_keys_not_errors():
    for email in ["a b@example.org", "x" * 400 + "@example.org", "\u0000@x", "' OR 1=1 --", "é@例え.jp"]:
        assert attempt(Client(), email) == 400


@pytest.mark.django_db
def test_sign_up_is_limited_per_address():
    client = Client(REMOTE_ADDR="10.5.0.1")
    statuses = [
        client.post(
            "/api/v1/auth/register",
            {"email": f"new{i}@example.org", "password": PASSWORD, "full_name": "N"},
            content_type="application/json",
        ).status_code
        for i in range(70)
    ]
    assert statuses.count(202) == 60
    assert statuses.count(429) == 10


# --- password reset ------------------------------------------------------------------------------


def _reset_link(index: int = -1) -> tuple[str, str]:
    return re.search(r"/password-reset/([^/]+)/([^/]+)/", mail.outbox[index].body).groups()


@pytest.mark.django_db
def test_a_reset_link_works_only_for_its_own_account(api, donor, other_donor):
    api().post("/api/v1/auth/password/reset", {"email": donor.email})
    api().post("/api/v1/auth/password/reset", {"email": other_donor.email})
    donor_uid, donor_token = _reset_link(0)
    other_uid, _ = _reset_link(1)
    swapped = {"uid": other_uid, "token": donor_token, "new_password": "h1jacked-Passw0rd"}
    response = api().post("/api/v1/auth/password/reset/confirm", swapped)
    assert response.status_code == 400
    other_donor.refresh_from_db()
    assert other_donor.check_password(PASSWORD)
    for uid in ["", "!!!", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA", "AAAA" * 50]:
        cache.clear()  # the reset throttle (5/hour per address) is not what is tested here
        bad = {"uid": uid, "token": donor_token, "new_password": "h1jacked-Passw0rd"}
        assert api().post("/api/v1/auth/password/reset/confirm", bad).status_code == 400


@pytest.mark.django_db
def test_a_reset_ends_every_session_and_dies_with_a_password_change(api, donor):
    sessions = [api(donor) for _ in range(3)]
    api().post("/api/v1/auth/password/reset", {"email": donor.email})
    api().post("/api/v1/auth/password/reset", {"email": donor.email})
    uid, first_token = _reset_link(0)
    _, second_token = _reset_link(1)
    confirm = {"uid": uid, "token": first_token, "new_password": "r3set-Passw0rd!"}
    assert api().post("/api/v1/auth/password/reset/confirm", confirm).status_code == 204
    assert all(client.get("/api/v1/me").status_code == 401 for client in sessions)
    # The other link mailed earlier is dead too: it was bound to the old password.
    later = {"uid": uid, "token": second_token, "new_password": "an0ther-Passw0rd!"}
    assert api().post("/api/v1/auth/password/reset/confirm", later).status_code == 400


@pytest.mark.django_db
def test_a_direct_caller_outside_the_proxy_networks_cannot_forge_its_address(settings):
    """NUM_PROXIES says one proxy is in front, but this caller is not it (a public address that
    reached the api directly): its X-Forwarded-For buys no fresh bucket."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = Client(REMOTE_ADDR="203.0.113.50")
    statuses = [attempt(client, f"x{i}@example.org", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}") for i in range(70)]
    assert statuses.count(400) == 60 and statuses.count(429) == 10
    # The same headers from nginx's address are honoured (each forwarded address its own bucket).
    nginx = Client(REMOTE_ADDR="10.0.0.2")
    assert attempt(nginx, "y@example.org", HTTP_X_FORWARDED_FOR="192.0.2.200") == 400
