"""The reports a blood service files, each computed by aggregation in PostgreSQL.

A report is a `Report`: its columns (with the header each gets in the reader's language), the
function that computes its rows and totals for a scope and an instant range, and the extra tables
its totals carry (the wastage rate per component, collections per drive). Every function runs a
fixed number of GROUP BY queries whatever the number of rows counted, and each filters on an
indexed timestamp range (see the README's "Reports" section for the indexes relied on).
"""

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from dblood.core.blood import DonationType
from dblood.donations.models import Donation
from dblood.donors.catalogue import reason_label
from dblood.donors.models import Deferral
from dblood.haemovigilance.codes import ComplicationCategory, ComplicationSeverity, ReactionCategory, ReactionSeverity
from dblood.haemovigilance.models import DonorComplication, TransfusionReaction
from dblood.inventory.models import BloodUnit, UnitEvent
from dblood.requests.models import Allocation, BloodRequest
from dblood.returns.models import UnitReturn

from .scope import Scope


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy translation: the header in the reader's language
    kind: str = "str"  # str | int | float (a float may be null: no denominator)
    # Typed by people (a discard reason, a drive's name): guarded against spreadsheet formulas.
    free_text: bool = False
    # A coded value's label in the reader's language ("whole_blood": "Whole blood"); the JSON keeps
    # the code and carries these as the column's `labels`, a page and a CSV or XLSX show the label.
    codes: Mapping[str, object] | None = None

    def shown(self, value):
        """The value as a person reads it: a code by its label, anything else as it is."""
        if self.codes is not None and isinstance(value, str) and value in self.codes:
            return str(self.codes[value])
        return value


@dataclass(frozen=True)
class Table:
    """A list in the totals (e.g. totals["by_component"]), exported as its own section or sheet."""

    key: str
    title: object
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Report:
    name: str
    title: object
    columns: tuple[Column, ...]
    compute: Callable[[Scope, datetime, datetime], dict]
    totals: tuple[Column, ...]  # the single numbers in "totals"
    tables: tuple[Table, ...] = ()
    # The chart: one bar per row of `chart_table` ("rows" or a Table key), labelled by the
    # `chart_label` columns joined, as long as `chart_value`.
    chart_table: str = "rows"
    chart_label: tuple[str, ...] = ()
    chart_value: str = ""
    # Counted at one instant (the end of one day): a range or a month is refused.
    one_day: bool = False


def _rate(wasted: int, made: int) -> float | None:
    """Wasted units per 100 made, to one decimal; None when nothing was made (no rate, not 0)."""
    return round(100 * wasted / made, 1) if made else None


COMPONENT = Column("component", _("Component"))
# A return's decision; blank: not inspected yet.
RETURN_DECISIONS = {
    "": _("Awaiting inspection"),
    "restocked": _("Put back into stock"),
    "discarded": _("Discarded"),
}


def wastage(scope: Scope, start: datetime, end: datetime) -> dict:
    """Units discarded or expired in the period by component and reason, and the wastage rate:
    (discarded + expired) / units made in the period, per component and overall. 2 queries.

    A unit counts at the bank that held it (its site) when it left; "made" is a unit recorded
    (separated) at the bank in the period.
    """
    gone = scope.only(
        UnitEvent.objects.filter(
            to_state__in=[BloodUnit.State.DISCARDED, BloodUnit.State.EXPIRED], at__gte=start, at__lt=end
        ),
        "unit__site",
    )
    rows = [
        {"component": r["unit__component"], "outcome": r["to_state"], "reason": r["reason"], "units": r["units"]}
        for r in gone.values("unit__component", "to_state", "reason")
        .annotate(units=Count("id"))
        .order_by("unit__component", "to_state", "-units", "reason")
    ]
    made = dict(
        scope.only(BloodUnit.objects.filter(created_at__gte=start, created_at__lt=end), "site")
        .values("component")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("component", "n")
    )
    per: dict[str, dict] = {}
    for component in sorted({*made, *(r["component"] for r in rows)}):
        per[component] = {"component": component, "made": made.get(component, 0), "discarded": 0, "expired": 0}
    for row in rows:
        per[row["component"]][row["outcome"]] += row["units"]
    for line in per.values():
        line["wastage_rate"] = _rate(line["discarded"] + line["expired"], line["made"])
    total_made = sum(made.values())
    discarded = sum(line["discarded"] for line in per.values())
    expired = sum(line["expired"] for line in per.values())
    totals = {
        "made": total_made,
        "discarded": discarded,
        "expired": expired,
        "wastage_rate": _rate(discarded + expired, total_made),
        "by_component": list(per.values()),
    }
    return {"rows": rows, "totals": totals}


