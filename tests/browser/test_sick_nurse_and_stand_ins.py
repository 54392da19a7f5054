"""The real week: the nurse reports sick on her phone, the coordinator sees the three visits flagged, applies the best
stand-ins for the whole absence, the calendar shows who comes and the stand-in sees the visits on their phone."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f
from tests.scheduling import at, next_weekday
from visits import services
from visits.models import StaffAbsence, VisitParticipant

pytestmark = pytest.mark.browser


def test_the_nurse_reports_sick_and_the_coordinator_puts_stand_ins_on_all_her_visits(
    transactional_db, live_server, page, browser, sign_in_as, team, pair, client_record, coordinator
):
    page.set_default_timeout(15_000)
    noora = f.NurseFactory(team=team, user__first_name="Noora", user__last_name="Nurminen")
    monday = next_weekday(0)
    wednesday = monday + dt.timedelta(days=2)
    clients = [client_record, f.ClientFactory(team=team), f.ClientFactory(team=team)]
    visits = [
        services.schedule_visit(client=each, pair=pair, starts_at=at(monday + dt.timedelta(days=day), 10),
                                ends_at=at(monday + dt.timedelta(days=day), 11), by=coordinator.user)
        for day, each in enumerate(clients)
    ]
    later = services.schedule_visit(client=client_record, pair=pair, starts_at=at(wednesday + dt.timedelta(days=1), 10),
                                    ends_at=at(wednesday + dt.timedelta(days=1), 11), by=coordinator.user)

    # 1. Hanna, on her phone: sick until Wednesday.
    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}, base_url=live_server.url)
    sign_in_as(phone, pair.nurse.user)
    hanna = phone.new_page()
    hanna.set_default_timeout(15_000)
    hanna.goto(reverse("home"))
    hanna.get_by_label("Sick until (last day)").fill(wednesday.isoformat())
    hanna.locator("[data-testid=report-sick]").get_by_role("button", name="Report sick").click()
    hanna.wait_for_selector(".alert-success")
    assert "Get well soon." in hanna.inner_text("main") and "3 visits" in hanna.inner_text("main")
    phone.close()
    absence = StaffAbsence.objects.get(person=pair.nurse)

    # 2. The coordinator sees exactly the three visits flagged, on the home page and the calendar.
    sign_in_as(page.context, coordinator.user)
    page.goto(reverse("home"))
    assert page.locator("[data-testid=needs-attention-count]").inner_text() == "3"
    page.goto(reverse("visits:calendar") + f"?week={monday.isoformat()}")
    assert page.locator("[data-testid=absence-badge]").count() == 3

    # 3. From the Absences page: stand-ins for exactly the visits of this absence, the best applied to all.
    page.goto(reverse("visits:absences"))
    page.locator(f"[data-absence='{absence.pk}']").get_by_role("link", name="Find stand-ins for these visits").click()
    assert page.locator("[data-testid=affected-visits] li").count() == 3
    page.get_by_role("button", name="Apply the best stand-in to all").click()
    page.wait_for_selector("[data-testid=stand-in-report]")
    assert page.locator("[data-testid=stand-in-report] tr[data-outcome=applied]").count() == 3
    nurses = VisitParticipant.objects.filter(role="nurse").values_list("visit_id", "staff_id")
    assert dict(nurses) == {**{visit.pk: noora.pk for visit in visits}, later.pk: pair.nurse.pk}, (
        "the three visits of the absence got Noora; the visit after it keeps Hanna"
    )

    # 4. The calendar shows who comes, with no absent person left on it; Noora sees the visits on her phone.
    page.goto(reverse("visits:calendar") + f"?week={monday.isoformat()}")
    assert page.inner_text("main").count("Aino Taiteilija & Noora Nurminen") == 3
    assert page.locator("[data-testid=absence-badge]").count() == 0
    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}, base_url=live_server.url)
    sign_in_as(phone, noora.user)
    on_phone = phone.new_page()
    on_phone.goto(reverse("visits:my_visits"))
    assert on_phone.inner_text("main").count("With Aino Taiteilija") == 3
    phone.close()
