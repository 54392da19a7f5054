"""In Chromium: a manager opens the wellbeing dashboard from the demo data, the charts draw,
the team filter changes them, and a table downloads as CSV."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from pairwork.demo.catalogue import ESPOO, KALLIO, PORVOO


pytestmark = pytest.mark.browser

CHARTS_DRAWN = """() => typeof Chart !== 'undefined'
    && document.querySelectorAll('canvas[data-chart]').length === 6
    && [...document.querySelectorAll('canvas[data-chart]')].every(c => Chart.getChart(c) && c.width > 0)"""
PULSE_DATASETS = "Chart.getChart(document.getElementById('chart-pulse')).data.datasets.map(d => [d.label, d.data])"


def teams_in(datasets) -> set[str]:
    return {label.split(":")[0] for label, _ in datasets}


def test_manager_opens_the_dashboard_filters_by_team_and_downloads_csv(page, sign_in_as, demo_data, screenshot):
    assert demo_data["post-visit pulses"] > 0
    sign_in_as(page.context, get_user_model().objects.get(username="esihenkilo"))
    page.goto("/")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wellbeing dashboard")
    page.wait_for_function(CHARTS_DRAWN)
    everyone = page.evaluate(PULSE_DATASETS)
    assert teams_in(everyone) == {KALLIO, ESPOO, PORVOO, "All teams"}
    assert any(point is not None for _, data in everyone for point in data), "the pulse chart has points"
    # Porvoo has three nurses and artists: never enough people for a figure of its own.
    assert all(point is None for label, data in everyone if label.startswith(PORVOO) for point in data)
    expect(page.get_by_text("Data as of")).to_be_visible()
    screenshot("wellbeing-dashboard")

    page.get_by_label("Team", exact=True).select_option(label=KALLIO)
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    assert "team=" in page.url
    page.wait_for_function(CHARTS_DRAWN)
    kallio = page.evaluate(PULSE_DATASETS)
    assert teams_in(kallio) == {KALLIO}
    assert any(point is not None for _, data in kallio for point in data)

    with page.expect_download() as download_info:
        page.locator("#pulse a[download]").click()
    download = download_info.value
    assert download.suggested_filename.startswith("wellbeing-pulse-")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["Month", "Team", "Measure", "Respondents (n)"]
    assert len(rows) > 1 and {row[1] for row in rows[1:]} == {KALLIO}
    assert page.errors == []
    assert page.csp_violations == []  # Chart.js draws under the strict policy
