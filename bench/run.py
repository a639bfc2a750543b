"""The benchmark: seed, serve with gunicorn + memcached + PostgreSQL, load with wrk, report.

    python -m bench run                 # full: 1M donors, 15 s per endpoint, growth 10k/100k/1M, profiles
    python -m bench run --quick         # sanity: 10k donors, 3 s per endpoint (about three minutes)

Writes bench/RESULTS.md (or --out DIR/RESULTS.md) with PNG charts beside it.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import psycopg

from . import callout as selection
from . import profile as profiling
from . import report
from .endpoints import ENDPOINTS, Endpoint
from .servers import (
    ROOT,
    Gunicorn,
    bench_env,
    create_database,
    manage,
    start_memcached,
    start_postgresql,
    stop_postgresql,
)
from .wrk import WrkResult, write_requests
from .wrk import run as wrk_run

QUERY_HEADER, TIME_HEADER = "X-DB-Queries", "X-DB-Time"


@dataclass
class Probe:
    status: int
    queries: int | None
    queries_small: int | None = None  # page_size=10
    queries_large: int | None = None  # page_size=100
    alone_ms: float | None = None  # one request at a time: median wall time seen by the client
    alone_sql_ms: float | None = None  # ... and the part spent in SQL, seen by the worker


@dataclass
class Measured:
    name: str
    label: str
    kind: str
    target_ratio: float | None
    probe: Probe
    wrk: WrkResult | None = None
    ratio: float | None = None
    note: str = ""


@dataclass
class GrowthPoint:
    donors: int
    units: int
    seed_s: float
    stock_rps: float | None
    stock_p50_ms: float | None
    drives_rps: float | None
    drives_p50_ms: float | None
    callout_median_ms: float
    callout_indexed_median_ms: float | None = None
    selector_median_ms: float | None = None


@dataclass
class Run:
    command: str
    donors: int
    workers: int
    connections: int
    seconds: int
    seed_s: float = 0.0
    counts: dict = field(default_factory=dict)
    results: list[Measured] = field(default_factory=list)
    ceiling_rps: list[float] = field(default_factory=list)
    # The reads served from cached answers, again with ANSWER_CACHE_SECONDS=0 (every request computed).
    computed: list[Measured] = field(default_factory=list)
    callout: selection.CalloutResult | None = None
    callout_indexed: selection.CalloutResult | None = None
    selector: dict | None = None
    growth: list[GrowthPoint] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    status: int
    queries: int | None
    sql_ms: float | None
    wall_ms: float
    etag: str | None = None


def request(base: str, line, page_size: int | None = None) -> Answer:
    method, path, token, body, *tag = line
    if page_size:
        path += ("&" if "?" in path else "?") + f"page_size={page_size}"
    # Like a browser (and bench/lua/requests.lua): the body is read, never decoded.
    headers = {"Accept": "application/json", "Accept-Encoding": "gzip"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if tag and tag[0]:
        headers["If-None-Match"] = tag[0]
    if body:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=body.encode() if body else None, method=method, headers=headers)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            response.read()
            status, answer_headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        status, answer_headers = exc.code, exc.headers
    wall_ms = (time.perf_counter() - start) * 1000
    queries, sql_ms = answer_headers.get(QUERY_HEADER), answer_headers.get(TIME_HEADER)
    return Answer(
        status=status,
        queries=int(queries) if queries is not None else None,
        sql_ms=float(sql_ms) if sql_ms is not None else None,
        wall_ms=wall_ms,
        etag=answer_headers.get("ETag"),
    )


ALONE = 10  # requests sent one at a time per endpoint; writes spend the last ALONE lines on it


def probe(base: str, endpoint: Endpoint, lines) -> Probe:
    """Status and queries (line 0), queries at two page sizes, then ALONE requests one at a time."""
    # Reads twice: the first may fill a cache (stock). A write only once: line 0 is spent on it.
    if endpoint.kind != "write":
        request(base, lines[0])
    first = request(base, lines[0])
    result = Probe(status=first.status, queries=first.queries)
    if endpoint.paged and first.status == 200:
        result.queries_small = request(base, lines[0], page_size=10).queries
        result.queries_large = request(base, lines[0], page_size=100).queries
    if first.status in (404, 405):
        return result
    alone_lines = lines[-ALONE:] if endpoint.kind == "write" else [lines[i % len(lines)] for i in range(ALONE)]
    answers = [request(base, line) for line in alone_lines]
    result.alone_ms = statistics.median(a.wall_ms for a in answers)
    result.alone_sql_ms = statistics.median(a.sql_ms or 0.0 for a in answers)
    return result


def seed(env: dict, donors: int) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench", "seed", "--donors", str(donors)], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - start


def selector(env: dict) -> dict | None:
    """The requests app's own selection, timed in a Django process (None if it cannot run)."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "selector"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_SELECTOR "):
            return json.loads(line.removeprefix("BENCH_SELECTOR "))
    print(f"selector failed:\n{completed.stderr[-3000:]}", file=sys.stderr)
    return None


