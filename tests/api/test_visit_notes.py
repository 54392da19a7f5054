"""Visit notes and outcomes over the API, through visits.notes and visits.outcomes.

Participants write their own note; everyone who may see the visit reads its
notes; anyone else gets 404. Every request leaves one access-log row on the
"api" channel. The client's health notes reach the artist nowhere.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from access.models import AccessLog
from visits.models import VisitEvent, VisitNote
from visits.notes import log_visit_note

VISITS = "/api/v1/visits/"


def notes_url(visit) -> str:
    return f"{VISITS}{visit.pk}/notes/"


@pytest.fixture
def hannas_note(todays_visit, nurse, note_content):
    return log_visit_note(participant=todays_visit.participants.get(staff=nurse), by=nurse.user, content=note_content)


def log_rows(**filters) -> list[tuple]:
    return list(AccessLog.objects.filter(**filters).values_list("object_type", "action", "channel", "allowed"))


# --- Writing ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["artist", "nurse"])
def test_a_participant_writes_their_own_note(persona, request, api_as, todays_visit, note_content, client_record):
    profile = request.getfixturevalue(persona)

    response = api_as(profile).post(notes_url(todays_visit), note_content, format="json")

    assert response.status_code == 201, response.json()
    note = VisitNote.objects.get()
    assert (note.participant.staff, note.activities, note.mood_after, note.version) == (
        profile, note_content["activities"], 4, 1,
    )
    assert note.versions.count() == 1
    assert response.json()["author"] == profile.pk
    assert log_rows(client=client_record) == [("visit note", "create", "api", True)]


def test_a_second_note_by_the_same_participant_is_refused_with_a_message(api_as, nurse, hannas_note, note_content):
    response = api_as(nurse).post(notes_url(hannas_note.participant.visit), note_content, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["You have already written a note for this visit; edit it instead."]}
    assert VisitNote.objects.count() == 1


def test_a_score_outside_1_to_5_is_400_on_its_field(api_as, nurse, todays_visit, note_content):
    response = api_as(nurse).post(notes_url(todays_visit), {**note_content, "engagement": 9}, format="json")
    assert response.status_code == 400
    assert "engagement" in response.json()
    assert not VisitNote.objects.exists()


def test_the_author_edits_within_48_hours_and_a_new_version_is_kept(api_as, nurse, hannas_note, client_record):
    response = api_as(nurse).patch(f"{notes_url(hannas_note.participant.visit)}{hannas_note.pk}/", {"mood_after": 5}, format="json")

    assert response.status_code == 200, response.json()
    hannas_note.refresh_from_db()
    assert (hannas_note.mood_after, hannas_note.version) == (5, 2)
    assert list(hannas_note.versions.values_list("version", flat=True).order_by("version")) == [1, 2]
    assert log_rows(client=client_record, channel="api") == [("visit note", "update", "api", True)]


def test_after_48_hours_the_note_can_no_longer_be_changed(api_as, nurse, hannas_note):
    VisitNote.objects.filter(pk=hannas_note.pk).update(created_at=timezone.now() - dt.timedelta(hours=49))

    response = api_as(nurse).patch(f"{notes_url(hannas_note.participant.visit)}{hannas_note.pk}/", {"mood_after": 5}, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [
        "A note can be edited for 48 hours after it was written; this one can no longer be changed."
    ]}
    hannas_note.refresh_from_db()
    assert (hannas_note.mood_after, hannas_note.version) == (4, 1)


def test_the_partner_cannot_edit_the_other_participants_note(api_as, artist, hannas_note):
    response = api_as(artist).patch(f"{notes_url(hannas_note.participant.visit)}{hannas_note.pk}/", {"mood_after": 1}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only the author can edit a visit note."]}
    hannas_note.refresh_from_db()
    assert hannas_note.version == 1
    assert log_rows(client=hannas_note.participant.visit.client, channel="api") == [("visit note", "update", "api", False)]
    assert AccessLog.objects.get(channel="api").grounds == "not the note's author"


@pytest.mark.parametrize("persona", ["coordinator", "manager", "admin_user"])
def test_roles_that_do_not_visit_cannot_write_notes(persona, request, api_as, todays_visit, note_content):
    response = api_as(request.getfixturevalue(persona)).post(notes_url(todays_visit), note_content, format="json")
    assert response.status_code == 403
    assert not VisitNote.objects.exists()


@pytest.mark.parametrize("persona", ["other_artist", "other_nurse"])
def test_a_nurse_or_artist_outside_the_pair_cannot_write_a_note_and_gets_404(
    persona, request, api_as, todays_visit, note_content, client_record
):
    response = api_as(request.getfixturevalue(persona)).post(notes_url(todays_visit), note_content, format="json")
    assert response.status_code == 404
    assert not VisitNote.objects.exists()
    assert log_rows(client=client_record) == [("visit note", "update", "api", False)]


# --- Reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["artist", "nurse", "coordinator", "admin_user"])
def test_participants_and_coordinators_read_the_notes_and_the_read_is_logged(
    persona, request, api_as, hannas_note, client_record
):
    response = api_as(request.getfixturevalue(persona)).get(notes_url(hannas_note.participant.visit))

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["id"], row["author_name"], row["author_role"], row["activities"]) == (
        hannas_note.pk, "Hanna Hoitaja", "nurse", hannas_note.activities,
    )
    assert log_rows(client=client_record, channel="api") == [("visit notes", "view", "api", True)]


@pytest.mark.parametrize("persona", ["other_artist", "other_nurse", "manager", "other_coordinator"])
def test_anyone_else_gets_404_on_the_notes_and_the_refusal_is_logged(persona, request, api_as, hannas_note, client_record):
    client = api_as(request.getfixturevalue(persona))
    visit = hannas_note.participant.visit
    assert client.get(notes_url(visit)).status_code == 404
    assert client.get(f"{notes_url(visit)}{hannas_note.pk}/").status_code == 404
    assert log_rows(client=client_record, channel="api") == [("visit notes", "view", "api", False)] * 2


def test_a_note_of_another_visit_is_not_found_under_this_one(api_as, nurse, hannas_note, pair, client_record):
    from tests.factories import make_visit

    other_visit = make_visit(pair=pair, client=client_record)
    assert api_as(nurse).get(f"{notes_url(other_visit)}{hannas_note.pk}/").status_code == 404


def test_the_artist_sees_the_client_s_health_notes_nowhere_in_the_api(api_as, artist, hannas_note, client_record):
    client_record.health_notes = "Diabetes, insuliini aamuisin."
    client_record.save(update_fields=["health_notes"])
    visit = hannas_note.participant.visit
    client = api_as(artist)
    urls = [
        VISITS, f"{VISITS}{visit.pk}/", notes_url(visit), f"{notes_url(visit)}{hannas_note.pk}/",
        "/api/v1/clients/", f"/api/v1/clients/{client_record.pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Diabetes" not in response.content.decode(), url
        assert "health_notes" not in response.content.decode(), url


def test_the_notes_list_runs_a_fixed_number_of_queries(api_as, coordinator, hannas_note, artist, note_content, django_assert_max_num_queries):
    log_visit_note(participant=hannas_note.participant.visit.participants.get(staff=artist), by=artist.user, content=note_content)
    client = api_as(coordinator)
    # session, user, role, the visit, its scope, the log row, count, the page with its authors
    with django_assert_max_num_queries(8):
        response = client.get(notes_url(hannas_note.participant.visit))
    assert len(response.json()["results"]) == 2


# --- Outcome ---------------------------------------------------------------------------


def test_a_participant_marks_the_outcome_and_it_enters_the_history(api_as, artist, todays_visit, client_record):
    response = api_as(artist).post(f"{VISITS}{todays_visit.pk}/outcome/", {"status": "completed"}, format="json")

    assert response.status_code == 200, response.json()
    todays_visit.refresh_from_db()
    assert (todays_visit.status, todays_visit.outcome_recorded_by) == ("completed", artist.user)
    assert todays_visit.events.get().kind == VisitEvent.Kind.OUTCOME
    assert log_rows(client=client_record) == [("visit", "update", "api", True)]


def test_an_outcome_is_not_a_planned_or_cancelled_status(api_as, nurse, todays_visit):
    response = api_as(nurse).post(f"{VISITS}{todays_visit.pk}/outcome/", {"status": "cancelled"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    todays_visit.refresh_from_db()
    assert todays_visit.status == "planned"


def test_a_future_visit_cannot_be_marked_yet(api_as, nurse, pair, client_record):
    from tests.factories import make_visit

    later = make_visit(pair=pair, client=client_record, starts_at=timezone.now() + dt.timedelta(days=3))
    response = api_as(nurse).post(f"{VISITS}{later.pk}/outcome/", {"status": "completed"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()


@pytest.mark.parametrize(("persona", "code"), [("other_nurse", 404), ("coordinator", 403), ("manager", 403)])
def test_only_the_visit_s_pair_marks_the_outcome(persona, code, request, api_as, todays_visit):
    response = api_as(request.getfixturevalue(persona)).post(f"{VISITS}{todays_visit.pk}/outcome/", {"status": "no_show"}, format="json")
    assert response.status_code == code
    todays_visit.refresh_from_db()
    assert todays_visit.status == "planned"
