"""Seed a realistic PostgreSQL dataset fast: set-based SQL (INSERT ... SELECT generate_series).

    python -m bench seed --donors 1000000   (DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS set)

Donors (each with a user) live around their province's capital, in proportion to its population,
with Indonesia's ABO/RhD mix (bench/geo.py). Blood banks and hospitals, drives with slots,
a year of donations and the units made from them, deferrals. Expects a freshly migrated database.
"""

import argparse
import random
import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from dblood.accounts.models import Membership, User
from dblood.core.blood import Component
from dblood.donations.models import Donation
from dblood.donors.models import Deferral, DeferralReason, Donor
from dblood.drives.models import Drive, Slot
from dblood.inventory.models import BloodUnit
from dblood.sites.models import Site

from . import history
from .geo import ABO_MIX, PROVINCES, RHD_NEGATIVE, split
from .sql import execute, insert_select, reset_sequence, scalar

PASSWORD = "bench-pass-2026"
DONOR_EMAIL = "donor{}@bench.dblood"  # donor number n (1-based) signs in with this
# Shelf lives (days) for the components the seeder makes: docs/domain.md defaults.
SHELF_DAYS = {Component.PRC: 35, Component.FFP: 365, Component.TC: 5}


@dataclass(frozen=True)
class Sizes:
    donors: int
    units: int
    drives: int
    sites: int = 200

    @classmethod
    def for_donors(cls, donors: int) -> "Sizes":
        """The full dataset's proportions: 1M donors, 500k units, 5,000 drives."""
        return cls(donors=donors, units=donors // 2, drives=max(50, donors // 200))


def _abo_case(r: str) -> str:
    parts, cumulative = [], 0.0
    for abo, share in ABO_MIX[:-1]:
        cumulative += share
        parts.append(f"WHEN {r} < {cumulative:.4f} THEN '{abo}'")
    return f"CASE {' '.join(parts)} ELSE '{ABO_MIX[-1][0]}' END"


def _jitter(center: float, spread: float, a: str, b: str, c: str) -> str:
    # Sum of three uniforms: close to normal, standard deviation `spread` degrees.
    return f"({center} + {spread} * 2 * ({a} + {b} + {c} - 1.5))"


def seed_sites(total: int, rng: random.Random) -> None:
    """Blood banks (one per province at least, the rest by population) and hospitals, with staff."""
    banks = max(len(PROVINCES), total * 2 // 5)
    weights = [p.population_m for p in PROVINCES]
    bank_counts = [1 + n for n in split(banks - len(PROVINCES), weights)]
    hospital_counts = split(total - banks, weights)
    sites, hospitals = [], []
    for province, n_banks, n_hospitals in zip(PROVINCES, bank_counts, hospital_counts, strict=True):
        for kind, n in ((Site.Kind.BLOOD_BANK, n_banks), (Site.Kind.HOSPITAL, n_hospitals)):
            for i in range(n):
                slug = province.name.lower().replace(" ", "-")
                site = Site(
                    code=f"{'udd' if kind == Site.Kind.BLOOD_BANK else 'rs'}-{slug}-{i + 1}",
                    name=f"{'UDD PMI' if kind == Site.Kind.BLOOD_BANK else 'RSUD'} {province.city} {i + 1}",
                    kind=kind,
                    city=province.city,
                    province=province.name,
                    latitude=province.lat + rng.gauss(0, province.spread_deg / 3),
                    longitude=province.lon + rng.gauss(0, province.spread_deg / 3),
                )
                (sites if kind == Site.Kind.BLOOD_BANK else hospitals).append(site)
    Site.objects.bulk_create(sites)
    by_province = {}
    for bank in sites:
        by_province.setdefault(bank.province, bank)
    now = timezone.now()
    for hospital in hospitals:
        hospital.verified_by = by_province[hospital.province]
        hospital.verified_at = now
    Site.objects.bulk_create(hospitals)
    password = make_password(PASSWORD)
    staff = []
    for site in sites + hospitals:
        role = User.Role.BLOOD_BANK_STAFF if site.kind == Site.Kind.BLOOD_BANK else User.Role.HOSPITAL_STAFF
        staff.append(User(email=f"staff-{site.code}@bench.dblood", full_name=f"Staff {site.name}", role=role))
        staff[-1].password = password
    User.objects.bulk_create(staff)
    Membership.objects.bulk_create(
        [Membership(user=user, site=site) for user, site in zip(staff, sites + hospitals, strict=True)]
    )
    # Lookup tables for the set-based inserts below: the k-th blood bank / hospital of a province.
    execute("DROP TABLE IF EXISTS bench_site")
    execute(
        "CREATE UNLOGGED TABLE bench_site AS SELECT id AS site_id, kind, province, "
        "row_number() OVER (PARTITION BY kind, province ORDER BY id) - 1 AS k, "
        "count(*) OVER (PARTITION BY kind, province) AS n FROM sites_site"
    )
    execute("CREATE INDEX ON bench_site (kind, province, k)")
    # Without statistics the planner rescans generate_series once per site (8 s per 50k rows, not 0.2 s).
    execute("ANALYZE bench_site")


def seed_donors(total: int, bar: tqdm) -> None:
    """Users and donors, province by province; user id and donor id follow the donor number."""
    password = make_password(PASSWORD)
    user_base = scalar("SELECT coalesce(max(id), 0) FROM accounts_user")
    donor_base = scalar("SELECT coalesce(max(id), 0) FROM donors_donor")
    execute("DROP TABLE IF EXISTS bench_base")
    execute(
        "CREATE UNLOGGED TABLE bench_base AS SELECT %s::bigint AS user_base, %s::bigint AS donor_base",
        [user_base, donor_base],
    )
    counts = split(total, [p.population_m for p in PROVINCES])
    first = 1
    for province, n in zip(PROVINCES, counts, strict=True):
        if n == 0:
            continue
        last = first + n - 1
        rows = "FROM generate_series(%s, %s) AS g"
        insert_select(
            User,
            {
                "id": f"{user_base} + g",
                "password": ("%s", [password]),
                "email": "'donor' || g || '@bench.dblood'",
                "full_name": "'Donor ' || g",
                "role": "'donor'",
                "date_joined": "now() - random() * interval '1000 days'",
            },
            rows,
            [first, last],
        )
        insert_select(
            Donor,
            {
                "id": f"{donor_base} + g",
                "user_id": f"{user_base} + g",
                "donor_number": "'BD' || lpad(g::text, 10, '0')",
                "abo": _abo_case("r1"),
                "rhd": f"CASE WHEN r2 < {RHD_NEGATIVE} THEN '-' ELSE '+' END",
                "group_confirmed": "r3 < 0.6",
                "birth_date": "date '2009-01-01' - (r4 * 43 * 365)::int",
                "sex": "CASE WHEN r5 < 0.5 THEN 'F' ELSE 'M' END",
                "weight_kg": "round((47 + r6 * 45)::numeric, 1)",
                "phone": "'+62812' || lpad(g::text, 8, '0')",
                "share_contact": "r7 < 0.3",
                "city": ("%s", [province.city]),
                "province": ("%s", [province.name]),
                "latitude": _jitter(province.lat, province.spread_deg, "r8", "r9", "r10"),
                "longitude": _jitter(province.lon, province.spread_deg, "r11", "r12", "r13"),
                "call_out_opt_in": "r14 < 0.8",
            },
            "FROM (SELECT g, "
            + ", ".join(f"random() AS r{i}" for i in range(1, 15))
            + " FROM generate_series(%s, %s) AS g) AS s",
            [first, last],
        )
        first = last + 1
        bar.update(n)
    reset_sequence(User)
    reset_sequence(Donor)
    execute("ANALYZE accounts_user, donors_donor")


def seed_deferrals() -> None:
    reasons = {
        "bench-tattoo": ("Tattoo or piercing", False, 180),
        "bench-surgery": ("Minor surgery", False, 180),
        "bench-hiv": ("Reactive HIV", True, None),
    }
    ids = {}
    for code, (name, permanent, days) in reasons.items():
        reason, _ = DeferralReason.objects.get_or_create(
            code=code, defaults={"name": name, "permanent": permanent, "default_days": days}
        )
        ids[code] = reason.id
    # 2% of donors deferred for 6 months at some point in the last year (half still deferred today).
    insert_select(
        Deferral,
        {
            "donor_id": "id",
            "reason_id": str(ids["bench-tattoo"]),
            "permanent": "false",
            "starts_on": "current_date - a",
            "ends_on": "current_date - a + 180",
        },
        "FROM (SELECT id, (random() * 365)::int AS a FROM donors_donor) AS s WHERE random() < 0.02",
    )
    insert_select(
        Deferral,
        {"donor_id": "id", "reason_id": str(ids["bench-hiv"]), "permanent": "true", "starts_on": "current_date"},
        "FROM donors_donor WHERE random() < 0.002",
    )


def seed_donations_and_units(units: int, bar: tqdm) -> None:
    """A year of whole-blood donations, two components each (PRC + FFP, or PRC + TC)."""
    donations = units // 2
    donors = scalar("SELECT count(*) FROM donors_donor")
    donor_base = scalar("SELECT min(id) - 1 FROM donors_donor")
    step = 50_000
    for first in range(1, donations + 1, step):
        last = min(first + step - 1, donations)
        # Donation g goes to donor (g * 7919 mod N): spread over everyone, at most one each until D > N.
        insert_select(
            Donation,
            {
                "donor_id": "d.id",
                "site_id": "b.site_id",
                "donation_type": "'whole_blood'",
                "bag_type": "'CPDA-1 triple'",
                "volume_ml": "350",
                "hemoglobin_g_dl": "round((12.5 + random() * 3)::numeric, 1)",
                "bp_systolic": "110 + (random() * 30)::int",
                "bp_diastolic": "70 + (random() * 20)::int",
                "pulse": "60 + (random() * 30)::int",
                "temperature_c": "36.8",
                "din": "'A' || lpad((9999 - g / 1000000)::text, 4, '0') || to_char(t, 'YY') "
                "|| lpad(mod(g, 1000000)::text, 6, '0')",
                "status": "CASE WHEN t > now() - interval '2 days' THEN 'in_testing' ELSE 'released' END",
                "collected_at": "t",
                "released_at": "CASE WHEN t > now() - interval '2 days' THEN NULL ELSE t + interval '1 day' END",
            },
            "FROM (SELECT g, now() - random() * interval '365 days' AS t FROM generate_series(%s, %s) AS g) AS s "
            "JOIN donors_donor d ON d.id = %s + 1 + mod(g * 7919, %s) "
            "JOIN bench_site b ON b.kind = 'blood_bank' AND b.province = d.province AND b.k = mod(g, b.n)",
            [first, last, donor_base, donors],
        )
        bar.update(last - first + 1)
    execute("ANALYZE donations_donation")
    second = {Component.FFP: "mod(dn.id, 3) <> 0", Component.TC: "mod(dn.id, 3) = 0"}
    for component, where in [(Component.PRC, "true"), *second.items()]:
        shelf = SHELF_DAYS[component]
        volume = {Component.PRC: 250, Component.FFP: 200, Component.TC: 50}[component]
        insert_select(
            BloodUnit,
            {
                "donation_id": "id",
                "component": f"'{component}'",
                "abo": "abo",
                "rhd": "rhd",
                "volume_ml": str(volume),
                "site_id": "site_id",
                "state": "st",
                "expires_at": "exp",
                "created_at": "collected_at",
                "state_changed_at": "collected_at",
                "issued_to_id": "CASE WHEN st = 'issued' THEN hospital END",
                "issued_at": "CASE WHEN st = 'issued' THEN collected_at + interval '3 days' END",
            },
            "FROM (SELECT dn.id, dn.site_id, dn.collected_at, d.abo, d.rhd, exp, h.site_id AS hospital, "
            "CASE WHEN exp < now() THEN 'expired' WHEN dn.status = 'in_testing' THEN 'quarantined' "
            "WHEN r < 0.15 THEN 'issued' WHEN r < 0.18 THEN 'reserved' WHEN r < 0.19 THEN 'discarded' "
            "ELSE 'available' END AS st "
            f"FROM (SELECT *, random() AS r, collected_at + interval '{shelf} days' AS exp FROM donations_donation) dn "
            "JOIN donors_donor d ON d.id = dn.donor_id "
            "LEFT JOIN bench_site h ON h.kind = 'hospital' AND h.province = d.province AND h.k = mod(dn.id, h.n) "
            f"WHERE {where}) AS u",
        )
        bar.update(donations if component == Component.PRC else donations // 2)


def seed_drives(total: int) -> None:
    """Drives around the provinces (past ones closed), 30-minute slots from 08:00 to 14:00."""
    counts = split(total, [p.population_m for p in PROVINCES])
    for province, n in zip(PROVINCES, counts, strict=True):
        if n == 0:
            continue
        insert_select(
            Drive,
            {
                "organiser_id": "b.site_id",
                "site_id": "CASE WHEN r < 0.3 THEN b.site_id END",
                "name": ("'Donor darah ' || %s || ' #' || g", [province.city]),
                "location_name": "CASE WHEN r < 0.3 THEN 'Gedung UDD' ELSE 'Balai warga' END",
                "city": ("%s", [province.city]),
                "province": ("%s", [province.name]),
                "latitude": _jitter(province.lat, province.spread_deg, "r1", "r2", "r3"),
                "longitude": _jitter(province.lon, province.spread_deg, "r4", "r5", "r6"),
                "date": "d",
                "start_time": "time '08:00'",
                "end_time": "time '14:00'",
                "slot_minutes": "30",
                "capacity_per_slot": "5",
                "donation_types": "'[\"whole_blood\"]'::jsonb",
                "status": "CASE WHEN d < current_date THEN 'closed' ELSE 'open' END",
            },
            "FROM (SELECT g, random() AS r, random() AS r1, random() AS r2, random() AS r3, random() AS r4, "
            "random() AS r5, random() AS r6, current_date - 180 + (random() * 240)::int AS d "
            "FROM generate_series(1, %s) AS g) AS s "
            "JOIN bench_site b ON b.kind = 'blood_bank' AND b.province = %s AND b.k = mod(g, b.n)",
            [n, province.name],
        )
    insert_select(
        Slot,
        {
            "drive_id": "dr.id",
            "starts_at": "((dr.date + dr.start_time) AT TIME ZONE 'Asia/Jakarta') + k * interval '30 minutes'",
            "ends_at": "((dr.date + dr.start_time) AT TIME ZONE 'Asia/Jakarta') + (k + 1) * interval '30 minutes'",
            "capacity": "dr.capacity_per_slot",
            "booked": "0",
        },
        "FROM drives_drive dr CROSS JOIN generate_series(0, 11) AS k",
    )


def seed(sizes: Sizes, seed_value: int = 2026) -> dict[str, float]:
    """Seed everything; returns seconds per stage."""
    rng = random.Random(seed_value)
    execute("SELECT setseed(%s)", [seed_value / 10_000 % 1])
    timings: dict[str, float] = {}
    total = sizes.donors + sizes.units // 2 + sizes.units // 2 * 2
    with tqdm(total=total, desc="seeding", unit="row", unit_scale=True, dynamic_ncols=True) as bar:

        def stage(name, fn, *args):
            bar.set_postfix_str(name)
            start = time.perf_counter()
            fn(*args)
            timings[name] = time.perf_counter() - start

        stage("sites", seed_sites, sizes.sites, rng)
        stage("donors", seed_donors, sizes.donors, bar)
        stage("deferrals", seed_deferrals)
        stage("donations+units", seed_donations_and_units, sizes.units, bar)
        stage("drives", seed_drives, sizes.drives)
        stage("history", history.seed, sizes)
        bar.set_postfix_str("vacuum analyze")
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        timings["vacuum analyze"] = time.perf_counter() - start
    return timings


def counts() -> dict[str, int]:
    models = [User, Donor, Deferral, Site, Drive, Slot, Donation, BloodUnit, *history.models()]
    return {m._meta.label: m.objects.count() for m in models}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--donors", type=int, default=10_000)
    parser.add_argument("--units", type=int, help="default: donors / 2")
    parser.add_argument("--drives", type=int, help="default: donors / 200 (at least 50)")
    parser.add_argument("--sites", type=int, default=200)
    args = parser.parse_args(argv)
    sizes = Sizes.for_donors(args.donors)
    sizes = Sizes(
        donors=args.donors, units=args.units or sizes.units, drives=args.drives or sizes.drives, sites=args.sites
    )
    start = time.perf_counter()
    timings = seed(sizes)
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in timings.items())
    print(f"seeded {sizes} in {time.perf_counter() - start:.1f} s: {stages}")
    print(counts())
