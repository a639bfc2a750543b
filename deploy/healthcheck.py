#!/usr/bin/env python3
"""Container healthcheck, standard library only (the images have no curl or wget to rely on).

    healthcheck.py                 GET $HEALTHCHECK_URL (default http://127.0.0.1:8000/healthz)
    healthcheck.py URL             GET URL; healthy on a 2xx answer within the timeout
    healthcheck.py --tcp HOST:PORT healthy when a TCP connection opens (the worker: its database)

The request carries the first ALLOWED_HOSTS name as its Host (Django rejects others) and
X-Forwarded-Proto: https (production redirects plain HTTP), exactly as nginx would send it.
Exit status 0 is healthy, 1 unhealthy, as Docker expects.
"""

import http.client
import os
import socket
import sys
import urllib.parse

TIMEOUT = float(os.environ.get("HEALTHCHECK_TIMEOUT", "4"))


def _host_header(default: str) -> str:
    for name in os.environ.get("ALLOWED_HOSTS", "").split(","):
        name = name.strip().lstrip("*").lstrip(".")
        if name:
            return name
    return default


def check_http(url: str) -> str | None:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=TIMEOUT)
    try:
        connection.request(
            "GET",
            parts.path or "/",
            headers={"Host": _host_header(parts.netloc), "X-Forwarded-Proto": "https", "User-Agent": "healthcheck"},
        )
        status = connection.getresponse().status
    except OSError as error:
        return f"{url}: {error}"
    finally:
        connection.close()
    return None if 200 <= status < 300 else f"{url}: HTTP {status}"


def check_tcp(address: str) -> str | None:
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=TIMEOUT):
            return None
    except OSError as error:
        return f"{address}: {error}"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--tcp"] and len(argv) == 2:
        problem = check_tcp(argv[1])
    elif len(argv) <= 1:
        problem = check_http(argv[0] if argv else os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000/healthz"))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
