"""The pair-work share and the before/with pair work cells follow visits, participants and pairs.

The visit triggers (wellbeing migration 0010) count each person-month's
delivered visits and move the pair-work share's person rows when a count
crosses zero; the person-month triggers keep the person phase sums and their
cells. Every check compares the kept rows with a naive regroup of the raw
rows (tests/wellbeing/world.py, test_person_months.py).
"""
import datetime as dt
import random
import threading
from collections import defaultdict

import pytest
from django.db import connection, connections
from django.utils import timezone

from pairwork.models import Role
from tests import factories as f
from tests.factories import make_visit
from visits.models import Visit, VisitParticipant, VisitStatus
from wellbeing import aggregation, metrics
from wellbeing.models import (
    PersonMonth,
    PersonPhase,
    PhaseCellSum,
    StaffMonthVisits,
    SurveyResponse,
    TeamPairStart,
    TimePoint,
)
from wellbeing.selectors import add_months, current_instrument
from wellbeing.services import submit_response

from .test_person_months import expected_cell_sums, expected_person_months, stored_cell_sums, stored_person_months
from .world import expected_metric_cells, generate_world, stored_metric_cells


@pytest.fixture
def world(team, other_team):
    return generate_world(random.Random(20261203), [team, other_team, f.TeamFactory(name="Kerava")], months=3)


def expected_phase_sums() -> tuple[dict, dict]:
    """Naively from the person rows and TeamPairStart: the person phase sums and the phase cell sums."""
    starts = dict(TeamPairStart.objects.values_list("team_id", "first_month"))
    people = defaultdict(lambda: [0, 0])
    for row in PersonMonth.objects.filter(team__isnull=False, monthly_answers__gt=0):
        start = starts.get(row.team_id)
        phase = "with_pairs" if start is not None and row.period >= start else "before_pairs"
        person = people[(row.team_id, row.metric, phase, row.respondent_id)]
        person[0] += row.monthly_sum
        person[1] += row.monthly_answers
    cells = defaultdict(lambda: [0, 0, 0, 0])
    for (team, metric, phase, _), (total, answers) in people.items():
        mean = total / answers
        cell = cells[(team, metric, phase)]
        for index, value in enumerate((1, answers, round(mean * 10**9), round(mean * mean * 10**9))):
            cell[index] += value
    return (
        {key: (total, answers) for key, (total, answers) in people.items()},
        {key: tuple(values) for key, values in cells.items()},
    )


def stored_phase_sums() -> tuple[dict, dict]:
    return (
        {
            (row.team_id, row.metric, row.phase, row.respondent_id): (row.monthly_sum, row.monthly_answers)
            for row in PersonPhase.objects.all()
        },
        {
            (row.team_id, row.metric, row.phase): (row.respondents, row.answers, row.nano, row.nano_squares)
            for row in PhaseCellSum.objects.all()
            if (row.respondents, row.answers, row.nano, row.nano_squares) != (0, 0, 0, 0)
        },
    )


def assert_sums_follow_the_raw_rows() -> None:
    assert stored_person_months() == expected_person_months()
    assert stored_cell_sums() == expected_cell_sums()
    assert stored_phase_sums() == expected_phase_sums()


def assert_cells_equal_the_raw_rows() -> None:
    stored, expected = stored_metric_cells(), expected_metric_cells()
    assert set(stored) == set(expected)
    for key, (n, responses, total, squares) in expected.items():
        assert stored[key][:2] == (n, responses), key
        assert stored[key][2:] == pytest.approx((total, squares), abs=1e-6), key


def share_cell(team_id, period) -> tuple:
    return stored_metric_cells().get((team_id, "month", period, metrics.PAIR_WORK_SHARE))


