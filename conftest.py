"""Suite-wide fixtures: a throwaway PostgreSQL for the whole session, and the personas."""

import pytest
from django.core.cache import cache

from testing.servers import start_memcached, start_postgresql, stop_postgresql

pytest_plugins = ["testing.personas", "testing.openapi"]


@pytest.fixture(scope="session")
def postgresql_server():
    executor = start_postgresql()
    yield executor
    stop_postgresql(executor)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(postgresql_server):
    """Point Django at the throwaway server before pytest-django creates the test database."""
    from django.conf import settings

    settings.DATABASES["default"].update(
        ENGINE="django.db.backends.postgresql",
        NAME="dblood",
        USER="postgres",
        PASSWORD="",
        HOST=postgresql_server.host,
        PORT=str(postgresql_server.port),
        CONN_MAX_AGE=0,
    )
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "test_dblood"
    # The "default" connection object may already exist with the SQLite backend of the settings
    # module: drop it so the next use builds a PostgreSQL one from the updated settings.
    from django.db import connections

    connections.close_all()
    del connections["default"]


@pytest.fixture(autouse=True)
def _answers_change_at_once(monkeypatch):
    """Most tests run inside one transaction that never commits, so on-commit hooks never run there:
    a write's `answers.changed_on_commit` also applies at once, as its commit would (transactional
    tests still get the real on-commit call as well)."""
    from dblood.core import answers

    after_commit = answers.changed_on_commit

    def at_once_too(*scopes):
        answers.changed(*scopes)
        after_commit(*scopes)

    monkeypatch.setattr(answers, "changed_on_commit", at_once_too)


@pytest.fixture(autouse=True)
def _component_types(request):
    """Every test that uses the database sees the seeded component-type table: the migration seeds it,
    a transactional test's flush empties it, and this puts the same defaults back. Each test starts
    with a fresh per-process copy (a row a test edited was rolled back), read before the test so that
    query counts do not see it."""
    from dblood.inventory import components

    components.forget()
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)
    if uses_db:
        from dblood.inventory.component_defaults import component_types_seed

        request.getfixturevalue("_django_db_helper")
        component_types_seed()
        components.kinds()
    yield
    components.forget()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the api's default language: a request that asked for Indonesian
    (Accept-Language) leaves it active in the thread, and messages are now translated."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttles and cached pages must not leak between tests."""
    from dblood.inventory.stock import forget_recent

    cache.clear()
    forget_recent()
    yield
    cache.clear()
    forget_recent()


@pytest.fixture
def memcached(settings):
    """A real memcached for one test, as the cache (the app's own backend and options)."""
    from django.core.cache import caches

    executor = start_memcached()
    settings.CACHES = {
        "default": {
            "BACKEND": "dblood.core.cache.PersistentPyMemcacheCache",
            "LOCATION": f"127.0.0.1:{executor.port}",
            "KEY_PREFIX": "dblood-test",
            "OPTIONS": {"ignore_exc": True, "connect_timeout": 0.5, "timeout": 0.5},
        }
    }
    # Django's setting_changed handler rebuilds the cache handlers for the new CACHES.
    yield executor
    caches["default"].close()
    executor.stop()
