"""Outside channels for notifications: SMS through a JSON gateway, WhatsApp through the Business
Cloud API. Each is a `Provider` (base.py) built from the settings; a channel whose URL, token or
sender is not set is off, and `available()` leaves it out.
"""

from django.conf import settings

from .base import PermanentFailure, Provider, SendResult, StatusReport, TemporaryFailure
from .sms import SmsGateway
from .whatsapp import WhatsAppCloud

__all__ = [
    "PermanentFailure",
    "Provider",
    "SendResult",
    "StatusReport",
    "TemporaryFailure",
    "available",
    "provider_for",
]


def provider_for(channel: str) -> Provider | None:
    """The configured provider of `channel` ("sms", "whatsapp"), or None when it is off."""
    timeout = settings.CHANNEL_TIMEOUT_SECONDS
    if channel == "sms" and settings.SMS_GATEWAY_URL and settings.SMS_GATEWAY_TOKEN and settings.SMS_SENDER:
        return SmsGateway(
            url=settings.SMS_GATEWAY_URL,
            token=settings.SMS_GATEWAY_TOKEN,
            sender=settings.SMS_SENDER,
            callback_secret=settings.SMS_CALLBACK_SECRET,
            timeout=timeout,
        )
    if (
        channel == "whatsapp"
        and settings.WHATSAPP_API_URL
        and settings.WHATSAPP_TOKEN
        and settings.WHATSAPP_PHONE_NUMBER_ID
    ):
        return WhatsAppCloud(
            url=settings.WHATSAPP_API_URL,
            token=settings.WHATSAPP_TOKEN,
            phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID,
            app_secret=settings.WHATSAPP_APP_SECRET,
            template=settings.WHATSAPP_TEMPLATE,
            timeout=timeout,
        )
    return None


def available() -> list[str]:
    """The outside channels that are configured now, of "sms" and "whatsapp"."""
    return [channel for channel in ("sms", "whatsapp") if provider_for(channel) is not None]
