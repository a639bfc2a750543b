"""The stock table really is served from memcached, and a state change is visible at once."""

import pytest
from django.core.cache import caches

from dblood.inventory import stock
from dblood.inventory.services import unit_transition

from .factories import make_unit


@pytest.mark.django_db(transaction=True)
def test_stock_through_memcached(memcached, api, bank_a, django_assert_num_queries):
    from django.core.cache import cache

    assert "PyMemcacheCache" in type(caches["default"]).__name__
    unit = make_unit(site=bank_a)
    client = api()

    def available():
        rows = client.get("/api/v1/stock", {"site": "bank-a", "abo": "O", "rhd": "pos", "component": "PRC"}).json()
        return sum(row["available"] for row in rows["results"])  # an unused empty cell is not listed

    assert available() == 1
    assert cache.get(stock.STOCK_VERSION_KEY) is not None
    with django_assert_num_queries(0):
        assert available() == 1
    unit_transition(unit=unit, to="reserved")  # commits at once (transaction=True): on_commit runs
    assert available() == 0


@pytest.mark.django_db(transaction=True)
def test_the_memcached_connection_outlives_a_request(memcached, api, bank_a):
    """Django closes cache connections after each request; ours keeps its socket (no connect per read)."""
    from pymemcache.client.base import Client

    client = api()
    client.get("/api/v1/stock")
    stats = Client(("127.0.0.1", memcached.port))
    before = int(stats.stats()[b"total_connections"])
    for _ in range(10):
        assert client.get("/api/v1/stock").status_code == 200
    assert int(stats.stats()[b"total_connections"]) - before <= 1
    stats.close()
