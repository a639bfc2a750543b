"""A statement that gets no answer in time is abandoned: the api fails fast when PostgreSQL hangs.

A PostgreSQL that is stopped (SIGSTOP, a frozen VM, a lost network path) still has a kernel that
accepts and acknowledges the bytes of a query, so nothing on the connection ever times out by itself:
without this, every request waits until gunicorn kills its worker. New connections are bounded by
libpq's `connect_timeout`; a statement on an open connection is bounded here.

`query_deadline(seconds)` is a `connection.execute_wrapper`: while a statement runs, its connection's
socket is registered with one watchdog thread per process, which shuts the socket down once the
deadline passes. The waiting statement then fails at once with an OperationalError (503 JSON for the
caller, `core.errors`), Django discards the broken connection at the end of the request, and the next
request connects again: when PostgreSQL resumes, the api serves again without a restart.

Requests only (`QueryDeadlineMiddleware`): migrations, backups and worker jobs may run long and are
not cut short.
"""

import contextlib
import heapq
import itertools
import socket
import threading
import time

from django.conf import settings
from django.db import connection


class _Watchdog:
    """Sockets of running statements, each with its deadline; one thread shuts down the late ones."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._running: dict[int, int] = {}  # token -> socket fd, while its statement runs
        self._deadlines: list[tuple[float, int]] = []  # heap of (deadline, token)
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, fd: int, seconds: float) -> int:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="query-deadline", daemon=True)
                self._thread.start()
            token = next(self._tokens)
            self._running[token] = fd
            heapq.heappush(self._deadlines, (time.monotonic() + seconds, token))
            self._lock.notify()
            return token

    def done(self, token: int) -> None:
        # Under the lock: once this returns, the watchdog can no longer touch that socket.
        with self._lock:
            self._running.pop(token, None)

    def _run(self) -> None:
        with self._lock:
            while True:
                while self._deadlines and self._deadlines[0][1] not in self._running:
                    heapq.heappop(self._deadlines)  # finished in time
                if not self._deadlines:
                    self._lock.wait()
                    continue
                deadline, token = self._deadlines[0]
                late = deadline - time.monotonic()
                if late > 0:
                    self._lock.wait(late)
                    continue
                heapq.heappop(self._deadlines)
                _shut_down(self._running.pop(token))


def _shut_down(fd: int) -> None:
    """End the connection under the waiting statement: shutdown() wakes the thread blocked on it
    (closing the fd would not, and could let the number be reused under libpq)."""
    with contextlib.suppress(OSError):
        sock = socket.socket(fileno=fd)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.detach()  # the fd stays libpq's


_watchdog = _Watchdog()


class query_deadline:  # noqa: N801 - used like a function: `with connection.execute_wrapper(query_deadline(5))`
    """execute_wrapper: each statement has `seconds` to answer, or its connection is shut down."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self, execute, sql, params, many, context):
        fd = _socket_of(context["connection"])
        if fd is None:
            return execute(sql, params, many, context)
        token = _watchdog.watch(fd, self.seconds)
        try:
            return execute(sql, params, many, context)
        finally:
            _watchdog.done(token)


def _socket_of(wrapper) -> int | None:
    raw = getattr(wrapper, "connection", None)
    if wrapper.vendor != "postgresql" or raw is None:
        return None
    try:
        return raw.pgconn.socket
    except Exception:  # noqa: BLE001 - a closed or broken connection: nothing to watch
        return None


class QueryDeadlineMiddleware:
    """Every statement of a request has DATABASE_QUERY_TIMEOUT seconds (0: no limit)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.DATABASE_QUERY_TIMEOUT
        if not seconds:
            return self.get_response(request)
        with connection.execute_wrapper(query_deadline(seconds)):
            return self.get_response(request)
