"""The visit page on a phone, and the client's past visit notes: least data for each role."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import login
from visits import notes
from visits.models import Visit, VisitNote, VisitStatus

HEALTH = "Sydämen vajaatoiminta; nesteenpoisto."


@pytest.fixture
def visit(todays_visit):
    client = todays_visit.client
    client.health_notes = HEALTH
    client.needs_and_wishes = "Toivoo kuulevansa Olavi Virtaa."
    client.safety_notes = "Koira, ovikoodi 1234 hoitajalla."
    client.preferred_art_forms = ["music", "dance"]
    client.last_name = "Sukunimelä"
    client.save()
    return todays_visit


def page(client, person, visit):
    login(client, person)
    response = client.get(reverse("visits:detail", args=[visit.pk]))
    assert response.status_code == 200
    return response.content.decode()


def write_note(visit, person, **changes):
    participant = visit.participants.get(staff=person)
    content = {
        "art_form": "", "activities": "Muistelimme.", "engagement": 3, "mood_before": 3, "mood_after": 4,
        "care_plan_observations": "", "next_visit_suggestions": "", "free_text": "",
    } | changes
    return notes.log_visit_note(participant=participant, by=person.user, content=content)


def test_the_artist_sees_what_the_visit_needs(client, visit, artist):
    html = page(client, artist, visit)

    client_record = visit.client
    for shown in (
        client_record.first_name,
        client_record.street_address,
        client_record.postal_code,
        "Toivoo kuulevansa Olavi Virtaa.",
        "Music, Dance and movement",
        "Koira, ovikoodi 1234 hoitajalla.",
        visit.pair.shared_agreement,
    ):
        assert shown in html


def test_the_artist_never_sees_the_health_notes(client, visit, artist):
    html = page(client, artist, visit)

    assert HEALTH not in html
    assert "Health notes" not in html


def test_the_client_is_named_by_first_name_only(client, visit, artist):
    assert visit.client.last_name not in page(client, artist, visit)


@pytest.mark.parametrize("persona", ["nurse", "coordinator", "admin_user"])
def test_nurse_and_coordinator_see_the_health_notes(client, visit, persona, request):
    assert HEALTH in page(client, request.getfixturevalue(persona), visit)


def test_the_partners_note_appears_once_written(client, visit, artist, nurse):
    assert "No notes written yet." in page(client, artist, visit)

    write_note(visit, nurse, activities="Hanna mittasi verenpaineen ja lauloi mukana.")

    html = page(client, artist, visit)
    assert "Hanna mittasi verenpaineen ja lauloi mukana." in html
    assert "Note by Hanna Hoitaja (Nurse)" in html


def test_the_participant_is_offered_to_write_then_to_edit_their_note(client, visit, nurse):
    note_url = reverse("visits:note", args=[visit.pk])
    assert "Write your visit note" in page(client, nurse, visit)

    note = write_note(visit, nurse)
    html = page(client, nurse, visit)
    assert "Edit your note" in html and note_url in html

    VisitNote.objects.filter(pk=note.pk).update(created_at=timezone.now() - dt.timedelta(hours=49))
    html = page(client, nurse, visit)
    assert "Edit your note" not in html and "Write your visit note" not in html


def test_the_coordinator_reads_both_notes_and_writes_none(client, visit, artist, nurse, coordinator):
    write_note(visit, artist, activities="Taiteilijan muistiinpano.")
    write_note(visit, nurse, activities="Hoitajan muistiinpano.")

    html = page(client, coordinator, visit)

    assert "Taiteilijan muistiinpano." in html and "Hoitajan muistiinpano." in html
    assert reverse("visits:note", args=[visit.pk]) not in html
    assert reverse("visits:outcome", args=[visit.pk]) not in html
    assert reverse("clients:access_log", args=[visit.client_id]) in html


def test_participants_get_the_outcome_buttons(client, visit, artist):
    html = page(client, artist, visit)

    for label in ("Completed", "Client declined", "No-show", "Cancelled on arrival"):
        assert label in html
    assert reverse("clients:access_log", args=[visit.client_id]) not in html


def test_the_visit_page_takes_a_fixed_number_of_queries(client, visit, artist, nurse, django_assert_max_num_queries):
    write_note(visit, artist)
    write_note(visit, nurse)
    login(client, nurse)

    # session, user, profile, visit with people, access check, log insert, participants with notes, absences.
    with django_assert_max_num_queries(10):
        client.get(reverse("visits:detail", args=[visit.pk]))


# --- The client's past visit notes --------------------------------------------------------------


@pytest.fixture
def history(pair, client_record, team):
    """Three past visits of our pair with Helmi, each with the nurse's note; and one by another pair."""
    past = []
    for days in (21, 14, 7):
        visit = f.make_visit(pair=pair, client=client_record, starts_at=timezone.now() - dt.timedelta(days=days))
        note = write_note(visit, pair.nurse, activities=f"Käynti {days} päivää sitten.")
        past.append((visit, note))
    other_pair = f.WorkPairFactory(team=team)
    elsewhere = f.make_visit(pair=other_pair, client=client_record, starts_at=timezone.now() - dt.timedelta(days=3))
    write_note(elsewhere, other_pair.nurse, activities="Toisen parin käynti.")
    return past


