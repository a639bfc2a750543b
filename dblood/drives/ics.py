"""An appointment as an iCalendar (RFC 5545) event, for the donor's calendar, in the donor's language."""

from datetime import UTC, datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, ';' and ',' escaped, every line break (CR, LF or
    both) an escaped newline, other control characters dropped, so no value can end its line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or ch == "\t" or ord(ch) >= 32 and ch != "\x7f")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a UTF-8 character
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74
    return "\r\n ".join(parts)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def appointment_ics(appointment) -> str:
    drive = appointment.slot.drive
    location = ", ".join(part for part in (drive.location_name, drive.address, drive.city) if part)
    cancelled = appointment.status == appointment.Status.CANCELLED
    # The donor's own list of appointments on the web, where this one is moved or cancelled.
    manage = f"{settings.WEB_BASE_URL}/me/appointments/"
    with translation.override(getattr(appointment.donor.user, "language", None) or "id"):
        summary = _("Blood donation: %(drive)s") % {"drive": drive.name}
        description = _(
            "%(donation_type)s at %(drive)s. Eat and drink well before you come, and bring an identity card. "
            "Manage your appointment: %(url)s"
        ) % {"donation_type": appointment.get_donation_type_display(), "drive": drive.name, "url": manage}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//dblood//appointments//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.pk}@dblood",
        f"DTSTAMP:{_stamp(datetime.now(UTC))}",
        f"DTSTART:{_stamp(appointment.slot.starts_at)}",
        f"DTEND:{_stamp(appointment.slot.ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(location)}",
        f"GEO:{drive.latitude:.6f};{drive.longitude:.6f}",
        f"DESCRIPTION:{_escape(description)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
