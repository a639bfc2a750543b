"""PMI's awards: the count covers completed donations at every blood bank; at 10, 25, 50, 75 and 100
the donor gets a message in their language and a bilingual certificate whose QR code reads back to
a public check page that says nothing else of them."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dblood.accounts.models import User
from dblood.donations.milestones import holder_shown
from dblood.donations.models import MilestoneCertificate
from dblood.donors.tests.factories import give_donation, make_donor
from dblood.notifications.models import Notification
from testing.scanner import decode, rasterise

pytestmark = pytest.mark.django_db

VITALS = {"outcome": "completed", "volume_ml": 450, "hemoglobin_g_dl": "14.2", "bp_systolic": 120, "pulse": 72}


def history(profile, banks, n: int, *, outcome="completed"):
    """`n` earlier donations, a hundred days apart, alternating between `banks`."""
    today = timezone.localdate()
    for i in range(n):
        give_donation(profile, banks[i % len(banks)], today - timedelta(days=100 * (i + 1)), outcome=outcome)


@pytest.fixture
def profile(donor):
    donor.full_name = "Siti Nurhaliza Rahayu"
    donor.language = User.Language.ID
    donor.save()
    return make_donor(donor, abo="AB", rhd="-", birth_date=date(1980, 3, 4))


def record(api, staff, profile, bank, **extra):
    body = {"donor": profile.donor_number, "site": bank.pk, "donation_type": "whole_blood", **VITALS, **extra}
    return api(staff).post("/api/v1/donations", body, HTTP_ACCEPT_LANGUAGE="en")


def test_the_tenth_donation_anywhere_brings_the_message_and_the_certificate(
    api, staff_a, bank_a, bank_b, donor, profile
):
    history(profile, [bank_a, bank_b], 9)
    history(profile, [bank_b], 1, outcome="incomplete")  # stopped early: not counted
    progress = api(donor).get("/api/v1/donations/mine/milestones").json()
    assert (progress["count"], progress["next_milestone"], progress["to_go"]) == (9, 10, 1)
    assert progress["certificates"] == []

    assert record(api, staff_a, profile, bank_a).status_code == 201
    message = Notification.objects.get(user=donor, kind=Notification.Kind.DONATION_MILESTONE)
    assert "10" in message.title and "Terima kasih" in message.title  # the donor's language: Indonesian
    assert message.dedupe_key == "donation-milestone:10"
    progress = api(donor).get("/api/v1/donations/mine/milestones").json()
    assert (progress["count"], progress["next_milestone"], progress["to_go"]) == (10, 25, 15)
    assert [c["milestone"] for c in progress["certificates"]] == [10]
    assert progress["certificates"][0]["issued_on"] == timezone.localdate().isoformat()


def test_a_partial_collection_does_not_reach_a_milestone(api, staff_a, bank_a, donor, profile):
    history(profile, [bank_a], 9)
    response = record(api, staff_a, profile, bank_a, outcome="incomplete")
    assert response.status_code == 201, response.content
    assert not MilestoneCertificate.objects.exists()
    assert not Notification.objects.filter(kind=Notification.Kind.DONATION_MILESTONE).exists()
    assert api(donor).get("/api/v1/donations/mine/milestones").json()["count"] == 9


def test_a_donation_between_milestones_brings_nothing(api, staff_a, bank_a, profile):
    history(profile, [bank_a], 10)
    MilestoneCertificate.objects.create(
        donor=profile, milestone=10, donation=profile.donations.first(), issued_at=timezone.now()
    )
    assert record(api, staff_a, profile, bank_a).status_code == 201
    assert MilestoneCertificate.objects.filter(donor=profile).count() == 1
    assert not Notification.objects.filter(kind=Notification.Kind.DONATION_MILESTONE).exists()


@pytest.fixture
def certificate(api, staff_a, bank_a, profile):
    history(profile, [bank_a], 24)
    assert record(api, staff_a, profile, bank_a).status_code == 201
    # Both milestones reached at once (a history from before dblood): each gets its certificate.
    assert sorted(profile.milestone_certificates.values_list("milestone", flat=True)) == [10, 25]
    return profile.milestone_certificates.get(milestone=25)


def _pdf_text(pdf: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        return page.get_textpage().get_text_range()
    finally:
        document.close()


def test_the_certificate_reads_back_in_both_languages_with_its_qr_code(api, donor, certificate, settings):
    response = api(donor).get("/api/v1/donations/mine/certificates/25/certificate.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(_pdf_text(response.content).split())
    assert "PIAGAM PENGHARGAAN" in text and "Certificate of Appreciation" in text
    assert "atas 25 kali donor darah sukarela" in text and "for 25 voluntary blood donations" in text
    assert "Siti Nurhaliza Rahayu" in text  # the holder's own certificate names them in full
    url = f"{settings.WEB_BASE_URL}/certificates/{certificate.token}/"
    assert decode(rasterise(response.content, dpi=150)) == [("QRCODE", url)]
    assert len(certificate.token) >= 22  # 128 random bits


def test_a_donor_gets_only_their_own_certificates(api, other_donor, donor, certificate):
    make_donor(other_donor)
    assert api(other_donor).get("/api/v1/donations/mine/certificates/25/certificate.pdf").status_code == 404
    assert api(donor).get("/api/v1/donations/mine/certificates/50/certificate.pdf").status_code == 404


def test_the_public_check_confirms_and_reveals_nothing_else(api, certificate):
    response = api().get(f"/api/v1/public/certificates/{certificate.token}")
    assert response.status_code == 200
    body = response.json()
    assert body == {"milestone": 25, "issued_on": timezone.localdate().isoformat(), "holder": "Siti R."}
    text = response.content.decode()
    for secret in ("Nurhaliza", "Rahayu", "AB", certificate.donor.donor_number, "donor@example.org", "1980"):
        assert secret not in text
    assert response["X-Robots-Tag"].startswith("noindex")


def test_an_unknown_certificate_is_a_clear_404(api, certificate):
    response = api().get("/api/v1/public/certificates/not-a-real-token", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 404
    assert "dblood" in response.json()["detail"] and "sertifikat" in response.json()["detail"].lower()


def test_the_public_check_is_throttled(api, certificate, settings):
    client = api()
    statuses = [client.get(f"/api/v1/public/certificates/guess{i}").status_code for i in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429


@pytest.mark.parametrize(
    ("name", "shown"), [("Siti Nurhaliza Rahayu", "Siti R."), ("Budi Santoso", "Budi S."), ("Sukarno", "S.")]
)
def test_the_holder_is_shown_as_first_name_and_initial(name, shown):
    assert holder_shown(name) == shown


@pytest.mark.django_db(transaction=True)
def test_two_donations_recorded_at_once_reach_ten_exactly_once():
    """Counts 9 and 10 at once (a backdated entry and today's, at two banks): one message, one certificate."""
    from dblood.accounts.models import Membership
    from dblood.donations.services import donation_record
    from testing.personas import make_site, make_user
    from testing.races import race

    bank, other = make_site("ms-a"), make_site("ms-b")
    clerk = make_user("ms.clerk@example.org", User.Role.BLOOD_BANK_STAFF)
    Membership.objects.create(user=clerk, site=bank)
    Membership.objects.create(user=clerk, site=other)
    assert clerk.site_ids == {bank.pk, other.pk}
    user = make_user("ms.donor@example.org")
    profile = make_donor(user)
    today = timezone.localdate()
    for i in range(8):
        give_donation(profile, bank, today - timedelta(days=200 * (i + 2)))
    measured = {"volume_ml": 450, "hemoglobin_g_dl": Decimal("14.2"), "bp_systolic": 120, "pulse": 72}
    calls = [
        lambda at=at, site=site: donation_record(
            by=clerk, donor=profile, site=site, donation_type="whole_blood", collected_at=at, **measured
        )
        for at, site in [(timezone.now() - timedelta(days=150), bank), (timezone.now(), other)]
    ]
    outcomes = race(calls, done="recorded")
    assert outcomes == ["recorded", "recorded"], outcomes
    assert profile.donations.count() == 10
    assert MilestoneCertificate.objects.filter(donor=profile, milestone=10).count() == 1
    assert Notification.objects.filter(user=user, kind=Notification.Kind.DONATION_MILESTONE).count() == 1
