"""A coordinator schedules a recurring visit from the suggestions, sees it in the week, and meets a clash.

Drives Debian's Chromium through Playwright against the live server. The
browser fixtures live here because main has no shared browser conftest yet.
"""
from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django.urls import reverse

from tests import factories as f
from tests.scheduling import at, next_weekday
from visits import services
from visits.models import Visit

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser_page(live_server, monkeypatch):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test are still sync.
    # monkeypatch, not os.environ: the variable must not leak into later tests (check --deploy refuses it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def sign_in(page, live_server, user) -> None:
    """Reuse Django's test login and hand its session cookie to the browser."""
    django_client = DjangoClient()
    django_client.force_login(user)
    cookie = django_client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])


def test_coordinator_schedules_a_recurring_visit_from_suggestions_and_meets_a_clash(
    transactional_db, live_server, browser_page, team, pair, client_record, coordinator
):
    page = browser_page
    other_nurse = f.NurseFactory(team=team, user__first_name="Outi", user__last_name="Toinen")
    aino_with_outi = f.WorkPairFactory(team=team, artist=pair.artist, nurse=other_nurse)
    toivo = f.ClientFactory(team=team, first_name="Toivo", last_name="Naapuri")
    monday = next_weekday(0)
    sign_in(page, live_server, coordinator.user)

    # 1. Client and time; the suggestions come ranked with their reasons.
    page.goto(f"{live_server.url}{reverse('visits:schedule')}?client={client_record.pk}")
    page.fill("#id_day", monday.isoformat())
    page.fill("#id_start_time", "10:00")
    page.select_option("#id_duration_minutes", "60")
    page.click("#show-suggestions")
    suggestions = page.locator("#suggestions li.suggestion")
    assert suggestions.count() == 2
    first = suggestions.nth(0)
    assert "Aino Taiteilija & Hanna Hoitaja" in first.inner_text()
    assert "Hanna Hoitaja is the client's primary nurse" in first.inner_text()

    # 2. Pick the top suggestion, repeat weekly three times, save.
    page.check(f"#pair-{pair.pk}")
    page.check("#id_repeat")
    page.check("input[name=ends][value=count]")
    page.fill("#id_count", "3")
    page.click("#save-visit")
    page.wait_for_selector("#created-visits")
    assert "3 visits created" in page.inner_text("main")
    assert Visit.objects.filter(client=client_record, pair=pair).count() == 3

    # 3. The week calendar shows it on Monday at 10.
    page.goto(f"{live_server.url}{reverse('visits:calendar')}?week={monday.isoformat()}")
    monday_column = page.locator("#calendar-week section").nth(0)
    assert "10:00–11:00" in monday_column.inner_text()
    assert "Helmi Esimerkki" in monday_column.inner_text()
    assert "Aino Taiteilija & Hanna Hoitaja" in monday_column.inner_text()

    # 4. A clash: moving Toivo's visit onto Monday 10:30 would double-book Aino.
    toivos_visit = services.schedule_visit(
        client=toivo, pair=aino_with_outi, starts_at=at(monday, 14), ends_at=at(monday, 15), by=coordinator.user
    )
    page.goto(f"{live_server.url}{reverse('visits:reschedule', args=[toivos_visit.pk])}")
    page.fill("#id_start_time", "10:30")
    page.fill("#id_reason", "Toive")
    page.click("#reschedule-form button[type=submit]")
    alert = page.locator("#reschedule-form .alert")
    alert.wait_for()
    message = alert.inner_text()
    assert "The time is taken:" in message
    assert f"Aino Taiteilija (Artist) is busy {monday.day}.{monday.month}.{monday.year} 10:00–11:00" in message
    toivos_visit.refresh_from_db()
    assert toivos_visit.starts_at == at(monday, 14)
