"""The SMS/WhatsApp text of every notification kind: present, short, in both languages, and free of
health information (no blood group, test, deferral, screening result, reaction or hospital)."""

import re

import pytest
from django.utils import translation

from dblood.core.blood import BLOOD_GROUPS
from dblood.notifications.deliveries import short_text
from dblood.notifications.models import Notification
from dblood.notifications.short_texts import SHORT_TEXTS

HEALTH_WORDS = re.compile(
    r"\b(hiv|hbv|hcv|hepatitis|syphilis|sifilis|malaria|reactive|reaktif|screening|skrining|deferr\w*|"
    r"tunda|ditunda|haemoglobin|hemoglobin|hb|rhesus|rhd|positive|negative|positif|negatif|reaction|reaksi|"
    r"complication|komplikasi|transfusion|transfusi|haemovigilance|hemovigilans|din|rumah sakit|hospital)\b",
    re.IGNORECASE,
)


def test_every_kind_has_a_short_text():
    assert set(SHORT_TEXTS) == set(Notification.Kind.values)


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("kind", Notification.Kind.values)
def test_short_text_carries_no_health_information(kind, language):
    text = short_text(kind=kind, language=language)
    assert text.startswith("dblood: ")
    assert len(text) <= 160, "one SMS"
    found = HEALTH_WORDS.findall(text)
    assert not found, found
    for group in BLOOD_GROUPS:
        assert not re.search(rf"(?<![A-Za-z]){re.escape(group)}(?![A-Za-z])", text), group
    assert text.count("{") == 0  # every placeholder filled


@pytest.mark.parametrize("kind", Notification.Kind.values)
def test_short_text_is_translated(kind):
    with translation.override("id"):
        indonesian = str(SHORT_TEXTS[kind])
    assert indonesian != str(SHORT_TEXTS[kind])
