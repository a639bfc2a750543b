"""History beyond collections: emergency call-outs received (notifications) and hospital requests,
a year of them closed plus open ones for the allocation and call-out load."""

from dblood.notifications.models import Notification
from dblood.requests.models import BloodRequest

from .geo import ABO_MIX, RHD_NEGATIVE
from .sql import insert_select

BENCH_NOTE = "bench-open"  # open requests the runner may allocate or call out for


def models() -> list:
    return [Notification, BloodRequest]


def _abo(r: str) -> str:
    parts, cumulative = [], 0.0
    for abo, share in ABO_MIX[:-1]:
        cumulative += share
        parts.append(f"WHEN {r} < {cumulative:.4f} THEN '{abo}'")
    return f"CASE {' '.join(parts)} ELSE '{ABO_MIX[-1][0]}' END"


def seed(sizes) -> None:
    # ~3% of donors were called out in the last two weeks, some twice (the weekly cap bites).
    insert_select(
        Notification,
        {
            "user_id": "user_id",
            "kind": f"'{Notification.Kind.CALL_OUT}'",
            "dedupe_key": "'bench-callout-' || k",
            "title": "'Darah dibutuhkan segera'",
            "body": "'A hospital near you needs your blood group.'",
            "created_at": "now() - random() * interval '14 days'",
        },
        "FROM donors_donor CROSS JOIN generate_series(1, 2) AS k WHERE random() < 0.03",
    )
    closed = max(sizes.donors // 20, 100)
    # Open requests for allocation and call-out start, half each: enough that wrk does not cycle
    # back to a request it already allocated (a 409) within a 15 s run at ~400 requests a second.
    open_ = max(sizes.donors // 80, 200)
    for count, past in ((closed, True), (open_, False)):
        hospitals = "(SELECT id, verified_by_id FROM sites_site WHERE kind = 'hospital' AND verified_by_id IS NOT NULL)"
        insert_select(
            BloodRequest,
            {
                "hospital_id": "h.id",
                "target_bank_id": "h.verified_by_id",
                "patient_abo": _abo("r1"),
                "patient_rhd": f"CASE WHEN r2 < {RHD_NEGATIVE} THEN '-' ELSE '+' END",
                "component": "CASE WHEN r3 < 0.7 THEN 'PRC' WHEN r3 < 0.9 THEN 'FFP' ELSE 'TC' END",
                "units": "1 + (r4 * 2)::int",
                "urgency": "CASE WHEN r5 < 0.7 THEN 'routine' WHEN r5 < 0.95 THEN 'urgent' ELSE 'emergency' END",
                "needed_by": "t + interval '1 day'",
                "note": "''" if past else f"'{BENCH_NOTE}'",
                "status": "CASE WHEN r6 < 0.9 THEN 'closed' ELSE 'cancelled' END" if past else "'submitted'",
                "created_at": "t",
                "updated_at": "t",
            },
            "FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, "
            "random() AS r6, "
            + ("now() - random() * interval '365 days'" if past else "now() - random() * interval '2 hours'")
            + f" AS t FROM generate_series(1, %s) AS g) AS s JOIN {hospitals} h "
            f"ON h.id = (SELECT id FROM sites_site WHERE kind = 'hospital' ORDER BY id "
            "OFFSET mod(s.g, (SELECT count(*) FROM sites_site WHERE kind = 'hospital')) LIMIT 1)",
            [count],
        )