def answerer_without_visits(world, team, period):
    """A person of `team` who answered the monthly survey in `period` and took part in no delivered visit then."""
    for person in world["staff"][team.pk]:
        answered = SurveyResponse.objects.filter(respondent=person, period=period, time_point=TimePoint.MONTHLY).exists()
        counted = StaffMonthVisits.objects.filter(staff=person, period=period, visits__gt=0).exists()
        if answered and not counted:
            return person
    raise AssertionError("the generated world has no such person")


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_a_visit_completed_moved_and_cancelled_moves_the_pair_work_share_after_refresh_and_after_rebuild(world, team):
    aggregation.rebuild_all()
    period = world["periods"][1]
    person = answerer_without_visits(world, team, period)
    pair = f.WorkPairFactory(team=team, active_from=add_months(period, -12))
    # Half past midnight on the 1st, Helsinki time: still the previous month in UTC, this month locally.
    visit = make_visit(pair=pair, starts_at=local(period, 0, 30))
    visit.participants.create(staff=person, role=Role.NURSE)
    aggregation.refresh_cells(team_id=team.pk, period=period, instrument_code=metrics.MONTHLY)
    before = share_cell(team.pk, period)
    assert_sums_follow_the_raw_rows()

    Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.COMPLETED)
    assert StaffMonthVisits.objects.get(staff=person, period=period).visits == 1
    assert_sums_follow_the_raw_rows()
    aggregation.refresh_cells(team_id=team.pk, period=period, instrument_code=metrics.MONTHLY)
    assert share_cell(team.pk, period)[2] == before[2] + 1  # one more respondent in pair work
    assert_cells_equal_the_raw_rows()
    refreshed = stored_metric_cells()
    aggregation.rebuild_all()  # writes the visit cells (no refresh follows a visit); the metric cells stay
    assert stored_metric_cells() == refreshed

    # Moved a month on, without a refresh: the nightly rebuild finds both months in the journal.
    later = add_months(period, 1)
    Visit.objects.filter(pk=visit.pk).update(starts_at=local(later, 10), ends_at=local(later, 11))
    assert_sums_follow_the_raw_rows()
    assert aggregation.rebuild_all().rows_changed > 0
    assert share_cell(team.pk, period) == before
    assert_cells_equal_the_raw_rows()

    Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.CANCELLED, cancellation_reason="sairastui")
    assert_sums_follow_the_raw_rows()
    aggregation.rebuild_all()
    assert_cells_equal_the_raw_rows()
    assert aggregation.rebuild_all(full=True).rows_changed == 0


def test_a_participant_joining_or_leaving_and_a_deleted_visit_move_the_share(world, team):
    period = world["periods"][0]
    person = answerer_without_visits(world, team, period)
    pair = f.WorkPairFactory(team=team, active_from=add_months(period, -12))
    visit = make_visit(pair=pair, starts_at=local(period, 23), status=VisitStatus.COMPLETED)
    stand_in = VisitParticipant.objects.create(visit=visit, staff=person, role=Role.NURSE)
    assert_sums_follow_the_raw_rows()
    assert PersonMonth.objects.get(
        team=team, period=period, metric=metrics.PAIR_WORK_SHARE, respondent=person
    ).value_sum == 1
    stand_in.delete()
    assert_sums_follow_the_raw_rows()
    VisitParticipant.objects.create(visit=visit, staff=person, role=Role.NURSE)
    visit.delete()  # the ORM deletes the participants first
    assert_sums_follow_the_raw_rows()
    aggregation.rebuild_all()
    assert_cells_equal_the_raw_rows()


def test_a_visit_deleted_before_its_participants_counts_the_same(world, team):
    period = world["periods"][2]
    person = answerer_without_visits(world, team, period)
    pair = f.WorkPairFactory(team=team, active_from=add_months(period, -12))
    visit = make_visit(pair=pair, starts_at=local(period, 12), status=VisitStatus.COMPLETED)
    VisitParticipant.objects.create(visit=visit, staff=person, role=Role.NURSE)
    with connection.cursor() as cursor:  # the foreign keys are checked at commit, so raw SQL may delete in this order
        cursor.execute("DELETE FROM visits_visitevent WHERE visit_id = %s", [visit.pk])
        cursor.execute("DELETE FROM visits_visit WHERE id = %s", [visit.pk])
        cursor.execute("DELETE FROM visits_visitparticipant WHERE visit_id = %s", [visit.pk])
    assert_sums_follow_the_raw_rows()


def test_a_team_first_pair_month_moving_resorts_its_answers_before_and_with_pair_work(world, other_team):
    aggregation.rebuild_all()
    periods = world["periods"]
    assert not TeamPairStart.objects.filter(team=other_team).exists()  # never had pairs: every answer is before
    f.WorkPairFactory(team=other_team, active_from=periods[1] + dt.timedelta(days=9))
    aggregation.refresh_cells(team_id=other_team.pk, period=periods[0], instrument_code=metrics.MONTHLY)
    assert TeamPairStart.objects.get(team=other_team).first_month == periods[1]
    assert_sums_follow_the_raw_rows()
    assert_cells_equal_the_raw_rows()
    # An earlier pair moves the start back a month; the nightly rebuild re-sorts.
    f.WorkPairFactory(team=other_team, active_from=periods[0])
    assert aggregation.rebuild_all().rows_changed > 0
    assert TeamPairStart.objects.get(team=other_team).first_month == periods[0]
    assert_sums_follow_the_raw_rows()
    assert_cells_equal_the_raw_rows()
    assert aggregation.rebuild_all().rows_changed == 0


