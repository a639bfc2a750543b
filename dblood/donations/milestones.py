"""PMI's awards for 10, 25, 50, 75 and 100 donations (DONATION_MILESTONES), counted nationally.

What counts: every donation of the donor's one record, at any blood bank, whose collection was
completed. A partial collection (stopped early, or ended in an adverse event) does not count: its
bag is never used (donation_separate discards its units), and PMI honours donations given. The lab's
later verdict does not take a donation back: the donor gave it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from dblood.donors.models import Donor

from .models import Donation, MilestoneCertificate


def donations_counted(donor: Donor) -> QuerySet[Donation]:
    """The donations a donor's count is made of (see the module's docstring)."""
    return Donation.objects.filter(donor=donor, outcome=Donation.Outcome.COMPLETED)


@dataclass(frozen=True)
class Progress:
    count: int
    next_milestone: int | None

    @property
    def to_go(self) -> int | None:
        return None if self.next_milestone is None else self.next_milestone - self.count


def milestone_progress(donor: Donor | None) -> Progress:
    """Where a donor stands (a user without a donor profile yet has given nothing)."""
    count = donations_counted(donor).count() if donor is not None else 0
    return Progress(count=count, next_milestone=next((m for m in settings.DONATION_MILESTONES if m > count), None))


def check_url(certificate: MilestoneCertificate) -> str:
    """The public page the certificate's QR code points at (the web's, which asks the api)."""
    return f"{settings.WEB_BASE_URL}/certificates/{certificate.token}/"


def holder_shown(full_name: str) -> str:
    """The most a public check page says of the holder: the first name and the last name's initial
    ("Siti Rahayu" -> "Siti R."); of a single name only its initial ("Sukarno" -> "S."), since a
    single name is the full name."""
    words = full_name.split()
    if not words:
        return ""
    if len(words) == 1:
        return f"{words[0][0]}."
    return f"{words[0]} {words[-1][0]}."


def milestones_award(*, donor: Donor, donation: Donation) -> list[MilestoneCertificate]:
    """Issue the certificate (and send the message) of every milestone the donor's count has reached
    and that they do not have yet; `donation` is the one that reached it. Returns the new ones.

    Call it in the transaction that records the donation, with the donor's row locked
    (donation_record's `_lock_donor_for_collection`). Race: two donations of one donor recorded at
    once, at counts 9 and 10; the lock makes the second count after the first commits, so exactly
    one of them reaches 10. The unique (donor, milestone) constraint and the message's dedupe key
    back that up. Rolled back with the donation: no message for a donation that was not recorded.
    """
    from dblood.notifications.messages import notify
    from dblood.notifications.models import Notification

    count = donations_counted(donor).count()
    have = set(donor.milestone_certificates.values_list("milestone", flat=True))
    due = [m for m in settings.DONATION_MILESTONES if m <= count and m not in have]
    now = timezone.now()
    issued = [
        MilestoneCertificate.objects.create(donor=donor, milestone=m, donation=donation, issued_at=now) for m in due
    ]
    for certificate in issued:
        notify(
            user=donor.user,
            kind=Notification.Kind.DONATION_MILESTONE,
            key=f"donation-milestone:{certificate.milestone}",
            data={"milestone": certificate.milestone},
            count=certificate.milestone,
            url=f"{settings.WEB_BASE_URL}/",
        )
    return issued
