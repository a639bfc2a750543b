"""Stock per blood bank x group x component, served from the cache.

`invalidate()` is called after every unit state change (services.unit_transition): it bumps a
version that every cached body is checked against, so reads after a change recompute (at once in
the process that made the change, within STOCK_LOCAL_SECONDS in the others: see `rendered`).
The whole table is cached once per version; filters are applied to the cached table.
"""

import csv
import gzip
import hashlib
import io
import json
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.utils import timezone

from dblood.core import answers, httpcache
from dblood.core.blood import ABO, RhD
from dblood.sites.models import Site

from .components import stocked_components
from .models import BloodUnit, UnitEvent
from .selectors import UNITS_SCOPE

# The table's version is the units scope's (dblood.core.answers): whatever makes cached unit lists
# stale makes the table stale.
STOCK_VERSION_KEY = answers.version_key(UNITS_SCOPE)
STOCK_LAST_KEY = "stock:table:last"
# Longest a recomputation may hold the lock before another reader may try (a crashed worker).
STOCK_LOCK_SECONDS = 30
FILTERS = ("province", "site", "abo", "rhd", "component")
IN_CUSTODY = (BloodUnit.State.QUARANTINED, BloodUnit.State.AVAILABLE, BloodUnit.State.RESERVED)


class Level:
    CRITICAL = "critical"
    LOW = "low"
    ADEQUATE = "adequate"


def invalidate() -> None:
    """Bump the version so every cached stock view is stale: at once in this process, within
    STOCK_LOCAL_SECONDS in the others (see `rendered`)."""
    forget_recent()
    answers.changed(UNITS_SCOPE)


def level(*, available: int, days_of_supply: float | None) -> str:
    """Thresholds from settings: below STOCK_CRITICAL_DAYS is critical, below STOCK_LOW_DAYS low.

    With no issues in the window, days of supply is unbounded (None): adequate. An empty shelf
    that had issues has 0 days: critical.
    """
    if days_of_supply is None:
        return Level.CRITICAL if available == 0 else Level.ADEQUATE
    if days_of_supply < settings.STOCK_CRITICAL_DAYS:
        return Level.CRITICAL
    if days_of_supply < settings.STOCK_LOW_DAYS:
        return Level.LOW
    return Level.ADEQUATE


def compute() -> dict:
    """The table: each active blood bank x 8 groups x each stocked component the bank handles. 3 queries.

    A bank handles a component when it holds units of it (in testing, available or reserved) or
    issued some in the demand window, in any group; then all 8 groups are listed and an empty one
    shows as critical. A component the bank does not handle at all (no cryo made there, say) is
    left out for that bank, so it does not paint every group critical.
    """
    now = timezone.now()
    window = settings.STOCK_DEMAND_WINDOW_DAYS
    on_shelf_now = Q(state=BloodUnit.State.AVAILABLE, expires_at__gt=now)
    sites = list(Site.objects.filter(kind=Site.Kind.BLOOD_BANK, is_active=True).order_by("province", "name"))
    on_shelf = {
        (row["site_id"], row["abo"], row["rhd"], row["component"]): row
        # Units in custody (testing, on the shelf, reserved) show which components a bank handles;
        # only available, unexpired ones count as stock.
        for row in BloodUnit.objects.filter(state__in=IN_CUSTODY)
        .values("site_id", "abo", "rhd", "component")
        .annotate(
            available=Count("id", filter=on_shelf_now),
            soonest_expiry=Min("expires_at", filter=on_shelf_now),
        )
        .order_by()
    }
    issued = {
        (row["unit__site_id"], row["unit__abo"], row["unit__rhd"], row["unit__component"]): row["n"]
        for row in UnitEvent.objects.filter(to_state=BloodUnit.State.ISSUED, at__gte=now - timedelta(days=window))
        .values("unit__site_id", "unit__abo", "unit__rhd", "unit__component")
        .annotate(n=Count("id"))
        .order_by()
    }
    handled = {(site_id, component) for site_id, _abo, _rhd, component in (*on_shelf, *issued)}
    results = []
    for site in sites:
        for abo in ABO.values:
            for rhd in RhD.values:
                for component in stocked_components():
                    key = (site.pk, abo, rhd, component)
                    cell = on_shelf.get(key, {})
                    if (site.pk, component) not in handled:
                        continue
                    available = cell.get("available", 0)
                    daily = issued.get(key, 0) / window
                    days = round(available / daily, 1) if daily else None
                    expiry = cell.get("soonest_expiry")
                    results.append(
                        {
                            "site_id": site.pk,
                            "site_code": site.code,
                            "site_name": site.name,
                            "city": site.city,
                            "province": site.province,
                            "abo": abo,
                            "rhd": rhd,
                            "component": component,
                            "available": available,
                            "soonest_expiry": expiry.isoformat() if expiry else None,
                            "days_of_supply": days,
                            "level": level(available=available, days_of_supply=days),
                        }
                    )
    return {"generated_at": now.isoformat(), "results": results}


