"""What an SMS or a WhatsApp message says, per notification kind: short, and never health data.

A text message can be read by anyone holding the phone, and passes through the operator and the
provider: it says that there is news and where to read it (the inbox, after signing in), never a
blood group, a test, a deferral or a hospital. The full message stays in the app and the e-mail.
The only placeholder is `{url}`, the inbox; test_channel_texts renders every kind in both languages.
"""

from django.utils.translation import gettext_lazy as _

from .models import Notification

Kind = Notification.Kind

SHORT_TEXTS = {
    Kind.GENERIC: _("dblood: you have a new message. Read it here: {url}"),
    Kind.ELIGIBLE_AGAIN: _("dblood: you can donate blood again. Book a slot: {url}"),
    Kind.APPOINTMENT_REMINDER: _("dblood: your blood donation appointment is tomorrow. Details: {url}"),
    Kind.DRIVE_CANCELLED: _("dblood: a donation drive you booked was cancelled. Please book again: {url}"),
    Kind.UNIT_ISSUED: _("dblood: your donation is helping a patient. Thank you! {url}"),
    Kind.CALL_OUT: _("dblood: a patient near you urgently needs blood donors. Can you come? Answer here: {url}"),
    Kind.SCREENING_FOLLOW_UP: _("dblood: your blood bank asks you to get in touch. Details: {url}"),
    Kind.RECRUITMENT: _("dblood: your blood bank is running short. Please book a donation: {url}"),
    Kind.UNIT_RECALL: _("dblood: a blood bank sent you a recall notice. Read it here: {url}"),
    Kind.REQUEST_NEW: _("dblood: your blood bank has a new request. Read it here: {url}"),
    Kind.TRANSFER_REQUESTED: _("dblood: a unit transfer is waiting for you. Read it here: {url}"),
    Kind.TRANSFER_DISPATCHED: _("dblood: a unit is on its way to you. Read it here: {url}"),
    Kind.DONOR_COMPLICATION: _("dblood: a safety report needs you. Read it here: {url}"),
    Kind.DONOR_REACTION_REPORTED: _("dblood: a safety report needs you. Read it here: {url}"),
    Kind.TRANSFUSION_REACTION: _("dblood: a safety report needs you. Read it here: {url}"),
    Kind.RELAY_MESSAGE: _("dblood: your blood bank sent you a message about the urgent call. Read it here: {url}"),
    Kind.RELAY_REPLY: _("dblood: a donor answered your message. Read it here: {url}"),
    Kind.EXCURSION_STORAGE: _("dblood: a cold-chain alert needs you. Read it here: {url}"),
    Kind.EXCURSION_TRANSPORT: _("dblood: a cold-chain alert needs you. Read it here: {url}"),
    Kind.DONATION_MILESTONE: _("dblood: thank you for another milestone of donations! Your certificate: {url}"),
}
