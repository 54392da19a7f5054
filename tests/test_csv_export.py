"""Every CSV goes through pairwork.csv_export, which keeps spreadsheets from running a cell as a formula."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from pairwork.csv_export import csv_number, csv_response, spreadsheet_safe
from pairwork.rounding import round_half_up

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
        ("-0,2500", "-0,2500"),  # also with a Finnish decimal comma
        ("-1,5+2", "'-1,5+2"),
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


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_finnish_and_swedish_files_are_semicolon_separated_with_decimal_commas_and_a_bom(language):
    response = csv_response(
        filename="x.csv", header=["Tiimi", "Keskiarvo"], rows=[["Kallio", csv_number(-0.25, 4, language)]], language=language
    )
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    text = raw.decode("utf-8-sig")
    assert text.splitlines() == ["Tiimi;Keskiarvo", "Kallio;-0,2500"]
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [["Tiimi", "Keskiarvo"], ["Kallio", "-0,2500"]]


def test_english_files_stay_comma_separated_with_decimal_points():
    response = csv_response(filename="x.csv", header=["Team", "Mean"], rows=[["Kallio", csv_number(-0.25, 4, "en")]], language="en")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").splitlines() == ["Team,Mean", "Kallio,-0.2500"]


def test_a_semicolon_in_a_cell_is_quoted_in_a_finnish_file():
    response = csv_response(filename="x.csv", header=["a;b"], rows=[["1,5"]], language="fi")
    assert list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")) == [["a;b"], ["1,5"]]


@pytest.mark.parametrize(
    ("value", "places", "rounded"),
    [(-1685.7, 0, "-1686"), (-1685.5, 0, "-1686"), (2.5, 0, "3"), (0.5, 0, "1"), (2.675, 2, "2.68"),
     (-0.96324, 4, "-0.9632"), (0.42995, 4, "0.4300"), (-0.001, 2, "0.00"), (3, 2, "3.00")],
)
def test_one_rounding_for_pages_and_files_halves_away_from_zero(value, places, rounded):
    assert str(round_half_up(value, places)) == rounded
    assert csv_number(value, places, "en") == rounded
    assert csv_number(value, places, "fi") == rounded.replace(".", ",")
