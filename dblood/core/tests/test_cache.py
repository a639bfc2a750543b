"""The memcached backend: which server holds a key, and that it really is memcached behind it."""

import pytest
from django.core.cache import caches
from pymemcache.client.rendezvous import RendezvousHash

from dblood.core.cache import OneServerFirstHash


def test_one_server_takes_every_key_without_hashing(monkeypatch):
    hasher = OneServerFirstHash()
    hasher.add_node("127.0.0.1:11211")
    monkeypatch.setattr(hasher, "hash_function", lambda key: pytest.fail("hashed with one server"))
    assert {hasher.get_node(f"dblood:1:key{n}") for n in range(50)} == {"127.0.0.1:11211"}


def test_several_servers_share_keys_as_pymemcache_would():
    ours, theirs = OneServerFirstHash(), RendezvousHash()
    for node in ("10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211"):
        ours.add_node(node)
        theirs.add_node(node)
    keys = [f"dblood:1:key{n}" for n in range(300)]
    assert [ours.get_node(k) for k in keys] == [theirs.get_node(k) for k in keys]
    assert len({ours.get_node(k) for k in keys}) == 3


def test_a_dead_only_server_leaves_no_node():
    hasher = OneServerFirstHash()
    hasher.add_node("127.0.0.1:11211")
    hasher.remove_node("127.0.0.1:11211")  # what pymemcache does when it marks the server dead
    assert hasher.get_node("dblood:1:key") is None


def test_the_backend_stores_and_reads_through_a_real_memcached(memcached):
    cache = caches["default"]
    assert isinstance(cache._cache.hasher, OneServerFirstHash)
    cache.set_many({f"k{n}": n for n in range(20)})
    assert cache.get_many([f"k{n}" for n in range(20)]) == {f"k{n}": n for n in range(20)}
    assert cache.incr("k3") == 4
