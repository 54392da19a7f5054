"""On a phone (390×844): the nurse logs her note and marks the visit completed; the artist then reads it.

People sign in by session cookie so that the test is about the visit
pages, not the login page (the role journeys test that).
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.browser.conftest import watch_csp_violations
from visits.models import Visit, VisitNote, VisitStatus

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HEALTH = "Terveystieto: verenpainelääkitys aamuisin."


@pytest.fixture
def phone_as(browser, live_server, sign_in_as):
    """A phone-sized browser page signed in as the given staff member."""
    contexts, pages = [], []

    def open_phone(profile):
        context = browser.new_context(
            viewport=PHONE, has_touch=True, locale="en-GB", timezone_id="Europe/Helsinki", base_url=live_server.url
        )
        sign_in_as(context, profile.user)
        contexts.append(context)
        phone = context.new_page()
        watch_csp_violations(phone)
        pages.append(phone)
        return phone

    yield open_phone
    violations = [text for phone in pages for text in phone.csp_violations]
    for context in contexts:
        context.close()
    assert violations == [], "the Content-Security-Policy refused something"


@pytest.fixture
def todays_visit_with_health_notes(pair, team, nurse):
    client_record = f.ClientFactory(team=team, first_name="Helmi", health_notes=HEALTH, needs_and_wishes="Rakastaa valsseja.")
    f.CareRelationshipFactory(client=client_record, nurse=nurse, is_primary=True)
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=40)
    return f.make_visit(pair=pair, client=client_record, starts_at=starts_at, minutes=60)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_nurse_logs_and_completes_todays_visit_and_the_artist_reads_her_note(
    phone_as, live_server, todays_visit_with_health_notes, nurse, artist
):
    visit = todays_visit_with_health_notes
    visit_url = live_server.url + reverse("visits:detail", args=[visit.pk])

    # The nurse opens today's visit: she sees the wishes and the health notes.
    page = phone_as(nurse)
    page.goto(visit_url)
    assert page.get_by_role("heading", name="Helmi").is_visible()
    assert page.get_by_text("Rakastaa valsseja.").is_visible()
    assert page.get_by_text(HEALTH).is_visible()
    assert fits_the_phone(page)

    # She logs her note with big touch targets.
    page.get_by_role("link", name="Write your visit note").click()
    page.get_by_label("What was done").fill("Tanssimme valssia istuen, Helmi lauloi mukana.")
    page.get_by_label("Art form").select_option("dance")
    page.get_by_role("group", name="Client's engagement (1–5)").get_by_label("4").check()
    page.get_by_role("group", name="Mood before (1–5)").get_by_label("2").check()
    page.get_by_role("group", name="Mood after (1–5)").get_by_label("5").check()
    page.get_by_label("Observations for the care plan").fill("Jaksoi hyvin, hengästyi hieman.")
    save = page.get_by_role("button", name="Save the note")
    assert save.bounding_box()["height"] >= 44
    assert fits_the_phone(page)
    save.click()
    page.wait_for_load_state()

    # After the note the pulse survey may be offered; the visit page is one tap away.
    if page.url != visit_url:
        page.goto(visit_url)
    assert page.get_by_text("Tanssimme valssia istuen, Helmi lauloi mukana.").is_visible()

    # She marks the visit completed.
    page.get_by_label("Completed", exact=True).check()
    page.get_by_role("button", name="Save the outcome").click()
    page.wait_for_load_state()
    assert "Completed" in page.get_by_test_id("visit-status").inner_text()

    visit.refresh_from_db()
    assert visit.status == VisitStatus.COMPLETED
    note = VisitNote.objects.get(participant__visit=visit, participant__staff=nurse)
    assert (note.art_form, note.engagement, note.mood_before, note.mood_after) == ("dance", 4, 2, 5)

    # The artist then sees the nurse's note, but never the health notes.
    artist_page = phone_as(artist)
    artist_page.goto(visit_url)
    nurse_note = artist_page.get_by_test_id("note-nurse")
    assert nurse_note.get_by_text("Tanssimme valssia istuen, Helmi lauloi mukana.").is_visible()
    # The care-plan observations are health data: the artist reads the rest of the note, never them.
    assert nurse_note.get_by_text("Jaksoi hyvin, hengästyi hieman.").count() == 0
    assert HEALTH not in artist_page.content()
    assert artist_page.get_by_text("Health notes").count() == 0
    assert fits_the_phone(artist_page)
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.COMPLETED
