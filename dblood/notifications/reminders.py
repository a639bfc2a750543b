"""Due work that turns dates into messages: eligible again, appointment tomorrow.

Each event has a dedupe key, so running these any number of times notifies at most once.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import CharField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from dblood.core.blood import DonationType
from dblood.donors.eligibility import active_profile
from dblood.donors.selectors import donor_eligibility

from .messages import lowercase, notify
from .models import Notification

# Donors whose last whole-blood donation is older than this are not reminded (lapsed donors are
# the recruitment campaigns' business, not a reminder's).
ELIGIBLE_REMINDER_LOOKBACK_DAYS = 365


def eligible_again_remind(*, today: date | None = None) -> int:
    """Tell each donor, once per donation, the day they may give whole blood again."""
    from dblood.donations.models import Donation
    from dblood.donors.models import Donor

    today = today or timezone.localdate()
    counted = Donation.objects.filter(
        donor=OuterRef("pk"), donation_type=DonationType.WHOLE_BLOOD, outcome__in=["completed", "adverse_event"]
    ).order_by("-collected_at")
    since = timezone.make_aware(datetime.combine(today - timedelta(days=ELIGIBLE_REMINDER_LOOKBACK_DAYS), time.min))
    donors = (
        Donor.objects.select_related("user")
        .annotate(
            last_donation_id=Subquery(counted.values("id")[:1]),
            last_at=Subquery(counted.values("collected_at")[:1]),
        )
        .filter(last_at__gte=since)
    )
    reminded = Notification.objects.filter(
        user=OuterRef("user_id"),
        dedupe_key=Concat(Value("eligible_again:"), Cast(OuterRef("last_donation_id"), CharField())),
    )
    profile = active_profile()
    sent = 0
    for donor in donors.exclude(Exists(reminded)).iterator(chunk_size=500):
        whole_blood = donor_eligibility(donor=donor, on=today, profile=profile).for_type(DonationType.WHOLE_BLOOD)
        if not whole_blood.eligible:
            continue
        created = notify(
            user=donor.user,
            kind=Notification.Kind.ELIGIBLE_AGAIN,
            key=f"eligible_again:{donor.last_donation_id}",
            data={"donation": donor.last_donation_id, "donation_type": DonationType.WHOLE_BLOOD},
            date=today.isoformat(),
            donation_type=lowercase(DonationType.WHOLE_BLOOD.label),
        )
        sent += created is not None
    return sent


def appointment_tomorrow_remind(*, now: datetime | None = None) -> int:
    """Remind every donor booked for tomorrow (local time), once per appointment."""
    from dblood.drives.models import Appointment

    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, time.min))
    end = start + timedelta(days=1)
    appointments = Appointment.objects.select_related("donor__user", "slot__drive").filter(
        status=Appointment.Status.BOOKED, slot__starts_at__gte=start, slot__starts_at__lt=end
    )
    sent = 0
    for appointment in appointments.iterator(chunk_size=500):
        drive = appointment.slot.drive
        local = timezone.localtime(appointment.slot.starts_at)
        created = notify(
            user=appointment.donor.user,
            kind=Notification.Kind.APPOINTMENT_REMINDER,
            key=f"appointment_reminder:{appointment.pk}",
            data={"appointment": appointment.pk, "drive": drive.pk},
            place=drive.location_name or drive.name,
            date=local.date().isoformat(),
            time=local.strftime("%H:%M"),
        )
        sent += created is not None
    return sent
