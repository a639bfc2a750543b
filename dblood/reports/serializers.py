"""Response schemas, made from each report's columns so the OpenAPI document says what is sent."""

from rest_framework import serializers

from .reports import Column, Report

_FIELDS = {
    "str": lambda: serializers.CharField(allow_blank=True),
    "int": lambda: serializers.IntegerField(allow_null=True),
    "float": lambda: serializers.FloatField(allow_null=True),
}


def _serializer(name: str, columns: tuple[Column, ...], extra: dict | None = None) -> type[serializers.Serializer]:
    fields = {column.key: _FIELDS[column.kind]() for column in columns}
    return type(name, (serializers.Serializer,), {**fields, **(extra or {})})


class ReportColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    labels = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="A coded column's codes, each with its label in the reader's language.",
    )


class ReportTableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = ReportColumnSerializer(many=True)


class ReportChartSerializer(serializers.Serializer):
    table = serializers.CharField()
    label = serializers.ListField(child=serializers.CharField())
    value = serializers.CharField()


class ReportPeriodSerializer(serializers.Serializer):
    # "from" is a Python keyword: declared through the fields mapping below.
    to = serializers.DateField()

    def get_fields(self):
        return {"from": serializers.DateField(), **super().get_fields()}


def body_serializer(report: Report) -> type[serializers.Serializer]:
    prefix = "".join(part.title() for part in report.name.split("_"))
    row = _serializer(f"{prefix}ReportRowSerializer", report.columns)
    tables = {
        table.key: _serializer(f"{prefix}Report{table.key.title().replace('_', '')}Serializer", table.columns)(
            many=True
        )
        for table in report.tables
    }
    totals = _serializer(f"{prefix}ReportTotalsSerializer", report.totals, tables)
    return type(
        f"{prefix}ReportSerializer",
        (serializers.Serializer,),
        {
            "report": serializers.CharField(),
            "title": serializers.CharField(),
            "site_ids": serializers.ListField(
                child=serializers.IntegerField(), allow_null=True, help_text="null: national (every blood bank)."
            ),
            "timezone": serializers.CharField(help_text="The zone whose local days the period counts."),
            "period": ReportPeriodSerializer(),
            "columns": ReportColumnSerializer(many=True),
            "total_columns": ReportColumnSerializer(many=True),
            "tables": ReportTableSerializer(many=True),
            "chart": ReportChartSerializer(),
            "rows": row(many=True),
            "totals": totals(),
        },
    )
