"""Every message exists in English and Bahasa Indonesia, and the committed .mo matches the .po."""

import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from dblood.accounts.models import User
from dblood.notifications.messages import CATALOGUE, notify, render
from dblood.notifications.models import Notification

ROOT = Path(__file__).resolve().parents[3]
PARAMS = dict(
    date="2026-12-01",
    donation_type="whole blood",
    place="UDD A",
    time="09:00",
    drive="Donor day",
    component="PRC",
    hospital="RS H",
    group="O+",
    until="18:00",
    site="UDD A",
    drives="2026-12-02",
    din="W123426000042",
    urgency="urgent",
    units=2,
    id=7,
    needed_by="2026-12-01 18:00",
    bank="UDD B",
    category="TRALI",
    severity="severe",
    outcome="resolved",
    dins="W123426000042 PRC",
    call_out=3,
    count=10,
    url="https://dblood.example.org/",
)


def test_every_kind_but_generic_has_a_message():
    assert set(CATALOGUE) == set(Notification.Kind.values) - {Notification.Kind.GENERIC}


@pytest.mark.parametrize("kind", sorted(CATALOGUE))
def test_every_message_is_translated_to_indonesian(kind):
    title, body = render(kind, **PARAMS)
    with translation.override("en"):
        english = (str(title), str(body))
    with translation.override("id"):
        indonesian = (str(title), str(body))
    assert english[0] != indonesian[0]
    assert english[1] != indonesian[1]
    assert "{" not in indonesian[1], "every placeholder is filled"


@pytest.mark.django_db
def test_notify_renders_in_the_recipients_language(donor):
    donor.language = User.Language.EN
    donor.save()
    notify(user=donor, kind=Notification.Kind.UNIT_ISSUED, key="u:1", **PARAMS)
    donor.language = User.Language.ID
    donor.save()
    notify(user=donor, kind=Notification.Kind.UNIT_ISSUED, key="u:2", **PARAMS)
    english, indonesian = Notification.objects.filter(user=donor).order_by("id")
    # The e-mail's text, in the recipient's language, with the day as that language writes it.
    assert english.body.startswith("Your donation of Dec. 1, 2026 (PRC) was issued to RS H")
    assert indonesian.body.startswith("Donasi Anda tanggal 1 Des. 2026 (PRC) telah dikirim ke RS H")
    # Both languages are kept for the inbox, which follows its reader's language.
    assert english.texts["id"]["body"] == indonesian.body and indonesian.texts["en"]["body"] == english.body


def _catalogues():
    return sorted((ROOT / "dblood").rglob("LC_MESSAGES/django.po"))


def test_there_is_a_catalogue():
    assert _catalogues()


@pytest.mark.parametrize("po", _catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_mo_matches_its_po(po, tmp_path):
    """`make messages` compiles with msgfmt; a .mo that drifted from its .po fails here."""
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(po)], check=True)
    committed = po.with_suffix(".mo")
    assert committed.exists(), f"{committed} is missing: run `make messages`"
    assert committed.read_bytes() == fresh.read_bytes(), f"{committed} is stale: run `make messages`"


def test_messages_other_apps_send_are_translated_too():
    from django.utils.translation import gettext

    screening = (
        "Please contact {site} about your recent donation. This message is private; staff will explain in person."
    )
    with translation.override("id"):
        assert gettext(screening).startswith("Mohon hubungi {site}")
