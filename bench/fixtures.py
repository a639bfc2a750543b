"""What the load needs from the seeded database: tokens, donors who may book, open slots, points.

Plain SQL over psycopg: the runner itself never imports the api.
"""

import json
import random

import psycopg

from .geo import PROVINCES

TOKEN_TTL = "14 days"


def tokens(conn: psycopg.Connection, user_ids: list[int]) -> dict[int, str]:
    """One bearer token per user, created in one statement (stored as SHA-256, as the api does)."""
    if not user_ids:
        return {}
    rows = conn.execute(
        """
        WITH k AS (
            SELECT u AS user_id, 'bench' || u || '-' || md5(random()::text || u) AS key FROM unnest(%s::bigint[]) AS u
        ), ins AS (
            INSERT INTO accounts_apitoken (user_id, key_hash, prefix, created_at, expires_at, last_used_at)
            SELECT user_id, encode(sha256(key::bytea), 'hex'), left(key, 8), now(), now() + %s::interval, now()
            FROM k
        )
        SELECT user_id, key FROM k
        """,
        [user_ids, TOKEN_TTL],
    ).fetchall()
    return dict(rows)


def reading_donors(conn: psycopg.Connection, n: int) -> list[int]:
    """Users of `n` donors spread over the table."""
    return [r[0] for r in conn.execute("SELECT user_id FROM donors_donor ORDER BY md5(id::text) LIMIT %s", [n])]


def booking_donors(conn: psycopg.Connection, n: int) -> list[int]:
    """Users of donors who may book today: adult, no deferral, no donation in the last 90 days."""
    return [
        r[0]
        for r in conn.execute(
            """
            SELECT d.user_id FROM donors_donor d
            WHERE d.birth_date BETWEEN current_date - interval '59 years' AND current_date - interval '18 years'
              AND d.weight_kg >= 50
              AND NOT EXISTS (SELECT 1 FROM donors_deferral f WHERE f.donor_id = d.id)
              AND NOT EXISTS (SELECT 1 FROM donations_donation x
                              WHERE x.donor_id = d.id AND x.collected_at > now() - interval '90 days')
            ORDER BY d.id DESC LIMIT %s
            """,
            [n],
        )
    ]


def open_slot_places(conn: psycopg.Connection, n: int) -> list[int]:
    """Slot ids of open future drives, each repeated by its free places, at most `n` in all."""
    return [
        r[0]
        for r in conn.execute(
            """
            SELECT s.id FROM drives_slot s JOIN drives_drive d ON d.id = s.drive_id
            CROSS JOIN LATERAL generate_series(1, s.capacity - s.booked)
            WHERE d.status = 'open' AND d.date > current_date
            ORDER BY d.date, s.id LIMIT %s
            """,
            [n],
        )
    ]


def staff_users(conn: psycopg.Connection, role: str) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM accounts_user WHERE role = %s ORDER BY id", [role])]


def open_requests(conn: psycopg.Connection, parity: int) -> list[tuple[int, int]]:
    """(request id, user id of a staff member of its blood bank) for the seeded open requests;
    `parity` splits them into two disjoint sets (allocation, call-outs)."""
    return conn.execute(
        """
        SELECT r.id, min(m.user_id) FROM requests_bloodrequest r
        JOIN accounts_membership m ON m.site_id = r.target_bank_id
        WHERE r.status = 'submitted' AND r.note = 'bench-open' AND mod(r.id, 2) = %s
        GROUP BY r.id ORDER BY md5(r.id::text)
        """,
        [parity],
    ).fetchall()


def points(n: int, seed: int = 7) -> list[tuple[float, float]]:
    """Where people search from: near the provinces' capitals, weighted by population."""
    rng = random.Random(seed)
    chosen = rng.choices(PROVINCES, weights=[p.population_m for p in PROVINCES], k=n)
    return [
        (round(p.lat + rng.gauss(0, p.spread_deg / 2), 4), round(p.lon + rng.gauss(0, p.spread_deg / 2), 4))
        for p in chosen
    ]


def body(data: dict) -> str:
    return json.dumps(data, separators=(",", ":"))
