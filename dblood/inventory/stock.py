"""Stock per blood bank x group x component, served from the cache.

`invalidate()` is called after every unit state change (services.unit_transition).
"""

from django.core.cache import cache

STOCK_VERSION_KEY = "stock:version"


def invalidate() -> None:
    """Bump the version so every cached stock view is stale at once."""
    try:
        cache.incr(STOCK_VERSION_KEY)
    except ValueError:
        cache.set(STOCK_VERSION_KEY, 1, None)