def test_a_full_rebuild_repairs_phase_sums_that_went_around_the_triggers(world, team):
    aggregation.rebuild_all(full=True)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE wellbeing_phasecellsum SET nano = nano + 7 WHERE team_id = %s AND metric = %s",
                       [team.pk, metrics.WORK_ABILITY])
        tampered = cursor.rowcount
        cursor.execute("DELETE FROM wellbeing_personphase WHERE id = (SELECT min(id) FROM wellbeing_personphase)")
    assert tampered > 0 and stored_phase_sums() != expected_phase_sums()
    result = aggregation.rebuild_all(full=True)
    assert (result.cell_sums_repaired, result.rows_changed) == (tampered + 1, 0)
    assert stored_phase_sums() == expected_phase_sums()
    assert aggregation.rebuild_all(full=True).cell_sums_repaired == 0


def test_a_rebuild_from_the_source_rows_repairs_visit_counts_that_went_around_the_triggers(world, team):
    aggregation.rebuild_all(from_source=True)
    period = world["periods"][1]
    person = answerer_without_visits(world, team, period)
    visit = make_visit(pair=f.WorkPairFactory(team=team, active_from=add_months(period, -12)), starts_at=local(period, 14))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # as pg_restore --disable-triggers
        cursor.execute("UPDATE visits_visit SET status = 'completed' WHERE id = %s", [visit.pk])
        cursor.execute(
            "INSERT INTO visits_visitparticipant (visit_id, staff_id, role, visit_active) VALUES (%s, %s, 'nurse', true)",
            [visit.pk, person.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert stored_person_months() != expected_person_months()
    result = aggregation.rebuild_all(from_source=True)
    # The visit's people's counts, the person's share row (team and all teams), the cells follow in the same run.
    assert result.person_rows_repaired >= 3
    assert_sums_follow_the_raw_rows()
    assert_cells_equal_the_raw_rows()
    assert aggregation.rebuild_all(from_source=True).person_rows_repaired == 0


def _in_thread(work) -> threading.Thread:
    def run():
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("visit_first", [True, False])
def test_a_monthly_answer_and_a_visit_of_the_same_person_month_at_once_both_count(pair, visit_first):
    """Two transactions: each waits for the other's lock on the person-month's visit count, none misses the other."""
    person, period = pair.nurse, add_months(timezone.localdate().replace(day=1), -1)
    visit = make_visit(pair=pair, starts_at=local(period, 10))
    monthly = current_instrument(metrics.MONTHLY)
    first_done, release = threading.Event(), threading.Event()

    def complete_visit():
        from django.db import transaction

        with transaction.atomic():
            Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.COMPLETED)
            first_done.set()
            release.wait(10)

    def answer():
        submit_response(
            instrument=monthly, time_point=TimePoint.MONTHLY, team=pair.team, recorded_by=person.user, respondent=person,
            answers={"work_ability": 8, "sick_leave_days": 0}, period=period, refresh_aggregates=False,
        )

    first, second = (complete_visit, answer) if visit_first else (answer, complete_visit)
    if first is answer:  # hold the answer's transaction open instead
        def first():
            from django.db import transaction

            with transaction.atomic():
                answer()
                first_done.set()
                release.wait(10)

    one = _in_thread(first)
    assert first_done.wait(10)
    two = _in_thread(second)
    two.join(0.5)
    assert two.is_alive()  # waits for the first's lock on the (person, month) visit count
    release.set()
    one.join(10)
    two.join(10)
    share = PersonMonth.objects.get(team=pair.team, period=period, metric=metrics.PAIR_WORK_SHARE, respondent=person)
    assert (share.value_sum, share.answers) == (1, 1)
    assert aggregation.rebuild_all(from_source=True).person_rows_repaired == 0


def test_the_triggers_and_the_aggregation_take_the_same_phase_lock():
    import importlib

    migration = importlib.import_module("wellbeing.migrations.0010_aggregates_follow_visits_and_phases")
    assert migration.PHASE_LOCK == aggregation.PHASE_LOCK
