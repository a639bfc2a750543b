"""Soak: many clients for minutes through nginx on the production topology, then three checks.

    python -m bench.soak [--clients 64] [--duration 300] [--donors 128]

The stack is tests/deploy/stack.py's (nginx with the shipped config, api and web under gunicorn
with production settings and the shipped gunicorn config, the worker, PostgreSQL, memcached); the
api runs production's worker count for 2 cores and never recycles its workers
(GUNICORN_MAX_REQUESTS=0), so a leak shows as growth instead of being hidden by restarts.

Donors register through the api first (POST /auth/register, the e-mailed link, then their profile), blood-bank
staff open drives through the api; then each client loops over a mixed workload: public stock,
drive search, its donors' eligibility, and booking then cancelling appointments. Afterwards:
  1. no 5xx (and no transport error) in any answer;
  2. no lost write: every booking answered 201 is in the database, counted by id, and every
     cancellation answered 200 is cancelled there;
  3. worker memory stable: each gunicorn worker's RSS (psutil) sampled over the run: start, end,
     max and the slope over the second half (MB/min).
Prints a markdown table; exits 1 if a check fails. Never part of `make test`.
"""

import argparse
import platform
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import httpx
import psutil
import psycopg

from testing.mail import mail_file_to, signup_token_in
from testing.servers import start_memcached, start_postgresql, stop_postgresql
from tests.deploy.stack import DEMO_PASSWORD, start_stack

STAFF = ("staff@dblood.local", DEMO_PASSWORD)  # the demo blood-bank staff (`manage.py demo`)
PROFILE = {"birth_date": "1990-05-01", "sex": "M", "weight_kg": 70, "abo": "O", "rhd": "+", "city": "Jakarta"}
SEARCH = "/api/v1/drives?lat=-6.2&lon=106.85&radius_km=25"
# Operation weights of the mix (the rest of an iteration's draw is a booking or a cancellation).
MIX = (("stock", 30), ("search", 25), ("eligibility", 25), ("book_or_cancel", 20))
SLOPE_LIMIT_MB_PER_MIN = 1.0  # per worker, over the second half of the run
WORKERS = 5  # gunicorn.conf.py's default on 2 cores: 2 x CPUs + 1


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.booked: list[int] = []
        self.cancelled: list[int] = []
        self.samples_5xx: list[str] = []

    def record(self, op: str, response: httpx.Response, seconds: float) -> None:
        with self.lock:
            self.statuses[op][response.status_code] += 1
            self.latencies[op].append(seconds)
            if response.status_code >= 500 and len(self.samples_5xx) < 10:
                self.samples_5xx.append(f"{op} {response.status_code} {response.text[:200]}")


def _post_waiting(client: httpx.Client, path: str, body: dict) -> httpx.Response:
    """POST, waiting out nginx's auth zone (5/s with a burst of 20) on 429."""
    while (response := client.post(path, json=body)).status_code == 429:
        time.sleep(0.5)
    return response


