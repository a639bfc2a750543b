"""A stand-in SMS gateway / WhatsApp Cloud API: a real HTTP server on 127.0.0.1 in a thread.

It records every request (path, headers, JSON body) and answers from a plan: `fail_next(500)`
makes the next call a 500, `slow_next(seconds)` holds the next answer that long (a timeout for a
client with a shorter one). Otherwise it answers as the real provider does, with a new message id.
No real provider is ever contacted: the clients under test are pointed at `server.url`.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: dict | None


@dataclass
class _Plan:
    status: int = 200
    delay: float = 0.0


@dataclass
class FakeProvider:
    """`kind` "sms" answers {"id": ...}; "whatsapp" answers {"messages": [{"id": "wamid..."}]}."""

    kind: str
    requests: list[Recorded] = field(default_factory=list)
    _plans: list[_Plan] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, *statuses: int) -> None:
        with self._lock:
            self._plans.extend(_Plan(status=status) for status in statuses)

    def slow_next(self, seconds: float) -> None:
        with self._lock:
            self._plans.append(_Plan(delay=seconds))

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self._lock:
            self.requests.append(Recorded(handler.command, handler.path, dict(handler.headers), body))
            plan = self._plans.pop(0) if self._plans else _Plan()
            n = len(self.requests)
        if plan.delay:
            time.sleep(plan.delay)
        if plan.status >= 300:
            payload = {"error": {"message": "planned failure", "code": plan.status}}
        elif self.kind == "whatsapp":
            payload = {
                "messaging_product": "whatsapp",
                "contacts": [{"input": (body or {}).get("to"), "wa_id": (body or {}).get("to")}],
                "messages": [{"id": f"wamid.TEST{n}"}],
            }
        else:
            payload = {"id": f"sms-{n}", "status": "accepted"}
        data = json.dumps(payload).encode()
        try:
            handler.send_response(plan.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test)

    def start(self) -> "FakeProvider":
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                provider._answer(self)

            def log_message(self, format, *args):  # quiet test output
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