def notes_page(client, person, client_record):
    login(client, person)
    return client.get(reverse("clients:notes", args=[client_record.pk]))


def test_the_pair_reads_the_notes_of_their_past_visits_with_the_client(client, history, artist, client_record):
    html = notes_page(client, artist, client_record).content.decode()

    for days in (21, 14, 7):
        assert f"Käynti {days} päivää sitten." in html
    assert html.index("Käynti 7 päivää") < html.index("Käynti 21 päivää")  # newest first
    assert "Toisen parin käynti." not in html
    assert client_record.health_notes not in html


def test_the_coordinator_reads_every_team_visits_notes(client, history, coordinator, client_record):
    html = notes_page(client, coordinator, client_record).content.decode()

    assert "Toisen parin käynti." in html and "Käynti 21 päivää sitten." in html


def test_future_visits_are_not_in_the_past_notes(client, history, todays_visit, pair, client_record, nurse):
    upcoming = f.make_visit(pair=pair, client=client_record, starts_at=timezone.now() + dt.timedelta(days=2))

    response = notes_page(client, nurse, client_record)

    shown = {item["visit"].pk for item in response.context["visits"]}
    assert upcoming.pk not in shown and todays_visit.pk in shown


@pytest.mark.parametrize("persona", ["other_coordinator", "other_artist", "manager"])
def test_outsiders_do_not_learn_the_client_exists(client, history, client_record, persona, request):
    assert notes_page(client, request.getfixturevalue(persona), client_record).status_code == 404


def test_the_notes_page_does_not_grow_queries_with_visits(client, history, pair, client_record, coordinator, django_assert_max_num_queries):
    for days in (35, 28):
        visit = f.make_visit(pair=pair, client=client_record, starts_at=timezone.now() - dt.timedelta(days=days))
        write_note(visit, pair.artist)
    login(client, coordinator)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("clients:notes", args=[client_record.pk]))
    assert len(response.context["visits"]) == 6


def test_the_coordinator_moves_and_cancels_from_the_visit_page(client, visit, coordinator, artist):
    login(client, coordinator)
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    for target in ("visits:reschedule", "visits:cancel"):
        assert f'href="{reverse(target, args=[visit.pk])}"' in page

    login(client, artist)
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert reverse("visits:cancel", args=[visit.pk]) not in page


def test_a_cancelled_visit_shows_its_reason_and_no_move_or_cancel(client, visit, coordinator):
    Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.CANCELLED, cancellation_reason="Asiakas sairaalassa")
    login(client, coordinator)

    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()

    assert "Cancelled: Asiakas sairaalassa" in page
    assert reverse("visits:cancel", args=[visit.pk]) not in page
