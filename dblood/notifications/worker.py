"""The background worker's due work: a list of jobs, run in order by `run_due_work` and `worker`.

Jobs are dotted paths so an app can add its own without this module importing it. Each job is
idempotent (dedupe keys, conditional updates), so two workers or a rerun do no harm.
"""

import logging

from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DUE_WORK = [
    "dblood.requests.upkeep.units_expire_and_release",
    "dblood.notifications.reminders.eligible_again_remind",
    "dblood.notifications.reminders.appointment_tomorrow_remind",
    "dblood.requests.callouts.callouts_send_due_batches",
    "dblood.requests.recruitment.shortage_recruit",
    # Last, so the messages the jobs above queued go out in the same run.
    "dblood.notifications.services.notifications_email_pending",
]


def run_due_work() -> dict[str, int]:
    """Run every job once; a failing job is logged and does not stop the others."""
    results: dict[str, int] = {}
    for path in DUE_WORK:
        try:
            # Its own transaction: a failed job rolls back alone.
            with transaction.atomic():
                results[path.rsplit(".", 1)[1]] = import_string(path)()
        except Exception:  # noqa: BLE001 - one broken job must not starve the rest
            logger.exception("due work %s failed", path)
            results[path.rsplit(".", 1)[1]] = -1
    return results
