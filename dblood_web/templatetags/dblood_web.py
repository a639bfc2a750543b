"""Template filters: api values (ISO times, stock levels) shown in the reader's language and zone."""

from datetime import UTC, date, datetime

from django import template
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .. import forms_haemo, forms_staff

register = template.Library()


def _label(table: dict):
    """A filter naming a code from `table` in the reader's language; an unknown code shows as itself."""

    def label(code: str | None) -> str:
        return str(table.get(code or "", code or ""))

    return label


LEVEL_LABELS = {"critical": _("Critical"), "low": _("Low"), "adequate": _("Adequate")}


@register.filter
def rupiah(amount) -> str:
    """An amount in rupiah as Indonesians write it: "Rp 360.000" (dots between thousands)."""
    if amount is None or amount == "":
        return ""
    return "Rp " + f"{int(amount):,}".replace(",", ".")


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
def api_age(value: str | None) -> str:
    """How long ago an api timestamp was, in words ("3 hours, 5 minutes")."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return ""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return timesince(moment, depth=2)


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


# Codes the forms also offer are named once, in the forms' choices.
DONATION_TYPES = dict(forms_staff.DONATION_TYPES)
COMPONENTS = dict(forms_staff.COMPONENTS)
APPOINTMENT_STATUSES = {
    "booked": _("Booked"),
    "checked_in": _("Checked in"),
    "completed": _("Donated"),
    "cancelled": _("Cancelled"),
    "no_show": _("Did not come"),
}
# The api tells a donor only these neutral states of their units (never a lab verdict).
UNIT_STATES = {
    "in_testing": _("being tested"),
    "in_stock": _("in the blood bank, waiting for a patient"),
    "given": _("given to a patient"),
    "not_used": _("not used"),
}

register.filter("donation_type_label", _label(DONATION_TYPES))
register.filter("component_label", _label(COMPONENTS))
register.filter("fee_component_label", _label(dict(forms_staff.FEE_COMPONENTS)))
register.filter("appointment_status_label", _label(APPOINTMENT_STATUSES))


@register.filter
def unit_state_label(code: str | None) -> str:
    return str(UNIT_STATES.get(code or "", _("in the blood bank, waiting for a patient")))


# Every state of a unit, as staff read it (donors see only UNIT_STATES).
STAFF_UNIT_STATES = {
    "quarantined": _("In quarantine"),
    "available": _("Available"),
    "reserved": _("Reserved for a request"),
    "issued": _("Issued to a hospital"),
    "transfused": _("Transfused"),
    "expired": _("Expired"),
    "discarded": _("Discarded"),
    "unsafe": _("Unsafe, not for use"),
    "in_transit": _("On its way to another bank"),
}

register.filter("staff_unit_state_label", _label(STAFF_UNIT_STATES))

# The cold chain's codes (dblood.coldchain.models).
STORAGE_KINDS = {"fridge": _("Fridge"), "freezer": _("Freezer"), "agitator": _("Platelet agitator")}
EXCURSION_DECISIONS = {
    "pending": _("Awaiting a decision"),
    "released": _("Released"),
    "discarded": _("Discarded"),
    "gone": _("Left custody meanwhile"),
}
register.filter("storage_kind_label", _label(STORAGE_KINDS))
register.filter("excursion_decision_label", _label(EXCURSION_DECISIONS))


# The lab worklist's steps (dblood.donations.worklist): "screen:hiv" reads "HIV screen".
LAB_STEPS = {
    "typing": _("ABO/RhD typing"),
    "group_mismatch": _("typed group disagrees with the donor's: check"),
    "separation": _("separation"),
    "label_check": _("label check: print the final label and scan it"),
    "screen": _("%(test)s screen"),
    "repeat": _("%(test)s repeat (in duplicate)"),
}
SCREEN_TESTS = dict(forms_staff.TESTS)


@register.filter
def lab_step_label(code: str | None) -> str:
    kind, _sep, test = (code or "").partition(":")
    label = LAB_STEPS.get(kind)
    if label is None:
        return code or ""
    return str(label) % {"test": SCREEN_TESTS.get(test, test)} if test else str(label)


# A blood request and its units, as both sides read them.
REQUEST_STATUSES = {
    "submitted": _("Waiting for the blood bank"),
    "partly_allocated": _("Partly covered"),
    "allocated": _("Covered: units reserved"),
    "issued": _("Issued"),
    "closed": _("Closed"),
    "cancelled": _("Cancelled"),
}
URGENCIES = {"routine": _("Routine"), "urgent": _("Urgent"), "emergency": _("EMERGENCY")}
ALLOCATION_STATUSES = {
    "reserved": _("Reserved"),
    "issued": _("Issued"),
    "released": _("Released back to stock"),
}
OUTCOMES = {"transfused": _("Transfused"), "not_transfused": _("Not transfused")}
CALL_OUT_ANSWERS = {"coming": _("coming"), "cant": _("can't come")}
CALL_OUT_STATUSES = {"open": _("Open"), "closed": _("Closed")}

register.filter("request_status_label", _label(REQUEST_STATUSES))
register.filter("urgency_label", _label(URGENCIES))
register.filter("allocation_status_label", _label(ALLOCATION_STATUSES))
register.filter("outcome_label", _label(OUTCOMES))
register.filter("call_out_answer_label", _label(CALL_OUT_ANSWERS))
register.filter("call_out_status_label", _label(CALL_OUT_STATUSES))


@register.filter
def hv_label(code: str) -> str:
    """A haemovigilance code (complication or reaction category, severity) in the reader's language."""
    return forms_haemo.LABELS.get(code, code)


@register.filter
def hv_list(codes, kind: str) -> str:
    """Signs (`signs`) or a donor's symptoms (`symptoms`) in the reader's language."""
    names = dict(forms_haemo.SIGNS if kind == "signs" else forms_haemo.SYMPTOMS)
    return ", ".join(str(names.get(code, code)) for code in codes or [])


# A donation in the lab, and the outcome of each of its screening tests.
DONATION_STATUSES = {
    "in_testing": _("In testing"),
    "released": _("Released"),
    "held": _("Held: the typed group disagrees"),
    "rejected": _("Rejected: a reactive screen"),
}
SCREEN_RESULTS = {
    "pending": _("no result yet"),
    "repeat_pending": _("first result reactive, repeat in duplicate"),
    "reactive": _("reactive"),
    "non_reactive": _("non-reactive"),
}

register.filter("donation_status_label", _label(DONATION_STATUSES))
register.filter("screen_test_label", _label(SCREEN_TESTS))
register.filter("screen_result_label", _label(SCREEN_RESULTS))

# A site's opening hours as the api keeps them: {"mon": "08:00-20:00", "sun": "closed"}.
WEEKDAYS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}
CLOSED = {"closed": pgettext_lazy("opening hours", "Closed")}


@register.filter
def opening_hours(hours: dict | None) -> list[tuple[str, str]]:
    """(day, hours) in the reader's language, Monday first; a day the api does not know shows as itself."""
    hours = hours or {}
    known = [day for day in WEEKDAYS if day in hours] + [day for day in hours if day not in WEEKDAYS]
    return [(str(WEEKDAYS.get(day, day)), str(CLOSED.get(hours[day], hours[day]))) for day in known]
