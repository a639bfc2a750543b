"""The endpoints under load: what each request looks like, who sends it, what it must reach.

Each endpoint builds the lines wrk replays (method, path, token, body, and optionally an
If-None-Match). Line 0 is the probe the runner sends first (status, queries per request); wrk
replays the rest.
"""

from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from . import fixtures

# (method, path, token, body) or, revalidating, (method, path, token, body, if_none_match)
Line = tuple[str, str, str | None, str | None] | tuple[str, str, str | None, str | None, str | None]


@dataclass(frozen=True)
class Endpoint:
    name: str
    label: str
    kind: str  # "ceiling", "cached", "read", "write"
    build: Callable[[psycopg.Connection, int], list[Line]]
    paged: bool = False  # a list: queries are counted at two page sizes
    answer_cached: bool = False  # served by dblood.core.answers: measured again with it off
    revalidate: bool = False  # sends back the ETag of the current body (If-None-Match): the 304 path

    @property
    def target_ratio(self) -> float | None:
        return {"cached": 0.8, "read": 0.4}.get(self.kind)


def _donor_tokens(conn, n: int) -> list[str]:
    return list(fixtures.tokens(conn, fixtures.reading_donors(conn, n)).values())


def ceiling(conn, n):
    return [("GET", "/bench/ceiling", None, None)] * 2


def ceiling_db(conn, n):
    return [("GET", "/bench/ceiling-db", None, None)] * 2


def drf_token(conn, n):
    return [("GET", "/bench/drf-token", token, None) for token in _donor_tokens(conn, 50)]


def orm_page(conn, n):
    return [("GET", "/bench/orm-page", None, None)] * 2


def stock(conn, n):
    return [("GET", "/api/v1/stock", None, None)] * 2


JAKARTA = (-6.2, 106.85)  # the probe's point: the densest city, so lists are full at both page sizes


def drive_search(conn, n):
    points = [JAKARTA, *fixtures.points(500)]
    return [("GET", f"/api/v1/drives?lat={lat}&lon={lon}&radius_km=25", None, None) for lat, lon in points]


def nearest_banks(conn, n):
    return [("GET", f"/api/v1/sites?lat={lat}&lon={lon}", None, None) for lat, lon in [JAKARTA, *fixtures.points(500)]]


def eligibility(conn, n):
    return [("GET", "/api/v1/donors/me/eligibility", token, None) for token in _donor_tokens(conn, 500)]


def booking(conn, n):
    """Each line a different donor in a different free place: no 409 until the places run out."""
    places = fixtures.open_slot_places(conn, n)
    users = fixtures.booking_donors(conn, len(places))
    keys = fixtures.tokens(conn, users)
    return [
        ("POST", "/api/v1/appointments", keys[user], fixtures.body({"slot": slot, "donation_type": "whole_blood"}))
        for user, slot in zip(users, places, strict=False)
    ]


def fefo_units(conn, n):
    keys = fixtures.tokens(conn, fixtures.staff_users(conn, "blood_bank_staff"))
    return [("GET", "/api/v1/units?state=available", token, None) for token in keys.values()]


def _per_request(conn, parity: int, action: str, body: str | None) -> list[Line]:
    pairs = fixtures.open_requests(conn, parity)
    keys = fixtures.tokens(conn, sorted({user for _, user in pairs}))
    return [("POST", f"/api/v1/requests/{rid}/{action}", keys[user], body) for rid, user in pairs]


def allocation(conn, n):
    """Bank staff reserve the best units for a request (each line a different open request)."""
    return _per_request(conn, 0, "allocate", None)


def call_out_start(conn, n):
    """Bank staff start a call-out (the worker selects donors later, in batches: see the selector)."""
    return _per_request(conn, 1, "call-outs", fixtures.body({}))


ENDPOINTS = [
    Endpoint("ceiling", "ceiling: minimal Django JSON view", "ceiling", ceiling),
    Endpoint("ceiling-db", "reference: the ceiling plus one `SELECT 1`", "reference", ceiling_db),
    Endpoint("drf-token", "reference: a DRF view with bearer-token auth, no query", "reference", drf_token),
    Endpoint("orm-page", "reference: a DRF list, one ORM query, 20 rows x 7 columns", "reference", orm_page),
    Endpoint("stock", "public stock `GET /api/v1/stock`", "cached", stock),
    # The same request from a client (a browser, nginx) that holds the current body: beside the row
    # above, in the same run, what a 304 saves over sending the body.
    Endpoint("stock-304", "public stock revalidated `If-None-Match` (304, no body)", "cached", stock, revalidate=True),
    Endpoint(
        "drives",
        "drive search `GET /api/v1/drives?lat&lon&radius_km`",
        "read",
        drive_search,
        paged=True,
        answer_cached=True,
    ),
    Endpoint(
        "sites",
        "nearest blood banks `GET /api/v1/sites?lat&lon`",
        "read",
        nearest_banks,
        paged=True,
        answer_cached=True,
    ),
    Endpoint(
        "eligibility", "donor eligibility `GET /api/v1/donors/me/eligibility`", "read", eligibility, answer_cached=True
    ),
    Endpoint("booking", "booking `POST /api/v1/appointments`", "write", booking),
    Endpoint("units", "staff FEFO list `GET /api/v1/units`", "read", fefo_units, paged=True, answer_cached=True),
    Endpoint("allocation", "allocation `POST /api/v1/requests/{id}/allocate`", "write", allocation),
    Endpoint("call-out", "call-out start `POST /api/v1/requests/{id}/call-outs`", "write", call_out_start),
]
