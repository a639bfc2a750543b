"""A report's body as CSV or XLSX, headers in the reader's language (the active translation).

Layout, the same in both: the rows under their headers; then the totals, one "label, value" line
each; then each extra table (the wastage rate per component, collections per drive) under its title.
CSV puts the sections one after another with a blank line between; XLSX gives each its own sheet.
Free text (a discard reason, a drive's name) is never written as a formula: a leading = + - @ gets
a ' before it. A coded value (a donation type, an urgency) is written as its label in the reader's language; RhD
"+" and "-" and the component codes are written as they are.
"""

import csv
import io

import xlsxwriter
from django.utils.translation import gettext as _

from .reports import Column, Report

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _plain(value, column: Column):
    if value is None:
        return ""
    value = column.shown(value)
    if column.free_text and isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def sections(report: Report, body: dict) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, lines) for each part of the report, values in column order."""
    parts = [
        (
            str(report.title),
            [str(c.label) for c in report.columns],
            [[_plain(row.get(c.key), c) for c in report.columns] for row in body["rows"]],
        ),
        (
            _("Totals"),
            [_("Total"), _("Value")],
            [[str(c.label), _plain(body["totals"].get(c.key), c)] for c in report.totals],
        ),
    ]
    for table in report.tables:
        parts.append(
            (
                str(table.title),
                [str(c.label) for c in table.columns],
                [[_plain(row.get(c.key), c) for c in table.columns] for row in body["totals"][table.key]],
            )
        )
    return parts


def to_csv(report: Report, body: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for index, (title, header, lines) in enumerate(sections(report, body)):
        if index:
            writer.writerow([])
            writer.writerow([title])
        writer.writerow(header)
        writer.writerows(lines)
    # UTF-8 with a byte-order mark: spreadsheet programs then read Indonesian headers right.
    return out.getvalue().encode("utf-8-sig")


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:28].strip() or "Sheet"
    name, n = clean, 2
    while name in used:
        name, n = f"{clean[:25]} {n}", n + 1
    used.add(name)
    return name


def to_xlsx(report: Report, body: dict) -> bytes:
    """One sheet per section. Text is written as text, never read as a formula, a number or a link."""
    out = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(out, options)
    used: set[str] = set()
    for title, header, lines in sections(report, body):
        sheet = book.add_worksheet(_sheet_title(title, used))
        for row, line in enumerate([header, *lines]):
            sheet.write_row(row, 0, line)
    book.close()
    return out.getvalue()
