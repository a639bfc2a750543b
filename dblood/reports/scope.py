"""Whose numbers a report counts: a staff member's own blood bank(s), or for an administrator the
whole country or one bank they pick (?site=). The local days are the banks' time zone."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from dblood.sites.models import Site


@dataclass(frozen=True)
class Scope:
    site_ids: tuple[int, ...] | None  # None: national (every bank)
    zone: ZoneInfo

    def only(self, queryset: QuerySet, field: str) -> QuerySet:
        """`queryset` narrowed to the scope's banks by the site foreign key `field`."""
        if self.site_ids is None:
            return queryset
        return queryset.filter(**{f"{field}__in": self.site_ids})


def _zone(sites: list[Site]) -> ZoneInfo:
    """The banks' shared time zone; banks in different zones are counted in the country's zone."""
    zones = {site.timezone for site in sites}
    return ZoneInfo(zones.pop() if len(zones) == 1 else settings.TIME_ZONE)


def _site_id(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({"site": [_("Give a blood bank's id.")]}) from None


def scope_for(user, site: str | None) -> Scope:
    """One query for the banks' time zones. A staff member asking for another bank gets a 403."""
    wanted = _site_id(site)
    banks = Site.objects.filter(kind=Site.Kind.BLOOD_BANK)
    if user.is_admin:
        if wanted is None:
            return Scope(site_ids=None, zone=ZoneInfo(settings.TIME_ZONE))
        chosen = list(banks.filter(pk=wanted))
        if not chosen:
            raise ValidationError({"site": [_("No blood bank has this id.")]})
        return Scope(site_ids=(wanted,), zone=_zone(chosen))
    own = list(banks.filter(memberships__user=user).order_by("pk"))
    if wanted is not None:
        own = [bank for bank in own if bank.pk == wanted]
        if not own:
            raise PermissionDenied(_("You may see the reports of your own blood banks only."))
    return Scope(site_ids=tuple(bank.pk for bank in own), zone=_zone(own))
