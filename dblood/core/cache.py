"""The memcached backend the api and the web use."""

from django.core.cache.backends.memcached import PyMemcacheCache


class PersistentPyMemcacheCache(PyMemcacheCache):
    """PyMemcacheCache that keeps its connection between requests.

    Django closes cache connections when each request finishes (`close_caches`, for old clients
    that leaked sockets), so every request that touches the cache pays a new TCP connection to
    memcached. pymemcache closes a broken socket itself and reconnects on the next command, so
    there is nothing to clean up; like Django's own PyLibMCCache, `close()` does nothing.
    """

    def close(self, **kwargs):
        pass
