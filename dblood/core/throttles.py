"""Rate limits that hold under concurrency and whatever the client sends.

DRF's SimpleRateThrottle keeps a list of timestamps and writes it back (get, then set): N
parallel requests all read the same list and all pass, so a burst of 50 guesses gets through a
"10/min" limit. Here each window is one counter bumped with the cache's atomic `incr`
(memcached and locmem both do it atomically), so the limit is exact at any concurrency.
A fixed window lets through at most twice the rate across a window boundary, which is fine
for login throttling. Idents are hashed: a key built from raw input (spaces, control
characters, 300-character "emails") is illegal in memcached.
"""

import functools
import hashlib
import hmac
import ipaddress

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

# The web (dblood_web) sends this with WEB_PROXY_KEY on every call it makes for a browser.
WEB_PROXY_KEY_META = "HTTP_X_DBLOOD_WEB_PROXY_KEY"


def trusted_hops(request) -> int:
    """How many X-Forwarded-For entries, from the right, proxies we trust wrote for this request.

    NUM_PROXIES counts the proxies in front of the api (nginx: 1). A call from the web went through
    one more: nginx, then the web, which appended the address it saw (dblood_web.api.forwarded_for).
    Only a caller holding WEB_PROXY_KEY is counted as the web: a browser sending the header
    without the key, or X-Forwarded-For entries of its own, gains nothing. Nothing is trusted from
    a peer outside TRUSTED_PROXY_NETWORKS: a caller reaching the api directly is its own address.
    """
    if not from_trusted_proxy(request.META.get("REMOTE_ADDR") or ""):
        return 0  # a direct caller: whatever it writes in the headers is its own
    hops = api_settings.NUM_PROXIES or 0
    key = getattr(settings, "WEB_PROXY_KEY", "")
    sent = request.META.get(WEB_PROXY_KEY_META, "")
    if key and sent and hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), key.encode()):
        hops += 1
    return hops


@functools.lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def from_trusted_proxy(address: str) -> bool:
    """Is this peer address one of TRUSTED_PROXY_NETWORKS (nginx, the web)?"""
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(peer in network for network in _networks(tuple(settings.TRUSTED_PROXY_NETWORKS)))


def client_address(request) -> str:
    """The address the last trusted proxy saw (DRF's rule, with the web counted as a proxy)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    hops = trusted_hops(request)
    if not hops or not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(hops, len(addresses))] or remote


class AtomicRateThrottle(SimpleRateThrottle):
    def ident_key(self, ident: str) -> str:
        digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": digest}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.wait_seconds = max(1, int((window + 1) * self.duration - now))
        counter = f"{key}:{window}"
        # add() only creates the counter if absent; incr() is atomic. Both outlive the window a little.
        self.cache.add(counter, 0, self.duration + 1)
        try:
            count = self.cache.incr(counter)
        except ValueError:  # expired between add and incr: start again
            self.cache.add(counter, 1, self.duration + 1)
            count = 1
        if count is None or count is False:  # memcached down (errors are misses): fail open, keep serving
            return True
        return count <= self.num_requests

    def wait(self):
        return getattr(self, "wait_seconds", None)


class AddressRateThrottle(AtomicRateThrottle):
    """Per client address (the one the last trusted proxy saw, see NUM_PROXIES)."""

    def get_ident(self, request):
        return client_address(request)

    def get_cache_key(self, request, view):
        return self.ident_key(self.get_ident(request) or "unknown")


class PublicCheckThrottle(AddressRateThrottle):
    """The public checks of certificate tokens and replacement codes, per client address."""

    scope = "public_check"


class DeviceReadingThrottle(AddressRateThrottle):
    """Temperature devices posting readings, per client address (a site's devices may share one)."""

    scope = "device_reading"
