"""Least data: an artist receives the visit fields of a client and no health data, on pages and in the API.

One definition (access.fields) decides; these check what actually reaches
the artist's screen and payloads, care-plan observations included.
"""
import pytest
from django.urls import reverse

from access.fields import CARE_FIELDS, RECORD_FIELDS, VISIT_FIELDS
from tests.conftest import login
from visits.notes import log_visit_note

HEALTH = "Terveystieto: insuliinihoitoinen diabetes."
OBSERVATION = "Hoitosuunnitelmaan: ruokahalu heikentynyt."


@pytest.fixture
def hannas_note(todays_visit, nurse, client_record):
    client_record.health_notes, client_record.phone, client_record.birth_year = HEALTH, "040 123 4567", 1931
    client_record.save()
    return log_visit_note(
        participant=todays_visit.participants.get(staff=nurse), by=nurse.user,
        content={"art_form": "music", "activities": "Lauloimme.", "engagement": 4, "mood_before": 3, "mood_after": 4,
                 "care_plan_observations": OBSERVATION, "next_visit_suggestions": "", "free_text": ""},
    )


@pytest.mark.parametrize(("persona", "fields"), [("artist", VISIT_FIELDS), ("nurse", CARE_FIELDS)])
def test_the_client_payload_holds_exactly_the_roles_fields(api_as, request, persona, fields, hannas_note, client_record):
    payload = api_as(request.getfixturevalue(persona)).get(f"/api/v1/clients/{client_record.pk}/").json()
    assert set(payload) == {"id", *fields}


def test_a_coordinator_gets_the_whole_record(api_as, coordinator, client_record):
    payload = api_as(coordinator).get(f"/api/v1/clients/{client_record.pk}/").json()
    assert set(RECORD_FIELDS) - {"consent_recorded_by"} <= set(payload)


def test_the_artist_reads_the_nurses_note_without_its_care_plan_observations(api_as, artist, nurse, todays_visit, hannas_note):
    notes = api_as(artist).get(f"/api/v1/visits/{todays_visit.pk}/notes/").json()["results"]
    assert notes and "care_plan_observations" not in notes[0]
    assert OBSERVATION not in str(api_as(artist).get(f"/api/v1/visits/{todays_visit.pk}/").json())
    # The nurse and the coordinator read them.
    assert api_as(nurse).get(f"/api/v1/visits/{todays_visit.pk}/notes/").json()["results"][0]["care_plan_observations"] == OBSERVATION


@pytest.mark.parametrize("url_name", ["visits:detail", "clients:notes", "visits:my_visits", "home"])
def test_no_page_the_artist_reaches_shows_health_data(client, artist, todays_visit, hannas_note, client_record, url_name):
    login(client, artist)
    args = {"visits:detail": [todays_visit.pk], "clients:notes": [client_record.pk]}.get(url_name, [])

    page = client.get(reverse(url_name, args=args)).content.decode()

    for withheld in (HEALTH, OBSERVATION, "040 123 4567"):
        assert withheld not in page, withheld


def test_the_nurse_sees_the_observations_on_the_visit_page(client, nurse, todays_visit, hannas_note):
    login(client, nurse)
    assert OBSERVATION in client.get(reverse("visits:detail", args=[todays_visit.pk])).content.decode()
