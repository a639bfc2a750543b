"""Where a form goes back to after it is sent: a page of this site only.

A view that redirects to a `back` or `next` value taken from the request would, unchecked, send
the user on to any host a crafted link names (an open redirect, used in phishing). Every such
redirect asks here."""

from django.utils.http import url_has_allowed_host_and_scheme


def local_url(request, key: str, default: str = "") -> str:
    """The request's `key` (POST first, then GET) when it is a URL of this site; else `default`."""
    candidate = request.POST.get(key) or request.GET.get(key) or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
