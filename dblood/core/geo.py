"""Distances on the Earth's surface: the one place for the rules, in Python and in SQL.

- `haversine_km`: great-circle distance between two points, in Python.
- `DistanceKm`: the same formula as one query expression (one ORM node, so compiling it is cheap;
  PostgreSQL has the math functions, Django registers them for SQLite).
- `within_box`: the lat/lon box around a circle, a cheap indexed pre-filter before the exact distance.
"""

import math

from django.db.models import F, FloatField, Func, Q

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = 111.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    # Rounding can push `a` a hair above 1, outside asin's domain.
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))


class DistanceKm(Func):
    """Haversine distance in km from the point (lat, lon) to each row's latitude/longitude columns.

    One node with a SQL template (not a tree of ~20 ORM expressions): resolving and compiling it
    costs next to nothing, which matters when it is used in a filter, an ordering and a COUNT.
    The point's constants (its latitude in radians and that latitude's cosine) are parameters.
    """

    # `%(least)s`: LEAST on PostgreSQL, MIN (with two arguments) on SQLite. `%%s`: parameters.
    template = (
        f"{2 * EARTH_RADIUS_KM!r} * ASIN(SQRT(%(least)s(1.0, "
        "POWER(SIN((RADIANS(%(lat)s) - %%s) / 2), 2)"
        " + %%s * COS(RADIANS(%(lat)s)) * POWER(SIN((RADIANS(%(lon)s) - %%s) / 2), 2))))"
    )
    output_field = FloatField()

    def __init__(self, lat: float, lon: float, lat_field: str = "latitude", lon_field: str = "longitude"):
        super().__init__(F(lat_field), F(lon_field), output_field=FloatField())
        self.origin = (float(lat), float(lon))

    def as_sql(self, compiler, connection, function=None, template=None, least="LEAST", **extra_context):
        lat_sql, lat_params = compiler.compile(self.source_expressions[0])
        lon_sql, lon_params = compiler.compile(self.source_expressions[1])
        lat1 = math.radians(self.origin[0])
        sql = (template or self.template) % {"lat": lat_sql, "lon": lon_sql, "least": least}
        # Parameters in the order their placeholders appear in the template.
        params = (
            *lat_params,
            lat1,
            math.cos(lat1),
            *lat_params,
            *lon_params,
            math.radians(self.origin[1]),
        )
        return sql, params

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, least="MIN", **extra_context)


def distance_km(lat: float, lon: float, lat_field: str = "latitude", lon_field: str = "longitude") -> DistanceKm:
    """Haversine distance from (lat, lon) to each row, in km, as a query expression."""
    return DistanceKm(lat, lon, lat_field, lon_field)


def within_box(
    lat: float, lon: float, radius_km: float, lat_field: str = "latitude", lon_field: str = "longitude"
) -> Q:
    """A cheap indexed pre-filter: the lat/lon box around the circle (the exact distance filters after)."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    # A degree of longitude is shortest at the box's edge furthest from the equator.
    widest_lat = min(abs(lat) + dlat, 90.0)
    dlon = radius_km / max(KM_PER_DEGREE_LAT * math.cos(math.radians(widest_lat)), 0.01)
    q = Q(**{f"{lat_field}__gte": lat - dlat, f"{lat_field}__lte": lat + dlat})
    if dlon < 180:
        low, high = lon - dlon, lon + dlon
        if low < -180 or high > 180:  # the box crosses the antimeridian
            q &= Q(**{f"{lon_field}__gte": (low + 540) % 360 - 180}) | Q(
                **{f"{lon_field}__lte": (high + 540) % 360 - 180}
            )
        else:
            q &= Q(**{f"{lon_field}__gte": low, f"{lon_field}__lte": high})
    return q