def table() -> dict:
    """The full table from the cache (recomputed after any unit state change or STOCK_CACHE_SECONDS).

    Race: after a state change every reader misses at once, and each recomputation costs about
    0.5 s at 500,000 units. One reader takes a short lock (`cache.add` is atomic in memcached) and
    recomputes; the others meanwhile get the last table (one change behind, for that half second)
    instead of piling onto the database. With no last table, or no lock to be had, they compute.
    """
    current = answers.versions([UNITS_SCOPE])
    version = current[0] if current else 0  # 0: the cache is down, nothing is kept
    key = f"stock:table:{version}"
    data = cache.get(key)
    if data is not None:
        return data
    lock = f"stock:computing:{version}"
    if not cache.add(lock, 1, STOCK_LOCK_SECONDS):
        last = cache.get(STOCK_LAST_KEY)
        if last is not None:
            return last
    try:
        data = {**compute(), "version": version}
        cache.set_many({key: data, STOCK_LAST_KEY: data}, settings.STOCK_CACHE_SECONDS)
    finally:
        cache.delete(lock)
    return data


def _matches(row: dict, filters: dict) -> bool:
    for name, value in filters.items():
        if not value:
            continue
        if name == "site":
            if value not in (str(row["site_id"]), row["site_code"]):
                return False
        elif name == "province":
            if row["province"].casefold() != value.casefold():
                return False
        elif row[name] != value:
            return False
    return True


def _totals(rows: list[dict]) -> dict:
    provinces: dict[tuple, int] = {}
    national: dict[tuple, int] = {}
    for row in rows:
        group = (row["abo"], row["rhd"], row["component"])
        provinces[(row["province"], *group)] = provinces.get((row["province"], *group), 0) + row["available"]
        national[group] = national.get(group, 0) + row["available"]
    return {
        "provinces": [
            {"province": p, "abo": a, "rhd": r, "component": c, "available": n} for (p, a, r, c), n in provinces.items()
        ],
        "national": [{"abo": a, "rhd": r, "component": c, "available": n} for (a, r, c), n in national.items()],
    }


def stock(*, filters: dict | None = None) -> dict:
    """The public stock body: filtered cells, and provincial and national totals over those cells."""
    return _public(table(), filters)


def _public(data: dict, filters: dict | None) -> dict:
    rows = [row for row in data["results"] if _matches(row, filters or {})]
    public = [{k: v for k, v in row.items() if k != "site_code"} for row in rows]
    return {"generated_at": data["generated_at"], "results": public, "totals": _totals(rows)}


CSV_COLUMNS = [
    "site_id",
    "site_name",
    "city",
    "province",
    "abo",
    "rhd",
    "component",
    "available",
    "soonest_expiry",
    "days_of_supply",
    "level",
]


# Rendered bodies this process served lately: (fmt, filters) -> (when, version, bytes, tag).
_recent: dict[tuple, tuple[float, int, bytes, str]] = {}
_RECENT_MAX = 256


def forget_recent() -> None:
    """Drop the bodies this process keeps (a change made here, or a test's fresh start)."""
    _recent.clear()


def rendered(*, filters: dict, fmt: str) -> tuple[bytes, str]:
    """The public body as gzip-compressed bytes (`json` or `csv`), cached per filters together
    with the table version it was made from, and its tag for HTTP caching (`core.httpcache.tag`
    of the bytes; kept with them in this process, so a 304 costs no more than a cached 200).

    Two levels. Each process keeps the bodies it served for STOCK_LOCAL_SECONDS (default 1 s)
    without asking anyone: a memcached round trip costs more than the rest of the request. After
    that it asks memcached, in one `get_many`, for the current version and the shared body. So a
    state change is seen at once by the process that made it (`invalidate` clears its bodies) and
    within STOCK_LOCAL_SECONDS by the others; with memcached down, each process recomputes at most
    once in that time instead of on every request.

    Bodies are cached gzipped: the national table is ~0.7 MB of JSON at 200 blood banks
    (memcached's default item limit is 1 MB) and ~16 kB gzipped. A body carries the version of
    the table actually used, so one made from the last table while another reader recomputes is
    never taken for the new version.
    """
    local_key = (fmt, tuple(sorted(filters.items())))
    now = time.monotonic()
    recent = _recent.get(local_key)
    if recent is not None and now - recent[0] < settings.STOCK_LOCAL_SECONDS:
        return recent[2], recent[3]
    digest = hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()[:32]
    key = f"stock:out:{fmt}:{digest}"
    found = cache.get_many([STOCK_VERSION_KEY, key])
    current, cached = found.get(STOCK_VERSION_KEY), found.get(key)
    if cached is not None and current is not None and cached[0] == current:
        version, packed = cached
    else:
        data = table()
        version = data.get("version", 0)
        packed = gzip.compress(_encode(_public(data, filters), fmt), compresslevel=6, mtime=0)
        cache.set(key, (version, packed), settings.STOCK_CACHE_SECONDS)
    body_tag = httpcache.tag(fmt.encode(), packed)
    # Not kept: the last table, served while another reader recomputes the current one. Kept
    # with memcached down (no version to compare): it was just computed from the database.
    if settings.STOCK_LOCAL_SECONDS > 0 and current in (None, version):
        if len(_recent) >= _RECENT_MAX:
            _recent.clear()
        _recent[local_key] = (now, version, packed, body_tag)
    return packed, body_tag


def _encode(public: dict, fmt: str) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(public["results"])
        return out.getvalue().encode()
    return json.dumps(public, separators=(",", ":")).encode()
