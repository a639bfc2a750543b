"""The monthly haemovigilance export for the national programme: one CSV line per coded donor
complication and per transfusion reaction of a bank's month, in the layout that
docs/haemovigilance-export.md documents (column names and codes are fixed, never translated).

Nobody can be found from it. No name, e-mail, phone, donor number, DIN, record id or free text
(notes, the donor's words, the bank's conclusion) is written; a donor is described only by sex,
a ten-year age band and whether the donation was their first. Each line's `reference` is a keyed
hash of the record (HMAC-SHA256 under the api's SECRET_KEY): the same event keeps the same
reference in every export (a month exported again, after a late coding, is matched line by line),
and without the key nobody can tell which record it is, or test a guessed id against it.
"""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Prefetch
from django.utils.crypto import salted_hmac

from dblood.donations.models import Donation
from dblood.reports.scope import Scope

from .models import DonorComplication, ReactionUnit, TransfusionReaction

_SALT = "dblood.haemovigilance.export"
COMPLICATION, REACTION = "DC", "TR"
# The layout, in column order (docs/haemovigilance-export.md explains each one).
COLUMNS = (
    "record_type",
    "reference",
    "bank",
    "event_date",
    "reported_date",
    "status",
    "category",
    "severity",
    "imputability",
    "onset",
    "minutes_from_start",
    "outcome",
    "follow_up",
    "donation_type",
    "donor_sex",
    "donor_age_band",
    "donor_first_donation",
    "hospital",
    "components",
    "units",
    "signs",
    "hospital_category",
    "hospital_severity",
    "hospital_imputability",
    "lookback",
    "donor_deferred",
)
# Ten-year bands from the youngest donor age (FACTS: 17); a band hides the birth date.
AGE_BANDS = ((17, 24), (25, 34), (35, 44), (45, 54), (55, 64))


def reference(kind: str, pk: int) -> str:
    """The line's stable, irreversible reference: 20 hex characters of a keyed HMAC-SHA256."""
    return salted_hmac(_SALT, f"{kind}:{pk}", algorithm="sha256").hexdigest()[:20]


def age_band(birth: date | None, on: date) -> str:
    if birth is None:
        return ""
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return f"{AGE_BANDS[-1][1] + 1}+" if age > AGE_BANDS[-1][1] else f"<{AGE_BANDS[0][0]}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def complication_lines(scope: Scope, start: datetime, end: datetime) -> list[dict]:
    """Coded complications that began in [start, end) at the scope's banks (a donor's report not
    yet coded is left out until staff code it). 1 query."""
    earlier = Donation.objects.filter(
        donor_id=OuterRef("donation__donor_id"), collected_at__lt=OuterRef("donation__collected_at")
    )
    found = scope.only(
        DonorComplication.objects.filter(
            status=DonorComplication.Status.RECORDED, occurred_at__gte=start, occurred_at__lt=end
        ),
        "site",
    )
    found = (
        found.select_related("site", "donation__donor")
        .annotate(repeat=Exists(earlier))
        .only(
            "id",
            "occurred_at",
            "reported_at",
            "status",
            "category",
            "severity",
            "onset",
            "outcome",
            "follow_up",
            "site__code",
            "site__timezone",
            "donation__donation_type",
            "donation__collected_at",
            "donation__donor__sex",
            "donation__donor__birth_date",
        )  # fmt: skip
        .order_by("occurred_at", "id")
    )
    lines = []
    for c in found:
        zone = ZoneInfo(c.site.timezone)
        donor = c.donation.donor
        lines.append(
            {
                "record_type": COMPLICATION,
                "reference": reference(COMPLICATION, c.pk),
                "bank": c.site.code,
                "event_date": c.occurred_at.astimezone(zone).date().isoformat(),
                "reported_date": c.reported_at.astimezone(zone).date().isoformat(),
                "status": c.status,
                "category": c.category,
                "severity": c.severity,
                "onset": c.onset,
                "outcome": c.outcome,
                "follow_up": c.follow_up,
                "donation_type": c.donation.donation_type,
                "donor_sex": donor.sex,
                "donor_age_band": age_band(donor.birth_date, c.donation.collected_at.astimezone(zone).date()),
                "donor_first_donation": _yes(not c.repeat),
            }
        )
    return lines


def reaction_lines(scope: Scope, start: datetime, end: datetime) -> list[dict]:
    """Transfusion reactions reported in [start, end) to the scope's banks: the bank's concluded
    coding where there is one, else the hospital's, and the hospital's own coding beside it. 2 queries."""
    found = scope.only(TransfusionReaction.objects.filter(reported_at__gte=start, reported_at__lt=end), "bank")
    implicated = ReactionUnit.objects.select_related("unit").only(
        "id", "reaction_id", "recall_id", "deferral_id", "unit__component"
    )
    found = (
        found.select_related("bank", "hospital")
        .prefetch_related(Prefetch("implicated", queryset=implicated))
        .order_by("reported_at", "id")
    )
    lines = []
    for r in found:
        zone = ZoneInfo(r.bank.timezone)
        units = list(r.implicated.all())
        lines.append(
            {
                "record_type": REACTION,
                "reference": reference(REACTION, r.pk),
                "bank": r.bank.code,
                "event_date": r.onset_at.astimezone(zone).date().isoformat(),
                "reported_date": r.reported_at.astimezone(zone).date().isoformat(),
                "status": r.status,
                "category": r.concluded_category or r.category,
                "severity": r.concluded_severity or r.severity,
                "imputability": r.concluded_imputability or r.imputability,
                "minutes_from_start": r.minutes_from_start,
                "hospital": r.hospital.code,
                "components": ";".join(sorted({u.unit.component for u in units})),
                "units": len(units),
                "signs": ";".join(sorted(r.signs)),
                "hospital_category": r.category,
                "hospital_severity": r.severity,
                "hospital_imputability": r.imputability,
                "lookback": _yes(any(u.recall_id for u in units)),
                "donor_deferred": _yes(any(u.deferral_id for u in units)),
            }
        )
    return lines


def export_lines(scope: Scope, start: datetime, end: datetime) -> list[dict]:
    """Every line of the export: the complications, then the reactions. 3 queries."""
    return complication_lines(scope, start, end) + reaction_lines(scope, start, end)


def to_csv(lines: list[dict]) -> bytes:
    """UTF-8 (no byte-order mark: the reader is a program), comma-separated, a header line first.
    Every value is a code, a date or a number, so no cell can be read as a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(lines)
    return out.getvalue().encode("utf-8")
