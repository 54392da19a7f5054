"""The dashboard's CSV rounds as the page does, and opens in a Finnish or Swedish spreadsheet."""
import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests import factories as f
from tests.conftest import login
from wellbeing import aggregation, metrics
from wellbeing.dashboard.tables import Column, Row, Table
from wellbeing.models import SickLeaveCost, TimePoint
from wellbeing.selectors import current_instrument, month_start
from wellbeing.services import submit_response

from .conftest import bulk_staff

NBSP = "\u00a0"


def hand_table():
    return Table(
        slug="hand", title="", question="",
        columns=[Column("Team"), Column("Cost", "money"), Column("Mean", "mean"), Column("Share", "share"), Column("n", "count")],
        rows=[Row(values=["Kallio", -1685.7, 2.678, 0.42995, 1234], cells=[])],
    )


@pytest.mark.parametrize(
    ("language", "page", "exported"),
    [
        ("fi", ["Kallio", f"-1{NBSP}686 €", "2,68", "43 %", f"1{NBSP}234"], ["Kallio", "-1686", "2,6780", "0,4300", "1234"]),
        ("sv", ["Kallio", f"-1{NBSP}686 €", "2,68", "43 %", f"1{NBSP}234"], ["Kallio", "-1686", "2,6780", "0,4300", "1234"]),
        ("en", ["Kallio", "-1,686 €", "2.68", "43 %", "1,234"], ["Kallio", "-1686", "2.6780", "0.4300", "1234"]),
    ],
)
def test_page_and_csv_round_a_figure_the_same_way(language, page, exported):
    # The page once cut −1685.7 € to −1 685 € while the CSV rounded it to −1686.
    with translation.override(language):
        table = hand_table()
        assert [text for text, _ in table.display_rows()[0]] == page
        assert table.csv_rows()[0] == exported


@pytest.fixture
def cost_world(team, this_month):
    """Five people: 2.0 sick-leave days a month before pair work, 1.4 with it; 234.13 € a day."""
    people = bulk_staff(team, 5, prefix="k")
    first_pair_month = month_start(this_month - dt.timedelta(days=40))
    f.WorkPairFactory(team=team, active_from=first_pair_month)
    before = month_start(first_pair_month - dt.timedelta(days=20))
    instrument = current_instrument(metrics.MONTHLY)
    for person, days_before, days_with in zip(people, [2, 3, 1, 2, 2], [1, 2, 1, 1, 2]):
        for period, days in ((before, days_before), (first_pair_month, days_with)):
            submit_response(
                instrument=instrument, time_point=TimePoint.MONTHLY, team=team, recorded_by=person.user, respondent=person,
                answers={"work_ability": 7, "sick_leave_days": days}, period=period, refresh_aggregates=False,
            )
    SickLeaveCost.objects.create(cost_per_day="234.13")
    aggregation.rebuild_all()


@pytest.fixture
def this_month():
    return month_start(timezone.localdate())


def page_and_csv(client, language):
    client.cookies["django_language"] = language
    page = client.get(reverse("wellbeing:dashboard"))
    assert page.status_code == 200
    [(table, rows)] = [(table, rows) for table, rows in page.context["tables"] if table.slug == "sick_leave_cost"]
    export = client.get(reverse("wellbeing:dashboard_export", args=["sick_leave_cost"]))
    assert export.status_code == 200
    return page, [[text for text, _ in row] for row in rows], export


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_finnish_and_swedish_csv_has_the_page_figures_with_semicolons_and_a_bom(client, manager, cost_world, language):
    login(client, manager)
    page, shown, export = page_and_csv(client, language)
    raw = export.content
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")[1:]
    assert text.splitlines()[0].count(";") == 9  # ten columns, split by semicolons
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows[0]) == 10
    [exported] = rows[1:]
    [on_page] = shown
    # −0.6 days × 12 × 234.13 € = −1685.736 €: −1 686 € on the page and −1686 in the file.
    assert on_page[7] == f"-1{NBSP}686 €" and exported[7] == "-1686"
    assert on_page[9] == f"-8{NBSP}429 €" and exported[9] == "-8429"
    assert f"-1{NBSP}686 €" in page.content.decode()
    for money in (6, 7, 9):
        assert on_page[money].replace(NBSP, "").removesuffix(" €") == exported[money]
    # Means with a decimal comma: the page's figure is the file's to two decimals.
    assert (on_page[3], exported[3]) == ("-0,60", "-0,6000")
    for mean in (1, 2, 3, 4, 5):
        assert "," in exported[mean] and "." not in exported[mean]
        assert f"{float(exported[mean].replace(',', '.')):.2f}".replace(".", ",") == on_page[mean]


def test_the_english_csv_stays_comma_separated_with_decimal_points(client, manager, cost_world):
    login(client, manager)
    _, shown, export = page_and_csv(client, "en")
    assert export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    [exported] = rows[1:]
    [on_page] = shown
    assert (on_page[7], exported[7]) == ("-1,686 €", "-1686")
    assert (on_page[3], exported[3]) == ("-0.60", "-0.6000")
