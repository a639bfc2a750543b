"""The reports a blood service files, each computed by aggregation in PostgreSQL.

A report is a `Report`: its columns (with the header each gets in the reader's language), the
function that computes its rows and totals for a scope and an instant range, and the extra tables
its totals carry (the wastage rate per component, collections per drive). Every function runs a
fixed number of GROUP BY queries whatever the number of rows counted, and each filters on an
indexed timestamp range (see the README's "Reports" section for the indexes relied on).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from dblood.donations.models import Donation
from dblood.inventory.models import BloodUnit, UnitEvent

from .scope import Scope


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy translation: the header in the reader's language
    kind: str = "str"  # str | int | float (a float may be null: no denominator)
    # Typed by people (a discard reason, a drive's name): guarded against spreadsheet formulas.
    free_text: bool = False


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


def _rate(wasted: int, made: int) -> float | None:
    """Wasted units per 100 made, to one decimal; None when nothing was made (no rate, not 0)."""
    return round(100 * wasted / made, 1) if made else None


COMPONENT = Column("component", _("Component"))


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


REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        Report(
            name="wastage",
            title=_("Wastage: discards and expiries"),
            columns=(
                COMPONENT,
                Column("outcome", _("Outcome")),
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
                Column("donation_type", _("Donation type")),
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
    )
}
