"""SMS and WhatsApp: the clients against a fake provider on loopback, retries with backoff and a
stable idempotency key, timeouts, and the donor's choice of channels and weekly cap.

No mock objects and no real provider: each client talks HTTP to `testing.fake_provider`.
"""

import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dblood.core.phones import PhoneError, is_mobile, to_e164
from dblood.notifications import channels
from dblood.notifications.deliveries import backoff, deliveries_send_due
from dblood.notifications.messages import notify
from dblood.notifications.models import Delivery, Notification
from dblood.notifications.tests.factories import make_donor
from dblood.notifications.worker import DUE_WORK
from testing.fake_provider import FakeProvider

MOBILE = "+6281234567890"


@pytest.fixture
def sms_gateway():
    server = FakeProvider("sms").start()
    yield server
    server.stop()


@pytest.fixture
def whatsapp_api():
    server = FakeProvider("whatsapp").start()
    yield server
    server.stop()


@pytest.fixture
def channels_on(settings, sms_gateway, whatsapp_api):
    settings.SMS_GATEWAY_URL = f"{sms_gateway.url}/v1/messages"
    settings.SMS_GATEWAY_TOKEN = "sms-token"
    settings.SMS_SENDER = "DBLOOD"
    settings.SMS_CALLBACK_SECRET = "sms-secret"
    settings.WHATSAPP_API_URL = f"{whatsapp_api.url}/v21.0"
    settings.WHATSAPP_TOKEN = "wa-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "1055501"
    settings.WHATSAPP_APP_SECRET = "wa-secret"
    settings.WHATSAPP_TEMPLATE = ""
    settings.CHANNEL_RETRY_BASE_SECONDS = 60
    settings.CHANNEL_MAX_ATTEMPTS = 5
    settings.CHANNEL_TIMEOUT_SECONDS = 5.0
    return settings


def _remind(user, key="eligible_again:1"):
    return notify(
        user=user, kind=Notification.Kind.ELIGIBLE_AGAIN, key=key, date="2026-12-08", donation_type="whole blood"
    )


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("0812-3456-7890", MOBILE),
        ("0812 3456 7890", MOBILE),
        ("62 812 3456 7890", MOBILE),
        ("+62 (812) 3456-7890", MOBILE),
        ("+62 0812 3456 7890", MOBILE),
        ("0062 812 3456 7890", MOBILE),
        ("812.3456.7890", MOBILE),
        ("(021) 555 1234", "+62215551234"),
        ("+65 6123 4567", "+6561234567"),
    ],
)
def test_phone_numbers_become_e164(written, e164):
    assert to_e164(written) == e164


@pytest.mark.parametrize("written", ["", "12", "0812-34", "+62 1234 5678", "08123456789012345", "+0 123456789", "abc"])
def test_malformed_phone_numbers_are_refused(written):
    with pytest.raises(PhoneError):
        to_e164(written)


def test_only_mobiles_take_text_messages():
    assert is_mobile(MOBILE)
    assert not is_mobile("+62215551234")


def test_sms_client_sends_the_documented_request(channels_on, sms_gateway):
    result = channels.provider_for("sms").send(to=MOBILE, text="Halo", idempotency_key="k-1", language="id")
    assert result.provider_message_id == "sms-1"
    [request] = sms_gateway.requests
    assert request.path == "/v1/messages"
    assert request.headers["Authorization"] == "Bearer sms-token"
    assert request.headers["Idempotency-Key"] == "k-1"
    assert request.body == {"from": "DBLOOD", "to": MOBILE, "text": "Halo", "reference": "k-1"}


def test_whatsapp_client_posts_to_the_phone_numbers_messages(channels_on, whatsapp_api):
    result = channels.provider_for("whatsapp").send(to=MOBILE, text="Halo", idempotency_key="k-2", language="id")
    assert result.provider_message_id == "wamid.TEST1"
    [request] = whatsapp_api.requests
    assert request.path == "/v21.0/1055501/messages"
    assert request.headers["Authorization"] == "Bearer wa-token"
    assert request.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "biz_opaque_callback_data": "k-2",
        "type": "text",
        "text": {"preview_url": False, "body": "Halo"},
    }


