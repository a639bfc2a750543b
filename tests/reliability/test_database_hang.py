"""PostgreSQL hangs (every process stopped with SIGSTOP) under a running api: the kernel still
accepts each query's bytes, so nothing times out by itself. /readyz must say 503 within 5 s, api
calls must fail fast with the 503 JSON error, and everything must serve again when PostgreSQL
resumes, with the same gunicorn workers."""

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import psutil

from .test_outages import _assert_503_json, _wait_for, _worker_pids

QUERY_TIMEOUT = 5  # production_env leaves DATABASE_QUERY_TIMEOUT at its default


def _postgresql_processes(stack) -> list[psutil.Process]:
    with open(os.path.join(stack.postgresql.base_dir, "data", "postmaster.pid")) as pidfile:
        postmaster = psutil.Process(int(pidfile.readline()))
    return [postmaster, *postmaster.children(recursive=True)]


def _timed_me(stack, headers) -> tuple[float, object]:
    with stack.client(timeout=30) as client:  # a connection of its own: any worker thread may serve it
        started = time.monotonic()
        response = client.get("/api/v1/me", headers=headers)
        return time.monotonic() - started, response


def test_a_hung_postgresql_gives_fast_503s_and_recovers_on_resume(stack):
    headers = {"Authorization": f"Bearer {stack.token}"}
    workers_before = set(_worker_pids(stack))
    threads = 8  # 2 workers x 4 threads: every thread's pooled connection is caught by the hang
    with ThreadPoolExecutor(threads) as pool:
        # Every worker thread holds an open connection (CONN_MAX_AGE): the hang catches live ones.
        for _ in range(3):
            assert {r.status_code for _t, r in pool.map(lambda _: _timed_me(stack, headers), range(threads))} == {200}
        hung = _postgresql_processes(stack)
        for process in hung:
            os.kill(process.pid, signal.SIGSTOP)
        try:
            for took, response in pool.map(lambda _: _timed_me(stack, headers), range(threads)):
                _assert_503_json(response)
                # The deadline plus abandoning the connection and answering: seen at 7.0 s once on a
                # loaded two-core CI machine, so the margin is 3 s (still far below the 31 s of a
                # worker killed by gunicorn's timeout, which is what this guards against).
                assert took < QUERY_TIMEOUT + 3, f"a request waited {took:.1f} s on the hung database"
            with stack.client() as client:
                started = time.monotonic()
                readyz = client.get("/readyz")
                assert readyz.status_code == 503, readyz.text
                assert readyz.json()["checks"]["database"] == "unavailable"
                assert time.monotonic() - started < 5, "readyz hung on the stopped database"
                assert client.get("/healthz").status_code == 200
        finally:
            for process in hung:
                os.kill(process.pid, signal.SIGCONT)
    with stack.client() as client:
        recovered = _wait_for(lambda: client.get("/readyz").status_code == 200, 10)
        assert recovered is not None, "readyz did not recover within 10 s of PostgreSQL resuming"
        served = _wait_for(
            lambda: all(client.get("/api/v1/me", headers=headers).status_code == 200 for _ in range(12)), 10
        )
        assert served is not None, "api endpoints did not recover within 10 s"
    assert set(_worker_pids(stack)) == workers_before, "gunicorn workers were restarted"
