"""The page cache as people meet it: the nurse's phone and the coordinator's calendar served again while nothing
changed, and a change — another person's, committed in another request — shown on the very next load."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from access.models import AccessLog
from tests.scheduling import at, next_weekday
from visits import services

pytestmark = pytest.mark.browser


def test_kept_pages_are_logged_and_a_colleagues_change_shows_at_once(
    transactional_db, live_server, page, browser, sign_in_as, settings, pair, client_record, coordinator
):
    settings.PAGE_CACHE = True
    cache.clear()
    page.set_default_timeout(15_000)
    tuesday = next_weekday(1)
    visit = services.schedule_visit(client=client_record, pair=pair, starts_at=at(tuesday, 10), ends_at=at(tuesday, 11),
                                    by=coordinator.user)

    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}, base_url=live_server.url)
    sign_in_as(phone, pair.nurse.user)
    hanna = phone.new_page()
    hanna.set_default_timeout(15_000)
    states = [hanna.goto(reverse("visits:my_visits")).headers.get("x-page-cache") for _ in range(3)]
    assert states[-2:] == ["miss", "hit"]  # the first load also set the CSRF cookie
    expect(hanna.get_by_text("10:00", exact=False).first).to_be_visible()
    logged = AccessLog.objects.filter(client_id=client_record.pk, user=pair.nurse.user).count()
    assert logged == 3  # every load, kept or built

    # The coordinator, at her desk, moves the visit an hour later.
    sign_in_as(page.context, coordinator.user)
    calendar = reverse("visits:calendar") + f"?week={tuesday.isoformat()}"
    page.goto(calendar)
    page.goto(calendar)
    assert page.goto(calendar).headers.get("x-page-cache") == "hit"
    services.reschedule_visit(visit=visit, starts_at=at(tuesday, 11), ends_at=at(tuesday, 12), reason="Asiakkaan toive",
                              by=coordinator.user)

    response = hanna.goto(reverse("visits:my_visits"))
    assert response.headers.get("x-page-cache") == "miss"
    expect(hanna.get_by_text("11:00", exact=False).first).to_be_visible()
    assert page.goto(calendar).headers.get("x-page-cache") == "miss"
