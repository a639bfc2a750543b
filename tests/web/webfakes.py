"""The api, faked at the HTTP layer for the web's unit tests."""

import json
import re
from collections.abc import Callable

import httpx


class FakeApi:
    """Routes `(METHOD, path regex)` to handlers; remembers every request the web made."""

    def __init__(self):
        self.routes: list[tuple[str, re.Pattern, Callable]] = []
        self.requests: list[httpx.Request] = []

    def on(self, method: str, pattern: str, status: int = 200, body=None, handler: Callable | None = None):
        def answer(request, match):
            if handler is not None:
                return handler(request, match)
            if body is None:
                return httpx.Response(status)
            return httpx.Response(status, json=body)

        # A pattern starting with "/" is a path outside the api's /api/v1/ (its /readyz).
        prefix = "" if pattern.startswith("/") else "/api/v1/"
        self.routes.insert(0, (method, re.compile(f"^{prefix}{pattern}$"), answer))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for method, pattern, answer in self.routes:
            match = pattern.match(request.url.path)
            if method == request.method and match:
                return answer(request, match)
        return httpx.Response(404, json={"status": 404, "code": "not_found", "detail": "Not found."})

    def last(self, method: str, path: str) -> httpx.Request:
        for request in reversed(self.requests):
            if request.method == method and request.url.path == f"/api/v1/{path}":
                return request
        raise AssertionError(f"no {method} {path} in {[(r.method, r.url.path) for r in self.requests]}")

    def last_json(self, method: str, path: str) -> dict:
        return json.loads(self.last(method, path).content)


USER = {
    "id": 7,
    "email": "ani@example.org",
    "full_name": "Ani Lestari",
    "role": "donor",
    "language": "en",
    "memberships": [],
    "date_joined": "2026-11-01T01:00:00Z",
}


def staff_home_reads(fake: FakeApi) -> None:
    """Empty answers for every read of the staff home; a test registers its own rows after this."""
    for path in ("drives", "requests", "donations/worklist", "units/expiring", "transfers", "recalls"):
        fake.on("GET", path, body=[])