def _register_donors(url: str, mail_dir: Path, count: int) -> list[str]:
    """Real sign-ups through nginx, each confirmed by the link the api e-mailed (its file backend)."""
    tokens: list[str] = []
    lock = threading.Lock()
    run = f"{int(time.time())}"

    def register(indexes):
        with httpx.Client(base_url=url, timeout=60) as client:
            for i in indexes:
                body = {
                    "email": f"soak-{run}-{i}@example.org",
                    "password": "soak-Passw0rd-2026",
                    "full_name": f"Soak {i}",
                }
                response = _post_waiting(client, "/api/v1/auth/register", body)
                assert response.status_code == 202, response.text
                link = signup_token_in(mail_file_to(mail_dir, body["email"]))
                response = _post_waiting(client, "/api/v1/auth/register/confirm", {"token": link})
                assert response.status_code == 201, response.text
                token = response.json()["token"]
                headers = {"Authorization": f"Bearer {token}"}
                profile = client.patch("/api/v1/donors/me", json=PROFILE, headers=headers)
                assert profile.status_code == 200, profile.text
                with lock:
                    tokens.append(token)

    threads = [threading.Thread(target=register, args=(range(k, count, 4),)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tokens) == count, f"registered {len(tokens)} of {count} donors"
    return tokens


def _open_drives(url: str, days: int = 3) -> list[int]:
    """Drives far enough ahead that donors may still cancel, through the api as bank staff."""
    with httpx.Client(base_url=url, timeout=60) as client:
        login = client.post("/api/v1/auth/login", json={"email": STAFF[0], "password": STAFF[1]})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        bank = client.get("/api/v1/me", headers=headers).json()["memberships"][0]["site_id"]
        slots = []
        for offset in range(days):
            drive = client.post(
                "/api/v1/drives",
                headers=headers,
                json={
                    "organiser": bank,
                    "site": bank,
                    "name": f"Soak drive {offset + 1}",
                    "date": (date.today() + timedelta(days=20 + offset)).isoformat(),
                    "start_time": "08:00",
                    "end_time": "16:00",
                    "slot_minutes": 30,
                    "capacity_per_slot": 20,
                    "donation_types": ["whole_blood"],
                    "status": "open",
                },
            )
            assert drive.status_code == 201, drive.text
            slots += [slot["id"] for slot in drive.json()["slots"]]
    return slots


def _client(url: str, tokens: list[str], slots: list[int], stop: threading.Event, rec: Recorder, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - a load mix, not a secret
    active: dict[str, int | None] = dict.fromkeys(tokens)
    ops, weights = zip(*MIX, strict=True)
    with httpx.Client(base_url=url, timeout=60) as client:
        while not stop.is_set():
            op = rng.choices(ops, weights)[0]
            token = rng.choice(tokens)
            headers = {"Authorization": f"Bearer {token}"}
            try:
                started = time.monotonic()
                if op == "stock":
                    response = client.get("/api/v1/stock")
                elif op == "search":
                    response = client.get(SEARCH)
                elif op == "eligibility":
                    response = client.get("/api/v1/donors/me/eligibility", headers=headers)
                elif active[token] is None:
                    op = "book"
                    body = {"slot": rng.choice(slots), "donation_type": "whole_blood"}
                    response = client.post("/api/v1/appointments", json=body, headers=headers)
                    if response.status_code == 201:
                        active[token] = response.json()["id"]
                        with rec.lock:
                            rec.booked.append(active[token])
                else:
                    op = "cancel"
                    response = client.post(f"/api/v1/appointments/{active[token]}/cancel", headers=headers)
                    if response.status_code == 200:
                        with rec.lock:
                            rec.cancelled.append(active[token])
                        active[token] = None
                rec.record(op, response, time.monotonic() - started)
            except httpx.HTTPError as exc:
                with rec.lock:
                    rec.errors.append(f"{op}: {exc!r}")


def _workers(executor) -> list[psutil.Process]:
    return psutil.Process(executor.process.pid).children(recursive=True)


def _sample_memory(stack, stop: threading.Event, every: float, samples: dict) -> None:
    """RSS of every gunicorn worker (api and web), keyed by (service, pid): [(seconds, MB)]."""
    start = time.monotonic()
    while True:
        for name in ("api", "web"):
            for worker in _workers(stack.services[name]):
                try:
                    samples[(name, worker.pid)].append((time.monotonic() - start, worker.memory_info().rss / 2**20))
                except psutil.NoSuchProcess:
                    pass
        if stop.wait(every):
            return


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares MB per minute."""
    if len(points) < 2:
        return 0.0
    xs = [t / 60 for t, _ in points]
    ys = [mb for _, mb in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _lost_writes(database_url: str, rec: Recorder) -> tuple[int, int]:
    with psycopg.connect(database_url) as conn:
        found = conn.execute("SELECT count(*) FROM drives_appointment WHERE id = ANY(%s)", [rec.booked]).fetchone()[0]
        cancelled = conn.execute(
            "SELECT count(*) FROM drives_appointment WHERE id = ANY(%s) AND status = 'cancelled'", [rec.cancelled]
        ).fetchone()[0]
    return len(rec.booked) - found, len(rec.cancelled) - cancelled


def soak(clients: int, duration: float, donors: int, sample_every: float) -> bool:
    postgresql, memcached, stack = start_postgresql(), start_memcached(), None
    base = Path(tempfile.mkdtemp(prefix="dblood-soak-"))
    try:
        print(f"starting the stack in {base} ...", flush=True)
        # The api's access log goes to a file: the harness pipes its processes' stdout and nobody
        # reads that pipe, so under load a full pipe would block every worker (WORKER TIMEOUT).
        api_overrides = {"GUNICORN_MAX_REQUESTS": "0", "GUNICORN_CMD_ARGS": f"--access-logfile {base}/api-access.log"}
        stack = start_stack(base, postgresql, memcached, api_workers=WORKERS, api_overrides=api_overrides)
        url = stack.nginx_url
        tokens = _register_donors(url, stack.mail, donors)
        slots = _open_drives(url)
        print(
            f"{donors} donors registered, {len(slots)} slots open; {clients} clients for {duration:.0f} s", flush=True
        )
        api_pids = {w.pid for w in _workers(stack.services["api"])}

        rec, stop, samples = Recorder(), threading.Event(), defaultdict(list)
        sampler = threading.Thread(target=_sample_memory, args=(stack, stop, sample_every, samples), daemon=True)
        # Each client owns its share of donors, so one donor's book/cancel never races itself here.
        threads = [
            threading.Thread(
                target=_client, args=(url, tokens[i::clients] or [tokens[i % donors]], slots, stop, rec, i), daemon=True
            )
            for i in range(clients)
        ]
        sampler.start()
        started = time.monotonic()
        try:
            for thread in threads:
                thread.start()
            stop.wait(duration)
        finally:
            stop.set()  # Ctrl-C too: the clients end before the stack does
        for thread in threads + [sampler]:
            thread.join()
        elapsed = time.monotonic() - started
        time.sleep(1)
        lost, uncancelled = _lost_writes(stack.database_url, rec)
        restarted = api_pids != {w.pid for w in _workers(stack.services["api"])}
        return _report(rec, samples, elapsed, clients, donors, lost, uncancelled, restarted)
    finally:
        if stack:
            stack.stop()
        memcached.stop()
        stop_postgresql(postgresql)


def _report(rec, samples, elapsed, clients, donors, lost, uncancelled, restarted) -> bool:
    total = sum(sum(c.values()) for c in rec.statuses.values())
    fives = sum(n for c in rec.statuses.values() for status, n in c.items() if status >= 500)
    print(f"\n{total} requests in {elapsed:.0f} s ({total / elapsed:.0f} req/s), {clients} clients, {donors} donors\n")
    print("| operation | requests | statuses | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---|---:|---:|---:|")
    for op in ("stock", "search", "eligibility", "book", "cancel"):
        lat = rec.latencies[op]
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(rec.statuses[op].items()))
        print(
            f"| {op} | {len(lat)} | {statuses} | {_percentile(lat, 0.5) * 1000:.0f} "
            f"| {_percentile(lat, 0.95) * 1000:.0f} | {_percentile(lat, 0.99) * 1000:.0f} |"
        )
    print("\n| worker | start MB | end MB | max MB | slope, 2nd half (MB/min) |")
    print("|---|---:|---:|---:|---:|")
    worst = 0.0
    for (name, pid), points in sorted(samples.items()):
        half = [p for p in points if p[0] >= elapsed / 2]
        slope = _slope(half)
        worst = max(worst, slope)
        mbs = [mb for _, mb in points]
        print(f"| {name} {pid} | {mbs[0]:.1f} | {mbs[-1]:.1f} | {max(mbs):.1f} | {slope:+.2f} |")
    checks = {
        "no 5xx": fives == 0,
        "no transport error": not rec.errors,
        f"no lost write ({len(rec.booked)} bookings accepted, {lost} missing)": lost == 0,
        f"cancellations kept ({len(rec.cancelled)} accepted, {uncancelled} not cancelled)": uncancelled == 0,
        "api workers never restarted": not restarted,
        f"memory stable (worst slope {worst:+.2f} MB/min <= {SLOPE_LIMIT_MB_PER_MIN})": worst <= SLOPE_LIMIT_MB_PER_MIN,
    }
    print()
    for name, ok in checks.items():
        print(f"- {'PASS' if ok else 'FAIL'}: {name}")
    for line in rec.samples_5xx + rec.errors[:10]:
        print(f"  {line}")
    machine = f"{platform.node()}, {platform.platform()}, {psutil.cpu_count()} CPUs"
    print(f"\nmachine: {machine}, Python {platform.python_version()}")
    return all(checks.values())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load (default 300)")
    parser.add_argument("--donors", type=int, default=128, help="distinct donors registered first")
    parser.add_argument("--sample-every", type=float, default=5, help="seconds between RSS samples")
    args = parser.parse_args(argv)
    return 0 if soak(args.clients, args.duration, args.donors, args.sample_every) else 1


if __name__ == "__main__":
    sys.exit(main())
