"""The one way the project writes CSV: a download response whose cells a spreadsheet cannot run.

A cell that starts with =, +, -, @, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula ("CSV injection"): a team
renamed `=HYPERLINK(...)` or `=cmd|' /C calc'!A0` would run in the manager's
spreadsheet. Such a cell gets a leading apostrophe, which spreadsheets show
as text. A plain number (e.g. a negative mean change, -0.2500) is left as it
is: it cannot be a formula and must stay a number.
"""
from __future__ import annotations

import csv
import re
from typing import Iterable

from django.http import HttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def spreadsheet_safe(cell: object) -> str:
    text = "" if cell is None else str(cell)
    if text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_response(*, filename: str, header: Iterable[object], rows: Iterable[Iterable[object]]) -> HttpResponse:
    """An attachment `filename` with a header row and the rows, every cell made spreadsheet-safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return response