def test_whatsapp_template_carries_the_text_as_its_parameter(channels_on, whatsapp_api):
    channels_on.WHATSAPP_TEMPLATE = "dblood_notice"
    channels.provider_for("whatsapp").send(to=MOBILE, text="Hello", idempotency_key="k-3", language="en")
    body = whatsapp_api.requests[0].body
    assert body["type"] == "template"
    assert body["template"] == {
        "name": "dblood_notice",
        "language": {"code": "en"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Hello"}]}],
    }


def test_a_channel_without_configuration_is_off(settings):
    settings.SMS_GATEWAY_URL = "https://sms.example.invalid/send"
    settings.SMS_GATEWAY_TOKEN = ""
    settings.SMS_SENDER = "DBLOOD"
    settings.WHATSAPP_API_URL = ""
    assert channels.provider_for("sms") is None
    assert channels.provider_for("whatsapp") is None
    assert channels.available() == []


def test_the_worker_sends_them():
    assert "dblood.notifications.deliveries.deliveries_send_due" in DUE_WORK


@pytest.mark.django_db
def test_a_failed_send_is_retried_with_backoff_under_the_same_key(channels_on, sms_gateway, donor):
    make_donor(donor, phone="0812 3456 7890", notify_channels=["in_app", "sms"])
    _remind(donor)
    [delivery] = Delivery.objects.all()
    assert (delivery.channel, delivery.to, delivery.state) == ("sms", MOBILE, "pending")
    sms_gateway.fail_next(500)

    assert deliveries_send_due() == 0
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "500" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=55)

    assert deliveries_send_due() == 0  # not due yet: the gateway is not asked again
    assert len(sms_gateway.requests) == 1

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert deliveries_send_due() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.provider_message_id) == ("sent", 2, "sms-2")
    keys = {request.headers["Idempotency-Key"] for request in sms_gateway.requests}
    assert keys == {str(delivery.idempotency_key)}
    assert len(sms_gateway.requests) == 2


@pytest.mark.django_db
def test_a_slow_provider_times_out_and_is_retried(channels_on, whatsapp_api, donor):
    channels_on.CHANNEL_TIMEOUT_SECONDS = 0.3
    make_donor(donor, phone=MOBILE, notify_channels=["whatsapp"])
    _remind(donor)
    whatsapp_api.slow_next(2.0)
    started = time.monotonic()
    assert deliveries_send_due() == 0
    assert time.monotonic() - started < 1.5
    delivery = Delivery.objects.get()
    assert delivery.state == "pending"
    assert "Timeout" in delivery.last_error
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert deliveries_send_due() == 1
    assert Delivery.objects.get().state == "sent"


@pytest.mark.django_db
def test_a_refused_message_is_not_retried(channels_on, sms_gateway, donor):
    make_donor(donor, phone=MOBILE, notify_channels=["sms"])
    _remind(donor)
    sms_gateway.fail_next(400)
    deliveries_send_due()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.next_attempt_at) == ("failed", None)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        deliveries_send_due()
    assert len(sms_gateway.requests) == 1


@pytest.mark.django_db
def test_the_worker_gives_up_after_the_last_attempt(channels_on, sms_gateway, donor):
    channels_on.CHANNEL_MAX_ATTEMPTS = 3
    make_donor(donor, phone=MOBILE, notify_channels=["sms"])
    _remind(donor)
    sms_gateway.fail_next(503, 503, 503, 503)
    now = timezone.now()
    for hours in range(4):
        with time_machine.travel(now + timedelta(hours=hours)):
            deliveries_send_due()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("failed", 3)
    assert len(sms_gateway.requests) == 3


def test_backoff_doubles_up_to_an_hour(settings):
    settings.CHANNEL_RETRY_BASE_SECONDS = 60
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(20) == timedelta(hours=1)


@pytest.mark.django_db
def test_each_chosen_channel_gets_one_delivery_and_email_stays_as_it_was(channels_on, donor):
    make_donor(donor, phone=MOBILE, notify_channels=["email", "in_app", "sms", "whatsapp"])
    notification = _remind(donor)
    assert sorted(notification.deliveries.values_list("channel", flat=True)) == ["sms", "whatsapp"]
    assert notification.email_state == "pending"
    assert _remind(donor) is None  # the same event again: no second notification, no second SMS
    assert Delivery.objects.count() == 2


