"""bench/RESULTS.md and its PNG charts, from one run."""

import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from . import callout as selection

ROOT = Path(__file__).resolve().parent.parent
P99_TARGET_MS = 250
CALLOUT_TARGET_MS = 50


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    pg = subprocess.run(["scripts/pg_ctl", "--version"], capture_output=True, text=True, cwd=ROOT)
    return (
        f"{os.cpu_count()} CPUs (`nproc`), {mem_kb / 1024 / 1024:.1f} GiB memory, {cpu}; "
        f"{platform.platform()}, Python {platform.python_version()}, {pg.stdout.strip()}"
    )


def _ok(flag: bool | None) -> str:
    return "" if flag is None else ("yes" if flag else "**no**")


def _fmt(value, spec=".0f") -> str:
    return "–" if value is None else format(value, spec)


def endpoint_table(results) -> list[str]:
    rows = [
        "| endpoint | req/s | ratio to ceiling | target | p50 ms | p95 ms | p99 ms | errors | queries/request "
        "(page 10 / 100) | one at a time: ms (of which SQL) | meets targets |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for m in results:
        if m.wrk is None:
            rows.append(f"| {m.label} | – | – | – | – | – | – | – | – | – | {m.note} |")
            continue
        w = m.wrk
        queries = _fmt(m.probe.queries, "d")
        constant = None
        if m.probe.queries_small is not None:
            queries = f"{m.probe.queries_small} / {m.probe.queries_large}"
            constant = m.probe.queries_small == m.probe.queries_large
        checks = [w.p99_ms < P99_TARGET_MS]
        if m.target_ratio is not None:
            checks.append(m.ratio >= m.target_ratio)
        if constant is not None:
            checks.append(constant)
        status = "" if m.probe.status in (200, 201, 304) else f" (probe answered {m.probe.status})"
        errors = f"{w.errors}" + (f" ({w.non_2xx} non-2xx)" if w.non_2xx else "")
        target = f"≥ {m.target_ratio:.0%}" if m.target_ratio else ""
        alone = "–"
        if m.probe.alone_ms is not None:
            alone = f"{m.probe.alone_ms:.1f} ({m.probe.alone_sql_ms:.1f})"
        verdict = _ok(all(checks)) if m.kind not in ("ceiling", "reference") else "reference"
        rows.append(
            f"| {m.label}{status} | {w.rps:.0f} | {m.ratio:.0%} | {target} | {w.p50_ms:.1f} | {w.p95_ms:.1f} | "
            f"{w.p99_ms:.1f} | {errors} | {queries} | {alone} | {verdict} |"
        )
    return rows


def growth_table(run) -> list[str]:
    rows = [
        "| donors | units | seed s | stock req/s | stock p50 ms | drive search (computed) req/s | drive search p50 ms "
        "| call-out: app selector median ms | call-out: one SQL statement median ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for g in run.growth:
        rows.append(
            f"| {g.donors:,} | {g.units:,} | {g.seed_s:.0f} | {_fmt(g.stock_rps)} | {_fmt(g.stock_p50_ms, '.1f')} | "
            f"{_fmt(g.drives_rps)} | {_fmt(g.drives_p50_ms, '.1f')} | "
            f"{_fmt(g.selector_median_ms, '.1f')} | {g.callout_median_ms:.1f} |"
        )
    return rows


def charts(run, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    measured = [m for m in run.results if m.wrk and m.kind not in ("ceiling", "reference")]
    references = [m for m in run.results if m.wrk and m.kind == "reference"]
    if measured:
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
        # Left: the reference views (grey: the floor of each kind of request), then the endpoints
        # (reads red, writes dark red), then the cached reads computed on every request (pink).
        computed = [m for m in getattr(run, "computed", None) or [] if m.wrk and m.kind == "read"]
        shown = [*references, *measured, *computed]
        names = [m.name for m in (*references, *measured)] + [f"{m.name}, uncached" for m in computed]
        colours = {"reference": "#999", "write": "#8a1c1c"}
        bar_colours = [colours.get(m.kind, "#c44") for m in (*references, *measured)] + ["#e9a3a3"] * len(computed)
        left.bar(names, [m.ratio * 100 for m in shown], color=bar_colours)
        left.axhline(80, ls="--", c="k", lw=0.8, label="target: stock (cached) 80%")
        left.axhline(40, ls=":", c="k", lw=0.8, label="target: other reads 40%")
        left.set_ylabel("% of the ceiling's req/s (same run)")
        left.set_title(f"Throughput vs. minimal Django view ({run.ceiling_rps[0]:.0f} req/s)")
        left.legend(fontsize=8)
        names = [m.name for m in measured]
        x = range(len(measured))
        for offset, attr, label in ((-0.25, "p50_ms", "p50"), (0, "p95_ms", "p95"), (0.25, "p99_ms", "p99")):
            right.bar([i + offset for i in x], [getattr(m.wrk, attr) for m in measured], width=0.25, label=label)
        right.axhline(P99_TARGET_MS, ls="--", c="k", lw=0.8, label="p99 target")
        right.set_xticks(list(x), names)
        right.set_ylabel("latency, ms")
        right.set_title(f"Latency at {run.connections} connections")
        right.legend(fontsize=8)
        for axis in (left, right):
            plt.setp(axis.get_xticklabels(), rotation=40, ha="right", rotation_mode="anchor")
        fig.tight_layout()
        fig.savefig(out / "throughput.png", dpi=110)
        plt.close(fig)
        made.append("throughput.png")
    if run.growth:
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
        donors = [g.donors for g in run.growth]
        left.plot(donors, [g.stock_p50_ms or 0 for g in run.growth], "o-", label="stock p50")
        left.plot(donors, [g.drives_p50_ms or 0 for g in run.growth], "s-", label="drive search p50 (computed)")
        left.plot(donors, [g.selector_median_ms or 0 for g in run.growth], "^-", label="call-out: app selector median")
        left.plot(donors, [g.callout_median_ms for g in run.growth], "v--", label="call-out: one SQL statement")
        left.axhline(CALLOUT_TARGET_MS, ls="--", c="k", lw=0.8, label="call-out target 50 ms")
        left.set_xscale("log")
        left.set_xlabel("donors (units = donors / 2)")
        left.set_ylabel("ms")
        left.set_title("Cost per request as the data grows")
        left.legend(fontsize=8)
        right.plot(donors, [g.stock_rps or 0 for g in run.growth], "o-", label="stock")
        right.plot(donors, [g.drives_rps or 0 for g in run.growth], "s-", label="drive search (computed)")
        right.set_xscale("log")
        right.set_xlabel("donors")
        right.set_ylabel(f"req/s at {run.connections} connections")
        right.set_title("Throughput as the data grows")
        right.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "growth.png", dpi=110)
        plt.close(fig)
        made.append("growth.png")
    return made


def write(run, out: Path) -> None:
    made = charts(run, out)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    ceiling = ", ".join(f"{r:.0f}" for r in run.ceiling_rps)
    lines = [
        "# dblood benchmark results",
        "",
        f"- **Date**: {when}",
        f"- **Command**: `{run.command}` (`python -m bench run`, see bench/run.py)",
        f"- **Machine**: {machine()}",
        f"- **Server**: gunicorn, {run.workers} sync workers, production settings (`bench.settings`: plain HTTP, "
        f"a ceiling view and an `X-DB-Queries` header added), memcached, PostgreSQL on the same machine",
        f"- **Load**: wrk, 2 threads, {run.connections} connections, {run.seconds} s per endpoint, "
        "from a second process on the same machine (it competes for the same cores: read ratios, not absolute numbers)",
        f"- **Dataset**: seeded in {run.seed_s:.0f} s: "
        + ", ".join(f"{table} {n:,}" for table, n in run.counts.items()),
        "",
        "## Throughput and latency per endpoint",
        "",
        "Ceiling: a minimal Django JSON view behind the same middleware (no database, no DRF), measured "
        f"before the first endpoint and after each one: {ceiling} req/s. The machine is shared and its load "
        "drifts, so each endpoint's ratio is to the mean of the ceiling runs just before and just after it "
        "(the ceiling row shows the mean of all). Targets: stock ≥ 80% of the ceiling, other reads ≥ 40%, "
        'p99 < 250 ms, queries per request the same at page size 10 and 100. "One at a time": the median of '
        "10 requests sent one after another before the load (client wall time, and the SQL time the worker "
        "saw, `X-DB-Time`).",
        "",
        *endpoint_table(run.results),
        "",
    ]
    if "throughput.png" in made:
        lines += ["![throughput and latency](throughput.png)", ""]
    if getattr(run, "computed", None):
        lines += [
            "### The same reads computed on every request",
            "",
            "Drive search, nearest blood banks, eligibility and the staff unit list are served from cached "
            "answers (`dblood.core.answers`): kept until a write changes the data behind them, at most "
            "`ANSWER_CACHE_SECONDS`. Above, each distinct request was sent once before the run (unrecorded), "
            "so wrk measures answers served from the cache. Here the same requests go to a second server started with "
            "`ANSWER_CACHE_SECONDS=0`: what a request costs when its answer is not cached (the first after a "
            "change, or a point nobody asked about lately). Its own ceiling runs are in the first row.",
            "",
            *endpoint_table(run.computed),
            "",
        ]
    if run.selector or run.callout:
        lines += [f"## Call-out selection over {run.counts.get('donors_donor', 0):,} donors", ""]
    if run.selector:
        s = run.selector
        (out / "callout_explain.txt").write_text(s["plan"] + "\n")
        lines += [
            "The requests app's selector (`dblood.requests.donor_pool.nearby_donors`, what the worker runs per "
            f"batch of 50): median **{s['median_ms']:.1f} ms** (p95 {s['p95_ms']:.1f} ms) over {s['runs']} runs, a "
            "request from each province's capital, recipient groups A+, O+, B+, AB+, O-, red cells, 25 km; "
            f"median {s['median_rows']} donors chosen. Target ≤ {CALLOUT_TARGET_MS} ms: "
            f"{_ok(s['median_ms'] <= CALLOUT_TARGET_MS)}. Jakarta, A+ (the densest case): "
            f"{s['plan_case_ms']:.0f} ms, {s['plan_case_queries']} queries taking {s['plan_case_sql_ms']:.0f} ms; "
            "every statement's plan: [callout_explain.txt](callout_explain.txt).",
            "",
        ]
    if run.callout:
        c = run.callout
        explain = "callout_sql_explain.txt" if run.selector else "callout_explain.txt"
        (out / explain).write_text(c.plan + "\n")
        lines += [
            "One SQL statement doing the whole selection (bench/callout.py: group, opt-in, bounding box, "
            "both radii, weekly cap, age, weight, deferrals and the donation interval in the database, "
            f"nearest first, LIMIT 50): median **{c.median_ms:.1f} ms** (p95 {c.p95_ms:.1f} ms) over {c.runs} "
            f"runs of the same cases; median {c.median_rows} donors selected. "
            f"Target ≤ {CALLOUT_TARGET_MS} ms: {_ok(c.median_ms <= CALLOUT_TARGET_MS)}. "
            f"Plan for Jakarta, A+: [{explain}]({explain}).",
            "",
        ]
        if run.callout_indexed:
            c = run.callout_indexed
            (out / "callout_explain_indexed.txt").write_text(c.plan + "\n")
            lines += [
                "The migrations have no index on the donors' location, so the bounding box cannot be an index "
                f"cut. With `{selection.PROPOSED_INDEX}` (created for this measurement only, then dropped): "
                f"median **{c.median_ms:.1f} ms** (p95 {c.p95_ms:.1f} ms); plan: "
                "[callout_explain_indexed.txt](callout_explain_indexed.txt).",
                "",
            ]
    if run.growth:
        sizes = f"{run.growth[0].donors:,} to {run.growth[-1].donors:,}"
        lines += [f"## Growth: {sizes} donors", "", *growth_table(run), ""]
        if "growth.png" in made:
            lines += ["![growth](growth.png)", ""]
    findings = os.path.relpath(ROOT / "bench" / "FINDINGS.md", out)
    lines += [
        "## Findings",
        "",
        "What the profiles (py-spy, one unrecorded pass per endpoint: [profiles/](profiles/)), the plans and "
        f"the query counts showed, and what to change: [FINDINGS.md]({findings}).",
        "",
    ]
    lines += _kept(out / "RESULTS.md")
    (out / "RESULTS.md").write_text("\n".join(lines))


# Sections other commands write into RESULTS.md (`make bench-soak`, `make bench-reports`): a benchmark run keeps them.
KEPT_SECTIONS = ("## Soak", "## Reports")


def _kept(path: Path) -> list[str]:
    """Each KEPT_SECTIONS section of the file as it is (up to the next `## ` heading)."""
    if not path.exists():
        return []
    kept = []
    for part in re.split(r"(?m)^(?=## )", path.read_text()):
        if part.startswith(KEPT_SECTIONS):
            kept += [part.rstrip(), ""]
    return kept
