"""A coordinator schedules a recurring visit from the suggestions, sees it in the week, and meets a clash.

Drives Debian's Chromium through Playwright against the live server. 
"""
from __future__ import annotations


import pytest
from django.urls import reverse

from tests import factories as f
from tests.scheduling import at, next_weekday
from visits import services
from visits.models import Visit

pytestmark = pytest.mark.browser



def test_coordinator_schedules_a_recurring_visit_from_suggestions_and_meets_a_clash(
    transactional_db, live_server, page, sign_in_as, team, pair, client_record, coordinator
):
    page.set_default_timeout(15_000)
    other_nurse = f.NurseFactory(team=team, user__first_name="Outi", user__last_name="Toinen")
    aino_with_outi = f.WorkPairFactory(team=team, artist=pair.artist, nurse=other_nurse)
    toivo = f.ClientFactory(team=team, first_name="Toivo", last_name="Naapuri")
    monday = next_weekday(0)
    sign_in_as(page.context, coordinator.user)

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
