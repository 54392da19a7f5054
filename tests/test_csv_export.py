"""Every CSV goes through pairwork.csv_export, which keeps spreadsheets from running a cell as a formula."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from pairwork.csv_export import csv_response, spreadsheet_safe

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("=HYPERLINK(\"http://x.invalid\")", "'=HYPERLINK(\"http://x.invalid\")"),
        ("Kallio–Vallila", "Kallio–Vallila"),
        ("a=b", "a=b"),
        ("-0.2500", "-0.2500"),  # a negative number stays a number
        ("-3", "-3"),
        ("12", "12"),
        ("", ""),
        (None, ""),
        (7, "7"),
    ],
)
def test_formula_leading_cells_are_written_as_text(cell, written):
    assert spreadsheet_safe(cell) == written


def test_the_response_escapes_header_and_rows_and_reads_back_as_text():
    response = csv_response(filename="x.csv", header=["Team", "=Mean"], rows=[["=cmd|' /C calc'!A0", "-0.5000"]])

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert rows == [["Team", "'=Mean"], ["'=cmd|' /C calc'!A0", "-0.5000"]]


def test_no_module_writes_csv_but_the_one_writer():
    writers = [
        path.relative_to(ROOT)
        for app in ("pairwork", "clients", "visits", "wellbeing", "access")
        if (ROOT / app).exists()
        for path in (ROOT / app).rglob("*.py")
        if "csv.writer" in path.read_text(encoding="utf-8") or "DictWriter" in path.read_text(encoding="utf-8")
    ]

    assert writers == [Path("pairwork/csv_export.py")]
