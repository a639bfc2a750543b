"""The memcached backend the api and the web use."""

from django.core.cache.backends.memcached import PyMemcacheCache
from pymemcache.client.rendezvous import RendezvousHash


class OneServerFirstHash(RendezvousHash):
    """pymemcache's rendezvous hashing (which server holds a key), skipped when there is one
    server: pymemcache hashes every key with a pure-Python murmur3 even then, about 15 µs per key
    and five keys in a cached authenticated read. With several servers, the same choice as before."""

    def get_node(self, key):
        if len(self.nodes) == 1:
            return self.nodes[0]
        return super().get_node(key)


class PersistentPyMemcacheCache(PyMemcacheCache):
    """PyMemcacheCache that keeps its connection between requests.

    Django closes cache connections when each request finishes (`close_caches`, for old clients
    that leaked sockets), so every request that touches the cache pays a new TCP connection to
    memcached. pymemcache closes a broken socket itself and reconnects on the next command, so
    there is nothing to clean up; like Django's own PyLibMCCache, `close()` does nothing.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._options.setdefault("hasher", OneServerFirstHash)

    def close(self, **kwargs):
        pass
