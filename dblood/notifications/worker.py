"""The background worker's due work: a list of jobs, run in order by `run_due_work` and `worker`.

Jobs are dotted paths so an app can add its own without this module importing it. Each job is
idempotent (dedupe keys, conditional updates), so two workers or a rerun do no harm.
"""

import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DUE_WORK = [
    "dblood.requests.upkeep.units_expire_and_release",
    "dblood.notifications.reminders.eligible_again_remind",
    "dblood.notifications.reminders.appointment_tomorrow_remind",
    "dblood.requests.callouts.callouts_send_due_batches",
    "dblood.requests.recruitment.shortage_recruit",
    "dblood.relay.services.relay_forget_old",
    # Last, so the messages the jobs above queued go out in the same run.
    "dblood.notifications.services.notifications_email_pending",
    "dblood.notifications.deliveries.deliveries_send_due",
]

# The fast lane, run every URGENT_INTERVAL seconds between the full runs: an emergency request's
# alert must reach the bank by e-mail within a minute (a patient bleeding now cannot wait for the
# next full run), whatever the full run's interval or length.
URGENT_WORK = ["dblood.notifications.services.notifications_email_urgent"]
URGENT_INTERVAL = 5.0
URGENT_BOUND = 60.0


def run_due_work(jobs: list[str] = DUE_WORK) -> dict[str, int]:
    """Run every job once; a failing job is logged and does not stop the others."""
    results: dict[str, int] = {}
    for path in jobs:
        try:
            # Its own transaction: a failed job rolls back alone.
            with transaction.atomic():
                results[path.rsplit(".", 1)[1]] = import_string(path)()
        except Exception:  # noqa: BLE001 - one broken job must not starve the rest
            logger.exception("due work %s failed", path)
            results[path.rsplit(".", 1)[1]] = -1
    return results


def run_urgent_work() -> dict[str, int]:
    return run_due_work(URGENT_WORK)


def worker_loop(
    *,
    stop,
    interval: float,
    urgent_interval: float = URGENT_INTERVAL,
    max_runs: int = 0,
    clock: Callable[[], float] = time.monotonic,
    report: Callable[[dict[str, int]], None] = lambda results: None,
) -> int:
    """Full due work every `interval` seconds, the urgent work every `urgent_interval` seconds in
    between. `stop` is a threading.Event (its `wait` is the only pause). Returns the full runs done."""
    if not 0 < urgent_interval < URGENT_BOUND:
        raise ValueError(f"urgent_interval must be between 0 and {URGENT_BOUND:g} seconds")
    runs = 0
    while not stop.is_set():
        report(run_due_work())
        runs += 1
        if max_runs and runs >= max_runs:
            break
        next_full = clock() + interval
        while not stop.is_set() and (left := next_full - clock()) > 0:
            if stop.wait(min(urgent_interval, left)):
                break
            report(run_urgent_work())
    return runs
