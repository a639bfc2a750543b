"""The api as it runs in production: gunicorn, production settings, its own PostgreSQL and
memcached, all real processes on loopback, started once for this folder."""

import tempfile
from dataclasses import dataclass

import httpx
import pytest

from testing.mail import sign_up
from testing.servers import (
    create_database,
    manage,
    production_env,
    start_gunicorn,
    start_memcached,
    start_postgresql,
    stop_postgresql,
)

DONOR_EMAIL = "live.donor@example.org"
DONOR_PASSWORD = "live-donor-Passw0rd"


@dataclass
class Stack:
    postgresql: object
    memcached: object
    gunicorn: object
    url: str
    token: str

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, **{"timeout": 10, **kwargs})


@pytest.fixture(scope="package")
def stack():
    postgresql = start_postgresql()
    memcached = start_memcached()
    gunicorn = None
    try:
        mail_dir = tempfile.mkdtemp(prefix="dblood-live-mail-")  # the sign-up link is read from here
        env = production_env(
            create_database(postgresql, "dblood_live"),
            memcached=f"127.0.0.1:{memcached.port}",
            EMAIL_URL=f"filemail:///{mail_dir}",
        )
        manage(env, "migrate", "--noinput")
        gunicorn = start_gunicorn(env)
        token = sign_up(
            gunicorn.base_url, mail_dir, email=DONOR_EMAIL, password=DONOR_PASSWORD, full_name="Live Donor"
        )["token"]
        yield Stack(postgresql, memcached, gunicorn, gunicorn.base_url, token)
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        memcached.stop()
        stop_postgresql(postgresql)
