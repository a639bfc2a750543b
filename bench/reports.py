"""Each report's national monthly query, timed over the benchmark's dataset at growing sizes.

    python -m bench reports                          # 10k, 100k and 1M donors, 7 runs each
    python -m bench reports --sizes 10000 --runs 3   # a quick try

For each size: a fresh database on a throwaway PostgreSQL (the bench's settings), migrated, seeded
by `python -m bench seed` (the growth benchmark's dataset), plus the history the reports count
and the seeder does not make (`seed_history`: unit events, issued allocations, returns, donor
complications, transfusion reactions, deferrals dated when they were recorded). Then, in a Django
process, every report of `dblood.reports.reports.REPORTS` and the haemovigilance export is computed
for the whole country and the last full month (the daily stock: its last day): one unrecorded run,
then `--runs` timed ones (median, and the slowest). The baseline, measured in the same process
just before each report, is a plain `SELECT count(*)` of the table the report reads most; the ratio
is the report's median to it. The `EXPLAIN (ANALYZE, BUFFERS)` of every statement at the largest
size goes to bench/reports_explain.txt, and the indexes each plan used into the table.

Writes the "## Reports" section of bench/RESULTS.md (a `make bench` run keeps it) and prints it.
Target (not a timed test): every report under 2 s at 1,000,000 donors.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

TARGET_S = 2.0
# The table each report reads most: its baseline is a plain COUNT(*) of it.
BASELINE = {
    "wastage": "inventory_unitevent",
    "collections": "donations_donation",
    "issues": "inventory_unitevent",
    "deferrals": "donors_deferral",
    "turnaround": "requests_bloodrequest",
    "daily_stock": "inventory_unitevent",
    "returns": "returns_unitreturn",
    "complications": "haemovigilance_donorcomplication",
    "reactions": "haemovigilance_transfusionreaction",
    "haemovigilance_export": "haemovigilance_donorcomplication",
}
TABLES = sorted(set(BASELINE.values()) | {"donors_donor", "inventory_bloodunit", "requests_allocation"})
SECTION = "## Reports"


def seed_history() -> dict[str, float]:
    """What the reports count beyond the seeder's rows, set-based (seconds per step)."""
    from dblood.haemovigilance.models import DonorComplication, ReactionUnit, TransfusionReaction
    from dblood.inventory.models import UnitEvent
    from dblood.requests.models import Allocation
    from dblood.returns.models import UnitReturn

    from .sql import execute, insert_select

    timings = {}

    def step(name, fn):
        start = time.perf_counter()
        fn()
        timings[name] = time.perf_counter() - start

    def events():
        # Each unit entered the shelf a day after collection, then left it the way its state says.
        insert_select(
            UnitEvent,
            {"unit_id": "id", "from_state": "'quarantined'", "to_state": "'available'",
             "at": "created_at + interval '1 day'", "reason": "'Released.'"},
            "FROM inventory_bloodunit WHERE state <> 'quarantined'",
        )  # fmt: skip
        leaving = {
            "issued": "issued_at",
            "reserved": "created_at + interval '2 days'",
            "discarded": "created_at + interval '1 day' + random() * (expires_at - created_at - interval '1 day')",
            "expired": "expires_at",
        }
        for state, at in leaving.items():
            insert_select(
                UnitEvent,
                {"unit_id": "id", "from_state": "'available'", "to_state": f"'{state}'", "at": at,
                 "reason": "CASE WHEN random() < 0.5 THEN 'Bag leaking' ELSE 'Haemolysed' END"
                 if state == "discarded" else "''"},
                f"FROM inventory_bloodunit WHERE state = '{state}'",
            )  # fmt: skip

    def allocations():
        # Each closed request got its first unit issued 30 minutes to 2 days after it was filed.
        insert_select(
            Allocation,
            {"request_id": "r.id", "unit_id": "u.id", "status": "'issued'", "reserved_at": "r.created_at",
             "issued_at": "r.created_at + interval '30 minutes' + random() * interval '2 days'",
             "outcome": "'transfused'"},
            "FROM (SELECT id, created_at, row_number() OVER (ORDER BY id) AS k FROM requests_bloodrequest "
            "WHERE status = 'closed') r "
            "JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM inventory_bloodunit WHERE state = 'issued') u "
            "ON u.k = r.k",
        )  # fmt: skip

    def returns():
        insert_select(
            UnitReturn,
            {"unit_id": "id", "hospital_id": "issued_to_id", "bank_id": "site_id",
             "left_storage_at": "issued_at + interval '1 hour'", "temperature_c": "5.0", "validated_box": "true",
             "returned_at": "issued_at + interval '90 minutes'", "minutes_out": "30",
             "decision": "CASE WHEN random() < 0.7 THEN 'restocked' ELSE 'discarded' END"},
            "FROM inventory_bloodunit WHERE state = 'issued' AND issued_to_id IS NOT NULL AND random() < 0.02",
        )  # fmt: skip

    def complications():
        # About 2% of collections: haematomas and vasovagal reactions, a few severe.
        insert_select(
            DonorComplication,
            {"donation_id": "id", "site_id": "site_id", "status": "'recorded'",
             "category": "CASE WHEN r < 0.6 THEN 'haematoma' WHEN r < 0.9 THEN 'vasovagal_immediate' "
             "ELSE 'vasovagal_delayed' END",
             "severity": "CASE WHEN r2 < 0.03 THEN 'severe' ELSE 'non_severe' END",
             "onset": "CASE WHEN r < 0.9 THEN 'during' ELSE 'delayed' END", "outcome": "'resolved'",
             "follow_up": "'advice'", "occurred_at": "collected_at + interval '10 minutes'",
             "reported_at": "collected_at + interval '20 minutes'"},
            "FROM (SELECT id, site_id, collected_at, random() AS r, random() AS r2 FROM donations_donation) d "
            "WHERE random() < 0.02",
        )  # fmt: skip

    def reactions():
        # About 0.5% of issued units: one reaction each, a third concluded.
        insert_select(
            TransfusionReaction,
            {"hospital_id": "issued_to_id", "bank_id": "site_id",
             "status": "CASE WHEN r < 0.33 THEN 'concluded' ELSE 'reported' END",
             "category": "CASE WHEN r2 < 0.5 THEN 'fnhtr' WHEN r2 < 0.9 THEN 'allergic' ELSE 'taco' END",
             "severity": "CASE WHEN r2 < 0.95 THEN 'non_severe' ELSE 'severe' END", "imputability": "'possible'",
             "transfusion_started_at": "issued_at + interval '1 hour'",
             "onset_at": "issued_at + interval '90 minutes'", "minutes_from_start": "30",
             "signs": "'[\"fever\"]'::jsonb", "reported_at": "issued_at + interval '3 hours'",
             "concluded_category": "CASE WHEN r < 0.33 THEN 'fnhtr' ELSE '' END",
             "concluded_severity": "CASE WHEN r < 0.33 THEN 'non_severe' ELSE '' END",
             "concluded_imputability": "CASE WHEN r < 0.33 THEN 'likely' ELSE '' END",
             "conclusion": "CASE WHEN r < 0.33 THEN 'Reviewed.' ELSE '' END",
             "note": "id::text"},
            "FROM (SELECT id, site_id, issued_to_id, issued_at, random() AS r, random() AS r2 "
            "FROM inventory_bloodunit WHERE state = 'issued' AND issued_to_id IS NOT NULL) u WHERE random() < 0.005",
        )  # fmt: skip
        # The note carried the unit's id for this join only.
        insert_select(
            ReactionUnit,
            {"reaction_id": "id", "unit_id": "note::bigint"},
            "FROM haemovigilance_transfusionreaction",
        )
        execute("UPDATE haemovigilance_transfusionreaction SET note = ''")

    def deferrals():
        execute("UPDATE donors_deferral SET created_at = starts_on + time '09:00'")

    step("unit events", events)
    step("allocations", allocations)
    step("returns", returns)
    step("complications", complications)
    step("reactions", reactions)
    step("deferrals", deferrals)
    start = time.perf_counter()
    execute("VACUUM (ANALYZE)")
    timings["vacuum analyze"] = time.perf_counter() - start
    return timings


