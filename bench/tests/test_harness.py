"""The harness's own parsing and splitting (no server, no database, no timing)."""

from pathlib import Path

import pytest

from bench.geo import PROVINCES, split
from bench.wrk import parse, write_requests

WRK_OUTPUT = """Running 4s test @ http://127.0.0.1:8000
  2 threads and 32 connections
  Latency    20.12ms   10.00ms  90.00ms   70.00%
  4000 requests in 4.00s, 1.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1000.00
BENCH_JSON {"duration_us": 4000000, "requests": 4000, "p50_us": 18000, "p95_us": 40000, "p99_us": 85500, \
"max_us": 90000, "connect": 0, "read": 1, "write": 0, "status": 3, "timeout": 2}
"""


def test_parse_reads_the_lua_summary_line():
    result = parse(WRK_OUTPUT)
    assert result.rps == 1000
    assert (result.p50_ms, result.p95_ms, result.p99_ms) == (18, 40, 85.5)
    assert (result.socket_errors, result.non_2xx, result.errors) == (3, 3, 6)


def test_parse_without_summary_is_an_error():
    with pytest.raises(ValueError, match="BENCH_JSON"):
        parse("Running 4s test\n")


def test_split_is_exact_and_proportional():
    counts = split(1_000_000, [p.population_m for p in PROVINCES])
    assert sum(counts) == 1_000_000
    jawa_barat = counts[[p.name for p in PROVINCES].index("Jawa Barat")]
    assert 170_000 < jawa_barat < 185_000


def test_request_file_rejects_bodies_that_would_break_the_tsv(tmp_path):
    write_requests(tmp_path / "ok.tsv", [("GET", "/a", None, None), ("POST", "/b", "tok", '{"x":1}')])
    assert (tmp_path / "ok.tsv").read_text() == 'GET\t/a\t-\t-\t-\nPOST\t/b\ttok\t{"x":1}\t-\n'
    with pytest.raises(ValueError):
        write_requests(tmp_path / "bad.tsv", [("POST", "/b", "tok", "{\n}")])


def test_a_revalidating_line_carries_its_tag_in_the_fifth_column(tmp_path):
    """The stock-304 row: the Lua script sends the fifth column as If-None-Match."""
    write_requests(tmp_path / "tag.tsv", [("GET", "/api/v1/stock", None, None, '"abc-gz"')])
    assert (tmp_path / "tag.tsv").read_text() == 'GET\t/api/v1/stock\t-\t-\t"abc-gz"\n'
    lua = (Path(__file__).parents[1] / "lua" / "requests.lua").read_text()
    assert 'headers["If-None-Match"] = f[5]' in lua


def test_profile_summary_counts_self_and_inclusive_time(tmp_path):
    from bench.profile import summarise

    raw = tmp_path / "raw.txt"
    raw.write_text(
        "process 1;handle (gunicorn/sync.py:1);view (dblood/drives/views.py:5);wait (psycopg/connection.py:9) 3\n"
        "process 1;handle (gunicorn/sync.py:1);view (dblood/drives/views.py:5) 1\n"
    )
    text = summarise(raw)
    assert text.startswith("4 samples")
    assert " 75.0%  wait (psycopg/connection.py:9)" in text
    assert "100.0%  view (dblood/drives/views.py:5)" in text


def test_a_rewrite_of_the_results_keeps_the_soak_section(tmp_path):
    from bench.report import _kept

    results = tmp_path / "RESULTS.md"
    assert _kept(results) == []
    results.write_text(
        "# dblood benchmark results\n\n## Throughput\n\nold table\n\n## Soak\n\n28436 requests\n\n## Older\n\nx\n"
    )
    assert _kept(results) == ["## Soak\n\n28436 requests", ""]
    results.write_text("# dblood benchmark results\n\n## Throughput\n")
    assert _kept(results) == []


def test_charts_are_drawn_again_from_the_results_file(tmp_path):
    import json

    from bench import charts

    wrk = {"requests": 300, "seconds": 3.0, "p50_ms": 5.0, "p95_ms": 9.0, "p99_ms": 12.0, "max_ms": 20.0,
           "socket_errors": 0, "non_2xx": 0}  # fmt: skip
    results = [
        {"name": name, "label": name, "kind": kind, "target_ratio": None, "probe": {}, "wrk": wrk, "ratio": ratio}
        for name, kind, ratio in (("ceiling", "ceiling", 1.0), ("orm-page", "reference", 0.2), ("stock", "cached", 0.8))
    ]
    run = {"connections": 32, "ceiling_rps": [100.0], "results": results, "growth": []}
    (tmp_path / "results.json").write_text(json.dumps(run))
    charts.main([str(tmp_path)])
    assert (tmp_path / "throughput.png").stat().st_size > 10_000


def test_reports_month_and_results_section(tmp_path):
    """The reports benchmark's month, its table, and that it replaces only its own section."""
    from datetime import date

    from bench.reports import SECTION, last_full_month, section, write_section

    assert last_full_month(date(2026, 3, 1)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert last_full_month(date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))
    row = {"report": "wastage", "queries": 2, "median_s": 0.5, "max_s": 2.5, "baseline_table": "t",
           "baseline_s": 0.25, "indexes": ["i"], "bank_median_s": 0.01, "bank_indexes": []}  # fmt: skip
    point = {"donors": 1000, "month": "2026-02", "runs": 3, "counts": {"t": 9}, "seed_s": 1, "history_s": 1,
             "results": [row]}  # fmt: skip
    text = section([point], "python -m bench reports", "a machine")
    line = "| wastage | 2 | `t` | 500.0 (2500.0) | 250.0 | 2.0 | **no** | `i` | 10.0 | none (sequential scans) |"
    assert line in text
    results = tmp_path / "RESULTS.md"
    results.write_text("# R\n\n## Growth\n\ng\n\n" + SECTION + "\n\nold\n\n## Soak\n\ns\n")
    write_section(results, text)
    written = results.read_text()
    assert "old" not in written and written.count(SECTION + "\n") == 1
    assert "## Growth\n\ng" in written and "## Soak\n\ns" in written
