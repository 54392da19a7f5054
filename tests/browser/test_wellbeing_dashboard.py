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

from pairwork.models import Team
from wellbeing.models import Instrument, SurveyResponse

pytestmark = pytest.mark.browser

CHARTS_DRAWN = """() => typeof Chart !== 'undefined'
    && document.querySelectorAll('canvas[data-chart]').length >= 6
    && [...document.querySelectorAll('canvas[data-chart]')].every(c => Chart.getChart(c) && c.width > 0)"""
# The pulse's three charts (one per item), each series as [label, points].
PULSE_DATASETS = """[...document.querySelectorAll('#pulse canvas[data-chart]')]
    .flatMap(c => Chart.getChart(c).data.datasets.map(d => [d.label, d.data]))"""
EVERY_CHART = """[...document.querySelectorAll('canvas[data-chart]')].map(c => {
    const chart = Chart.getChart(c);
    return {id: c.id, title: document.getElementById(c.id + '-title').textContent, labels: chart.data.labels,
            datasets: chart.data.datasets.length, legendRows: chart.legend.lineWidths.length};
})"""


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
    assert teams_in(everyone) == {"All teams"}  # one team at a time: by default all teams together
    expect(page.get_by_text("Data as of")).to_be_visible()
    screenshot("wellbeing-dashboard")

    page.get_by_label("Team", exact=True).select_option(label=KALLIO)
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    assert "team=" in page.url
    page.wait_for_function(CHARTS_DRAWN)
    kallio = page.evaluate(PULSE_DATASETS)
    assert teams_in(kallio) == {KALLIO, "All teams"}  # the team, and all teams for reference
    assert any(point is not None for label, data in kallio if label == KALLIO for point in data)

    with page.expect_download() as download_info:
        page.locator("#pulse a[download]").click()
    download = download_info.value
    assert download.suggested_filename.startswith("wellbeing-pulse-")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["Month", "Team", "Measure", "Respondents (n)"]
    assert len(rows) > 1 and {row[1] for row in rows[1:]} == {KALLIO}
    assert page.errors == []
    assert page.csp_violations == []  # Chart.js draws under the strict policy


def test_porvoo_has_too_few_people_for_a_figure_anywhere(page, sign_in_as, demo_data):
    sign_in_as(page.context, get_user_model().objects.get(username="esihenkilo"))
    porvoo = Team.objects.get(name=PORVOO)
    page.goto(f"/wellbeing/dashboard/?team={porvoo.pk}")
    page.wait_for_function(CHARTS_DRAWN)
    # Porvoo has three nurses and artists: never enough people for a figure of its own.
    assert all(point is None for label, data in page.evaluate(PULSE_DATASETS) if label == PORVOO for point in data)
    pulse_card = page.locator("#card-pulse")
    expect(pulse_card).to_contain_text("Too few answers to show")
    assert page.errors == []