def last_full_month(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


INDEX_USED = re.compile(r"(?:Index|Index Only|Bitmap Index) Scan (?:Backward )?(?:using|on) (\w+)")


def _timed(fn, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
    return timings


def _run(compute, scope, start, end, runs: int, label: str, explain: bool) -> dict:
    """One unrecorded run (its statements captured and explained), then `runs` timed ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        compute(scope, start, end)  # unrecorded: warms the cache as a repeated report would find it
    timings = _timed(lambda: compute(scope, start, end), runs)
    used, plans = set(), []
    for query in captured.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        used |= set(INDEX_USED.findall(plan))
        if explain:
            plans.append(f"-- {label}\n{query['sql']}\n\n{plan}")
    return {
        "queries": len(captured.captured_queries),
        "median_s": statistics.median(timings),
        "max_s": max(timings),
        "indexes": sorted(used),
        "plans": plans,
    }


def measure(runs: int, explain: bool) -> dict:
    """Every report's national monthly query (and the export), timed, with its baseline and plans;
    and the same for the bank with the most collections (what its staff see)."""
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from dblood.haemovigilance.export import export_lines
    from dblood.reports.periods import Period
    from dblood.reports.reports import REPORTS
    from dblood.reports.scope import Scope
    from dblood.sites.models import Site

    zone = ZoneInfo(settings.TIME_ZONE)
    first, last = last_full_month(timezone.localdate())
    national = Scope(site_ids=None, zone=zone)
    busiest = Site.objects.annotate(n=Count("donations")).order_by("-n", "pk").values_list("pk", flat=True)[0]
    one_bank = Scope(site_ids=(busiest,), zone=zone)
    jobs = {name: (report.compute, report.one_day) for name, report in REPORTS.items()}
    jobs["haemovigilance_export"] = (export_lines, False)

    def count(table: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a fixed table name
            cursor.fetchone()

    results, plans = [], []
    for name, (compute, one_day) in jobs.items():
        start, end = (Period(last, last) if one_day else Period(first, last)).bounds(zone)
        table = BASELINE[name]
        count(table)
        baseline = _timed(lambda table=table: count(table), runs)
        whole = _run(compute, national, start, end, runs, f"{name}, national", explain)
        bank = _run(compute, one_bank, start, end, runs, f"{name}, one bank (site {busiest})", explain)
        plans += whole.pop("plans") + bank.pop("plans")
        results.append(
            {
                "report": name,
                "period": f"{start.date()}..{(end - timedelta(days=1)).date()}",
                **whole,
                "baseline_table": table,
                "baseline_s": statistics.median(baseline),
                "bank_median_s": bank["median_s"],
                "bank_indexes": bank["indexes"],
            }
        )
    with connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    load = os.getloadavg()[0]
    return {"month": first.strftime("%Y-%m"), "results": results, "counts": counts, "plans": plans, "load": load}


def _fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def section(points: list[dict], command: str, machine: str) -> str:
    """The RESULTS.md section: one table, a row per report, a column group per size."""
    sizes = [p["donors"] for p in points]
    largest = points[-1]
    head = ["report", "queries", "baseline table"]
    for size in sizes:
        head += [f"{size:,} donors: ms (max)", "baseline ms", "ratio"]
    head += [f"under {TARGET_S:.0f} s at {sizes[-1]:,}", "indexes used (national)"]
    head += [f"one bank at {sizes[-1]:,}: ms", "indexes used (one bank)"]
    lines = [
        SECTION,
        "",
        f"- **Date**: {datetime.now(tz=None).astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- **Command**: `{command}` (bench/reports.py)",
        f"- **Machine**: {machine}"
        + (f"; load average {largest['load']:.1f} after the largest size's runs" if "load" in largest else ""),
        f"- **What**: each report's query for the whole country and the last full month ({largest['month']}; "
        "the daily stock: its last day), computed in a Django process by the report's own function "
        "(`dblood.reports.reports`, the export's `dblood.haemovigilance.export.export_lines`), median of "
        f"{largest['runs']} runs after one unrecorded run (and the slowest). Baseline: a plain `SELECT count(*)` "
        "of the table the report reads most, in the same process just before; ratio = report / baseline. "
        "The same queries for one bank (the one with the most collections), as its staff see them, at the "
        "largest size.",
        "- **Dataset**: the growth benchmark's (`python -m bench seed`) plus the history the reports count "
        "(`seed_history`). At the largest size: "
        + ", ".join(f"{t} {n:,}" for t, n in largest["counts"].items())
        + f"; seeded in {largest['seed_s']:.0f} s + {largest['history_s']:.0f} s.",
        f"- **Target**: every report under {TARGET_S:.0f} s at 1,000,000 donors (a benchmark, not a timed test). "
        "Plans: [reports_explain.txt](reports_explain.txt).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---:" if re.search(r"queries|ms|ratio", h) else "---" for h in head) + "|",
    ]
    for index, row in enumerate(largest["results"]):
        cells = [row["report"], str(row["queries"]), f"`{row['baseline_table']}`"]
        for point in points:
            r = point["results"][index]
            ratio = r["median_s"] / r["baseline_s"] if r["baseline_s"] else float("nan")
            cells += [f"{_fmt_s(r['median_s'])} ({_fmt_s(r['max_s'])})", _fmt_s(r["baseline_s"]), f"{ratio:.1f}"]
        cells.append("yes" if row["max_s"] < TARGET_S else "**no**")
        cells.append(", ".join(f"`{i}`" for i in row["indexes"]) or "none (sequential scans)")
        cells.append(_fmt_s(row["bank_median_s"]))
        cells.append(", ".join(f"`{i}`" for i in row["bank_indexes"]) or "none (sequential scans)")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    """Replace the file's reports section (up to the next `## `), or add it at the end."""
    old = path.read_text() if path.exists() else "# dblood benchmark results\n"
    parts = re.split(r"(?m)^(?=## )", old)
    kept = [part for part in parts if not part.startswith(SECTION + "\n")]
    path.write_text("".join(kept).rstrip() + "\n\n" + text)


def run_size(pg, donors: int, runs: int, explain: bool) -> dict:
    from .servers import ROOT, bench_env, create_database, manage

    dsn = create_database(pg, f"reports_{donors}")
    env = bench_env(dsn, None)
    manage(env, "migrate", "--noinput", "-v0")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench", "seed", "--donors", str(donors)], cwd=ROOT, env=env, check=True)
    seed_s = time.perf_counter() - start
    args = [sys.executable, "-m", "bench", "reports", "--measure", "--runs", str(runs)]
    completed = subprocess.run(
        args + (["--explain"] if explain else []), cwd=ROOT, env=env, capture_output=True, text=True
    )
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_REPORTS "):
            return {"donors": donors, "runs": runs, "seed_s": seed_s, **json.loads(line.removeprefix("BENCH_REPORTS "))}
    raise RuntimeError(f"reports measurement failed:\n{completed.stderr[-4000:]}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated donor counts")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent), help="directory of RESULTS.md")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # inside the Django process
    parser.add_argument("--explain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        import django

        django.setup()
        start = time.perf_counter()
        history = seed_history()
        history_s = time.perf_counter() - start
        print(f"history seeded in {history_s:.1f} s: {history}", file=sys.stderr)
        print("BENCH_REPORTS " + json.dumps({"history_s": history_s, **measure(args.runs, args.explain)}))
        return

    from .report import machine
    from .servers import start_postgresql, stop_postgresql

    sizes = [int(x) for x in args.sizes.split(",") if x]
    out = Path(args.out)
    pg = start_postgresql()
    points = []
    try:
        for index, donors in enumerate(sizes):
            print(f"reports: {donors} donors", flush=True)
            points.append(run_size(pg, donors, args.runs, explain=index == len(sizes) - 1))
    finally:
        stop_postgresql(pg)
    command = "python -m bench reports"
    command += "" if args.sizes == parser.get_default("sizes") else f" --sizes {args.sizes}"
    command += "" if args.runs == parser.get_default("runs") else f" --runs {args.runs}"
    text = section(points, command, machine())
    (out / "reports_explain.txt").write_text(
        f"EXPLAIN (ANALYZE, BUFFERS) of every report query at {sizes[-1]:,} donors ({command}).\n\n"
        + "\n\n----\n\n".join(points[-1].pop("plans"))
        + "\n"
    )
    for point in points:
        point.pop("plans", None)
    (out / "reports.json").write_text(json.dumps(points, indent=1) + "\n")
    write_section(out / "RESULTS.md", text)
    print(text)
