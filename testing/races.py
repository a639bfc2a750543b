"""Run calls at the same moment, each in its own thread with its own database connection.

For race tests on the suite's real PostgreSQL (`django_db(transaction=True)`): every thread waits
at a barrier, makes its call, and records `done` or the code of the Conflict it got.
"""

from collections.abc import Callable
from threading import Barrier, Thread

from django.db import connection

from dblood.core.errors import Conflict


def race(calls: list[Callable[[], object]], *, done: str = "done") -> list:
    barrier = Barrier(len(calls))
    outcomes: list = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append(done)
        except Conflict as exc:
            outcomes.append(exc.get_codes())
        finally:
            connection.close()

    threads = [Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