def collections(scope: Scope, start: datetime, end: datetime) -> dict:
    """Donations collected in the period by donation type and lab-typed group (blank: not typed
    yet), and per drive (none: at the bank, without an appointment). 2 queries."""
    donations = scope.only(Donation.objects.filter(collected_at__gte=start, collected_at__lt=end), "site")
    rows = [
        {"donation_type": r["donation_type"], "abo": r["typed_abo"], "rhd": r["typed_rhd"], "donations": r["n"]}
        for r in donations.values("donation_type", "typed_abo", "typed_rhd")
        .annotate(n=Count("id"))
        .order_by("donation_type", "typed_abo", "typed_rhd")
    ]
    drives = [
        {
            "drive_id": r["appointment__slot__drive_id"],
            "drive": r["appointment__slot__drive__name"] or "",
            "donations": r["n"],
        }
        for r in donations.values("appointment__slot__drive_id", "appointment__slot__drive__name")
        .annotate(n=Count("id"))
        .order_by("appointment__slot__drive__name", "appointment__slot__drive_id")
    ]
    return {"rows": rows, "totals": {"donations": sum(r["donations"] for r in rows), "by_drive": drives}}


def issues(scope: Scope, start: datetime, end: datetime) -> dict:
    """Units issued in the period by receiving hospital and component. 1 query.

    An issue is a unit's state change to issued (its UnitEvent), counted at the bank that held the
    unit; the hospital is the unit's `issued_to`. A unit returned and issued again counts twice.
    """
    issued = scope.only(
        UnitEvent.objects.filter(to_state=BloodUnit.State.ISSUED, at__gte=start, at__lt=end), "unit__site"
    )
    rows = [
        {
            "hospital_id": r["unit__issued_to_id"],
            "hospital": r["unit__issued_to__name"] or "",
            "component": r["unit__component"],
            "units": r["n"],
        }
        for r in issued.values("unit__issued_to_id", "unit__issued_to__name", "unit__component")
        .annotate(n=Count("id"))
        .order_by("unit__issued_to__name", "unit__issued_to_id", "unit__component")
    ]
    return {"rows": rows, "totals": {"units": sum(r["units"] for r in rows)}}


def deferrals(scope: Scope, start: datetime, end: datetime) -> dict:
    """Deferrals recorded in the period by reason, temporary and permanent. 1 query.

    A deferral belongs to the bank(s) of the staff member who recorded it (a deferral carries no
    site of its own); one recorded by no one (none today: the lab's and the reactions' deferrals
    name their recorder) counts only in the national report. Counted once whatever the number of
    the recorder's banks in scope.
    """
    recorded = Deferral.objects.filter(created_at__gte=start, created_at__lt=end)
    if scope.site_ids is not None:
        recorded = recorded.filter(recorded_by__memberships__site__in=scope.site_ids)
    rows = [
        {
            "reason_code": r["reason__code"],
            "reason": reason_label(r["reason__name"]),
            "permanent": r["permanent"],
            "deferrals": r["n"],
        }
        for r in recorded.values("reason__code", "reason__name", "permanent")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "reason__code", "permanent")
    ]
    # "permanent" goes out as "yes"/"no" in every format (a CSV has no booleans).
    for row in rows:
        row["permanent"] = "yes" if row["permanent"] else "no"
    return {"rows": rows, "totals": {"deferrals": sum(r["deferrals"] for r in rows)}}


TURNAROUND_SQL = """
SELECT r.urgency,
       COUNT(*) AS filed,
       COUNT(first.at) AS issued,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM first.at - r.created_at) / 60) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM first.at - r.created_at) / 60) AS p90
FROM {requests} r
LEFT JOIN LATERAL (
    SELECT MIN(a.issued_at) AS at FROM {allocations} a WHERE a.request_id = r.id AND a.issued_at IS NOT NULL
) first ON true
WHERE r.created_at >= %s AND r.created_at < %s {banks}
GROUP BY r.urgency
"""
URGENCY_ORDER = [BloodRequest.Urgency.EMERGENCY, BloodRequest.Urgency.URGENT, BloodRequest.Urgency.ROUTINE]


