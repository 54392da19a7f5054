"""Aggregates in PostgreSQL: equal to a direct computation, idempotent, incremental, singleton."""
import random

import psycopg2
import pytest
from django.db import connection

from tests import factories as f
from wellbeing import aggregation, metrics
from wellbeing.models import MetricAggregate, SurveyResponse, TimePoint
from wellbeing.selectors import current_instrument
from wellbeing.services import submit_response
from wellbeing.tasks import reconcile_wellbeing

from .world import expected_metric_cells, expected_visit_cells, generate_world, snapshot, stored_metric_cells, stored_visit_cells


@pytest.fixture
def world(team, other_team):
    third = f.TeamFactory(name="Porvoo")
    return generate_world(random.Random(20260501), [team, other_team, third])


def assert_cells_equal(stored: dict, expected: dict) -> None:
    assert set(stored) == set(expected)
    for key, (n, responses, total, squares) in expected.items():
        assert stored[key][:2] == (n, responses), key
        assert stored[key][2:] == pytest.approx((total, squares), abs=1e-6), key


def test_aggregates_equal_a_direct_computation_from_the_raw_rows(world):
    result = aggregation.rebuild_all()
    expected = expected_metric_cells()
    assert len(expected) > 100  # the generated set really covers many cells
    assert_cells_equal(stored_metric_cells(), expected)
    assert stored_visit_cells() == expected_visit_cells()
    assert result.rows_changed == len(expected) + len(expected_visit_cells()) + 2  # + two teams' pair starts


def test_the_person_in_two_teams_counts_once_in_the_all_teams_cell(world):
    aggregation.rebuild_all()
    shared = world["shared"]
    period = SurveyResponse.objects.filter(respondent=shared).values_list("period", flat=True).first()
    by_team = MetricAggregate.objects.filter(span="month", period=period, metric=metrics.PULSE_CALM)
    team_sum = sum(row.respondents for row in by_team.exclude(team=None))
    all_teams = by_team.get(team=None).respondents
    people = SurveyResponse.objects.filter(period=period, instrument__code=metrics.PULSE).values("respondent").distinct().count()
    assert all_teams == people < team_sum


def test_running_the_aggregation_twice_changes_nothing(world):
    aggregation.rebuild_all()
    before = snapshot()
    second = aggregation.rebuild_all()
    assert second.rows_changed == 0
    assert snapshot() == before


def test_running_the_task_twice_changes_nothing(world):
    reconcile_wellbeing.apply()
    before = snapshot()
    assert reconcile_wellbeing.apply().get() == {"skipped": False, "rows_changed": 0}
    assert snapshot() == before


def test_a_cell_refresh_after_one_answer_matches_a_full_rebuild(world, team):
    aggregation.rebuild_all()
    person = world["staff"][team.pk][1]
    period = world["periods"][-1]
    SurveyResponse.objects.filter(respondent=person, period=period, time_point=TimePoint.MONTHLY).delete()
    submit_response(
        instrument=current_instrument(metrics.MONTHLY), time_point=TimePoint.MONTHLY, team=team, recorded_by=person.user,
        respondent=person, answers={"work_ability": 10, "sick_leave_days": 31}, period=period, refresh_aggregates=False,
    )
    submit_response(
        instrument=current_instrument(metrics.PULSE), time_point=TimePoint.POST_VISIT, team=team, recorded_by=person.user,
        respondent=person, answers={"calm": 1, "time_to_meet": 1, "energised": 1}, period=period, refresh_aggregates=False,
    )
    changed = aggregation.refresh_cells(team_id=team.pk, period=period, instrument_code=metrics.MONTHLY)
    changed += aggregation.refresh_cells(team_id=team.pk, period=period, instrument_code=metrics.PULSE)
    assert changed > 0
    assert_cells_equal(stored_metric_cells(), expected_metric_cells())
    assert aggregation.rebuild_all().rows_changed == 0
    assert aggregation.refresh_cells(team_id=team.pk, period=period, instrument_code=metrics.PULSE) == 0


def test_a_client_answer_refreshes_the_client_change_cells(world, team):
    aggregation.rebuild_all()
    follow_up = SurveyResponse.objects.filter(time_point=TimePoint.FOLLOW_UP).first()
    SurveyResponse.objects.filter(client=follow_up.client, time_point=TimePoint.FOLLOW_UP).delete()
    aggregation.refresh_cells(team_id=follow_up.team_id, period=follow_up.period, instrument_code=metrics.CLIENT_OUTCOME)
    assert_cells_equal(stored_metric_cells(), expected_metric_cells())


def test_cells_without_source_rows_are_removed(world):
    aggregation.rebuild_all()
    SurveyResponse.objects.filter(instrument__code=metrics.PULSE).delete()
    aggregation.rebuild_all()
    assert not MetricAggregate.objects.filter(metric__startswith=metrics.PULSE).exists()
    assert_cells_equal(stored_metric_cells(), expected_metric_cells())


def test_a_rebuild_skips_while_another_one_runs(db):
    settings_dict = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings_dict["NAME"], user=settings_dict["USER"], host=settings_dict["HOST"], port=settings_dict["PORT"] or 5432
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, 0)", [aggregation.REBUILD_SINGLETON])
        assert aggregation.rebuild_all() is None
        assert reconcile_wellbeing.apply().get() == {"skipped": True}
        # Unlock before closing: the server ends a closed session's backend (and
        # its locks) a moment after close() returns, which made this test racy.
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, 0)", [aggregation.REBUILD_SINGLETON])
    finally:
        other.close()
    assert aggregation.rebuild_all() is not None
