"""The artist cannot come: the coordinator finds a stand-in from the visit page, confirms it, and the stand-in sees
the visit on their phone; then the best stand-in for all of one person's visits of the week, with its report."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f
from tests.scheduling import at, next_weekday
from visits import services
from visits.models import VisitParticipant

pytestmark = pytest.mark.browser


def test_coordinator_applies_stand_ins_and_the_stand_in_sees_the_visits(
    transactional_db, live_server, page, browser, sign_in_as, team, pair, client_record, coordinator
):
    page.set_default_timeout(15_000)
    sami = f.ArtistFactory(team=team, user__first_name="Sami", user__last_name="Sijainen")
    monday = next_weekday(0)
    visits = [
        services.schedule_visit(client=client, pair=pair, starts_at=at(monday + dt.timedelta(days=day), 10),
                                ends_at=at(monday + dt.timedelta(days=day), 11), by=coordinator.user)
        for day, client in ((0, client_record), (1, f.ClientFactory(team=team)), (2, f.ClientFactory(team=team)))
    ]
    sign_in_as(page.context, coordinator.user)

    # 1. From the visit page: find a stand-in for Aino, the first is recommended with its reasons in words and icons.
    page.goto(reverse("visits:detail", args=[visits[0].pk]))
    page.get_by_role("link", name="Find a stand-in for Aino Taiteilija").click()
    first = page.locator("[data-testid=stand-in-option]").nth(0)
    assert "Sami Sijainen & Hanna Hoitaja" in first.inner_text()
    assert "Recommended" in first.inner_text() and "For:" in first.inner_text()
    first.get_by_role("link", name="Use this stand-in").click()
    page.get_by_role("button", name="Yes, apply").click()
    page.wait_for_selector(".alert-success, .alert")
    assert "Stand-in applied: Sami Sijainen & Hanna Hoitaja" in page.inner_text("main")

    # 2. All of Aino's visits of the week: apply the best to all, with the per-visit report.
    page.goto(reverse("visits:stand_ins", args=[visits[1].pk]) + f"?person={pair.artist.pk}")
    page.get_by_role("link", name="All of Aino Taiteilija's visits in a period").click()
    assert page.locator("[data-testid=affected-visits] li").count() == 2
    page.get_by_role("button", name="Apply the best stand-in to all").click()
    page.wait_for_selector("[data-testid=stand-in-report]")
    assert page.locator("[data-testid=stand-in-report] tr[data-outcome=applied]").count() == 2
    assert VisitParticipant.objects.filter(visit__in=visits, role="artist", staff=sami).count() == 3

    # 3. The calendar shows who comes; Sami sees the visits on the phone.
    page.goto(reverse("visits:calendar") + f"?week={monday.isoformat()}")
    assert page.inner_text("main").count("Sami Sijainen & Hanna Hoitaja") == 3
    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}, base_url=live_server.url)
    sign_in_as(phone, sami.user)
    on_phone = phone.new_page()
    on_phone.goto(reverse("visits:my_visits"))
    assert on_phone.inner_text("main").count("With Hanna Hoitaja") == 3
    phone.close()
