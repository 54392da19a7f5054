"""Logging and editing one's own visit note: one per participant, versions, the 48-hour rule."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access.models import AccessLog
from tests import factories as f
from tests.conftest import login
from visits import notes
from visits.models import VisitNote, VisitNoteVersion, VisitStatus


def note_url(visit):
    return reverse("visits:note", args=[visit.pk])


def nurse_participant(visit):
    return visit.participants.get(role="nurse")


def write_note(visit, nurse, content):
    return notes.log_visit_note(participant=nurse_participant(visit), by=nurse.user, content=content)


def age_note(note, hours):
    VisitNote.objects.filter(pk=note.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours))


def test_nurse_logs_her_note_as_version_one(client, todays_visit, nurse, note_content):
    login(client, nurse)

    response = client.post(note_url(todays_visit), note_content)

    assert response.status_code == 302
    note = VisitNote.objects.get(participant__visit=todays_visit, participant__staff=nurse)
    assert {field: getattr(note, field) for field in notes.NOTE_FIELDS} == note_content
    assert note.version == 1
    version = VisitNoteVersion.objects.get(note=note)
    assert (version.version, version.content, version.saved_by) == (1, note_content, nurse.user)


def test_the_note_form_offers_every_field_and_scores_one_to_five(client, todays_visit, nurse):
    login(client, nurse)

    page = client.get(note_url(todays_visit)).content.decode()

    for field in notes.NOTE_FIELDS:
        assert f'name="{field}"' in page
    assert page.count('name="engagement"') == 5


def test_each_edit_within_48_hours_leaves_a_version(client, todays_visit, nurse, note_content):
    note = write_note(todays_visit, nurse, note_content)
    login(client, nurse)

    client.post(note_url(todays_visit), {**note_content, "mood_after": 5})
    client.post(note_url(todays_visit), {**note_content, "mood_after": 5, "free_text": "Lisäys."})

    note.refresh_from_db()
    assert (note.version, note.mood_after, note.free_text) == (3, 5, "Lisäys.")
    versions = list(VisitNoteVersion.objects.filter(note=note).order_by("version"))
    assert [v.version for v in versions] == [1, 2, 3]
    assert [v.content["mood_after"] for v in versions] == [4, 5, 5]
    assert versions[0].content["free_text"] == "" and versions[2].content["free_text"] == "Lisäys."


def test_editing_just_inside_the_48_hours_is_accepted(todays_visit, nurse, note_content):
    note = write_note(todays_visit, nurse, note_content)
    age_note(note, 47.9)

    notes.edit_visit_note(note=note, by=nurse.user, content={**note_content, "engagement": 5})

    note.refresh_from_db()
    assert (note.engagement, note.version) == (5, 2)


def test_note_editing_after_48_hours_is_refused(client, todays_visit, nurse, note_content):
    note = write_note(todays_visit, nurse, note_content)
    age_note(note, 48.01)
    login(client, nurse)

    response = client.post(note_url(todays_visit), {**note_content, "activities": "Muutettu jälkikäteen."})

    assert response.status_code == 200
    assert "can no longer be changed" in response.content.decode()
    note.refresh_from_db()
    assert (note.activities, note.version) == (note_content["activities"], 1)
    assert VisitNoteVersion.objects.filter(note=note).count() == 1


def test_the_service_refuses_an_edit_after_48_hours(todays_visit, nurse, note_content):
    note = write_note(todays_visit, nurse, note_content)
    age_note(note, 49)

    with pytest.raises(ValidationError, match="48 hours"):
        notes.edit_visit_note(note=note, by=nurse.user, content={**note_content, "engagement": 1})

    assert VisitNote.objects.get(pk=note.pk).engagement == note_content["engagement"]


def test_an_old_note_is_shown_read_only(client, todays_visit, nurse, note_content):
    note = write_note(todays_visit, nurse, note_content)
    age_note(note, 72)
    login(client, nurse)

    page = client.get(note_url(todays_visit)).content.decode()

    assert "can no longer be changed" in page
    assert note_content["activities"] in page
    assert 'name="activities"' not in page  # no note form, only the note


def test_only_the_author_can_edit_a_note(todays_visit, nurse, artist, note_content):
    note = write_note(todays_visit, nurse, note_content)

    with pytest.raises(ValidationError):
        notes.edit_visit_note(note=note, by=artist.user, content={**note_content, "engagement": 1})

    assert VisitNote.objects.get(pk=note.pk).version == 1


def test_a_participant_writes_one_note_per_visit(todays_visit, nurse, note_content):
    write_note(todays_visit, nurse, note_content)

    with pytest.raises(ValidationError, match="already written"):
        write_note(todays_visit, nurse, note_content)

    assert VisitNote.objects.filter(participant__visit=todays_visit).count() == 1


def test_each_participant_has_their_own_note(client, todays_visit, nurse, artist, note_content):
    write_note(todays_visit, nurse, note_content)
    login(client, artist)

    client.post(note_url(todays_visit), {**note_content, "activities": "Soitin kitaraa."})

    assert VisitNote.objects.get(participant__staff=artist).activities == "Soitin kitaraa."
    assert VisitNote.objects.get(participant__staff=nurse).activities == note_content["activities"]


def test_no_note_for_a_visit_that_has_not_come(client, pair, client_record, nurse, note_content):
    next_week = f.make_visit(pair=pair, client=client_record, starts_at=timezone.now() + dt.timedelta(days=7))
    login(client, nurse)

    response = client.post(note_url(next_week), note_content)

    assert response.status_code == 200
    assert "from the day of the visit" in response.content.decode()
    assert not VisitNote.objects.exists()


def test_no_note_for_a_cancelled_visit(client, todays_visit, nurse, note_content):
    todays_visit.status = VisitStatus.CANCELLED
    todays_visit.cancellation_reason = "Asiakas sairaalassa."
    todays_visit.save()
    login(client, nurse)

    client.post(note_url(todays_visit), note_content)

    assert not VisitNote.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("engagement", "7", "Select a valid choice"),
        ("mood_before", "", "Choose a number from 1 to 5."),
        ("activities", "", "Tell briefly what was done during the visit."),
        ("art_form", "juggling", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_message_on_its_field(client, todays_visit, nurse, note_content, field, value, message):
    login(client, nurse)

    response = client.post(note_url(todays_visit), {**note_content, field: value})

    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert f'id="id_{field}' in response.content.decode()
    assert not VisitNote.objects.exists()


def test_coordinator_cannot_write_a_note_in_someone_elses_visit(client, todays_visit, coordinator, note_content):
    login(client, coordinator)

    response = client.post(note_url(todays_visit), note_content)

    assert response.status_code == 404
    assert not VisitNote.objects.exists()
    row = AccessLog.objects.get()
    assert (row.allowed, row.grounds, row.action) == (False, "not a visit participant", "update")


def test_saving_a_note_writes_one_access_log_row_for_the_note(client, todays_visit, nurse, note_content):
    login(client, nurse)

    client.post(note_url(todays_visit), note_content)
    note = VisitNote.objects.get()
    client.post(note_url(todays_visit), {**note_content, "engagement": 5})

    rows = list(AccessLog.objects.order_by("id").values_list("object_type", "object_id", "action", "grounds", "allowed"))
    assert rows == [
        ("visit note", str(note.pk), "create", "visit participant", True),
        ("visit note", str(note.pk), "update", "visit participant", True),
    ]


def test_a_refused_save_is_logged_as_one_read(client, todays_visit, nurse, note_content):
    login(client, nurse)

    client.post(note_url(todays_visit), {**note_content, "engagement": "9"})

    row = AccessLog.objects.get()
    assert (row.object_type, row.action, row.allowed, row.client_id) == ("visit", "view", True, todays_visit.client_id)


def test_after_the_first_save_the_pulse_survey_is_offered(client, todays_visit, nurse, note_content):
    login(client, nurse)

    response = client.post(note_url(todays_visit), note_content)

    assert response.status_code == 302
    assert response.url == reverse("wellbeing:pulse", args=[todays_visit.pk])


def test_an_edit_returns_to_the_visit_not_to_the_pulse(client, todays_visit, nurse, note_content):
    write_note(todays_visit, nurse, note_content)
    login(client, nurse)

    response = client.post(note_url(todays_visit), {**note_content, "engagement": 5})

    assert response.url == reverse("visits:detail", args=[todays_visit.pk])
