"""GET /api/v1/reports/<name> (JSON), <name>.csv and <name>.xlsx: one set of three views per report.

The files are recorded as downloads (ReportDownload, in the audit log) and never cached.
"""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from dblood.haemovigilance.export import export_lines
from dblood.haemovigilance.export import to_csv as export_csv

from . import exports
from .models import ReportDownload
from .periods import parse
from .permissions import CanReadReports
from .reports import REPORTS, Report
from .scope import scope_for
from .serializers import body_serializer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PARAMS = [
    OpenApiParameter("day", OpenApiTypes.DATE, description="One local day, YYYY-MM-DD."),
    OpenApiParameter("month", OpenApiTypes.STR, description="One month, YYYY-MM."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of a range (with to), inclusive."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of a range, inclusive; at most 366 days."),
    OpenApiParameter(
        "site", OpenApiTypes.INT, description="One blood bank (staff: one of their own; admin: any; none: national)."
    ),
]
ERRORS = {
    400: OpenApiResponse(description="Missing or bad period or site (the field is named)."),
    403: OpenApiResponse(description="Not blood-bank staff or an administrator, or another bank's site."),
}


class JsonErrors(DefaultContentNegotiation):
    """A file view answers its file, whatever the Accept header; an error is the api's JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _columns(columns) -> list[dict]:
    out = []
    for c in columns:
        column = {"key": c.key, "label": str(c.label)}
        if c.codes is not None:
            column["labels"] = {code: str(label) for code, label in c.codes.items()}
        out.append(column)
    return out


def report_body(report: Report, request) -> tuple[dict, ReportDownload]:
    """The report for the query string, and the unsaved download record that would describe it."""
    period = parse(request.query_params)
    if report.one_day and period.first != period.last:
        raise ValidationError({"day": [_("This report counts one day: give a day.")]})
    scope = scope_for(request.user, request.query_params.get("site"))
    start, end = period.bounds(scope.zone)
    data = report.compute(scope, start, end)
    body = {
        "report": report.name,
        "title": str(report.title),
        "site_ids": list(scope.site_ids) if scope.site_ids is not None else None,
        "timezone": str(scope.zone),
        "period": period.as_dict(),
        "columns": _columns(report.columns),
        "total_columns": _columns(report.totals),
        "tables": [{"key": t.key, "title": str(t.title), "columns": _columns(t.columns)} for t in report.tables],
        "chart": {"table": report.chart_table, "label": list(report.chart_label), "value": report.chart_value},
        **data,
    }
    record = ReportDownload(
        by=request.user,
        report=report.name,
        site_ids=body["site_ids"] or [],
        first_day=period.first,
        last_day=period.last,
    )
    return body, record


def views_for(report: Report) -> tuple[type[APIView], type[APIView], type[APIView]]:
    serializer = body_serializer(report)

    class JsonView(APIView):
        permission_classes = [CanReadReports]

        @extend_schema(parameters=PARAMS, responses={200: serializer, **ERRORS}, tags=["reports"])
        def get(self, request):
            body, _record = report_body(report, request)
            response = Response(body)
            response["Cache-Control"] = "private, no-store"
            return response

    class FileView(APIView):
        permission_classes = [CanReadReports]
        content_negotiation_class = JsonErrors
        fmt = ""
        content_type = ""

        def get(self, request):
            body, record = report_body(report, request)
            content = exports.to_csv(report, body) if self.fmt == "csv" else exports.to_xlsx(report, body)
            record.format = self.fmt
            record.save()
            response = HttpResponse(content, content_type=self.content_type)
            name = f"dblood-{report.name}-{body['period']['from']}-{body['period']['to']}.{self.fmt}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "no-store"  # every download is recorded: never from a cache
            return response

    class CsvView(FileView):
        fmt, content_type = ReportDownload.Format.CSV, "text/csv; charset=utf-8"

        @extend_schema(
            parameters=PARAMS,
            responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV sections."), **ERRORS},
            tags=["reports"],
        )
        def get(self, request):
            return super().get(request)

    class XlsxView(FileView):
        fmt, content_type = ReportDownload.Format.XLSX, XLSX

        @extend_schema(
            parameters=PARAMS,
            responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="One sheet a section."), **ERRORS},
            tags=["reports"],
        )
        def get(self, request):
            return super().get(request)

    for view, suffix in ((JsonView, ""), (CsvView, "Csv"), (XlsxView, "Xlsx")):
        view.__name__ = view.__qualname__ = f"{report.name.title().replace('_', '')}Report{suffix}View"
        view.__doc__ = f"{report.title} ({suffix or 'JSON'})."
    return JsonView, CsvView, XlsxView


VIEWS = {name: views_for(report) for name, report in REPORTS.items()}


HAEMOVIGILANCE_EXPORT = "haemovigilance_export"


class HaemovigilanceExportView(APIView):
    """The month's coded donor complications and transfusion reactions for the national
    haemovigilance programme: one CSV line each, no donor or patient identity in it (the layout:
    docs/haemovigilance-export.md). Recorded as a download (who, when, which month and banks)."""

    permission_classes = [CanReadReports]
    content_negotiation_class = JsonErrors

    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, required=True, description="The month, YYYY-MM."),
            PARAMS[-1],
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="docs/haemovigilance-export.md."),
            **ERRORS,
        },
        tags=["reports"],
    )
    def get(self, request):
        params = request.query_params
        if not params.get("month") or any(params.get(name) for name in ("day", "from", "to")):
            raise ValidationError({"month": [_("The export covers one month: give the month alone, as YYYY-MM.")]})
        period = parse(params)
        scope = scope_for(request.user, params.get("site"))
        start, end = period.bounds(scope.zone)
        content = export_csv(export_lines(scope, start, end))
        ReportDownload.objects.create(
            by=request.user,
            report=HAEMOVIGILANCE_EXPORT,
            format=ReportDownload.Format.CSV,
            site_ids=list(scope.site_ids or []),
            first_day=period.first,
            last_day=period.last,
        )
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        banks = "national" if scope.site_ids is None else "-".join(map(str, scope.site_ids)) or "none"
        name = f"dblood-haemovigilance-{banks}-{period.first:%Y-%m}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"  # every download is recorded: never from a cache
        return response
