"""History beyond collections: emergency call-outs received (notifications) and, once the requests
app has its models, hospital requests.

Kept apart from seed.py because the requests app lands later than the others.
"""

from django.apps import apps

from dblood.notifications.models import Notification

from .sql import insert_select


def models() -> list:
    return [Notification]


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
    if not apps.is_installed("dblood.requests"):
        return
