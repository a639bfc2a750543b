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