@pytest.mark.django_db
def test_no_delivery_without_choice_or_mobile_or_for_staff(channels_on, donor, other_donor, staff_a):
    make_donor(donor, phone=MOBILE, notify_channels=[])  # the default: in-app and e-mail
    make_donor(other_donor, phone="(021) 555 1234", notify_channels=["sms"])  # a landline
    for user in (donor, other_donor, staff_a):
        _remind(user)
    assert Notification.objects.count() == 3
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_a_channel_switched_off_sends_nothing(channels_on, donor):
    make_donor(donor, phone=MOBILE, notify_channels=["sms"])
    channels_on.SMS_GATEWAY_URL = ""
    _remind(donor)
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_alerts_over_the_weekly_cap_do_not_reach_the_phone(channels_on, donor):
    make_donor(donor, phone=MOBILE, notify_channels=["sms"], max_alerts_per_week=1)
    params = dict(group="O+", place="UDD A", until="18:00")
    first = notify(user=donor, kind=Notification.Kind.CALL_OUT, key="call_out:1", **params)
    second = notify(user=donor, kind=Notification.Kind.CALL_OUT, key="call_out:2", **params)
    assert first.deliveries.count() == 1
    assert second.deliveries.count() == 0
    # A reminder is not an alert: the cap does not hold it back.
    assert _remind(donor).deliveries.count() == 1


@pytest.mark.django_db
def test_the_text_is_short_in_the_donors_language_and_has_no_blood_group(channels_on, donor):
    donor.language = "id"
    donor.save()
    make_donor(donor, phone=MOBILE, notify_channels=["sms"])
    notification = notify(
        user=donor, kind=Notification.Kind.CALL_OUT, key="call_out:9", group="AB-", place="X", until="y"
    )
    assert "AB-" in notification.title  # the inbox has it, behind the donor's sign-in
    delivery = notification.deliveries.get()
    assert "AB" not in delivery.text
    assert delivery.text.startswith("dblood: ")
    assert "pasien" in delivery.text  # Bahasa Indonesia
    assert len(delivery.text) <= 160


@pytest.mark.django_db
def test_donor_chooses_channels_and_gives_a_phone(api, channels_on, donor):
    make_donor(donor, phone="", notify_channels=[])
    client = api(donor)
    assert client.get("/api/v1/donors/me").json()["available_channels"] == ["in_app", "email", "sms", "whatsapp"]
    refused = client.patch("/api/v1/donors/me", {"notify_channels": ["sms"]}, format="json")
    assert refused.status_code == 400
    assert "notify_channels" in refused.json()["fields"]
    bad_phone = client.patch("/api/v1/donors/me", {"phone": "12-34"}, format="json")
    assert bad_phone.status_code == 400
    assert "phone" in bad_phone.json()["fields"]
    saved = client.patch("/api/v1/donors/me", {"phone": "0812-3456-7890", "notify_channels": ["sms"]}, format="json")
    assert saved.status_code == 200
    assert saved.json()["phone"] == MOBILE
    assert saved.json()["notify_channels"] == ["in_app", "sms"]  # in-app is always on
    landline = client.patch("/api/v1/donors/me", {"phone": "021 555 1234"}, format="json")
    assert landline.status_code == 400
    assert "phone" in landline.json()["fields"]


@pytest.mark.django_db
def test_an_unconfigured_channel_cannot_be_chosen(api, settings, donor):
    settings.SMS_GATEWAY_URL = settings.WHATSAPP_API_URL = ""
    make_donor(donor, phone=MOBILE)
    client = api(donor)
    assert client.get("/api/v1/notifications/channels").json() == {"channels": ["in_app", "email"]}
    response = client.patch("/api/v1/donors/me", {"notify_channels": ["whatsapp"]}, format="json")
    assert response.status_code == 400
    assert "whatsapp" in response.json()["fields"]["notify_channels"][0]


def test_idempotency_keys_are_uuids():
    assert uuid.UUID(str(Delivery().idempotency_key)).version == 4


def test_system_checks_warn_of_a_half_configured_channel(settings):
    from dblood.notifications.checks import channel_settings

    settings.SMS_GATEWAY_URL = "https://sms.example.org/send"
    settings.SMS_GATEWAY_TOKEN = settings.SMS_SENDER = ""
    settings.WHATSAPP_API_URL = settings.WHATSAPP_TOKEN = settings.WHATSAPP_PHONE_NUMBER_ID = "x"
    settings.WHATSAPP_APP_SECRET = ""
    found = {message.id: message.msg for message in channel_settings()}
    assert set(found) == {"notifications.W001", "notifications.W002"}
    assert "SMS_GATEWAY_TOKEN" in found["notifications.W001"]
    assert "WHATSAPP_APP_SECRET" in found["notifications.W002"]
    settings.SMS_GATEWAY_URL = ""
    settings.WHATSAPP_APP_SECRET = "s"
    assert channel_settings() == []
