"""Template filters: api values (ISO times, stock levels) shown in the reader's language and zone."""

from datetime import UTC, date, datetime

from django import template
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

register = template.Library()

LEVEL_LABELS = {"critical": _("Critical"), "low": _("Low"), "adequate": _("Adequate")}


@register.filter
def level_label(level: str | None) -> str:
    return str(LEVEL_LABELS.get(level or "", _("No data")))


@register.filter
def api_datetime(value: str | None, fmt: str = "D j M Y, H:i") -> str:
    """An api timestamp (UTC, ISO 8601) in the web's time zone."""
    if not value:
        return ""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return str(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return formats.date_format(timezone.localtime(moment), fmt)


@register.filter
def api_time(value: str | None) -> str:
    return api_datetime(value, "H:i")


@register.filter
def api_date(value: str | None) -> str:
    if not value:
        return ""
    day = parse_date(value[:10]) if isinstance(value, str) else value
    if not isinstance(day, date):
        return str(value)
    return formats.date_format(day, "D j M Y")
