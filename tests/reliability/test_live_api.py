"""Hostile requests against the api as deployed (gunicorn, production settings)."""

import json
import socket

import pytest


def test_oversized_body_under_gunicorn_is_413_json(stack):
    body = json.dumps({"email": "a@example.org", "password": "x" * (2 * 1024 * 1024)})
    with stack.client() as client:
        response = client.post("/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_lying_content_length_is_not_a_500(stack):
    host, port = stack.url.removeprefix("http://").split(":")
    for headers in ["Content-Length: -5", "Content-Length: abc", "Content-Length: 99999999999999999999"]:
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                f"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"{headers}\r\nConnection: close\r\n\r\n{{}}".encode()
            )
            reply = sock.recv(4096).decode(errors="replace")
        status = int(reply.split(" ", 2)[1])
        assert 400 <= status < 500, reply[:200]


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/auth/login", "/healthz", "/nowhere"])
def test_production_security_headers(stack, path):
    with stack.client() as client:
        response = client.get(path, headers={"X-Forwarded-Proto": "https"})
    assert response.status_code < 500
    headers = response.headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "default-src 'none'" in headers["Content-Security-Policy"]


def test_errors_never_leak_debug_pages(stack):
    with stack.client() as client:
        response = client.get("/api/v1/%ff/../../etc/passwd")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert "Traceback" not in response.text and "DEBUG" not in response.text
