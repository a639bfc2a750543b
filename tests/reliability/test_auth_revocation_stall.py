"""A revocation holds whatever memcached does: with memcached stalled (SIGSTOP, so it keeps its
cached token entries and serves them again when it resumes), a logout either takes effect or is
refused with a 503 and changes nothing; it is never answered 204 and then undone by the cache."""

import os
import signal
import time

from .conftest import DONOR_EMAIL, DONOR_PASSWORD

# memcached's dead_timeout in the settings: how long a client skips a server after failures.
DEAD_TIMEOUT_SECONDS = 5


def test_logout_while_memcached_is_stalled_is_refused_not_undone(stack):
    with stack.client() as client:
        login = client.post("/api/v1/auth/login", json={"email": DONOR_EMAIL, "password": DONOR_PASSWORD})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        for _ in range(3):  # the token's entry is now in memcached
            assert client.get("/api/v1/me", headers=headers).status_code == 200

        pid = stack.memcached.process.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            during = client.post("/api/v1/auth/logout", headers=headers)
        finally:
            os.kill(pid, signal.SIGCONT)
        time.sleep(DEAD_TIMEOUT_SECONDS + 1)
        after = client.get("/api/v1/me", headers=headers)

        assert (during.status_code, after.status_code) == (503, 200), (during.text, after.text)
        assert during.json()["code"] == "revocation_unconfirmed"

        # With memcached answering again, the same logout takes effect at once, on every worker.
        assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
        for _ in range(4):
            assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_the_refusal_is_in_indonesian_too(db):
    from django.utils import translation

    from dblood.accounts.token_cache import UNCONFIRMED

    with translation.override("id"):
        assert str(UNCONFIRMED).startswith("Keluar belum dapat dipastikan")
