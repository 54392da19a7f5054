"""A coordinator records a hospital stay (visits cancelled), withdraws it (visits back), then books the next free time.

Drives Debian's Chromium through Playwright against the live server.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.scheduling import at, next_weekday
from visits import services
from visits.models import ClientAbsence, Visit, VisitStatus

pytestmark = pytest.mark.browser


def test_absence_cancels_and_restores_then_the_next_free_time_is_booked(
    transactional_db, live_server, page, sign_in_as, team, pair, client_record, coordinator
):
    page.set_default_timeout(15_000)
    monday = next_weekday(0, weeks_ahead=2)
    visits = [
        services.schedule_visit(client=client_record, pair=pair, starts_at=at(monday + dt.timedelta(days=d), 10),
                                ends_at=at(monday + dt.timedelta(days=d), 11), by=coordinator.user)
        for d in (0, 2)
    ]
    sign_in_as(page.context, coordinator.user)

    # The client page leads to the absences; recording one first shows what it cancels.
    page.goto(f"{live_server.url}{reverse('clients:detail', args=[client_record.pk])}")
    page.click("#client-absences")
    page.select_option("#id_kind", "hospital")
    page.fill("#id_starts_on", monday.isoformat())
    page.fill("#id_ends_on", (monday + dt.timedelta(days=3)).isoformat())
    page.fill("#id_reason", "Lonkkaleikkaus")
    page.click("#record-absence")
    confirm = page.locator("#confirm-absence")
    confirm.wait_for()
    assert "This cancels 2 planned visits" in confirm.inner_text()
    assert Visit.objects.filter(status=VisitStatus.CANCELLED).count() == 0
    page.click("#confirm-record")
    page.wait_for_selector("#absences")
    assert "2 visits were cancelled" in page.inner_text("main")
    assert {v.status for v in Visit.objects.filter(pk__in=[v.pk for v in visits])} == {VisitStatus.CANCELLED}

    # Withdrawn after all: asked, confirmed, both visits back.
    page.click("#absences button:has-text('Withdraw')")
    page.click("#confirm-change")
    page.wait_for_selector("#absences")
    assert "2 visits are back on the calendar" in page.inner_text("main")
    assert ClientAbsence.objects.get().withdrawn_at is not None
    assert {v.status for v in Visit.objects.filter(pk__in=[v.pk for v in visits])} == {VisitStatus.PLANNED}

    # The next free time, from the client page, booked with one click and a confirmation on the schedule page.
    page.goto(f"{live_server.url}{reverse('clients:detail', args=[client_record.pk])}")
    page.click("#find-next-free-time")
    page.fill("#id_date_from", monday.isoformat())
    page.fill("#id_date_to", monday.isoformat())
    page.select_option("#id_time_of_day", "between")
    page.fill("#id_time_from", "09:00")
    page.fill("#id_time_to", "12:00")
    page.click("#find-free-times")
    first = page.locator("#free-times li.free-time").first
    assert "9:00" in first.inner_text() and "Recommended" in first.inner_text()
    first.locator("a.book-free-time").click()
    page.wait_for_selector("#suggestions")
    assert page.is_checked(f"#pair-{pair.pk}")
    page.click("#save-visit")
    page.wait_for_url("**/calendar/**")
    booked = Visit.objects.exclude(pk__in=[v.pk for v in visits]).get(client=client_record)
    assert (booked.starts_at, booked.pair_id) == (at(monday, 9), pair.pk)