def counts(dsn: str) -> dict[str, int]:
    tables = [
        "accounts_user", "donors_donor", "donors_deferral", "sites_site", "drives_drive", "drives_slot",
        "donations_donation", "inventory_bloodunit", "notifications_notification", "requests_bloodrequest",
    ]  # fmt: skip
    with psycopg.connect(dsn) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608


def load(
    server: Gunicorn,
    dsn: str,
    endpoints: list[Endpoint],
    *,
    seconds: int,
    connections: int,
    workdir: Path,
    profile: set[str] = frozenset(),
    profile_dir: Path | None = None,
    warm_answers: bool = True,
):
    """The ceiling, then each endpoint followed by the ceiling again. The machine is shared and its
    load drifts, so each endpoint's ratio is to the mean of the ceilings measured just before and
    just after it. Returns the endpoints' results (the ceiling's first) and every ceiling req/s."""
    ceiling, others = endpoints[0], endpoints[1:]
    results, ceilings = [], []
    with psycopg.connect(dsn, autocommit=True) as conn:
        ceiling_tsv = write_requests(workdir / "ceiling.tsv", ceiling.build(conn, 0))
        # Warm-up, not recorded: every worker imports its views and opens its database connection.
        wrk_run(server.url, ceiling_tsv, seconds=2, connections=connections)

        def measure_ceiling() -> WrkResult:
            result = wrk_run(server.url, ceiling_tsv, seconds=seconds, connections=connections)
            ceilings.append(result.rps)
            return result

        first = Measured(ceiling.name, ceiling.label, ceiling.kind, None, Probe(0, None))
        first.probe = probe(server.url, ceiling, ceiling.build(conn, 0))
        first.wrk = measure_ceiling()
        results.append(first)
        for endpoint in others:
            lines = endpoint.build(conn, seconds * 400)
            if endpoint.revalidate and lines:
                # The tag a client holding the current body sends back (the same headers as wrk's).
                lines = [(*line[:4], request(server.url, line).etag) for line in lines]
            measured = Measured(endpoint.name, endpoint.label, endpoint.kind, endpoint.target_ratio, Probe(0, None))
            results.append(measured)
            if not lines:
                measured.note = "no data to send"
                continue
            measured.probe = probe(server.url, endpoint, lines)
            if measured.probe.status in (404, 405):
                measured.note = f"not on this branch ({measured.probe.status})"
                continue
            # Writes: line 0 went to the probe and the last ALONE lines to the one-at-a-time requests.
            replay = lines[1:-ALONE] if endpoint.kind == "write" else lines[1:]
            tsv = write_requests(workdir / f"{endpoint.name}.tsv", replay or lines)
            if warm_answers and endpoint.answer_cached:
                # Unrecorded: every distinct request once, so the run measures answers served from
                # the cache, not how many of wrk's first round fit in 15 s (the pass with the cache
                # off measures the other extreme).
                with ThreadPoolExecutor(max_workers=8) as pool:
                    list(pool.map(lambda line: request(server.url, line), replay or lines))
            print(f"wrk {endpoint.name}: {len(lines)} distinct requests, {seconds} s", flush=True)
            before = ceilings[-1]
            measured.wrk = wrk_run(server.url, tsv, seconds=seconds, connections=connections)
            after = measure_ceiling().rps
            measured.ratio = measured.wrk.rps / statistics.mean([before, after])
            if endpoint.name in profile:
                # A separate, unrecorded pass: the profiler takes CPU from the very cores under test.
                spy_seconds = min(seconds, 6)
                raw = workdir / f"{endpoint.name}.pyspy"
                spy = profiling.start(server.process.pid, spy_seconds, raw)
                wrk_run(server.url, tsv, seconds=spy_seconds, connections=connections)
                spy.wait(timeout=spy_seconds + 30)
                profile_dir.mkdir(parents=True, exist_ok=True)
                (profile_dir / f"{endpoint.name}.txt").write_text(
                    f"py-spy, {spy_seconds} s at {connections} connections, {endpoint.label}\n\n"
                    + profiling.summarise(raw)
                )
    first.ratio = 1.0
    first.wrk = replace(first.wrk, requests=round(statistics.mean(ceilings) * first.wrk.seconds))
    return results, ceilings


