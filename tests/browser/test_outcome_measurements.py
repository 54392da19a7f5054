"""In Chromium: the nurse sees the client's baseline due on the visit page, records it with the client
on her phone, and it shows as done; the coordinator's list of due measurements updates."""
from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from wellbeing import metrics
from wellbeing.models import Instrument, SurveyResponse, TimePoint
from wellbeing.selectors import current_instrument

pytestmark = pytest.mark.browser

SHIPPING = importlib.import_module("wellbeing.migrations.0004_shipped_instruments")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def first_visit_today(transactional_db, pair, team, nurse):
    """Helmi's first joint visit, which began ten minutes ago; her baseline is not recorded yet."""
    if not Instrument.objects.filter(code=metrics.CLIENT_OUTCOME).exists():  # flushed by an earlier browser test
        SHIPPING.ship_instruments(apps, None)
        # after a flush, the scales' direction and minimal important change too (wellbeing/0005)
        importlib.import_module("wellbeing.migrations.0005_outcome_analysis_fields").describe_shipped_scales(apps, None)
    helmi = f.ClientFactory(team=team, first_name="Helmi", last_name="Mittaus")
    f.CareRelationshipFactory(client=helmi, nurse=nurse, is_primary=True)
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    return f.make_visit(pair=pair, client=helmi, starts_at=starts_at, minutes=60)


def test_nurse_records_the_due_baseline_from_the_visit_page_and_the_coordinators_list_updates(
    browser, live_server, sign_in_as, first_visit_today, nurse, coordinator, screenshot
):
    visit = first_visit_today
    helmi = visit.client
    due_list_url = live_server.url + reverse("wellbeing:due_measurements")

    # The coordinator's list has Helmi's baseline as due; she reaches it from the menu.
    office = browser.new_context(locale="en-GB", timezone_id="Europe/Helsinki", base_url=live_server.url)
    sign_in_as(office, coordinator.user)
    desk = office.new_page()
    desk.goto(live_server.url + reverse("home"))
    desk.get_by_role("navigation", name="Main menu").get_by_role("link", name="Measurements due").click()
    assert desk.url == due_list_url
    row = desk.locator(f'#due-measurements tr[data-client="{helmi.pk}"]')
    assert row.get_by_text("Mittaus, Helmi").is_visible()
    assert row.get_by_text("due", exact=True).is_visible()
    assert "1 client with a measurement to record" in desk.get_by_test_id("due-count").inner_text()

    # On her phone, the nurse sees on the visit page that the baseline is due.
    phone = browser.new_context(viewport=PHONE, has_touch=True, locale="en-GB", timezone_id="Europe/Helsinki",
                                base_url=live_server.url)
    sign_in_as(phone, nurse.user)
    page = phone.new_page()
    page.goto(live_server.url + reverse("visits:detail", args=[visit.pk]))
    panel = page.get_by_test_id("outcome-measurements")
    assert panel.get_by_text("Baseline", exact=True).is_visible()
    assert panel.locator('[data-due-status="due"]').inner_text() == "due"

    # She opens the questions with the client: the baseline is already chosen.
    panel.get_by_role("link", name="Record the baseline with the client").click()
    page.wait_for_load_state()
    assert page.get_by_label("Baseline", exact=True).is_checked()
    instrument = current_instrument(metrics.CLIENT_OUTCOME)
    for item in instrument.items.all():
        page.locator(f"#item-{item.code}").get_by_label(str(item.scale_max - 1), exact=True).check()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Save the client's answers").click()
    page.wait_for_load_state()

    # Back on the visit page: the baseline is done and the follow-up is scheduled.
    assert page.url.endswith(reverse("visits:detail", args=[visit.pk]))
    panel = page.get_by_test_id("outcome-measurements")
    assert panel.locator('[data-due-status="done"]').inner_text() == "done"
    assert panel.locator('[data-due-status="upcoming"]').inner_text() == "not due yet"
    assert panel.get_by_role("link", name="Record the baseline with the client").count() == 0
    screenshot("outcome-baseline-done")
    saved = SurveyResponse.objects.get(client=helmi, time_point=TimePoint.BASELINE)
    assert saved.recorded_by == nurse.user and saved.answers.count() == instrument.items.count()

    # The coordinator's list no longer has Helmi.
    desk.reload()
    assert desk.locator(f'#due-measurements tr[data-client="{helmi.pk}"]').count() == 0
    assert "Nothing to record" in desk.content()
    office.close()
    phone.close()
