"""visits.services: scheduling, recurrence, moving and cancelling joint visits."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from access.models import AccessLog
from tests import factories as f
from tests.scheduling import at, next_fall_back, next_spring_forward, next_weekday
from visits import services
from visits.models import SkippedOccurrence, Visit, VisitEvent, VisitParticipant, VisitSeries, VisitStatus
from visits.services import SchedulingConflict, Scope

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def monday():
    return next_weekday(0)


def book(pair, client, by, starts_at, minutes=60):
    return services.schedule_visit(
        client=client, pair=pair, starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes), by=by.user
    )


@pytest.fixture
def second_pair_with_hanna(team, nurse, other_artist):
    """Artist Olli also works with nurse Hanna."""
    return f.WorkPairFactory(team=team, artist=other_artist, nurse=nurse)


# --- schedule_visit --------------------------------------------------------------------------


def test_coordinator_schedules_a_visit_with_both_participants_and_its_history(pair, client_record, coordinator, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))

    assert (visit.client, visit.pair, visit.status) == (client_record, pair, VisitStatus.PLANNED)
    assert set(visit.participants.values_list("staff_id", "role")) == {(pair.artist_id, "artist"), (pair.nurse_id, "nurse")}
    event = VisitEvent.objects.get(visit=visit)
    assert (event.kind, event.starts_at, event.by) == ("scheduled", at(monday, 10), coordinator.user)
    log = AccessLog.objects.get(object_type="visit")
    assert (log.client_id, log.action, log.allowed, log.grounds) == (client_record.pk, "create", True, "team coordinator")


def test_scheduling_without_recorded_consent_is_refused_with_a_clear_message(pair, team, coordinator, monday):
    no_consent = f.ClientFactory(team=team, consent_given=False, consent_date=None)

    with pytest.raises(ValidationError) as refused:
        book(pair, no_consent, coordinator, at(monday, 10))

    assert "consent has not been recorded" in refused.value.message_dict["client"][0]
    assert not Visit.objects.exists()


def test_an_archived_client_cannot_be_scheduled(pair, client_record, coordinator, monday):
    client_record.archived_at = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    client_record.save()

    with pytest.raises(ValidationError) as refused:
        book(pair, client_record, coordinator, at(monday, 10))

    assert "archived" in refused.value.message_dict["client"][0]
    assert not Visit.objects.exists()


def test_coordinator_of_another_team_cannot_schedule_for_this_team(pair, client_record, other_coordinator, monday):
    with pytest.raises(PermissionDenied):
        book(pair, client_record, other_coordinator, at(monday, 10))
    assert not Visit.objects.exists()


def test_artists_nurses_and_managers_cannot_schedule(pair, client_record, artist, nurse, manager, monday):
    for person in (artist, nurse, manager):
        with pytest.raises(PermissionDenied):
            book(pair, client_record, person, at(monday, 10))
    assert not Visit.objects.exists()


def test_a_pair_of_another_team_cannot_visit_the_client(client_record, coordinator, other_team, monday):
    coordinator.teams.add(other_team)
    foreign_pair = f.WorkPairFactory(team=other_team)

    with pytest.raises(ValidationError) as refused:
        book(foreign_pair, client_record, coordinator, at(monday, 10))

    assert "another team" in refused.value.message_dict["pair"][0]


def test_past_times_and_odd_durations_are_refused_on_their_fields(pair, client_record, coordinator, monday):
    with pytest.raises(ValidationError) as refused:
        book(pair, client_record, coordinator, at(next_weekday(0, weeks_ahead=1) - dt.timedelta(days=30), 10), minutes=5)

    assert set(refused.value.message_dict) == {"starts_at", "ends_at"}


def test_double_booking_the_nurse_is_refused_naming_her_and_the_time(
    pair, second_pair_with_hanna, client_record, team, coordinator, monday
):
    book(pair, client_record, coordinator, at(monday, 10))
    toivo = f.ClientFactory(team=team, first_name="Toivo")

    with pytest.raises(SchedulingConflict) as refused:
        book(second_pair_with_hanna, toivo, coordinator, at(monday, 10, 30))

    (clash,) = refused.value.clashes
    assert (clash.kind, clash.person_name, clash.role) == ("person", "Hanna Hoitaja", "nurse")
    assert (clash.starts_at, clash.ends_at) == (at(monday, 10), at(monday, 11))
    assert refused.value.messages == [
        f"Hanna Hoitaja (Nurse) is busy {monday.day}.{monday.month}.{monday.year} 10:00–11:00 (visit to Helmi Esimerkki)."
    ]
    assert Visit.objects.count() == 1 and not Visit.objects.filter(client=toivo).exists()


def test_conflict_hides_the_other_clients_name_when_the_coordinator_may_not_see_it(
    pair, client_record, coordinator, other_team, monday
):
    """Hanna also works in Espoo; our coordinator must not learn who she visits there."""
    espoo_coordinator = f.CoordinatorFactory(team=other_team)
    pair.nurse.teams.add(other_team)
    espoo_pair = f.WorkPairFactory(team=other_team, nurse=pair.nurse)
    espoo_client = f.ClientFactory(team=other_team, first_name="Salainen", last_name="Asiakas")
    book(espoo_pair, espoo_client, espoo_coordinator, at(monday, 10))

    with pytest.raises(SchedulingConflict) as refused:
        book(pair, client_record, coordinator, at(monday, 10))

    (clash,) = refused.value.clashes
    assert clash.person_name == "Hanna Hoitaja"
    assert (clash.other_client_name, clash.other_visit_id) == ("", None)
    assert "Salainen" not in str(refused.value.as_dict())
    assert "another visit" in refused.value.messages[0]


def test_double_booking_the_client_is_refused(pair, client_record, team, coordinator, monday):
    book(pair, client_record, coordinator, at(monday, 10))
    another_pair = f.WorkPairFactory(team=team)

    with pytest.raises(SchedulingConflict) as refused:
        book(another_pair, client_record, coordinator, at(monday, 10, 45))

    assert [c.kind for c in refused.value.clashes] == ["client"]
    assert "Helmi Esimerkki already has a visit" in refused.value.messages[0]
    assert Visit.objects.count() == 1


def test_back_to_back_visits_are_allowed(pair, client_record, team, coordinator, monday):
    book(pair, client_record, coordinator, at(monday, 10))
    book(pair, f.ClientFactory(team=team), coordinator, at(monday, 11))
    assert Visit.objects.count() == 2


def test_conflict_facts_serialise_for_the_api(pair, second_pair_with_hanna, client_record, team, coordinator, monday):
    book(pair, client_record, coordinator, at(monday, 10))
    with pytest.raises(SchedulingConflict) as refused:
        book(second_pair_with_hanna, f.ClientFactory(team=team), coordinator, at(monday, 10))

    body = refused.value.as_dict()
    assert body["requested"]["starts_at"] == at(monday, 10).isoformat()
    assert body["conflicts"][0]["person_name"] == "Hanna Hoitaja"
    assert body["conflicts"][0]["staff_id"] == pair.nurse_id
    assert refused.value.busy_staff_ids == {pair.nurse_id}


# --- schedule_series ----------------------------------------------------------------------------


def test_recurrence_creates_exactly_the_free_occurrences_and_reports_the_skipped(
    pair, second_pair_with_hanna, client_record, team, coordinator, monday
):
    # Hanna is busy with Toivo on the second and fourth Monday.
    toivo = f.ClientFactory(team=team, first_name="Toivo", last_name="Toinen")
    for week in (1, 3):
        book(second_pair_with_hanna, toivo, coordinator, at(monday + dt.timedelta(weeks=week), 10, 30))

    result = services.schedule_series(
        client=client_record, pair=pair, first_starts_at=at(monday, 10), duration=HOUR,
        interval_weeks=1, count=5, by=coordinator.user,
    )

    weeks = [0, 2, 4]
    assert [v.starts_at for v in result.created] == [at(monday + dt.timedelta(weeks=w), 10) for w in weeks]
    assert list(Visit.objects.filter(series=result.series).values_list("starts_at", flat=True)) == [
        at(monday + dt.timedelta(weeks=w), 10) for w in weeks
    ]
    skipped = SkippedOccurrence.objects.filter(series=result.series)
    assert [s.starts_at for s in skipped] == [at(monday + dt.timedelta(weeks=w), 10) for w in (1, 3)]
    assert all(s.reason == "busy" for s in skipped)
    assert skipped[0].clashes[0]["person_name"] == "Hanna Hoitaja"
    assert dt.datetime.fromisoformat(skipped[0].clashes[0]["starts_at"]) == at(monday + dt.timedelta(weeks=1), 10, 30)
    assert VisitEvent.objects.filter(visit__series=result.series, kind="scheduled").count() == 3


def test_recurrence_every_two_weeks_until_a_date(pair, client_record, coordinator, monday):
    result = services.schedule_series(
        client=client_record, pair=pair, first_starts_at=at(monday, 9), duration=dt.timedelta(minutes=45),
        interval_weeks=2, until=monday + dt.timedelta(weeks=6), by=coordinator.user,
    )
    assert [timezone.localdate(v.starts_at) for v in result.created] == [monday + dt.timedelta(weeks=w) for w in (0, 2, 4, 6)]
    assert all(v.ends_at - v.starts_at == dt.timedelta(minutes=45) for v in result.created)


@pytest.mark.parametrize("change_day", [next_spring_forward, next_fall_back], ids=["spring", "autumn"])
def test_a_weekly_ten_oclock_visit_stays_at_ten_local_time_across_the_clock_change(
    pair, client_record, coordinator, change_day
):
    sunday = change_day()
    monday_before = sunday - dt.timedelta(days=6)

    result = services.schedule_series(
        client=client_record, pair=pair, first_starts_at=at(monday_before, 10), duration=HOUR, count=2, by=coordinator.user,
    )

    before, after = Visit.objects.filter(series=result.series).order_by("starts_at")
    assert [timezone.localtime(v.starts_at).time() for v in (before, after)] == [dt.time(10), dt.time(10)]
    assert timezone.localtime(before.starts_at).utcoffset() != timezone.localtime(after.starts_at).utcoffset()
    # Exactly one hour more or less than a week apart in absolute time.
    assert abs((after.starts_at - before.starts_at) - dt.timedelta(weeks=1)) == HOUR


def test_a_series_with_a_validation_error_creates_nothing(pair, client_record, coordinator, monday):
    with pytest.raises(ValidationError) as refused:
        services.schedule_series(
            client=client_record, pair=pair, first_starts_at=at(monday, 10), duration=HOUR,
            until=monday - dt.timedelta(days=1), by=coordinator.user,
        )
    assert "until" in refused.value.message_dict
    assert not VisitSeries.objects.exists() and not Visit.objects.exists()


def test_a_series_too_long_is_refused_not_cut_short(pair, client_record, coordinator, monday):
    with pytest.raises(ValidationError) as refused:
        services.schedule_series(
            client=client_record, pair=pair, first_starts_at=at(monday, 10), duration=HOUR,
            until=monday + dt.timedelta(weeks=200), by=coordinator.user,
        )
    assert "more than 104" in refused.value.message_dict["until"][0]
    assert not Visit.objects.exists()


def test_an_unexpected_error_midway_leaves_no_half_series(pair, client_record, coordinator, monday, monkeypatch):
    real_create = VisitEvent.objects.create
    calls = {"n": 0}

    def fail_on_third(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(VisitEvent.objects, "create", fail_on_third)
    with pytest.raises(RuntimeError):
        services.schedule_series(
            client=client_record, pair=pair, first_starts_at=at(monday, 10), duration=HOUR, count=5, by=coordinator.user,
        )

    assert not VisitSeries.objects.exists()
    assert not Visit.objects.exists()
    assert not VisitParticipant.objects.exists()


def test_occurrences_after_the_pair_ends_are_skipped_with_the_reason(pair, client_record, coordinator, monday):
    pair.active_until = monday + dt.timedelta(weeks=1)
    pair.save()

    result = services.schedule_series(
        client=client_record, pair=pair, first_starts_at=at(monday, 10), duration=HOUR, count=4, by=coordinator.user,
    )

    assert len(result.created) == 2
    assert [s.reason for s in result.skipped] == ["pair_ended", "pair_ended"]


# --- reschedule_visit ---------------------------------------------------------------------------


def test_moving_a_visit_onto_a_clash_is_refused_with_the_busy_person_named(
    pair, second_pair_with_hanna, client_record, team, coordinator, monday
):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    book(second_pair_with_hanna, f.ClientFactory(team=team), coordinator, at(monday, 14))

    with pytest.raises(SchedulingConflict) as refused:
        services.reschedule_visit(
            visit=visit, starts_at=at(monday, 13, 30), ends_at=at(monday, 14, 30), reason="Asiakkaan toive", by=coordinator.user,
        )

    assert refused.value.clashes[0].person_name == "Hanna Hoitaja"
    assert "14:00–15:00" in refused.value.messages[0]
    visit.refresh_from_db()
    assert visit.starts_at == at(monday, 10)
    assert set(VisitParticipant.objects.filter(visit=visit).values_list("during", flat=True)) == {
        VisitParticipant.objects.filter(visit=visit).first().during
    }
    assert not VisitEvent.objects.filter(kind="rescheduled").exists()


def test_a_visit_is_moved_with_its_history_kept(pair, client_record, coordinator, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))

    services.reschedule_visit(
        visit=visit, starts_at=at(monday, 12), ends_at=at(monday, 13, 30), reason="Lääkäriaika", by=coordinator.user,
    )

    visit.refresh_from_db()
    assert (visit.starts_at, visit.ends_at) == (at(monday, 12), at(monday, 13, 30))
    event = VisitEvent.objects.get(visit=visit, kind="rescheduled")
    assert (event.previous_starts_at, event.starts_at, event.reason) == (at(monday, 10), at(monday, 12), "Lääkäriaika")
    # The participants' copies moved with it (the trigger), so the old slot is free for Hanna.
    assert {p.during.lower for p in visit.participants.all()} == {at(monday, 12)}


def test_moving_requires_a_reason(pair, client_record, coordinator, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    with pytest.raises(ValidationError) as refused:
        services.reschedule_visit(visit=visit, starts_at=at(monday, 12), ends_at=at(monday, 13), reason=" ", by=coordinator.user)
    assert "reason" in refused.value.message_dict


def test_moving_the_rest_of_a_series_moves_only_this_and_later_visits(pair, client_record, coordinator, monday):
    result = services.schedule_series(
        client=client_record, pair=pair, first_starts_at=at(monday, 10), duration=HOUR, count=4, by=coordinator.user,
    )
    first, second, third, fourth = result.created

    services.reschedule_visit(
        visit=second, starts_at=at(monday + dt.timedelta(weeks=1, days=1), 9), ends_at=at(monday + dt.timedelta(weeks=1, days=1), 10),
        reason="Uusi viikkorytmi", by=coordinator.user, scope=Scope.FOLLOWING,
    )

    starts = list(Visit.objects.filter(series=result.series).order_by("starts_at").values_list("starts_at", flat=True))
    assert starts == [
        at(monday, 10),
        at(monday + dt.timedelta(weeks=1, days=1), 9),
        at(monday + dt.timedelta(weeks=2, days=1), 9),
        at(monday + dt.timedelta(weeks=3, days=1), 9),
    ]
    assert VisitEvent.objects.filter(kind="rescheduled").count() == 3


def test_moving_a_series_a_week_later_does_not_collide_with_itself(pair, client_record, coordinator, monday):
    result = services.schedule_series(
        client=client_record, pair=pair, first_starts_at=at(monday, 10), duration=HOUR, count=3, by=coordinator.user,
    )
    services.reschedule_visit(
        visit=result.created[0], starts_at=at(monday + dt.timedelta(weeks=1), 10), ends_at=at(monday + dt.timedelta(weeks=1), 11),
        reason="Loma", by=coordinator.user, scope=Scope.FOLLOWING,
    )
    starts = list(Visit.objects.order_by("starts_at").values_list("starts_at", flat=True))
    assert starts == [at(monday + dt.timedelta(weeks=w), 10) for w in (1, 2, 3)]


def test_a_clash_anywhere_in_the_rest_of_the_series_refuses_the_whole_move(
    pair, second_pair_with_hanna, client_record, team, coordinator, monday
):
    result = services.schedule_series(
        client=client_record, pair=pair, first_starts_at=at(monday, 10), duration=HOUR, count=3, by=coordinator.user,
    )
    book(second_pair_with_hanna, f.ClientFactory(team=team), coordinator, at(monday + dt.timedelta(weeks=2), 12))

    with pytest.raises(SchedulingConflict):
        services.reschedule_visit(
            visit=result.created[0], starts_at=at(monday, 12), ends_at=at(monday, 13), reason="Aamut eivät sovi",
            by=coordinator.user, scope=Scope.FOLLOWING,
        )

    assert [timezone.localtime(v.starts_at).time() for v in Visit.objects.filter(series=result.series)] == [dt.time(10)] * 3


# --- cancel_visit -------------------------------------------------------------------------------


def test_cancelling_frees_the_slot(pair, second_pair_with_hanna, client_record, team, coordinator, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))

    services.cancel_visit(visit=visit, reason="Asiakas sairaalassa", by=coordinator.user)

    visit.refresh_from_db()
    assert (visit.status, visit.cancellation_reason) == ("cancelled", "Asiakas sairaalassa")
    assert VisitEvent.objects.filter(visit=visit, kind="cancelled").exists()
    # Both the client and Hanna are free again at 10.
    book(second_pair_with_hanna, client_record, coordinator, at(monday, 10))
    assert Visit.objects.active().count() == 1


def test_cancelling_the_rest_of_a_series_keeps_earlier_visits(pair, client_record, coordinator, monday):
    result = services.schedule_series(
        client=client_record, pair=pair, first_starts_at=at(monday, 10), duration=HOUR, count=4, by=coordinator.user,
    )
    services.cancel_visit(visit=result.created[2], reason="Jakso päättyy", by=coordinator.user, scope=Scope.FOLLOWING)

    statuses = list(Visit.objects.filter(series=result.series).order_by("starts_at").values_list("status", flat=True))
    assert statuses == ["planned", "planned", "cancelled", "cancelled"]


def test_cancelling_needs_a_reason_and_a_planned_visit(pair, client_record, coordinator, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    with pytest.raises(ValidationError) as refused:
        services.cancel_visit(visit=visit, reason="", by=coordinator.user)
    assert "reason" in refused.value.message_dict

    services.cancel_visit(visit=visit, reason="Peruttu", by=coordinator.user)
    with pytest.raises(ValidationError) as twice:
        services.cancel_visit(visit=visit, reason="Uudestaan", by=coordinator.user)
    assert "Only planned visits" in twice.value.messages[0]
    assert VisitEvent.objects.filter(kind="cancelled").count() == 1


def test_coordinator_of_another_team_cannot_move_or_cancel(pair, client_record, coordinator, other_coordinator, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    with pytest.raises(PermissionDenied):
        services.cancel_visit(visit=visit, reason="x", by=other_coordinator.user)
    with pytest.raises(PermissionDenied):
        services.reschedule_visit(visit=visit, starts_at=at(monday, 12), ends_at=at(monday, 13), reason="x", by=other_coordinator.user)
    visit.refresh_from_db()
    assert (visit.status, visit.starts_at) == ("planned", at(monday, 10))
