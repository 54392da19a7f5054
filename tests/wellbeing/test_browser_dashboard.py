"""In a real browser: a manager opens the dashboard from demo data, the charts draw, the team filter changes them, the CSV downloads.

No shared browser fixtures exist on main yet, so this module has its own.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from clients.models import CareRelationship
from tests import factories as f
from tests.factories import make_visit
from visits.models import VisitStatus
from wellbeing.demo import seed_survey_responses

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's Chromium is not installed"),
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield chromium
        chromium.close()


def demo_team(name: str, pairs: int) -> None:
    """A team with `pairs` work pairs and twelve weeks of completed joint visits to its clients."""
    team = f.TeamFactory(name=name, area=name)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for number in range(pairs):
        pair = f.WorkPairFactory(team=team, active_from=timezone.localdate() - dt.timedelta(days=150))
        record = f.ClientFactory(team=team)
        CareRelationship.objects.create(client=record, nurse=pair.nurse, is_primary=True)
        for day in range(0, 84, 3):
            make_visit(pair=pair, client=record, starts_at=now - dt.timedelta(days=day + 1, hours=number), status=VisitStatus.COMPLETED)


@pytest.fixture
def demo_dashboard(transactional_db):
    # The live server needs committed data, so this test flushes the database
    # afterwards; the wellbeing conftest puts the shipped instruments back.
    demo_team("Kallio", pairs=4)
    demo_team("Espoo", pairs=4)
    seed_survey_responses(rng=random.Random(2026))
    manager = f.ManagerFactory(user__username="esihenkilo", organisation_wide=True)
    return manager


def signed_in_page(browser, live_server, client, user):
    client.force_login(user)
    context = browser.new_context(accept_downloads=True, locale="en-US")
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}]
    )
    return context.new_page()


CHARTS_DRAWN = """() => typeof Chart !== 'undefined'
    && [...document.querySelectorAll('canvas[data-chart]')].length === 6
    && [...document.querySelectorAll('canvas[data-chart]')].every(c => Chart.getChart(c) && c.width > 0)"""
PULSE_DATASETS = "Chart.getChart(document.getElementById('chart-pulse')).data.datasets.map(d => [d.label, d.data])"


def test_manager_sees_the_charts_filters_by_team_and_downloads_the_csv(live_server, browser, client, demo_dashboard):
    page = signed_in_page(browser, live_server, client, demo_dashboard.user)
    page.goto(f"{live_server.url}/wellbeing/dashboard/")
    page.wait_for_function(CHARTS_DRAWN, timeout=15000)
    datasets = page.evaluate(PULSE_DATASETS)
    teams = {label.split(":")[0] for label, _ in datasets}
    assert teams == {"Kallio", "Espoo", "All teams"}
    assert any(point is not None for _, data in datasets for point in data), "the pulse chart has points"
    assert page.locator("#table-pulse tbody tr").count() > 0

    page.select_option("#id_team", label="Espoo")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    page.wait_for_function(CHARTS_DRAWN, timeout=15000)
    filtered = page.evaluate(PULSE_DATASETS)
    assert {label.split(":")[0] for label, _ in filtered} == {"Espoo"}
    assert any(point is not None for _, data in filtered for point in data)

    with page.expect_download() as download_info:
        page.locator("#pulse a[download]").click()
    download = download_info.value
    assert download.suggested_filename.startswith("wellbeing-pulse-")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Month", "Team", "Measure"]
    assert len(rows) > 1 and {row[1] for row in rows[1:]} == {"Espoo"}
