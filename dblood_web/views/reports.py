"""The reports a blood service files, as pages: a table and a bar chart drawn here as SVG (the
stock chart's template), and the api's CSV and XLSX passed on with the user's token.

The api computes, scopes (own banks; national for an administrator) and validates the period;
a refused period comes back as its 400 and is shown on the page.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .. import session
from ..api import ApiError
from ..dashboard import CHART_ROW, Bar, Segment

reports_required = session.login_required("blood_bank_staff", "admin")

# The reports the api serves, in the order a blood service reads them.
REPORTS = {
    "wastage": _("Wastage: discards and expiries, with the wastage rate"),
    "collections": _("Collections by donation type, blood group and drive"),
    "issues": _("Issues by hospital and component"),
    "deferrals": _("Deferrals by reason"),
    "turnaround": _("Request turnaround by urgency: median and 90th percentile minutes"),
    "daily_stock": _("Stock at the end of a day by group and component, with days of supply"),
    "returns": _("Returns by hospital, component and decision"),
    "complications": _("Donor complications by category and severity"),
    "reactions": _("Transfusion reactions by category and severity"),
}
PERIOD_FIELDS = ("day", "month", "from", "to", "site")
# Reports counted at the end of one day: the default period is today, and a month is not passed on.
ONE_DAY = {"daily_stock"}
FORMATS = {"csv", "xlsx"}
PERIOD_INPUTS = [
    ("month", _("Month"), "month"),
    ("day", _("Day"), "date"),
    ("from", _("From"), "date"),
    ("to", _("To"), "date"),
]
LABEL_WIDTH = 130
BAR_MAX = 160
LABEL_CHARS = 18


def _period(request, name: str = "") -> dict:
    """The period asked for; with none, the current month, or today for a one-day report (a
    report's harmless default)."""
    period = {key: request.GET[key].strip() for key in PERIOD_FIELDS if request.GET.get(key, "").strip()}
    if not set(period) - {"site"}:
        if name in ONE_DAY:
            period["day"] = timezone.localdate().isoformat()
        else:
            period["month"] = timezone.localdate().strftime("%Y-%m")
    return period


def _banks(request) -> list[tuple[str, str]]:
    """The banks the reader may pick (the api checks): an administrator any blood bank or the
    nation; staff of several banks one of theirs or all of them; staff of one bank nothing to pick."""
    user = session.user(request) or {}
    if user.get("role") == "admin":
        banks = request.api.sites(kind="blood_bank", page_size=100)
        return [("", str(_("National: every blood bank")))] + [(str(b["id"]), b["name"]) for b in banks]
    own = [m for m in user.get("memberships", []) if m.get("site_kind") == "blood_bank"]
    if len(own) < 2:
        return []
    return [("", str(_("All my blood banks")))] + [(str(m["site_id"]), m["site_name"]) for m in own]


def _label(row: dict, keys: list[str]) -> str:
    text = " ".join(str(row.get(key) or "–") for key in keys)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def chart(body: dict) -> dict:
    """What `_chart.html` needs: one bar per row of the report's chart table (rows without a value,
    like a rate with nothing made, get no bar but keep their line)."""
    spec = body["chart"]
    rows = body["rows"] if spec["table"] == "rows" else body["totals"][spec["table"]]
    values = [row.get(spec["value"]) for row in rows]
    peak = max((v for v in values if v is not None), default=0) or 1
    bars = []
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        width = round(BAR_MAX * (value or 0) / peak, 1)
        label = _label(row, spec["label"])
        bar = Bar(
            group=label, available=value if value is not None else "–", level=None, y=index * CHART_ROW, width=width
        )
        if value:
            bar.segments.append(Segment(level="none", available=value, x=float(LABEL_WIDTH), width=width))
        bars.append(bar)
    return {
        "bars": bars,
        "chart_height": CHART_ROW * len(bars),
        "chart_label_width": LABEL_WIDTH,
        "chart_title": body["title"],
    }


def _shown(columns: list[dict], rows: list[dict]) -> list[dict]:
    """The rows with each coded value (a donation type, an urgency) replaced by the label the api
    gives its column in the reader's language."""
    coded = {c["key"]: c["labels"] for c in columns if c.get("labels")}
    return [{key: coded.get(key, {}).get(value, value) for key, value in row.items()} for row in rows]


def _in_words(body: dict) -> dict:
    """The report's body as people read it: its rows and extra tables with labels for codes."""
    totals = dict(body["totals"])
    for table in body["tables"]:
        totals[table["key"]] = _shown(table["columns"], totals[table["key"]])
    return {**body, "rows": _shown(body["columns"], body["rows"]), "totals": totals}


def _table(title: str, columns: list[dict], rows: list[dict]) -> dict:
    """One table of the page: its column headings, and each line's cells as (heading, value) (the
    heading labels the cell when a phone shows the line as a card)."""
    header = [c["label"] for c in columns]
    return {
        "title": title,
        "header": header,
        "lines": [[(c["label"], row.get(c["key"])) for c in columns] for row in rows],
    }


def _export_query(period: dict) -> str:
    """The haemovigilance export's query: the period's month and bank (a day or a range has none)."""
    return urlencode({key: period[key] for key in ("month", "site") if key in period}) if "month" in period else ""


@reports_required
@require_GET
def reports_index(request, errors: dict | None = None, status: int = 200):
    period = _period(request)
    return render(
        request,
        "dblood_web/staff/reports.html",
        {
            "reports": REPORTS,
            "period": period,
            "query": urlencode(period),
            "export_query": _export_query(period),
            "errors": errors or {},
            "period_fields": PERIOD_INPUTS,
            "one_day": ONE_DAY,
            "banks": _banks(request),
        },
        status=status,
    )


@reports_required
@require_GET
def report_page(request, name: str):
    if name not in REPORTS:
        raise Http404
    period = _period(request, name)
    context = {
        "name": name,
        "title": REPORTS[name],
        "period": period,
        "errors": {},
        "period_fields": PERIOD_INPUTS,
        "banks": _banks(request),
    }
    try:
        body = request.api.report(name, **period)
    except ApiError as error:
        if error.status != 400:
            raise
        context["errors"] = error.fields or {"period": [error.detail]}
        return render(request, "dblood_web/staff/report.html", context, status=400)
    body = _in_words(body)
    context.update(
        body=body,
        totals=[(c["label"], body["totals"].get(c["key"])) for c in body["total_columns"]],
        tables=[
            _table("", body["columns"], body["rows"]),
            *(_table(t["title"], t["columns"], body["totals"][t["key"]]) for t in body["tables"]),
        ],
        query=urlencode(period),
        **chart(body),
    )
    return render(request, "dblood_web/staff/report.html", context)


@reports_required
@require_GET
def report_download(request, name: str, fmt: str):
    """The api's file, passed on as it came; the api records the download."""
    if name not in REPORTS or fmt not in FORMATS:
        raise Http404
    try:
        answer = request.api.report_file(name, fmt, **_period(request, name))
    except ApiError as error:
        if error.status != 400:
            raise
        return report_page(request, name)
    response = HttpResponse(answer.content, content_type=answer.headers.get("content-type", "application/octet-stream"))
    response["Content-Disposition"] = answer.headers.get("content-disposition", f'attachment; filename="{name}.{fmt}"')
    response["Cache-Control"] = "no-store"
    return response


@reports_required
@require_GET
def haemovigilance_export(request):
    """The api's monthly haemovigilance CSV, passed on as it came; the api records the download.
    A refused month (or a day or range instead of one) comes back on the reports page as its 400."""
    period = {key: request.GET[key].strip() for key in ("month", "day", "from", "to", "site") if request.GET.get(key)}
    try:
        answer = request.api.haemovigilance_export(**period)
    except ApiError as error:
        if error.status != 400:
            raise
        return reports_index(request, errors=error.fields or {"month": [error.detail]}, status=400)
    response = HttpResponse(answer.content, content_type=answer.headers.get("content-type", "text/csv"))
    response["Content-Disposition"] = answer.headers.get(
        "content-disposition", 'attachment; filename="haemovigilance.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