def _minutes(value) -> float | None:
    return round(float(value), 1) if value is not None else None


def turnaround(scope: Scope, start: datetime, end: datetime) -> dict:
    """Requests filed in the period by urgency: how many, how many had a unit issued, and the
    minutes from filing to the first unit issued (median and 90th percentile, of those issued).
    1 query (PostgreSQL's percentile_cont; the first issue per request by its allocations' index).

    Requests count at the bank they were sent to (target_bank).
    """
    banks = "AND r.target_bank_id = ANY(%s)" if scope.site_ids is not None else ""
    sql = TURNAROUND_SQL.format(
        requests=BloodRequest._meta.db_table, allocations=Allocation._meta.db_table, banks=banks
    )
    params = [start, end] + ([list(scope.site_ids)] if scope.site_ids is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {urgency: (filed, issued, median, p90) for urgency, filed, issued, median, p90 in cursor.fetchall()}
    rows = [
        {
            "urgency": urgency,
            "filed": found[urgency][0],
            "issued": found[urgency][1],
            "median_minutes": _minutes(found[urgency][2]),
            "p90_minutes": _minutes(found[urgency][3]),
        }
        for urgency in URGENCY_ORDER
        if urgency in found
    ]
    totals = {"filed": sum(r["filed"] for r in rows), "issued": sum(r["issued"] for r in rows)}
    return {"rows": rows, "totals": totals}


def daily_stock(scope: Scope, start: datetime, end: datetime) -> dict:
    """Units on the shelf (available, not expired) at the end of the chosen day, by group and
    component, with days of supply: on the shelf / the day's mean issues over the
    STOCK_DEMAND_WINDOW_DAYS before (as the live stock table computes it). 2 queries.

    Reconstructed from the unit events, not from today's states: a unit was on the shelf at the
    instant T when it had entered "available" before T one more time than it left it. So the count
    is (events to available before T) - (events from available before T), over units that had not
    expired by T. A unit counts at its current site (a unit transferred since counts at the
    receiving bank); units made before the event log existed have no entering event.
    """
    at = end  # the end of the day: the start of the next
    entered = Q(to_state=BloodUnit.State.AVAILABLE)
    left = Q(from_state=BloodUnit.State.AVAILABLE)
    events = scope.only(UnitEvent.objects.filter(entered | left, at__lt=at, unit__expires_at__gt=at), "unit__site")
    shelf = {
        (r["unit__abo"], r["unit__rhd"], r["unit__component"]): r["entered"] - r["left"]
        for r in events.values("unit__abo", "unit__rhd", "unit__component")
        .annotate(entered=Count("id", filter=entered), left=Count("id", filter=left))
        .order_by()
    }
    window = settings.STOCK_DEMAND_WINDOW_DAYS
    issued = {
        (r["unit__abo"], r["unit__rhd"], r["unit__component"]): r["n"]
        for r in scope.only(
            UnitEvent.objects.filter(to_state=BloodUnit.State.ISSUED, at__gte=at - timedelta(days=window), at__lt=at),
            "unit__site",
        )
        .values("unit__abo", "unit__rhd", "unit__component")
        .annotate(n=Count("id"))
        .order_by()
    }
    rows = []
    for abo, rhd, component in sorted({*shelf, *issued}, key=lambda k: (k[2], k[0], k[1])):
        available = shelf.get((abo, rhd, component), 0)
        demand = issued.get((abo, rhd, component), 0)
        if not available and not demand:
            continue
        daily = demand / window
        rows.append(
            {
                "abo": abo,
                "rhd": rhd,
                "component": component,
                "available": available,
                "issued_in_window": demand,
                "days_of_supply": round(available / daily, 1) if daily else None,
            }
        )
    return {"rows": rows, "totals": {"available": sum(r["available"] for r in rows), "window_days": window}}


def returns(scope: Scope, start: datetime, end: datetime) -> dict:
    """Units handed back in the period by hospital, component and the bank's decision (blank:
    awaiting inspection), at the bank they were returned to. 1 query."""
    returned = scope.only(UnitReturn.objects.filter(returned_at__gte=start, returned_at__lt=end), "bank")
    rows = [
        {
            "hospital_id": r["hospital_id"],
            "hospital": r["hospital__name"],
            "component": r["unit__component"],
            "decision": r["decision"],
            "returns": r["n"],
        }
        for r in returned.values("hospital_id", "hospital__name", "unit__component", "decision")
        .annotate(n=Count("id"))
        .order_by("hospital__name", "hospital_id", "unit__component", "decision")
    ]
    decided = Counter()
    for row in rows:
        decided[row["decision"] or "pending"] += row["returns"]
    totals = {
        "returns": sum(r["returns"] for r in rows),
        "restocked": decided[UnitReturn.Decision.RESTOCKED],
        "discarded": decided[UnitReturn.Decision.DISCARDED],
        "pending": decided["pending"],
    }
    return {"rows": rows, "totals": totals}


def complications(scope: Scope, start: datetime, end: datetime) -> dict:
    """Donor complications that began in the period by ISBT category and severity, at the
    collecting bank; a donor's report not yet coded by staff has a blank category and severity
    (and is counted in "awaiting coding"). 1 query. No donor is named or counted by identity."""
    found = scope.only(DonorComplication.objects.filter(occurred_at__gte=start, occurred_at__lt=end), "site")
    rows = [
        {"category": r["category"], "severity": r["severity"], "complications": r["n"]}
        for r in found.values("category", "severity").annotate(n=Count("id")).order_by("category", "severity")
    ]
    waiting = sum(r["complications"] for r in rows if not r["category"])
    return {"rows": rows, "totals": {"complications": sum(r["complications"] for r in rows), "uncoded": waiting}}


def reactions(scope: Scope, start: datetime, end: datetime) -> dict:
    """Transfusion reactions reported in the period by category and severity, at the issuing bank:
    the bank's concluded coding where there is one, else the hospital's report; how many of each
    are concluded. 1 query. No patient is named."""
    found = scope.only(TransfusionReaction.objects.filter(reported_at__gte=start, reported_at__lt=end), "bank")
    coded = found.annotate(
        final_category=Coalesce(NullIf("concluded_category", Value("")), "category"),
        final_severity=Coalesce(NullIf("concluded_severity", Value("")), "severity"),
    )
    rows = [
        {"category": r["final_category"], "severity": r["final_severity"], "reactions": r["n"], "concluded": r["done"]}
        for r in coded.values("final_category", "final_severity")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status=TransfusionReaction.Status.CONCLUDED)))
        .order_by("final_category", "final_severity")
    ]
    totals = {"reactions": sum(r["reactions"] for r in rows), "concluded": sum(r["concluded"] for r in rows)}
    return {"rows": rows, "totals": totals}


REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        Report(
            name="wastage",
            title=_("Wastage: discards and expiries"),
            columns=(
                COMPONENT,
                Column("outcome", _("Outcome"), codes=dict(BloodUnit.State.choices)),
                Column("reason", _("Reason"), free_text=True),
                Column("units", _("Units"), "int"),
            ),
            compute=wastage,
            totals=(
                Column("made", _("Units made"), "int"),
                Column("discarded", _("Discarded"), "int"),
                Column("expired", _("Expired"), "int"),
                Column("wastage_rate", _("Wastage rate (%)"), "float"),
            ),
            tables=(
                Table(
                    "by_component",
                    _("Wastage rate by component"),
                    (
                        COMPONENT,
                        Column("made", _("Units made"), "int"),
                        Column("discarded", _("Discarded"), "int"),
                        Column("expired", _("Expired"), "int"),
                        Column("wastage_rate", _("Wastage rate (%)"), "float"),
                    ),
                ),
            ),
            chart_table="by_component",
            chart_label=("component",),
            chart_value="wastage_rate",
        ),
        Report(
            name="collections",
            title=_("Collections by donation type and blood group"),
            columns=(
                Column("donation_type", _("Donation type"), codes=dict(DonationType.choices)),
                Column("abo", _("ABO")),
                Column("rhd", _("RhD")),
                Column("donations", _("Donations"), "int"),
            ),
            compute=collections,
            totals=(Column("donations", _("Donations"), "int"),),
            tables=(
                Table(
                    "by_drive",
                    _("Collections by drive"),
                    (
                        Column("drive_id", _("Drive id"), "int"),
                        Column("drive", _("Drive"), free_text=True),
                        Column("donations", _("Donations"), "int"),
                    ),
                ),
            ),
            chart_label=("donation_type", "abo", "rhd"),
            chart_value="donations",
        ),
        Report(
            name="issues",
            title=_("Issues by hospital and component"),
            columns=(
                Column("hospital_id", _("Hospital id"), "int"),
                Column("hospital", _("Hospital"), free_text=True),
                COMPONENT,
                Column("units", _("Units"), "int"),
            ),
            compute=issues,
            totals=(Column("units", _("Units"), "int"),),
            chart_label=("hospital", "component"),
            chart_value="units",
        ),
        Report(
            name="deferrals",
            title=_("Deferrals by reason"),
            columns=(
                Column("reason_code", _("Reason code")),
                Column("reason", _("Reason"), free_text=True),
                Column("permanent", _("Permanent"), codes={"yes": _("Yes"), "no": _("No")}),
                Column("deferrals", _("Deferrals"), "int"),
            ),
            compute=deferrals,
            totals=(Column("deferrals", _("Deferrals"), "int"),),
            chart_label=("reason_code", "permanent"),
            chart_value="deferrals",
        ),
        Report(
            name="turnaround",
            title=_("Request turnaround by urgency (filed to first unit issued)"),
            columns=(
                Column("urgency", _("Urgency"), codes=dict(BloodRequest.Urgency.choices)),
                Column("filed", _("Requests filed"), "int"),
                Column("issued", _("With a unit issued"), "int"),
                Column("median_minutes", _("Median minutes to issue"), "float"),
                Column("p90_minutes", _("90th percentile minutes to issue"), "float"),
            ),
            compute=turnaround,
            totals=(Column("filed", _("Requests filed"), "int"), Column("issued", _("With a unit issued"), "int")),
            chart_label=("urgency",),
            chart_value="median_minutes",
        ),
        Report(
            name="daily_stock",
            title=_("Stock at the end of the day by group and component, with days of supply"),
            columns=(
                Column("abo", _("ABO")),
                Column("rhd", _("RhD")),
                COMPONENT,
                Column("available", _("On the shelf"), "int"),
                Column("issued_in_window", _("Issued in the demand window"), "int"),
                Column("days_of_supply", _("Days of supply"), "float"),
            ),
            compute=daily_stock,
            totals=(
                Column("available", _("On the shelf"), "int"),
                Column("window_days", _("Demand window (days)"), "int"),
            ),
            chart_label=("abo", "rhd", "component"),
            chart_value="available",
            one_day=True,
        ),
        Report(
            name="returns",
            title=_("Returns by hospital, component and decision"),
            columns=(
                Column("hospital_id", _("Hospital id"), "int"),
                Column("hospital", _("Hospital"), free_text=True),
                COMPONENT,
                Column("decision", _("Decision"), codes=RETURN_DECISIONS),
                Column("returns", _("Returns"), "int"),
            ),
            compute=returns,
            totals=(
                Column("returns", _("Returns"), "int"),
                Column("restocked", _("Put back into stock"), "int"),
                Column("discarded", _("Discarded"), "int"),
                Column("pending", _("Awaiting inspection"), "int"),
            ),
            chart_label=("hospital", "component", "decision"),
            chart_value="returns",
        ),
        Report(
            name="complications",
            title=_("Donor complications by category and severity"),
            columns=(
                Column("category", _("Category"), codes=dict(ComplicationCategory.choices)),
                Column("severity", _("Severity"), codes=dict(ComplicationSeverity.choices)),
                Column("complications", _("Complications"), "int"),
            ),
            compute=complications,
            totals=(
                Column("complications", _("Complications"), "int"),
                Column("uncoded", _("Awaiting coding"), "int"),
            ),
            chart_label=("category", "severity"),
            chart_value="complications",
        ),
        Report(
            name="reactions",
            title=_("Transfusion reactions by category and severity"),
            columns=(
                Column("category", _("Category"), codes=dict(ReactionCategory.choices)),
                Column("severity", _("Severity"), codes=dict(ReactionSeverity.choices)),
                Column("reactions", _("Reactions"), "int"),
                Column("concluded", _("Concluded"), "int"),
            ),
            compute=reactions,
            totals=(Column("reactions", _("Reactions"), "int"), Column("concluded", _("Concluded"), "int")),
            chart_label=("category", "severity"),
            chart_value="reactions",
        ),
    )
}
