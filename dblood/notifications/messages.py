"""The message catalogue: every notification's title and body, in English with Bahasa Indonesia
translations in `dblood/notifications/locale/id/LC_MESSAGES/django.po`.

Texts use `{name}` placeholders and stay lazy until `notification_send` renders them in the
recipient's language. Other apps call `notify(...)` with a kind and the placeholders' values.
"""

import re
from datetime import date, datetime

from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import Notification
from .services import notification_send

Kind = Notification.Kind

CATALOGUE: dict[str, tuple] = {
    Kind.ELIGIBLE_AGAIN: (
        _("You can donate again"),
        _("From {date} you may give {donation_type} again. Book a slot at a drive near you."),
    ),
    Kind.APPOINTMENT_REMINDER: (
        _("Your donation appointment is tomorrow"),
        _("See you at {place} on {date} at {time}. Eat well, drink plenty of water and bring your ID."),
    ),
    Kind.DRIVE_CANCELLED: (
        _("Donation drive cancelled"),
        _("The drive {drive} on {date} has been cancelled. Please book another slot."),
    ),
    Kind.UNIT_ISSUED: (
        _("Your blood is helping a patient"),
        _("Your donation of {date} ({component}) was issued to {hospital}. Thank you for giving."),
    ),
    Kind.CALL_OUT: (
        _("Urgent: blood group {group} needed"),
        _("{place} urgently needs donors who can help a patient. Please come by {until}. Answer coming or can't."),
    ),
    Kind.SCREENING_FOLLOW_UP: (
        _("Please contact your blood bank"),
        _("{site} would like to talk to you about your donation of {date}. Please contact them."),
    ),
    Kind.RECRUITMENT: (
        _("Your blood group {group} is running low"),
        _("{site} is short of {group} blood. Upcoming drives: {drives}. Please book a slot."),
    ),
    # To the staff of the hospital holding the unit: the DIN and the component, never the test or the donor.
    Kind.UNIT_RECALL: (
        _("Recall: unit {din} ({component})"),
        _(
            "{site} recalls unit {din} ({component}). If it has not been transfused, set it aside and return it "
            "to the blood bank. If it was transfused, please contact {site} so the patient can be followed up."
        ),
    ),
    # To the staff of the blood bank a hospital asked (no patient is ever named).
    Kind.REQUEST_NEW: (
        _("New {urgency} request: {units} x {component} for {group}"),
        _("{hospital} asks for {units} x {component} for a {group} patient, needed by {needed_by}. Open request {id}."),
    ),
    # To the staff of the bank holding a unit another bank reserved for one of its requests.
    Kind.TRANSFER_REQUESTED: (
        _("Please send unit {din} ({component}) to {bank}"),
        _("{bank} reserved unit {din} ({component}) for a request. Dispatch it from your inventory page."),
    ),
    # To the staff of the receiving bank.
    Kind.TRANSFER_DISPATCHED: (
        _("Unit {din} ({component}) is on its way from {bank}"),
        _("{bank} has sent unit {din} ({component}) to you. Receive it on your inventory page when it arrives."),
    ),
    # Haemovigilance, to the bank's medical officers: the DIN and the coded category, never the donor's name.
    Kind.DONOR_COMPLICATION: (
        _("Severe donor complication: donation {din}"),
        _("A severe complication ({category}) of donation {din} was recorded at {site}. Outcome: {outcome}."),
    ),
    Kind.DONOR_REACTION_REPORTED: (
        _("A donor reported a reaction after donation {din}"),
        _("The donor of donation {din} at {site} reported a reaction after donating. Please code it and follow up."),
    ),
    Kind.TRANSFUSION_REACTION: (
        _("Transfusion reaction ({severity}): units {dins}"),
        _("{hospital} reported a transfusion reaction ({category}, {severity}) to units {dins}. Please investigate."),
    ),
    # The contact relay: who wrote, never the text (it may say anything, and e-mail and SMS carry this).
    Kind.RELAY_MESSAGE: (
        _("New message from {site}"),
        _("{site} wrote to you about the urgent call for donors. Open dblood to read it and answer."),
    ),
    Kind.RELAY_REPLY: (
        _("A donor replied about call-out {call_out}"),
        _("A donor who answered call-out {call_out} wrote to you. Open the call-out's request in dblood to read it."),
    ),
    # To the donor whose completed donations, at any blood bank, reached one of PMI's award counts.
    Kind.DONATION_MILESTONE: (
        _("Thank you for {count} donations"),
        _(
            "You have given blood {count} times: PMI's award for {count} donations is yours. "
            "Download your certificate from your home page: {url}"
        ),
    ),
    # To the staff of the bank whose fridge, freezer or agitator read out of range (the units are held).
    Kind.EXCURSION_STORAGE: (
        _("Temperature excursion: {place}"),
        _(
            "{place} is outside its allowed temperature range: the {units} units kept there are held in "
            "quarantine until someone decides on the cold-chain page."
        ),
    ),
    # To the staff of the receiving bank: a bag that travelled too warm or too cold.
    Kind.EXCURSION_TRANSPORT: (
        _("Unit {din} arrived out of its temperature range"),
        _(
            "Unit {din} arrived outside its transport temperature range: it is held in quarantine until "
            "someone decides on the cold-chain page."
        ),
    ),
}

URGENCY = {"routine": _("routine"), "urgent": _("urgent"), "emergency": _("EMERGENCY")}


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MINUTE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
_localized = lazy(date_format, str)
# A label inside a sentence ("whole blood"), lower-cased in the language the message is rendered in.
lowercase = lazy(lambda text: str(text).lower(), str)


def _in_words(value):
    """A day ("2026-01-31") or a local time ("2026-01-31 14:00") given as ISO text, written the way
    the language the message is rendered in writes dates; any other value as it is."""
    if isinstance(value, str) and _DAY.fullmatch(value):
        return _localized(date.fromisoformat(value))
    if isinstance(value, str) and _MINUTE.fullmatch(value):
        return _localized(datetime.fromisoformat(value), "DATETIME_FORMAT")
    return value


def render(kind: str, **params) -> tuple:
    """Lazy (title, body) for `kind`; the language is chosen when they are turned into text."""
    title, body = CATALOGUE[kind]
    params = {name: _in_words(value) for name, value in params.items()}
    return format_lazy(title, **params), format_lazy(body, **params)


def notify(*, user, kind: str, key: str, data: dict | None = None, **params) -> Notification | None:
    """Send catalogue message `kind` to `user` once for event `key` (see notification_send)."""
    title, body = render(kind, **params)
    return notification_send(user=user, kind=kind, key=key, title=title, body=body, data=data)


def notify_staff(*, site_id: int, role: str, kind: str, key: str, data: dict | None = None, **params) -> int:
    """Send catalogue message `kind` to every active member of `site_id` with `role`, once per
    person for event `key`. Returns how many were sent."""
    from dblood.accounts.models import User

    staff = User.objects.filter(memberships__site_id=site_id, role=role, is_active=True).distinct()
    return sum(notify(user=user, kind=kind, key=key, data=data, **params) is not None for user in staff)
