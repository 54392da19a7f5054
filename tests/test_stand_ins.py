"""Stand-ins: this visit, this person cannot come — ranked replacements, applying one, and one for every visit."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from access.models import AccessLog
from tests import factories as f
from tests.scheduling import at, next_weekday
from visits import services, standins
from visits.models import Visit, VisitEvent, VisitParticipant
from visits.notes import log_visit_note
from visits.standins import KEEP_ARTIST, KEEP_NURSE, MOVE, OTHER_PAIR


@pytest.fixture
def monday():
    return next_weekday(0)


def book(pair, client, coordinator, starts_at, minutes=60):
    return services.schedule_visit(
        client=client, pair=pair, starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes), by=coordinator.user
    )


def people(visit) -> dict[str, int]:
    return dict(VisitParticipant.objects.filter(visit=visit).values_list("role", "staff_id"))


def test_the_artist_cannot_come_another_artist_comes_with_the_familiar_nurse(pair, client_record, coordinator, team, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    stand_in = f.ArtistFactory(team=team, user__first_name="Sami", user__last_name="Sijainen")
    other_pair = f.WorkPairFactory(team=team)

    options = standins.stand_in_options(visit, pair.artist, coordinator.user)

    assert [o.kind for o in options][:2] == [KEEP_NURSE, KEEP_NURSE]  # Sami and the other pair's artist, free alone
    best = options[0]
    assert best.nurse == pair.nurse
    assert best.artist in {stand_in, other_pair.artist}
    assert any(r.positive and "a nurse the client knows" in r.text for r in best.reasons)
    assert {o.kind for o in options} >= {OTHER_PAIR, MOVE}
    assert options.index(next(o for o in options if o.kind == OTHER_PAIR)) > 1
    assert options[-1].kind == MOVE


def test_the_nurse_cannot_come_a_familiar_nurse_keeps_the_artist_before_an_unknown_one(
    pair, client_record, coordinator, team, monday
):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    unknown = f.NurseFactory(team=team, user__first_name="Outi", user__last_name="Outo")
    known = f.NurseFactory(team=team, user__first_name="Tuula", user__last_name="Tuttu")
    f.CareRelationshipFactory(client=client_record, nurse=known)

    options = standins.stand_in_options(visit, pair.nurse, coordinator.user)

    assert options[0].kind == KEEP_ARTIST
    assert options[0].nurse == known and options[0].artist == pair.artist
    unknown_option = next(o for o in options if o.nurse == unknown)
    assert options.index(unknown_option) > 0
    assert any(not r.positive and "not yet known" in r.text for r in unknown_option.reasons)


def test_only_free_people_inside_their_availability_are_offered(pair, client_record, coordinator, team, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    busy = f.NurseFactory(team=team, user__first_name="Kiire")
    f.CareRelationshipFactory(client=client_record, nurse=busy)
    busy_pair = f.WorkPairFactory(team=team, nurse=busy)
    book(busy_pair, f.ClientFactory(team=team), coordinator, at(monday, 10, 30))
    f.NurseFactory(team=team, user__first_name="Ilta", always_available=False)  # no weekly availability at all
    f.NurseFactory(team=f.TeamFactory(name="Espoo"), user__first_name="Muualla")  # another team
    free = f.NurseFactory(team=team, user__first_name="Vapaa")

    options = standins.stand_in_options(visit, pair.nurse, coordinator.user)

    offered = {o.nurse.user.first_name for o in options if o.kind == KEEP_ARTIST}
    assert offered == {"Vapaa"}
    assert free.pk in {o.nurse.pk for o in options}


def test_the_unavailable_hook_takes_people_out(pair, client_record, coordinator, team, monday, monkeypatch):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    away = f.NurseFactory(team=team)
    monkeypatch.setattr(standins, "unavailable", lambda ids, start, end: {away.pk} & set(ids))
    options = standins.stand_in_options(visit, pair.nurse, coordinator.user)
    assert away.pk not in {o.nurse.pk for o in options}


def test_a_tight_travel_gap_is_a_reason_against_and_ranks_lower(pair, client_record, coordinator, team, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    tight = f.ArtistFactory(team=team, user__first_name="Kiireinen", user__last_name="A")
    roomy = f.ArtistFactory(team=team, user__first_name="Rauhallinen", user__last_name="Z")
    book(f.WorkPairFactory(team=team, artist=tight), f.ClientFactory(team=team), coordinator, at(monday, 9, 0), minutes=55)

    options = [o for o in standins.stand_in_options(visit, pair.artist, coordinator.user) if o.kind == KEEP_NURSE]

    assert [o.artist for o in options][:2] == [roomy, tight]
    assert any(not r.positive and "only 5 min earlier" in r.text for r in options[1].reasons)


def test_the_move_option_is_the_next_day_the_planned_pair_and_the_client_are_free(pair, client_record, coordinator, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    book(pair, client_record, coordinator, at(monday + dt.timedelta(days=1), 10, 30))  # Tuesday taken
    move = standins.next_free_time(Visit.objects.with_people().get(pk=visit.pk))
    assert move.starts_at == at(monday + dt.timedelta(days=2), 10)
    assert move.kind == MOVE


def test_applying_changes_the_participant_keeps_the_pair_writes_history_and_notifies(
    pair, client_record, coordinator, team, monday, mailoutbox, django_capture_on_commit_callbacks
):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    stand_in = f.ArtistFactory(team=team, user__username="sami", user__first_name="Sami", user__last_name="Sijainen")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        standins.apply_stand_in(visit=visit, absent_person=pair.artist, replacement_person=stand_in, by=coordinator.user)

    visit.refresh_from_db()
    assert visit.pair == pair  # no permanent pair
    assert people(visit) == {"artist": stand_in.pk, "nurse": pair.nurse.pk}
    event = visit.events.get(kind=VisitEvent.Kind.STAND_IN)
    assert (event.previous_staff, event.staff, event.by) == (pair.artist, stand_in, coordinator.user)
    assert event.notified_at is not None
    assert AccessLog.objects.filter(client_id=client_record.pk, action=AccessLog.Action.UPDATE).exists()
    # The old and the new member, and the client's (primary) nurse, who also takes part.
    assert sorted(m.to[0] for m in mailoutbox) == ["aino@example.invalid", "hanna@example.invalid", "sami@example.invalid"]
    to_sami = next(m for m in mailoutbox if m.to == ["sami@example.invalid"])
    assert "instead of Aino Taiteilija" in to_sami.body and "Hanna Hoitaja" in to_sami.body
    assert "Helmi" not in to_sami.body
    # The stand-in sees the visit as theirs.
    assert Visit.objects.visible_to(stand_in.user).filter(pk=visit.pk).exists()
    assert not Visit.objects.visible_to(pair.artist.user).filter(pk=visit.pk).exists()
    assert Visit.objects.with_people().get(pk=visit.pk).artist == stand_in


def test_the_primary_nurse_hears_of_a_stand_in_even_when_not_in_the_visit(
    pair, client_record, coordinator, team, monday, mailoutbox, django_capture_on_commit_callbacks
):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    stand_in = f.NurseFactory(team=team, user__username="tuula")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        standins.apply_stand_in(visit=visit, absent_person=pair.nurse, replacement_person=stand_in, by=coordinator.user)
    assert sorted(m.to[0] for m in mailoutbox) == ["aino@example.invalid", "hanna@example.invalid", "tuula@example.invalid"]


def test_a_busy_replacement_is_a_clash_and_nothing_changes(pair, client_record, coordinator, team, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    busy = f.ArtistFactory(team=team, user__first_name="Kiire", user__last_name="Ihminen")
    book(f.WorkPairFactory(team=team, artist=busy), f.ClientFactory(team=team), coordinator, at(monday, 10, 30))

    with pytest.raises(services.SchedulingConflict) as refused:
        standins.apply_stand_in(visit=visit, absent_person=pair.artist, replacement_person=busy, by=coordinator.user)

    assert "Kiire Ihminen" in " ".join(refused.value.messages)
    assert people(visit) == {"artist": pair.artist.pk, "nurse": pair.nurse.pk}
    assert not visit.events.filter(kind=VisitEvent.Kind.STAND_IN).exists()


def test_refusals_wrong_role_outsider_and_a_written_note(pair, client_record, coordinator, other_coordinator, team, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    nurse = f.NurseFactory(team=team)
    with pytest.raises(ValidationError) as wrong_role:
        standins.apply_stand_in(visit=visit, absent_person=pair.artist, replacement_person=nurse, by=coordinator.user)
    assert "replacement" in wrong_role.value.message_dict
    with pytest.raises(PermissionDenied):
        standins.apply_stand_in(visit=visit, absent_person=pair.artist, replacement_person=f.ArtistFactory(team=team),
                                by=other_coordinator.user)
    with pytest.raises(PermissionDenied):
        standins.stand_in_options(visit, pair.artist, other_coordinator.user)
    with pytest.raises(ValidationError) as not_in_visit:
        standins.stand_in_options(visit, nurse, coordinator.user)
    assert "person" in not_in_visit.value.message_dict
    assert people(visit) == {"artist": pair.artist.pk, "nurse": pair.nurse.pk}


def test_the_move_option_goes_through_reschedule(pair, client_record, coordinator, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    move = next(o for o in standins.stand_in_options(visit, pair.nurse, coordinator.user) if o.kind == MOVE)
    standins.apply_option(visit=visit, absent_person=pair.nurse, option=move, by=coordinator.user)
    visit.refresh_from_db()
    assert visit.starts_at == at(monday + dt.timedelta(days=1), 10)
    assert visit.events.filter(kind=VisitEvent.Kind.RESCHEDULED).count() == 1
    assert people(visit) == {"artist": pair.artist.pk, "nurse": pair.nurse.pk}


def test_apply_best_to_all_reports_each_visit(pair, client_record, coordinator, team, monday):
    first = book(pair, client_record, coordinator, at(monday, 10))
    second = book(pair, f.ClientFactory(team=team), coordinator, at(monday, 13))
    third = book(pair, f.ClientFactory(team=team), coordinator, at(monday, 16))
    stand_in = f.ArtistFactory(team=team, user__first_name="Sami")
    # Sami is busy at 13 and no other artist is free then; the pair is free the next day for the move.
    other = f.WorkPairFactory(team=team, artist=stand_in)
    book(other, f.ClientFactory(team=team), coordinator, at(monday, 13))

    report = standins.apply_best_to_all(visits=[first, second, third], absent_person=pair.artist, by=coordinator.user)

    assert [r.outcome for r in report] == ["applied", "applied", "applied"]
    assert people(first)["artist"] == stand_in.pk and people(third)["artist"] == stand_in.pk
    second.refresh_from_db()
    assert people(second)["artist"] == pair.artist.pk and second.starts_at == at(monday + dt.timedelta(days=1), 13)
    assert report[1].option.kind == MOVE


def test_apply_best_to_all_reports_no_option(pair, client_record, coordinator, team, monday, monkeypatch):
    first = book(pair, client_record, coordinator, at(monday, 10))
    second = book(pair, f.ClientFactory(team=team), coordinator, at(monday, 13))
    stand_in = f.ArtistFactory(team=team)
    stand_in.availability.filter(weekday=monday.weekday()).update(ends_at=dt.time(12))
    monkeypatch.setattr(standins, "next_free_time", lambda visit, **kw: None)

    report = standins.apply_best_to_all(visits=[first, second], absent_person=pair.artist, by=coordinator.user)

    assert [r.outcome for r in report] == ["applied", "no_option"]
    assert people(first)["artist"] == stand_in.pk
    assert people(second)["artist"] == pair.artist.pk


def test_apply_best_to_all_a_clash_at_the_write_changes_nothing_in_that_visit(pair, client_record, coordinator, team, monday, monkeypatch):
    first = book(pair, client_record, coordinator, at(monday, 10))
    second = book(pair, f.ClientFactory(team=team), coordinator, at(monday, 13))
    stand_in = f.ArtistFactory(team=team, user__first_name="Sami", user__last_name="Sijainen")
    real_options = standins.stand_in_options

    def taken_meanwhile(visit, absent, viewer):
        options = real_options(visit, absent, viewer)
        if visit.pk == second.pk:  # someone books Sami between the ranking and the write
            book(f.WorkPairFactory(team=team, artist=stand_in), f.ClientFactory(team=team), coordinator, at(monday, 13))
        return options

    monkeypatch.setattr(standins, "stand_in_options", taken_meanwhile)
    report = standins.apply_best_to_all(visits=[first, second], absent_person=pair.artist, by=coordinator.user)

    assert [r.outcome for r in report] == ["applied", "clash"]
    assert "Sami Sijainen" in report[1].message
    assert people(first)["artist"] == stand_in.pk
    assert people(second)["artist"] == pair.artist.pk
    assert not second.events.filter(kind=VisitEvent.Kind.STAND_IN).exists()


THREADS = 2


def test_two_stand_ins_for_the_same_replacement_released_together_book_once(transactional_db):
    team = f.TeamFactory(name="Kallio")
    coordinator = f.CoordinatorFactory(team=team)
    stand_in = f.ArtistFactory(team=team, user__first_name="Sami", user__last_name="Sijainen")
    pairs = [f.WorkPairFactory(team=team) for _ in range(THREADS)]
    monday = next_weekday(0)
    visits = [book(pairs[i], f.ClientFactory(team=team), coordinator, at(monday, 10, 15 * i)) for i in range(THREADS)]

    barrier = threading.Barrier(THREADS)
    outcomes: list = [None] * THREADS

    def apply(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            standins.apply_stand_in(visit=visits[i], absent_person=pairs[i].artist, replacement_person=stand_in,
                                    by=coordinator.user)
            outcomes[i] = "applied"
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes.count("applied") == 1, outcomes
    [refusal] = [o for o in outcomes if o != "applied"]
    assert isinstance(refusal, services.SchedulingConflict), refusal
    assert "Sami Sijainen" in " ".join(refusal.messages)
    assert VisitParticipant.objects.filter(staff=stand_in).count() == 1
    assert VisitEvent.objects.filter(kind=VisitEvent.Kind.STAND_IN).count() == 1
    loser = outcomes.index(refusal)
    assert VisitParticipant.objects.get(visit=visits[loser], role="artist").staff == pairs[loser].artist
