"""The requests app's own call-out selection (`donor_pool.nearby_donors`), timed over the seeded data.

Run in a Django process by the runner (`python -m bench selector`); prints one JSON object:
median and p95 wall time per selection (what the worker pays per batch), queries per selection,
and the EXPLAIN ANALYZE of each distinct statement it ran for the committed case (Jakarta, A+).
"""

import json
import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dblood.requests.compatibility import compatible_groups
from dblood.requests.donor_pool import nearby_donors
from dblood.sites.models import Site

from .callout import PLAN_CASE, cases


def _select(case, limit: int = 50) -> list:
    site = Site(latitude=case.lat, longitude=case.lon)
    groups = compatible_groups(component="PRC", patient_abo=case.abo, patient_rhd=case.rhd)
    return nearby_donors(site=site, radius_km=case.radius_km, groups=groups, donation_type="whole_blood", limit=limit)


def measure(rounds: int = 2) -> dict:
    timings, rows = [], []
    for _ in range(rounds):
        for case in [PLAN_CASE, *cases()]:
            start = time.perf_counter()
            rows.append(len(_select(case)))
            timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        _select(PLAN_CASE)
        plan_case_ms = (time.perf_counter() - start) * 1000
    seen, plans, sql_ms = set(), [], 0.0
    for query in captured.captured_queries:
        sql_ms += float(query["time"]) * 1000
        shape = query["sql"].split(" WHERE ")[0]
        if shape in seen:
            continue
        seen.add(shape)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plans.append(query["sql"] + "\n\n" + "\n".join(r[0] for r in cursor.fetchall()))
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "runs": len(timings),
        "median_rows": int(statistics.median(rows)),
        "plan_case_ms": plan_case_ms,
        "plan_case_queries": len(captured.captured_queries),
        "plan_case_sql_ms": sql_ms,
        "plan": "\n\n----\n\n".join(plans),
    }


def main(argv: list[str]) -> None:
    print("BENCH_SELECTOR " + json.dumps(measure()))
