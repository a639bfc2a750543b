"""Shortage-driven recruitment: when a stock cell turns critical, invite the donors who can refill it.

A cell is one blood bank x blood group x component. "Critical" comes from the inventory area's
stock table (`dblood.inventory.stock.table`, level "critical"). Each cell that turns critical
opens one StockAlert (a partial unique constraint allows one open alert per cell); its donors are
invited once; the alert closes when the cell recovers, so the next shortage invites again.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy

from dblood.inventory.components import recruited_components, refill_donation_type
from dblood.inventory.models import BloodUnit
from dblood.notifications.messages import notify
from dblood.notifications.models import Notification
from dblood.sites.models import Site

from .donor_pool import nearby_donors
from .models import StockAlert

# Components a donor can be recruited for, and the donation that refills each, are the
# ComponentType table's `recruit_on_shortage` and `refill_donation_type` (recruited_components).
# Stand-in threshold, used only while the inventory stock table is not available.
# Invitations per alert (nearest first), and how far ahead drives are offered.
MAX_INVITES_PER_ALERT = 200
DRIVES_AHEAD_DAYS = 14

Cell = tuple[int, str, str, str]  # site_id, abo, rhd, component


def critical_cells() -> set[Cell]:
    from dblood.inventory.stock import table

    recruited = recruited_components()
    return {
        (row["site_id"], row["abo"], row["rhd"], row["component"])
        for row in table()["results"]
        if row["level"] == "critical" and row["component"] in recruited
    }


def _upcoming_drives(site: Site, donation_type: str, now):
    from dblood.drives.models import Drive

    today = timezone.localdate(now)
    drives = Drive.objects.filter(
        organiser=site,
        status=Drive.Status.OPEN,
        date__gte=today,
        date__lte=today + timedelta(days=DRIVES_AHEAD_DAYS),
    ).order_by("date", "start_time")[:20]
    return [d for d in drives if donation_type in (d.donation_types or [])][:3]


def _invite(alert: StockAlert, drives: list, now) -> int:
    donation_type = refill_donation_type(alert.component)
    donors = nearby_donors(
        site=alert.site,
        radius_km=settings.RECRUITMENT_RADIUS_KM,
        groups=[(alert.abo, alert.rhd)],
        donation_type=donation_type,
        limit=MAX_INVITES_PER_ALERT,
        now=now,
    )
    # Written in each language the message is rendered in (the day as that language writes it).
    listing = lazy(
        lambda: "; ".join(f"{d.name} ({date_format(d.date)} {d.start_time:%H:%M}, {d.city})" for d in drives), str
    )()
    invited = 0
    for donor in donors:
        created = notify(
            user=donor.user,
            kind=Notification.Kind.RECRUITMENT,
            key=f"recruitment:{alert.pk}",
            data={"site": alert.site_id, "drives": [d.pk for d in drives], "component": alert.component},
            site=alert.site.name,
            group=f"{alert.abo}{alert.rhd}",
            drives=listing,
        )
        invited += created is not None
    return invited


def shortage_recruit(*, now=None) -> int:
    """Worker job: open alerts for cells that turned critical and invite their donors; close
    alerts of cells that recovered. Returns how many invitations were sent."""
    now = now or timezone.now()
    cells = critical_cells()
    for alert in StockAlert.objects.filter(closed_at__isnull=True):
        if (alert.site_id, alert.abo, alert.rhd, alert.component) not in cells:
            StockAlert.objects.filter(pk=alert.pk).update(closed_at=now)
    open_cells = set(
        StockAlert.objects.filter(closed_at__isnull=True).values_list("site_id", "abo", "rhd", "component")
    )
    counts = {}
    for cell in cells - open_cells:
        site_id, abo, rhd, component = cell
        counts[cell] = BloodUnit.objects.filter(
            state=BloodUnit.State.AVAILABLE, site_id=site_id, abo=abo, rhd=rhd, component=component
        ).count()
    sent = 0
    sites = Site.objects.in_bulk({cell[0] for cell in counts})
    for (site_id, abo, rhd, component), available in counts.items():
        drives = _upcoming_drives(sites[site_id], refill_donation_type(component), now)
        if not drives:
            continue  # nothing to invite to yet; the cell is looked at again next run
        try:
            # Two workers racing on one cell: the partial unique constraint lets one alert open.
            with transaction.atomic():
                alert = StockAlert.objects.create(
                    site_id=site_id, abo=abo, rhd=rhd, component=component, available=available
                )
        except IntegrityError:
            continue
        alert.invited = _invite(alert, drives, now)
        alert.save(update_fields=["invited"])
        sent += alert.invited
    return sent
