"""Reading a report back from each of its three forms, and placing rows at chosen instants."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

JAKARTA = ZoneInfo("Asia/Jakarta")


def local(*args) -> datetime:
    """An instant given as Jakarta wall-clock time."""
    return datetime(*args, tzinfo=JAKARTA)


def place(model, pk: int, **instants) -> None:
    """Set auto_now_add timestamps (created_at, at) that create() does not let a test choose."""
    model.objects.filter(pk=pk).update(**instants)


def csv_sections(content: bytes) -> list[list[list[str]]]:
    """The CSV's sections (split at blank lines), each a list of lines; later ones start with their title."""
    sections, current = [], []
    for line in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
        if not line:
            sections.append(current)
            current = []
        else:
            current.append(line)
    sections.append(current)
    return sections


def xlsx_sheets(content: bytes) -> dict[str, list[list]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def number(text):
    """A CSV cell back to the number it was ("" stays None)."""
    if text in ("", None):
        return None
    return float(text) if "." in str(text) else int(text)


def _cell(text, kind: str):
    if text in ("", None):
        return "" if kind == "str" else None
    return {"int": int, "float": float}.get(kind, str)(text)


def assert_files_agree(client, url: str, query: dict) -> dict:
    """The CSV and the XLSX carry the JSON's rows, totals and extra tables, value for value (a code as
    its label in the reader's language)."""
    body = client.get(url, query).json()
    kinds = {c.key: c.kind for c in _report(body).columns}
    total_kinds = {c.key: c.kind for c in _report(body).totals}
    parts = [(body["columns"], body["rows"])] + [(t["columns"], body["totals"][t["key"]]) for t in body["tables"]]
    # A coded value is written as its label, the one the JSON gives its column.
    expected = [
        [[c.get("labels", {}).get(row[c["key"]], row[c["key"]]) for c in columns] for row in rows]
        for columns, rows in parts
    ]
    totals = [[c["label"], body["totals"][c["key"]]] for c in body["total_columns"]]

    sections = csv_sections(client.get(f"{url}.csv", query).content)
    table_kinds = [kinds] + [{c.key: c.kind for c in t.columns} for t in _report(body).tables]
    main, total_lines, *extra = sections
    assert main[0] == [c["label"] for c in body["columns"]]
    got = [[_cell(v, kinds[c["key"]]) for v, c in zip(line, body["columns"], strict=True)] for line in main[1:]]
    assert got == expected[0]
    keys = [c["key"] for c in body["total_columns"]]
    assert [[line[0], _cell(line[1], total_kinds[k])] for line, k in zip(total_lines[2:], keys, strict=True)] == totals
    for section, (columns, _rows), want, tk in zip(extra, parts[1:], expected[1:], table_kinds[1:], strict=True):
        lines = [[_cell(v, tk[c["key"]]) for v, c in zip(line, columns, strict=True)] for line in section[2:]]
        assert lines == want

    sheets = list(xlsx_sheets(client.get(f"{url}.xlsx", query).content).values())
    assert [list(line) for line in sheets[0][1:]] == [[v if v != "" else None for v in row] for row in expected[0]]
    assert [list(line) for line in sheets[1][1:]] == totals
    for sheet, want in zip(sheets[2:], expected[1:], strict=True):
        assert [list(line) for line in sheet[1:]] == [[v if v != "" else None for v in row] for row in want]
    return body


def _report(body):
    from dblood.reports.reports import REPORTS

    return REPORTS[body["report"]]
