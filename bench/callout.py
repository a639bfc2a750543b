"""Call-out selection over the seeded donors: median time of the selection query and its plan.

Until the requests app ships its call-out selector, this is the query that selector is expected to
run: compatible group, opted in, inside a bounding box on latitude/longitude (the index's cut),
within both the request's radius and the donor's own alert radius, under the weekly alert cap,
eligible today (age, weight, no active deferral, no whole-blood donation in the interval),
nearest first.
"""

import math
import statistics
import time
from dataclasses import dataclass

import psycopg

from .geo import PROVINCES

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = 111.32
# Red cells: recipient ABO -> donor ABO (docs/domain.md). RhD-negative recipients get RhD-negative only.
RED_CELL_DONORS = {"O": ["O"], "A": ["A", "O"], "B": ["B", "O"], "AB": ["AB", "A", "B", "O"]}

SELECTION_SQL = """
SELECT id, user_id, distance_km FROM (
    SELECT d.id, d.user_id, d.alert_radius_km,
           2 * %(earth)s * asin(sqrt(
               power(sin(radians(d.latitude - %(lat)s) / 2), 2)
               + cos(radians(%(lat)s)) * cos(radians(d.latitude))
               * power(sin(radians(d.longitude - %(lon)s) / 2), 2))) AS distance_km
    FROM donors_donor d
    WHERE d.abo = ANY(%(abo)s) AND d.rhd = ANY(%(rhd)s)
      AND d.call_out_opt_in
      AND d.latitude BETWEEN %(lat_min)s AND %(lat_max)s
      AND d.longitude BETWEEN %(lon_min)s AND %(lon_max)s
      AND d.birth_date BETWEEN current_date - interval '60 years' AND current_date - interval '17 years'
      AND d.weight_kg >= 45
      AND NOT EXISTS (
          SELECT 1 FROM donors_deferral f
          WHERE f.donor_id = d.id AND f.starts_on <= current_date AND (f.permanent OR f.ends_on > current_date))
      AND NOT EXISTS (
          SELECT 1 FROM donations_donation dn
          WHERE dn.donor_id = d.id AND dn.donation_type = 'whole_blood'
            AND dn.collected_at > now() - interval '60 days')
      AND (SELECT count(*) FROM notifications_notification n
           WHERE n.user_id = d.user_id AND n.kind = 'call_out'
             AND n.created_at > now() - interval '7 days') < d.max_alerts_per_week
) AS candidates
WHERE distance_km <= least(%(radius)s, alert_radius_km)
ORDER BY distance_km, id
LIMIT %(limit)s
"""


@dataclass(frozen=True)
class Case:
    label: str
    lat: float
    lon: float
    abo: str
    rhd: str
    radius_km: float = 25

    def params(self, limit: int = 50) -> dict:
        dlat = self.radius_km / KM_PER_DEGREE_LAT
        dlon = self.radius_km / (KM_PER_DEGREE_LAT * max(math.cos(math.radians(self.lat)), 0.01))
        return {
            "earth": EARTH_RADIUS_KM,
            "lat": self.lat,
            "lon": self.lon,
            "lat_min": self.lat - dlat,
            "lat_max": self.lat + dlat,
            "lon_min": self.lon - dlon,
            "lon_max": self.lon + dlon,
            "abo": RED_CELL_DONORS[self.abo],
            "rhd": ["-"] if self.rhd == "-" else ["+", "-"],
            "radius": self.radius_km,
            "limit": limit,
        }


def cases() -> list[Case]:
    """A request from each province's capital, recipient groups cycling through the common ones;
    the densest city (Jakarta, A+) is the case whose plan is committed."""
    groups = [("A", "+"), ("O", "+"), ("B", "+"), ("AB", "+"), ("O", "-")]
    return [Case(p.city, p.lat, p.lon, *groups[i % len(groups)]) for i, p in enumerate(PROVINCES)]


PLAN_CASE = Case("Jakarta", -6.20, 106.85, "A", "+")


@dataclass(frozen=True)
class CalloutResult:
    median_ms: float
    p95_ms: float
    runs: int
    median_rows: int
    plan: str


def measure(dsn: str, *, rounds: int = 3) -> CalloutResult:
    """Median over every case, `rounds` times each (first round warms the cache)."""
    timings, rows = [], []
    with psycopg.connect(dsn, autocommit=True) as conn:
        for _ in range(rounds):
            for case in [PLAN_CASE, *cases()]:
                start = time.perf_counter()
                found = conn.execute(SELECTION_SQL, case.params()).fetchall()
                timings.append((time.perf_counter() - start) * 1000)
                rows.append(len(found))
        plan = "\n".join(
            row[0] for row in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + SELECTION_SQL, PLAN_CASE.params())
        )
    timings.sort()
    return CalloutResult(
        median_ms=statistics.median(timings),
        p95_ms=timings[int(len(timings) * 0.95) - 1],
        runs=len(timings),
        median_rows=int(statistics.median(rows)),
        plan=plan,
    )


PROPOSED_INDEX = "CREATE INDEX bench_proposed_donor_lat_lon ON donors_donor (latitude, longitude)"


def has_location_index(dsn: str) -> bool:
    with psycopg.connect(dsn) as conn:
        defs = [r[0] for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'donors_donor'")]
    return any("(latitude" in d or "point(longitude" in d for d in defs)


def measure_with_proposed_index(dsn: str) -> CalloutResult:
    """The same measurement with the index the migrations lack, created for this run and dropped after."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(PROPOSED_INDEX)
        conn.execute("ANALYZE donors_donor")
    try:
        return measure(dsn)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("DROP INDEX bench_proposed_donor_lat_lon")
            conn.execute("ANALYZE donors_donor")


def main(argv: list[str]) -> None:
    result = measure(argv[0])
    print(result.plan)
    print(f"median {result.median_ms:.1f} ms, p95 {result.p95_ms:.1f} ms over {result.runs} runs")
