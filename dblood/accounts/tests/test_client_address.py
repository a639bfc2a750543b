"""Login throttles per browser when the web signs people in: the web forwards each browser's address
(X-Forwarded-For, appending the one it saw) and proves with WEB_PROXY_KEY that it is the web."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

LOGIN = "/api/v1/auth/login"
KEY = "web-proxy-key-for-tests-only-0123456789"
NGINX = "10.9.0.2"  # the address the web sees: nginx in front of it
WEB = "10.9.0.3"  # the address the api sees: the web


@pytest.fixture(autouse=True)
def _behind_nginx_and_the_web(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.WEB_PROXY_KEY = KEY
    # Throttle windows are fixed minutes: hold the clock mid-window so counts are exact.
    with time_machine.travel(datetime(2026, 11, 2, 3, 4, 30, tzinfo=UTC), tick=False):
        yield


def from_web(browser_chain: str, *, key: str | None = KEY) -> dict:
    """What dblood_web sends for a browser: nginx's hop, then the address the web saw."""
    headers = {"HTTP_X_FORWARDED_FOR": f"{browser_chain}, {NGINX}"}
    if key is not None:
        headers["HTTP_X_DBLOOD_WEB_PROXY_KEY"] = key
    return headers


def statuses(client: Client, count: int, prefix: str, **headers) -> list[int]:
    body = {"password": "guess-wrong-1"}
    return [
        client.post(
            LOGIN, {**body, "email": f"{prefix}{i}@example.org"}, content_type="application/json", **headers
        ).status_code
        for i in range(count)
    ]


@pytest.mark.django_db
def test_two_browsers_behind_the_web_get_their_own_buckets():
    web = Client(REMOTE_ADDR=WEB)
    first = statuses(web, 70, "a", **from_web("203.0.113.1"))
    assert first.count(400) == 60 and first.count(429) == 10
    # Another browser, through the same nginx and the same web: a fresh bucket.
    assert set(statuses(web, 60, "b", **from_web("203.0.113.2"))) == {400}


@pytest.mark.django_db
def test_a_browser_writing_its_own_forwarded_for_gets_no_fresh_bucket():
    web = Client(REMOTE_ADDR=WEB)
    # nginx appended the real address (203.0.113.9) after whatever the browser wrote; the web kept
    # only nginx's hop (dblood_web.api.forwarded_for) — and even if it passed all of them on, the
    # api reads the entry two trusted hops back.
    kept = statuses(web, 40, "c", **from_web("203.0.113.9"))
    passed_on = [statuses(web, 1, f"d{i}-", **from_web(f"198.51.100.{i}, 203.0.113.9"))[0] for i in range(30)]
    assert (kept + passed_on).count(400) == 60 and (kept + passed_on).count(429) == 10


@pytest.mark.django_db
def test_without_the_key_the_sender_is_the_client():
    """A browser calling the api through nginx cannot claim to be the web: a wrong or missing key
    means one trusted hop, so the address nginx saw counts, not the one the caller wrote."""
    nginx = Client(REMOTE_ADDR="10.9.0.1")
    wrong_key = [statuses(nginx, 1, f"e{i}-", **from_web(f"192.0.2.{i}", key="guess"))[0] for i in range(35)]
    no_key = [statuses(nginx, 1, f"f{i}-", **from_web(f"192.0.2.{i}", key=None))[0] for i in range(35)]
    assert (wrong_key + no_key).count(400) == 60 and (wrong_key + no_key).count(429) == 10


@pytest.mark.django_db
def test_no_key_configured_means_no_extra_hop(settings):
    settings.WEB_PROXY_KEY = ""
    nginx = Client(REMOTE_ADDR="10.9.0.1")
    results = [statuses(nginx, 1, f"g{i}-", **from_web(f"192.0.2.{i}", key=""))[0] for i in range(70)]
    assert results.count(400) == 60 and results.count(429) == 10
