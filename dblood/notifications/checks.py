"""System checks for the SMS and WhatsApp settings: a half-configured channel is silently off, and
a configured one without its signing secret refuses every delivery report."""

from django.conf import settings
from django.core import checks

CHANNELS = {
    "SMS": (("SMS_GATEWAY_URL", "SMS_GATEWAY_TOKEN", "SMS_SENDER"), "SMS_CALLBACK_SECRET"),
    "WhatsApp": (("WHATSAPP_API_URL", "WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID"), "WHATSAPP_APP_SECRET"),
}


@checks.register()
def channel_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    found = []
    for channel, (needed, secret) in CHANNELS.items():
        set_ = [name for name in needed if getattr(settings, name, "")]
        if set_ and len(set_) < len(needed):
            missing = ", ".join(name for name in needed if name not in set_)
            found.append(
                checks.Warning(
                    f"{channel} is off: {missing} not set.",
                    hint=f"Set all of {', '.join(needed)} to turn {channel} on, or none of them.",
                    id="notifications.W001",
                )
            )
        elif set_ and not getattr(settings, secret, ""):
            found.append(
                checks.Warning(
                    f"{channel} is on but {secret} is not set: its delivery reports are refused (403).",
                    hint=f"Set {secret} to the key the provider signs its callbacks with.",
                    id="notifications.W002",
                )
            )
    return found
