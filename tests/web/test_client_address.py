"""The web tells the api which browser it speaks for: X-Forwarded-For with the hops its own trusted
proxies wrote plus the address it saw, and WEB_PROXY_KEY so the api trusts that extra hop."""

import pytest
from webfakes import USER

from dblood_web.api import PROXY_KEY_HEADER, forwarded_for

KEY = "web-proxy-key-for-tests-only-0123456789"


@pytest.mark.parametrize(
    ("remote_addr", "forwarded", "trusted", "sent"),
    [
        # No proxy in front of the web (make run): the browser is the address the web saw.
        ("203.0.113.5", None, 0, "203.0.113.5"),
        ("203.0.113.5", "198.51.100.1", 0, "203.0.113.5"),  # a browser's own header is dropped
        # nginx in front (NUM_PROXIES=1): nginx's hop, then nginx's own address.
        ("10.0.0.2", "203.0.113.5", 1, "203.0.113.5, 10.0.0.2"),
        # What the browser wrote before nginx's hop goes no further.
        ("10.0.0.2", "198.51.100.1, 198.51.100.2,203.0.113.5", 1, "203.0.113.5, 10.0.0.2"),
        ("10.0.0.2", "198.51.100.1, 203.0.113.5, 10.0.0.1", 2, "203.0.113.5, 10.0.0.1, 10.0.0.2"),
        # A proxy promised but no header: only what the web saw.
        ("10.0.0.2", None, 1, "10.0.0.2"),
        ("10.0.0.2", " , ", 1, "10.0.0.2"),
    ],
)
def test_forwarded_for_keeps_only_trusted_hops_and_appends(remote_addr, forwarded, trusted, sent):
    assert forwarded_for(remote_addr=remote_addr, forwarded=forwarded, trusted_proxies=trusted) == sent


def _login(client, **meta):
    return client.post("/login/", {"email": USER["email"], "password": "pw-long-enough"}, **meta)


def test_every_api_call_carries_the_browsers_address_and_the_key(client, fake_api, settings):
    settings.NUM_PROXIES = 1
    settings.WEB_PROXY_KEY = KEY
    fake_api.on("POST", "auth/login", body={"token": "t", "expires_at": "x", "user": USER})
    fake_api.on("GET", "me", body=USER)
    response = _login(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert response.status_code == 302
    login = fake_api.last("POST", "auth/login")
    assert login.headers["X-Forwarded-For"] == "203.0.113.5, 10.0.0.2"
    assert login.headers[PROXY_KEY_HEADER] == KEY
    # Signed in, the next page's calls carry them too.
    client.get("/account/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert fake_api.last("GET", "me").headers["X-Forwarded-For"] == "203.0.113.5, 10.0.0.2"


def test_no_key_configured_sends_no_key_header(client, fake_api, settings):
    settings.WEB_PROXY_KEY = ""
    fake_api.on("POST", "auth/login", body={"token": "t", "expires_at": "x", "user": USER})
    _login(client, REMOTE_ADDR="203.0.113.7", HTTP_X_DBLOOD_WEB_PROXY_KEY="from-the-browser")
    login = fake_api.last("POST", "auth/login")
    assert login.headers["X-Forwarded-For"] == "203.0.113.7"
    assert PROXY_KEY_HEADER not in login.headers  # a browser's own copy is never passed on


def test_a_browser_reaching_the_web_directly_cannot_forge_its_address(client, fake_api, settings):
    """NUM_PROXIES=1, but this peer is not nginx (outside TRUSTED_PROXY_NETWORKS): its header is dropped."""
    settings.NUM_PROXIES = 1
    fake_api.on("POST", "auth/login", body={"token": "t", "expires_at": "x", "user": USER})
    _login(client, REMOTE_ADDR="203.0.113.8", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert fake_api.last("POST", "auth/login").headers["X-Forwarded-For"] == "203.0.113.8"
