"""Delivery reports: signed POSTs from the providers move a delivery on; a bad signature is a 401
with the error body, and nothing is written."""

import json

import pytest

from dblood.notifications.channels.base import sign
from dblood.notifications.deliveries import deliveries_send_due
from dblood.notifications.messages import notify
from dblood.notifications.models import Delivery, Notification
from dblood.notifications.tests.factories import make_donor
from dblood.notifications.tests.test_channels import (  # noqa: F401 - fixtures
    MOBILE,
    channels_on,
    sms_gateway,
    whatsapp_api,
)

SMS = "/api/v1/notifications/callbacks/sms"
WHATSAPP = "/api/v1/notifications/callbacks/whatsapp"


@pytest.fixture
def sent(channels_on, donor):  # noqa: F811
    make_donor(donor, phone=MOBILE, notify_channels=["sms", "whatsapp"])
    notify(user=donor, kind=Notification.Kind.ELIGIBLE_AGAIN, key="e:1", date="2026-12-08", donation_type="whole blood")
    assert deliveries_send_due() == 2
    return {d.channel: d for d in Delivery.objects.all()}


def _post(api, path, payload, *, secret=None, header=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {}
    if secret is not None:
        headers[header] = sign(secret, body)
    return api().post(path, data=body, content_type="application/json", headers=headers)


def _wa_status(message_id, status, **extra):
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "628000", "phone_number_id": "1055501"},
                            "statuses": [{"id": message_id, "status": status, "timestamp": "1765170000", **extra}],
                        },
                    }
                ],
            }
        ],
    }


@pytest.mark.django_db
def test_a_signed_sms_report_marks_the_message_delivered(api, sent):
    sms = sent["sms"]
    report = {"id": sms.provider_message_id, "reference": str(sms.idempotency_key), "status": "delivered"}
    response = _post(api, SMS, report, secret="sms-secret", header="X-Dblood-Signature")
    assert response.status_code == 200
    assert response.json() == {"received": 1, "updated": 1}
    sms.refresh_from_db()
    assert sms.state == "delivered"
    assert sms.status_at is not None


@pytest.mark.django_db
def test_an_sms_report_found_by_our_reference_alone(api, sent):
    sms = sent["sms"]
    report = [{"reference": str(sms.idempotency_key), "status": "undelivered", "error": "absent subscriber"}]
    assert _post(api, SMS, report, secret="sms-secret", header="X-Dblood-Signature").json()["updated"] == 1
    sms.refresh_from_db()
    assert (sms.state, sms.last_error) == ("failed", "absent subscriber")


@pytest.mark.django_db
def test_a_signed_whatsapp_webhook_moves_the_message_on_and_never_back(api, sent):
    wa = sent["whatsapp"]
    read = _post(
        api, WHATSAPP, _wa_status(wa.provider_message_id, "read"), secret="wa-secret", header="X-Hub-Signature-256"
    )
    assert read.json() == {"received": 1, "updated": 1}
    late = _post(
        api, WHATSAPP, _wa_status(wa.provider_message_id, "delivered"), secret="wa-secret", header="X-Hub-Signature-256"
    )
    assert late.json() == {"received": 1, "updated": 0}
    wa.refresh_from_db()
    assert wa.state == "read"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "header", "secret"),
    [
        (SMS, "X-Dblood-Signature", "wrong-secret"),
        (SMS, "X-Dblood-Signature", None),
        (WHATSAPP, "X-Hub-Signature-256", "sms-secret"),
        (WHATSAPP, "X-Hub-Signature-256", None),
    ],
)
def test_a_bad_or_missing_signature_is_refused_and_nothing_is_written(api, sent, path, header, secret):
    wa, sms = sent["whatsapp"], sent["sms"]
    payload = (
        _wa_status(wa.provider_message_id, "failed")
        if path == WHATSAPP
        else {"id": sms.provider_message_id, "status": "failed"}
    )
    response = _post(api, path, payload, secret=secret, header=header)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    assert "signature" in response.json()["detail"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_signature_over_another_body_is_refused(api, sent):
    sms = sent["sms"]
    signed = json.dumps({"id": sms.provider_message_id, "status": "sent"}).encode()
    sent_body = json.dumps({"id": sms.provider_message_id, "status": "failed"}).encode()
    response = api().post(
        SMS, data=sent_body, content_type="application/json", headers={"X-Dblood-Signature": sign("sms-secret", signed)}
    )
    assert response.status_code == 401
    assert Delivery.objects.get(channel="sms").state == "sent"


@pytest.mark.django_db
def test_the_signature_error_speaks_the_callers_language(api, sent):
    response = api().post(
        SMS,
        data=b"{}",
        content_type="application/json",
        headers={"X-Dblood-Signature": "sha256=00", "Accept-Language": "id"},
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Tanda tangan permintaan tidak cocok dengan isinya."


@pytest.mark.django_db
def test_a_signed_body_that_is_no_report_is_a_400(api, sent):
    response = _post(api, SMS, None, raw=b"not json", secret="sms-secret", header="X-Dblood-Signature")
    assert response.status_code == 400
    assert "body" in response.json()["fields"]
    response = _post(api, WHATSAPP, {"object": "x"}, secret="wa-secret", header="X-Hub-Signature-256")
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_report_for_an_unknown_message_is_acknowledged_and_ignored(api, sent):
    response = _post(
        api, SMS, {"id": "nobody", "status": "delivered"}, secret="sms-secret", header="X-Dblood-Signature"
    )
    assert response.json() == {"received": 1, "updated": 0}


@pytest.mark.django_db
def test_callbacks_of_an_unconfigured_channel_are_404_and_without_secret_403(api, channels_on):  # noqa: F811
    channels_on.SMS_CALLBACK_SECRET = ""
    response = _post(api, SMS, {"id": "x", "status": "sent"}, secret="", header="X-Dblood-Signature")
    assert (response.status_code, response.json()["code"]) == (403, "callbacks_off")
    channels_on.WHATSAPP_TOKEN = ""
    response = _post(api, WHATSAPP, {}, secret="wa-secret", header="X-Hub-Signature-256")
    assert (response.status_code, response.json()["code"]) == (404, "channel_off")


@pytest.mark.django_db
def test_whatsapp_webhook_verification(api, channels_on):  # noqa: F811
    channels_on.WHATSAPP_VERIFY_TOKEN = "verify-me"
    ok = api().get(WHATSAPP, {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "12345"})
    assert (ok.status_code, ok.content) == (200, b"12345")
    wrong = api().get(WHATSAPP, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"})
    assert wrong.status_code == 403
