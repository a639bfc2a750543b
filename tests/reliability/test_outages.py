"""Backing services die under a running api (gunicorn, production settings) and come back.

memcached killed under load: no 5xx, the api answers from the database.
PostgreSQL stopped: /readyz says 503 within 5 s, api endpoints answer a 503 JSON error; both
recover within 10 s of PostgreSQL's return, with the same gunicorn.
"""

import threading
import time
from collections import Counter

import httpx

from .conftest import DONOR_EMAIL, DONOR_PASSWORD


def _load(stack, stop: threading.Event, results: list, errors: list) -> None:
    """One client in a loop: reads (me, readyz) and writes (PATCH me). Logins are left out of the
    loop: production's password hasher takes most of a second by design."""
    headers = {"Authorization": f"Bearer {stack.token}"}
    with stack.client() as client:
        i = 0
        while not stop.is_set():
            i += 1
            try:
                if i % 3 == 0:
                    response = client.patch("/api/v1/me", json={"full_name": f"Live {i}"}, headers=headers)
                elif i % 3 == 1:
                    response = client.get("/api/v1/me", headers=headers)
                else:
                    response = client.get("/readyz")
                results.append((response.request.url.path, response.status_code))
            except httpx.HTTPError as exc:
                errors.append(repr(exc))


def test_memcached_killed_under_load_gives_no_5xx(stack):
    stop, results, errors = threading.Event(), [], []
    clients = [threading.Thread(target=_load, args=(stack, stop, results, errors)) for _ in range(8)]
    for thread in clients:
        thread.start()
    try:
        time.sleep(2)
        before = len(results)
        stack.memcached.kill()
        time.sleep(4)
    finally:
        stop.set()
        for thread in clients:
            thread.join()
    after_kill = results[before:]
    assert errors == []
    assert len(after_kill) > 50, "the api stopped answering without memcached"
    statuses = Counter(status for _, status in results)
    assert not [s for s in statuses if s >= 500], statuses
    assert {status for path, status in after_kill if path == "/api/v1/me"} == {200}
    # Throttled endpoints fail open without their counters: logins still work.
    with stack.client() as client:
        login = client.post("/api/v1/auth/login", json={"email": DONOR_EMAIL, "password": DONOR_PASSWORD})
        assert login.status_code == 200, login.text
    # readyz keeps the api in the pool and says why it is slower.
    with stack.client() as client:
        body = client.get("/readyz").json()
    assert body == {"status": "degraded", "checks": {"database": "ok", "cache": "unavailable"}}
    stack.memcached.start()
    with stack.client() as client:
        assert _wait_for(lambda: client.get("/readyz").json()["status"] == "ok", 10)


def _wait_for(condition, seconds: float) -> float | None:
    """Seconds until `condition()` held, or None if it never did."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            if condition():
                return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return None


def _assert_503_json(response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == 503 and body["code"] == "service_unavailable"
    assert int(response.headers["Retry-After"]) > 0


def test_postgresql_stopped_gives_503_json_and_recovers_without_restarting_gunicorn(stack):
    headers = {"Authorization": f"Bearer {stack.token}"}
    workers_before = set(_worker_pids(stack))
    with stack.client() as client:
        # Warm every worker's persistent connection (CONN_MAX_AGE) so the outage breaks live ones.
        for _ in range(20):
            assert client.get("/api/v1/me", headers=headers).status_code == 200

        stack.postgresql.stop()
        try:
            took = _wait_for(lambda: client.get("/readyz").status_code == 503, 5)
            assert took is not None, "readyz did not report the database within 5 s"
            body = client.get("/readyz").json()
            assert body["checks"]["database"] == "unavailable"
            for _ in range(6):  # every worker and thread, not only the first
                started = time.monotonic()
                _assert_503_json(client.get("/api/v1/me", headers=headers))
                _assert_503_json(
                    client.post("/api/v1/auth/login", json={"email": DONOR_EMAIL, "password": DONOR_PASSWORD})
                )
                assert time.monotonic() - started < 5, "a request hung on the dead database"
            assert client.get("/healthz").status_code == 200  # alive, just not ready
        finally:
            stack.postgresql.start()

        recovered = _wait_for(lambda: client.get("/readyz").status_code == 200, 10)
        assert recovered is not None, "readyz did not recover within 10 s"
        served = _wait_for(
            lambda: all(client.get("/api/v1/me", headers=headers).status_code == 200 for _ in range(12)), 10
        )
        assert served is not None, "api endpoints did not recover within 10 s"
    assert set(_worker_pids(stack)) == workers_before, "gunicorn workers were restarted"


def _worker_pids(stack) -> list[int]:
    import psutil

    return sorted(child.pid for child in psutil.Process(stack.gunicorn.process.pid).children())
