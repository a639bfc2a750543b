"""The WhatsApp Business Cloud API's message endpoint.

Send: POST {WHATSAPP_API_URL}/{WHATSAPP_PHONE_NUMBER_ID}/messages, `Authorization: Bearer
{WHATSAPP_TOKEN}`, body {"messaging_product": "whatsapp", "recipient_type": "individual", "to":
"62812...", "type": "template", "template": {"name": WHATSAPP_TEMPLATE, "language": {"code": "id"},
"components": [{"type": "body", "parameters": [{"type": "text", "text": "..."}]}]},
"biz_opaque_callback_data": key} (or "type": "text", "text": {"body": "..."} without a template).
The answer: {"messages": [{"id": "wamid..."}]}. `biz_opaque_callback_data` comes back in the status
webhooks, so a report finds its message even before the answer was stored.

Status webhooks: POST /api/v1/notifications/callbacks/whatsapp with `X-Hub-Signature-256:
sha256=<hex HMAC-SHA256 of the raw body, key WHATSAPP_APP_SECRET>`, body {"object":
"whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {"statuses":
[{"id": "wamid...", "status": "sent" | "delivered" | "read" | "failed", "errors": [...]}]}}]}]}.
"""

from .base import Provider, StatusReport

STATES = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed"}
# dblood's languages as WhatsApp template language codes.
LANGUAGE_CODES = {"id": "id", "en": "en"}


class WhatsAppCloud(Provider):
    channel = "whatsapp"
    signature_header = "X-Hub-Signature-256"

    def __init__(self, *, url: str, token: str, phone_number_id: str, app_secret: str, template: str, timeout: float):
        super().__init__(url=url, token=token, timeout=timeout, secret=app_secret)
        self.phone_number_id = phone_number_id
        self.template = template

    def request(self, *, to, text, idempotency_key, language):
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to.lstrip("+"),
            "biz_opaque_callback_data": idempotency_key,
        }
        if self.template:
            body["type"] = "template"
            body["template"] = {
                "name": self.template,
                "language": {"code": LANGUAGE_CODES.get(language, "id")},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": text}]}],
            }
        else:
            body["type"] = "text"
            body["text"] = {"preview_url": False, "body": text}
        return f"{self.url}/{self.phone_number_id}/messages", {}, body

    def message_id(self, answer: dict) -> str:
        return str(answer["messages"][0]["id"])

    def statuses(self, payload) -> list[StatusReport]:
        if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
            raise ValueError("a webhook has an entry list")
        found = []
        for entry in payload["entry"]:
            for change in (entry or {}).get("changes") or []:
                value = (change or {}).get("value") or {}
                for status in value.get("statuses") or []:
                    state = STATES.get(str((status or {}).get("status", "")).lower())
                    if state is None:
                        continue
                    errors = status.get("errors") or []
                    error = ""
                    if errors and isinstance(errors[0], dict):
                        error = f"{errors[0].get('code', '')} {errors[0].get('title', '')}".strip()
                    found.append(
                        StatusReport(
                            provider_message_id=str(status.get("id") or ""),
                            reference=str(status.get("biz_opaque_callback_data") or ""),
                            state=state,
                            error=error[:300],
                        )
                    )
        return found