def test_manager_reads_the_answers_and_prints_the_report(page, sign_in_as, demo_data, screenshot):
    sign_in_as(page.context, get_user_model().objects.get(username="esihenkilo"))
    kallio = Team.objects.get(name=KALLIO)
    page.goto(f"/wellbeing/dashboard/?team={kallio.pk}")
    page.wait_for_function(CHARTS_DRAWN)

    # The headline cards answer each question in words and numbers.
    cards = page.locator("#answers article.answer-card")
    expect(cards).to_have_count(5)
    pulse = page.locator("#card-pulse")
    expect(pulse).to_contain_text(f"Calm visits and time to meet the client: {KALLIO}")
    expect(pulse).to_contain_text("The situation during the visit was calm.")  # the survey's own words
    expect(pulse).to_contain_text("/ 5")
    expect(pulse).to_contain_text("95% CI")
    expect(pulse).to_contain_text("staff,")
    expect(page.locator("#card-sick_leave_cost")).to_contain_text("Inconclusive — the interval spans zero")
    # The design is one click away.
    how = pulse.locator("details.how")
    expect(how.locator("p")).to_be_hidden()
    how.locator("summary").click()
    expect(how.locator("p")).to_be_visible()
    expect(how).to_contain_text("latest full month")

    # Every chart: at most six series, labels from the survey, months only where there are figures.
    charts = page.evaluate(EVERY_CHART)
    assert len(charts) >= 6
    assert all(chart["datasets"] <= 6 for chart in charts), charts
    titles = [chart["title"] for chart in charts]
    assert "I feel energised after the visit." in titles and "Feels energised (1–5)" not in str(titles)
    table_months = {row.split("\t")[0] for row in page.locator("#table-pulse tbody tr").all_inner_texts()}
    pulse_charts = [chart for chart in charts if chart["id"].startswith("chart-pulse-")]
    assert len(pulse_charts) == 3
    for chart in pulse_charts:
        assert set(chart["labels"]) == table_months
        assert len(chart["labels"]) < 12, "the axis is not the whole twelve-month period"
    screenshot("wellbeing-dashboard-cards")

    # The stored analyses, as accessible tables: the client change in detail, and staff against time
    # (in the demo, too few teams that had not yet started to compare with: said in words, no number).
    client_evidence = page.locator("#table-evidence_client")
    expect(client_evidence).to_be_visible()
    expect(client_evidence.locator("caption")).to_have_text("3a. Client change in detail: effect size and clients who improved")
    expect(client_evidence.locator("thead")).to_contain_text("Effect size d")
    expect(client_evidence.locator("tbody tr th[scope=row]").first).to_be_visible()
    expect(page.locator("#table-evidence_staff")).to_contain_text("Too few teams or months for an honest estimate")
    expect(page.locator("#card-staff_phases")).to_contain_text("Too few teams or months for an honest estimate")

    # The printable report: the same answers, the navigation and buttons hidden on paper.
    with page.expect_navigation():
        page.get_by_role("link", name="Printable report").click()
    assert f"team={kallio.pk}" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Evidence summary: {KALLIO}")
    expect(page.locator("#card-pulse")).to_contain_text("The situation during the visit was calm.")
    expect(page.locator("#card-pulse")).to_contain_text("How this is worked out")
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    # On paper the client change in detail and staff against time; the before/with figures are on the staff card.
    expect(page.locator("#table-evidence_client")).to_be_visible()
    expect(page.locator("#table-sick_leave_cost")).to_be_visible()
    # Staff against time: in the demo no figure, so the report says why in a line.
    expect(page.locator("#evidence_staff")).to_contain_text("Too few teams or months for an honest estimate")
    screenshot("wellbeing-report-print")
    assert page.errors == []


def test_the_dashboard_is_legible_on_a_390_px_phone(browser, live_server, sign_in_as, demo_data):
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}, base_url=live_server.url)
    try:
        sign_in_as(context, get_user_model().objects.get(username="esihenkilo"))
        phone = context.new_page()
        errors = []
        phone.on("pageerror", lambda error: errors.append(str(error)))
        phone.goto(f"/wellbeing/dashboard/?team={Team.objects.get(name=KALLIO).pk}")
        phone.wait_for_function(CHARTS_DRAWN)
        for chart in phone.evaluate(EVERY_CHART):
            assert chart["legendRows"] <= 2, chart
        # Nothing wider than the screen but the tables' own scrolling boxes.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        expect(phone.locator("#card-pulse")).to_be_visible()
        assert errors == []
    finally:
        context.close()


def test_on_a_phone_without_javascript_the_all_teams_view_links_to_each_team(browser, live_server, sign_in_as, demo_data):
    # No JavaScript: the team links are plain links, and the all-teams view says where the team tables are.
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}, base_url=live_server.url,
                                  java_script_enabled=False)
    try:
        sign_in_as(context, get_user_model().objects.get(username="esihenkilo"))
        phone = context.new_page()
        phone.goto("/wellbeing/dashboard/")
        expect(phone.locator("#sick_leave_cost .table-note")).to_contain_text("This table has a row for each team")
        expect(phone.locator("#card-sick_leave_cost")).to_contain_text("Estimated for each team: choose a team to see it")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        links = phone.locator("#team-links")
        links.locator("summary").click()
        expect(links.get_by_role("link")).to_have_count(3)
        with phone.expect_navigation():
            links.get_by_role("link", name=KALLIO).click()
        assert f"team={Team.objects.get(name=KALLIO).pk}" in phone.url
        expect(phone.locator("#card-sick_leave_cost")).to_contain_text(KALLIO)
        assert KALLIO in phone.locator("#table-sick_leave_cost").inner_text()
        expect(phone.locator("#team-links")).to_have_count(0)
    finally:
        context.close()