def growth_point(pg, memcached, donors: int, *, seconds: int, workers: int, connections: int, workdir: Path,
                 reuse: tuple[str, float] | None = None) -> GrowthPoint:  # fmt: skip
    """Stock and drive search under load, and the call-out selection, at one dataset size."""
    if reuse:
        dsn, seed_s = reuse
    else:
        dsn = create_database(pg, f"growth_{donors}")
        env = bench_env(dsn, memcached)
        manage(env, "migrate", "--noinput", "-v0")
        seed_s = seed(env, donors)
    # Drive search computed on every request (no cached answers): how its cost grows with the data.
    # Stock is cached by design (each change recomputes it once), so it is measured as served.
    env = {**bench_env(dsn, memcached), "ANSWER_CACHE_SECONDS": "0"}
    by_name = {e.name: e for e in ENDPOINTS}
    measured = {}
    with Gunicorn(env, workers=workers) as server:
        results, _ = load(
            server, dsn, [by_name["ceiling"], by_name["stock"], by_name["drives"]],
            seconds=seconds, connections=connections, workdir=workdir,
        )  # fmt: skip
        measured = {m.name: m.wrk for m in results}
    picked = selection.measure(dsn, rounds=2)
    indexed = None if selection.has_location_index(dsn) else selection.measure_with_proposed_index(dsn)
    app_selection = selector(env)

    def pick(name, attr):
        return getattr(measured[name], attr) if measured.get(name) else None

    return GrowthPoint(
        donors=donors,
        units=donors // 2,
        seed_s=seed_s,
        stock_rps=pick("stock", "rps"),
        stock_p50_ms=pick("stock", "p50_ms"),
        drives_rps=pick("drives", "rps"),
        drives_p50_ms=pick("drives", "p50_ms"),
        callout_median_ms=picked.median_ms,
        callout_indexed_median_ms=indexed.median_ms if indexed else None,
        selector_median_ms=app_selection["median_ms"] if app_selection else None,
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10k donors, 3 s runs, growth 1k/10k, no profiles")
    parser.add_argument("--donors", type=int)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--growth", default=None, help="comma-separated donor counts, '' to skip")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--profile", default=None, help="endpoints to py-spy, comma-separated (default: all; none with --quick)"
    )
    args = parser.parse_args(argv)
    donors = args.donors or (10_000 if args.quick else 1_000_000)
    seconds = args.seconds or (3 if args.quick else 15)
    default_growth = "1000,10000" if args.quick else "10000,100000,1000000"
    growth_sizes = [int(x) for x in (default_growth if args.growth is None else args.growth).split(",") if x]
    out = args.out or (ROOT / "bench" / ("quick" if args.quick else ""))
    out.mkdir(parents=True, exist_ok=True)
    names = [e.name for e in ENDPOINTS if e.kind not in ("ceiling", "reference")]
    default_profile = [] if args.quick else names
    profile = set(default_profile if args.profile is None else filter(None, args.profile.split(",")))
    run = Run(
        command="make bench-quick" if args.quick else "make bench",
        donors=donors, workers=args.workers, connections=args.connections, seconds=seconds,
    )  # fmt: skip
    pg, memcached = start_postgresql(), start_memcached()
    workdir = Path(tempfile.mkdtemp(prefix="dblood-bench-"))
    try:
        dsn = create_database(pg, "bench")
        env = bench_env(dsn, memcached)
        manage(env, "migrate", "--noinput", "-v0")
        run.seed_s = seed(env, donors)
        run.counts = counts(dsn)
        with Gunicorn(env, workers=args.workers) as server:
            run.results, run.ceiling_rps = load(
                server, dsn, ENDPOINTS, seconds=seconds, connections=args.connections, workdir=workdir,
                profile=profile, profile_dir=out / "profiles",
            )  # fmt: skip
        # The same reads with the answer cache off: what each costs when its answer is not cached
        # (the first request after a change, or a point nobody asked about lately).
        cached = [e for e in ENDPOINTS if e.answer_cached]
        with Gunicorn({**env, "ANSWER_CACHE_SECONDS": "0"}, workers=args.workers) as server:
            run.computed, _ = load(
                server, dsn, [ENDPOINTS[0], *cached], seconds=seconds, connections=args.connections, workdir=workdir,
                warm_answers=False,
            )  # fmt: skip
        run.callout = selection.measure(dsn)
        run.selector = selector(env)
        if not selection.has_location_index(dsn):
            run.callout_indexed = selection.measure_with_proposed_index(dsn)
        for size in growth_sizes:
            print(f"growth: {size} donors", flush=True)
            reuse = (dsn, run.seed_s) if size == donors else None
            run.growth.append(
                growth_point(
                    pg,
                    memcached,
                    size,
                    seconds=max(seconds // 2, 3),
                    workers=args.workers,
                    connections=args.connections,
                    workdir=workdir,
                    reuse=reuse,
                )  # fmt: skip
            )
    finally:
        memcached.stop()
        stop_postgresql(pg)
        shutil.rmtree(workdir, ignore_errors=True)
    (out / "results.json").write_text(json.dumps(asdict(run), indent=2, default=str) + "\n")
    report.write(run, out)
    print(f"wrote {out / 'RESULTS.md'}")
