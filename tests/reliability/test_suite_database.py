"""The suite's claim "on a real PostgreSQL" holds in the test thread and in worker threads."""

import threading

import pytest
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_every_thread_talks_to_the_same_postgresql_database():
    seen = {}

    def probe(name: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            seen[name] = (connection.vendor, cursor.fetchone()[0])
        connection.close()

    probe("main")
    thread = threading.Thread(target=probe, args=("thread",))
    thread.start()
    thread.join()
    assert seen["main"] == seen["thread"] == ("postgresql", "test_dblood")
