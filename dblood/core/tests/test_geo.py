"""The one-node SQL distance agrees with the Python haversine, on PostgreSQL and on SQLite."""

import math

import pytest
from django.db.models import Func
from django.db.utils import ConnectionHandler

from dblood.core.geo import DistanceKm, haversine_km, within_box
from dblood.sites.models import Site

ORIGIN = (-6.2088, 106.8456)  # Jakarta
POINTS = [
    ("same", -6.2088, 106.8456),
    ("bandung", -6.9175, 107.6191),
    ("jayapura", -2.5337, 140.7181),
    ("north", 60.0, 106.8456),
    ("antipode", 6.2088, -73.1544),
]
# Across the antimeridian: Fiji (178.4 E) to Samoa (171.8 W) is ~1,150 km, not ~38,000.
ACROSS = ((-18.1416, 178.4419), [("samoa", -13.8333, -171.7667), ("east_fiji", -16.5, -179.9)])


def test_python_haversine_known_values():
    assert haversine_km(*ORIGIN, *ORIGIN) == 0
    assert haversine_km(-6.2088, 106.8456, -6.9175, 107.6191) == pytest.approx(117, abs=3)
    assert haversine_km(0, 179.5, 0, -179.5) == pytest.approx(111.2, abs=0.5)
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088)


def _make_sites(origin_points):
    sites = {}
    for i, (name, lat, lon) in enumerate(origin_points):
        sites[name] = Site.objects.create(
            kind=Site.Kind.BLOOD_BANK, name=name, code=f"GEO{i}", city="x", province="y", latitude=lat, longitude=lon
        )
    return sites


@pytest.mark.django_db
@pytest.mark.parametrize("origin, points", [(ORIGIN, POINTS), ACROSS])
def test_sql_distance_matches_python(origin, points):
    _make_sites(points)
    got = dict(Site.objects.annotate(d=DistanceKm(*origin)).values_list("name", "d"))
    for name, lat, lon in points:
        assert got[name] == pytest.approx(haversine_km(*origin, lat, lon), abs=1e-6), name
    assert got.get("same", 0) == pytest.approx(0, abs=1e-9)


def test_distance_is_one_node():
    expr = DistanceKm(*ORIGIN)
    assert isinstance(expr, Func) and len(expr.get_source_expressions()) == 2


@pytest.mark.django_db
def test_within_box_crossing_the_antimeridian_keeps_both_sides():
    _make_sites(ACROSS[1])
    inside = set(Site.objects.filter(within_box(*ACROSS[0], 1500)).values_list("name", flat=True))
    assert inside == {"samoa", "east_fiji"}


@pytest.mark.django_db
def test_sql_distance_on_sqlite():
    """`make run` uses SQLite: the same expression compiles there (MIN for LEAST) and agrees."""
    sqlite = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})["default"]
    try:
        query = Site.objects.annotate(d=DistanceKm(*ORIGIN)).values_list("name", "d").query
        sql, params = query.get_compiler(connection=sqlite).as_sql()
        assert "MIN(" in sql and "LEAST" not in sql
        with sqlite.cursor() as cursor:
            cursor.execute('CREATE TABLE "sites_site" ("id" integer, "name" text, "latitude" real, "longitude" real)')
            for i, (name, lat, lon) in enumerate(POINTS):
                cursor.execute("INSERT INTO sites_site VALUES (%s, %s, %s, %s)", [i, name, lat, lon])
            cursor.execute(sql, params)
            got = dict(cursor.fetchall())
        for name, lat, lon in POINTS:
            assert got[name] == pytest.approx(haversine_km(*ORIGIN, lat, lon), abs=1e-6), name
    finally:
        sqlite.close()
