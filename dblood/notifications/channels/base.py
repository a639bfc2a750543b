"""The provider interface: send one short text to one number; read the provider's signed reports."""

import hashlib
import hmac
from dataclasses import dataclass

import httpx


class TemporaryFailure(Exception):
    """Worth retrying later: a timeout, a refused connection, 408/429 or a 5xx answer."""


class PermanentFailure(Exception):
    """Retrying will not help: the provider refused the message (bad number, bad credentials)."""


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str


@dataclass(frozen=True)
class StatusReport:
    """One status from a callback. `reference` is our idempotency key when the provider echoes it;
    `state` is one of Delivery.State's values (sent, delivered, read, failed)."""

    provider_message_id: str
    reference: str
    state: str
    error: str = ""


RETRYABLE_STATUS = {408, 425, 429}


def sign(secret: str, body: bytes) -> str:
    """ "sha256=" + the hex HMAC-SHA256 of `body`: how both providers sign their callbacks."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Provider:
    """One outside channel. Subclasses build the request and read the callbacks of their provider."""

    channel = ""
    signature_header = ""

    def __init__(self, *, url: str, token: str, timeout: float, secret: str):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.secret = secret

    def request(self, *, to: str, text: str, idempotency_key: str, language: str) -> tuple[str, dict, dict]:
        """(url, headers, JSON body) of the call that sends `text` to `to` (E.164)."""
        raise NotImplementedError

    def message_id(self, answer: dict) -> str:
        raise NotImplementedError

    def statuses(self, payload) -> list[StatusReport]:
        """The status reports in a callback's (verified) JSON payload; ValueError if it has no such shape."""
        raise NotImplementedError

    def send(self, *, to: str, text: str, idempotency_key: str, language: str) -> SendResult:
        url, headers, body = self.request(to=to, text=text, idempotency_key=idempotency_key, language=language)
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": idempotency_key, **headers}
        try:
            response = httpx.post(url, json=body, headers=headers, timeout=self.timeout)
        except httpx.TransportError as exc:  # timeouts, refused or reset connections
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}"[:300]) from exc
        if response.status_code >= 500 or response.status_code in RETRYABLE_STATUS:
            raise TemporaryFailure(f"HTTP {response.status_code}: {response.text[:200]}")
        if response.status_code >= 300:
            raise PermanentFailure(f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            return SendResult(provider_message_id=self.message_id(response.json())[:128])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            # Accepted, but the answer is not what the provider documents: the message may well be on
            # its way, and sending it again under the same key is what the key is for.
            raise TemporaryFailure(f"unreadable answer: {response.text[:200]}") from exc

    def signature_valid(self, *, body: bytes, signature: str) -> bool:
        """Is `signature` (the header's value) the HMAC of `body` with this channel's secret?"""
        if not self.secret or not signature:
            return False
        return hmac.compare_digest(sign(self.secret, body).encode(), signature.strip().encode())
