"""A generic JSON-over-HTTPS SMS gateway (most Indonesian SMS aggregators offer this shape).

Send: POST {SMS_GATEWAY_URL}, `Authorization: Bearer {SMS_GATEWAY_TOKEN}`, `Idempotency-Key: {key}`,
body {"from": SMS_SENDER, "to": "+62...", "text": "...", "reference": key}; a 2xx answer carries
{"id": "<gateway's message id>"}. The same key on a retry must not send a second SMS.

Delivery reports: POST /api/v1/notifications/callbacks/sms with `X-Dblood-Signature: sha256=<hex
HMAC-SHA256 of the raw body, key SMS_CALLBACK_SECRET>`, body one report or a list of them:
{"id": "...", "reference": key, "status": "sent" | "delivered" | "failed" | "undelivered" |
"rejected" | "expired", "error": "..."}.
"""

from .base import Provider, StatusReport

# The gateway's words for a report, as Delivery states.
STATES = {
    "accepted": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "failed": "failed",
    "undelivered": "failed",
    "rejected": "failed",
    "expired": "failed",
}


class SmsGateway(Provider):
    channel = "sms"
    signature_header = "X-Dblood-Signature"

    def __init__(self, *, url: str, token: str, sender: str, callback_secret: str, timeout: float):
        super().__init__(url=url, token=token, timeout=timeout, secret=callback_secret)
        self.sender = sender

    def request(self, *, to, text, idempotency_key, language):
        return self.url, {}, {"from": self.sender, "to": to, "text": text, "reference": idempotency_key}

    def message_id(self, answer: dict) -> str:
        return str(answer["id"])

    def statuses(self, payload) -> list[StatusReport]:
        reports = payload if isinstance(payload, list) else [payload]
        found = []
        for report in reports:
            if not isinstance(report, dict) or not isinstance(report.get("status"), str):
                raise ValueError("each report is an object with a status")
            state = STATES.get(report["status"].lower())
            if state is None:
                continue  # a state we do not track (queued, buffered...)
            found.append(
                StatusReport(
                    provider_message_id=str(report.get("id") or ""),
                    reference=str(report.get("reference") or ""),
                    state=state,
                    error=str(report.get("error") or "")[:300],
                )
            )
        return found
