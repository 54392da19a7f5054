"""The one way the project writes CSV: a download response whose cells a spreadsheet cannot run.

A cell that starts with =, +, -, @, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula ("CSV injection"): a team
renamed `=HYPERLINK(...)` or `=cmd|' /C calc'!A0` would run in the manager's
spreadsheet. Such a cell gets a leading apostrophe, which spreadsheets show
as text. A plain number (e.g. a negative mean change, -0.2500) is left as it
is: it cannot be a formula and must stay a number.

The file follows the spreadsheet conventions of the user's language: in
Finnish and Swedish the cells are separated by semicolons and numbers have a
decimal comma (a Finnish or Swedish spreadsheet splits such a file into
columns and reads its numbers), in English by commas with a decimal point.
Every file starts with a UTF-8 byte order mark, so spreadsheets read it as
UTF-8. Numbers are written with ``csv_number``, which rounds as the pages do
(``pairwork.rounding``).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from typing import Iterable

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation

from .rounding import round_half_up

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+([.,]\d+)?")
BYTE_ORDER_MARK = "\ufeff"


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    decimal: str


ENGLISH = CsvFormat(delimiter=",", decimal=".")
NORDIC = CsvFormat(delimiter=";", decimal=",")
FORMATS = {"fi": NORDIC, "sv": NORDIC, "en": ENGLISH}


def csv_format(language: str | None = None) -> CsvFormat:
    """The separators for a language (the active one by default)."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return FORMATS.get(language, ENGLISH)


def csv_number(value, places: int, language: str | None = None) -> str:
    """A number for a CSV cell: rounded as the pages round it, with the language's decimal separator."""
    text = f"{round_half_up(value, places):f}"
    return text.replace(".", csv_format(language).decimal)


def spreadsheet_safe(cell: object) -> str:
    text = "" if cell is None else str(cell)
    if text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_response(
    *, filename: str, header: Iterable[object], rows: Iterable[Iterable[object]], language: str | None = None
) -> HttpResponse:
    """An attachment `filename` with a header row and the rows, every cell made spreadsheet-safe.

    Separated as the language's spreadsheets expect (the active language by default).
    """
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BYTE_ORDER_MARK)  # so that spreadsheet programs read the file as UTF-8
    writer = csv.writer(response, delimiter=csv_format(language).delimiter)
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return response
