"""Staff absences (issue 12): what they flag, what they refuse, who may record them, the coordinators' e-mail."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories as f
from tests.factories import make_visit
from tests.scheduling import at, next_fall_back, next_weekday
from pairwork.timing import real_duration
from visits import absence_mail, absences, services, tasks
from visits.models import AbsenceKind, SkippedOccurrence, StaffAbsence, Visit, VisitStatus


@pytest.fixture
def monday():
    return next_weekday(0)


def record(person, by, starts_at, ends_at, kind=AbsenceKind.SICK_LEAVE, **extra):
    return absences.record_absence(person=person, kind=kind, starts_at=starts_at, ends_at=ends_at, by=by.user, **extra)


def book(pair, client_record, coordinator, starts_at, minutes=60):
    return services.schedule_visit(
        client=client_record, pair=pair, starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes),
        by=coordinator.user,
    )


# --- What an absence flags ----------------------------------------------------------------------


def test_an_absence_flags_exactly_the_visits_it_overlaps_touching_ends_are_not_flagged(
    pair, client_record, coordinator, nurse, monday
):
    other_client = f.ClientFactory(team=pair.team)
    before = make_visit(pair=pair, client=client_record, starts_at=at(monday, 8))       # ends 9:00 = absence start
    straddling = make_visit(pair=pair, client=other_client, starts_at=at(monday, 10, 30))  # 10:30–11:30
    cancelled = make_visit(pair=pair, client=other_client, starts_at=at(monday, 9), status=VisitStatus.CANCELLED,
                           cancellation_reason="Peruttu.")
    inside = make_visit(pair=pair, client=client_record, starts_at=at(monday, 9, 15), minutes=45)
    someone_else = make_visit(pair=f.WorkPairFactory(team=pair.team), starts_at=at(monday, 10))

    absence = record(nurse, coordinator, at(monday, 9), at(monday, 11), all_day=False)

    assert list(absences.affected_visits(absence)) == [inside, straddling]
    flagged = {v.pk: v.absences for v in absences.flag_absences(
        Visit.objects.filter(pk__in=[before.pk, inside.pk, straddling.pk, cancelled.pk, someone_else.pk])
    )}
    assert flagged[inside.pk] == [absence] and flagged[straddling.pk] == [absence]
    assert flagged[before.pk] == flagged[cancelled.pk] == flagged[someone_else.pk] == []
    assert flagged[inside.pk][0].badge == f"{nurse.display_name} is absent (sick leave)"


def test_a_visit_starting_when_the_absence_ends_is_not_affected(pair, client_record, coordinator, artist, monday):
    after = make_visit(pair=pair, client=client_record, starts_at=at(monday, 12))
    absence = record(artist, coordinator, at(monday, 8), at(monday, 12), kind=AbsenceKind.TRAINING)
    assert list(absences.affected_visits(absence)) == []
    assert absences.flag_absences([after])[0].absences == []


def test_an_all_day_absence_runs_midnight_to_midnight_even_on_the_day_the_clocks_go_back(pair, client_record, coordinator, nurse):
    day = next_fall_back()
    starts_at, ends_at = absences.all_day_range(day, day)
    assert real_duration(starts_at, ends_at) == dt.timedelta(hours=25)
    assert timezone.localtime(starts_at).time() == dt.time(0) == timezone.localtime(ends_at).time()
    late = make_visit(pair=pair, client=client_record, starts_at=at(day, 22, 30))  # 22:30–23:30 local
    next_morning = make_visit(pair=pair, client=client_record, starts_at=at(day + dt.timedelta(days=1), 0))
    absence = record(nurse, coordinator, starts_at, ends_at, all_day=True)
    assert list(absences.affected_visits(absence)) == [late]
    assert next_morning not in absences.affected_visits(absence)
    assert absences.absence_period(absence) == f"{day.day}.{day.month}.{day.year}"


def test_withdrawn_and_shortened_absences_flag_no_more_than_they_cover(pair, client_record, coordinator, nurse, monday):
    first = make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))
    second = make_visit(pair=pair, client=client_record, starts_at=at(monday + dt.timedelta(days=1), 10))
    absence = record(nurse, coordinator, *absences.all_day_range(monday, monday + dt.timedelta(days=1)), all_day=True)
    assert list(absences.affected_visits(absence)) == [first, second]

    absences.shorten_absence(absence=absence, ends_at=absences.all_day_range(monday, monday)[1], by=coordinator.user)
    absence.refresh_from_db()
    assert list(absences.affected_visits(absence)) == [first]

    absences.withdraw_absence(absence=absence, by=coordinator.user)
    absence.refresh_from_db()
    assert absence.withdrawn_at is not None and absence.withdrawn_by == coordinator.user
    assert StaffAbsence.objects.filter(pk=absence.pk).exists(), "never deleted"
    assert list(absences.affected_visits(absence)) == []
    assert absences.absent_intervals([nurse.pk], at(monday, 0), at(monday, 23)) == {nurse.pk: []}


def test_absent_intervals_gives_every_person_asked_about_their_absences(coordinator, nurse, artist, monday):
    absence = record(nurse, coordinator, at(monday, 9), at(monday, 12))
    intervals = absences.absent_intervals([nurse.pk, artist.pk], at(monday, 0), at(monday + dt.timedelta(days=1), 0))
    assert intervals == {nurse.pk: [(absence.starts_at, absence.ends_at)], artist.pk: []}
    assert absences.absent_intervals([nurse.pk], at(monday, 12), at(monday, 13)) == {nurse.pk: []}  # touching end


# --- Who may record, and bad input ---------------------------------------------------------------


def test_the_person_reports_their_own_sick_leave_but_not_a_holiday_nor_a_colleagues(nurse, artist, monday):
    own = record(nurse, nurse, *absences.all_day_range(monday, monday), all_day=True)
    assert own.created_by == nurse.user
    with pytest.raises(PermissionDenied):
        record(nurse, nurse, *absences.all_day_range(monday + dt.timedelta(days=2), monday + dt.timedelta(days=2)),
               kind=AbsenceKind.HOLIDAY)
    with pytest.raises(PermissionDenied):
        record(artist, nurse, *absences.all_day_range(monday, monday))
    with pytest.raises(PermissionDenied):
        absences.withdraw_absence(absence=own, by=artist.user)
    assert StaffAbsence.objects.count() == 1


def test_another_teams_coordinator_and_a_manager_may_not_record(nurse, other_coordinator, manager, monday):
    for outsider in (other_coordinator, manager):
        with pytest.raises(PermissionDenied):
            record(nurse, outsider, *absences.all_day_range(monday, monday), kind=AbsenceKind.TRAINING)
    assert not StaffAbsence.objects.exists()


def test_bad_input_is_a_field_error_and_nothing_is_kept(coordinator, nurse, monday):
    with pytest.raises(ValidationError) as error:
        record(nurse, coordinator, at(monday, 12), at(monday, 9))
    assert "ends_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(nurse, coordinator, timezone.now() - dt.timedelta(days=3), timezone.now() - dt.timedelta(days=2))
    assert "ends_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(nurse, coordinator, at(monday, 9), at(monday, 12), note="x" * 201)
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(coordinator, coordinator, at(monday, 9), at(monday, 12))
    assert "person" in error.value.message_dict
    assert not StaffAbsence.objects.exists()


def test_an_overlapping_absence_of_the_same_person_is_refused_by_the_database(coordinator, nurse, monday):
    record(nurse, coordinator, at(monday, 9), at(monday, 12))
    with pytest.raises(ValidationError) as error:
        record(nurse, coordinator, at(monday, 11), at(monday, 14), kind=AbsenceKind.TRAINING)
    assert "already absent" in error.value.message_dict["starts_at"][0]
    record(nurse, coordinator, at(monday, 12), at(monday, 14), kind=AbsenceKind.TRAINING)  # back-to-back is fine
    assert StaffAbsence.objects.count() == 2


# --- New bookings for an absent person are refused -----------------------------------------------


def test_booking_an_absent_nurse_is_refused_naming_her_and_the_absence(pair, client_record, coordinator, nurse, monday):
    record(nurse, coordinator, *absences.all_day_range(monday, monday), all_day=True)
    with pytest.raises(services.SchedulingConflict) as conflict:
        book(pair, client_record, coordinator, at(monday, 10))
    [clash] = conflict.value.clashes
    assert clash.kind == "absence" and clash.staff_id == nurse.pk and clash.absence_kind == "sick_leave"
    assert conflict.value.messages == [f"{nurse.display_name} (Nurse) is absent {monday.day}.{monday.month}.{monday.year} (sick leave)."]
    assert not Visit.objects.exists()
    assert book(pair, client_record, coordinator, at(monday + dt.timedelta(days=1), 0, 0))  # the next day is free


def test_moving_a_visit_into_an_absence_is_refused_and_nothing_moves(pair, client_record, coordinator, artist, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    record(artist, coordinator, at(monday + dt.timedelta(days=1), 8), at(monday + dt.timedelta(days=1), 16),
           kind=AbsenceKind.TRAINING)
    with pytest.raises(services.SchedulingConflict) as conflict:
        services.reschedule_visit(
            visit=visit, starts_at=at(monday + dt.timedelta(days=1), 15), ends_at=at(monday + dt.timedelta(days=1), 16),
            reason="Asiakkaan toive.", by=coordinator.user,
        )
    assert "is absent" in conflict.value.messages[0] and "(training)" in conflict.value.messages[0]
    visit.refresh_from_db()
    assert visit.starts_at == at(monday, 10)


def test_a_series_skips_the_occurrences_in_an_absence_with_the_reason(pair, client_record, coordinator, nurse, monday):
    second_week = monday + dt.timedelta(weeks=1)
    record(nurse, coordinator, *absences.all_day_range(second_week, second_week + dt.timedelta(days=4)),
           kind=AbsenceKind.HOLIDAY, all_day=True)
    result = services.schedule_series(
        client=client_record, pair=pair, first_starts_at=at(monday, 10), duration=dt.timedelta(hours=1), count=3,
        by=coordinator.user,
    )
    assert [timezone.localdate(v.starts_at) for v in result.created] == [monday, monday + dt.timedelta(weeks=2)]
    [skip] = SkippedOccurrence.objects.filter(series=result.series)
    assert skip.reason == SkippedOccurrence.Reason.ABSENT and timezone.localdate(skip.starts_at) == second_week
    assert skip.clashes[0]["kind"] == "absence" and skip.clashes[0]["staff_id"] == nurse.pk


# --- The coordinators' e-mail ----------------------------------------------------------------------


def test_the_teams_coordinators_are_emailed_once_after_commit_without_client_names(
    pair, client_record, coordinator, nurse, monday, django_capture_on_commit_callbacks
):
    make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))
    make_visit(pair=pair, client=client_record, starts_at=at(monday, 13))
    with django_capture_on_commit_callbacks(execute=True):
        absence = record(nurse, nurse, *absences.all_day_range(monday, monday), all_day=True)
    [message] = mail.outbox
    assert message.to == [coordinator.user.email]
    assert message.subject == f"Työpari: {nurse.display_name} is absent, 2 visits affected"
    assert client_record.last_name not in message.subject + message.body
    assert client_record.first_name not in message.subject + message.body
    assert "10:00–11:00" in message.body and pair.artist.display_name in message.body
    absence.refresh_from_db()
    assert absence.notified_at is not None
    assert absence_mail.send_for_absences([absence.pk]) == 0 and len(mail.outbox) == 1


def test_an_absence_touching_no_visit_sends_nothing(coordinator, nurse, monday, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(nurse, coordinator, *absences.all_day_range(monday, monday), all_day=True)
    assert mail.outbox == []


def test_with_redis_unreachable_the_absence_is_saved_and_the_reconcile_sends_the_mail(
    redis_unreachable, pair, client_record, coordinator, nurse, monday, django_capture_on_commit_callbacks
):
    make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))
    with django_capture_on_commit_callbacks(execute=True):
        absence = record(nurse, coordinator, *absences.all_day_range(monday, monday), all_day=True)
    assert StaffAbsence.objects.filter(pk=absence.pk, notified_at__isnull=True).exists()
    assert mail.outbox == []
    StaffAbsence.objects.filter(pk=absence.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    assert tasks.resend_unsent_absence_notifications() == 1
    assert len(mail.outbox) == 1


# --- Under concurrency ------------------------------------------------------------------------------


def test_an_absence_and_bookings_released_together_never_leave_a_visit_unflagged_inside_it(transactional_db):
    """Absence and bookings lock the person's row: either a booking commits first (and is then flagged)
    or the absence does (and the booking is refused). Never a booking that checked before the absence committed."""
    import threading

    from django.db import connection

    team = f.TeamFactory(name="Kallio")
    coordinator = f.CoordinatorFactory(team=team)
    nurse = f.NurseFactory(team=team, user__first_name="Hanna", user__last_name="Hoitaja")
    pairs = [f.WorkPairFactory(team=team, nurse=nurse) for _ in range(4)]
    clients = [f.ClientFactory(team=team) for _ in range(4)]
    monday = next_weekday(0)
    barrier = threading.Barrier(5)
    outcomes: dict = {}

    def book(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            services.schedule_visit(client=clients[i], pair=pairs[i], starts_at=at(monday, 8 + 2 * i),
                                    ends_at=at(monday, 9 + 2 * i), by=coordinator.user)
            outcomes[i] = "booked"
        except Exception as error:  # noqa: BLE001 - inspected below
            outcomes[i] = error
        finally:
            connection.close()

    def report() -> None:
        try:
            barrier.wait(timeout=30)
            record(nurse, coordinator, *absences.all_day_range(monday, monday), all_day=True)
            outcomes["absence"] = "recorded"
        except Exception as error:  # noqa: BLE001
            outcomes["absence"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(4)] + [threading.Thread(target=report)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes["absence"] == "recorded", outcomes
    absence = StaffAbsence.objects.get()
    booked = [i for i in range(4) if outcomes[i] == "booked"]
    refused = [outcomes[i] for i in range(4) if outcomes[i] != "booked"]
    assert all(isinstance(o, services.SchedulingConflict) and o.clashes[0].kind == "absence" for o in refused), refused
    assert sorted(absences.affected_visits(absence).values_list("client_id", flat=True)) == sorted(clients[i].pk for i in booked)
    assert Visit.objects.count() == len(booked)
