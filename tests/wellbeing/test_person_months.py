"""The per-person-month sums follow every write of a response or score, in the writing transaction."""
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests import factories as f
from visits.models import Visit, VisitStatus
from wellbeing import aggregation, metrics
from wellbeing.models import ALL_TEAMS_SHARDS, MonthCellSum, PersonMonth, ResponseScore, SurveyResponse, TimePoint
from wellbeing.selectors import add_months, current_instrument, month_start
from wellbeing.services import submit_response

from .world import expected_metric_cells, generate_world, stored_metric_cells


@pytest.fixture
def world(team, other_team):
    return generate_world(random.Random(20261201), [team, other_team, f.TeamFactory(name="Loviisa")], months=3)


def expected_person_months() -> dict:
    """Naively from the raw rows: (team or None, month, metric, person) -> (Σ, n, monthly Σ, monthly n)."""
    sums = defaultdict(lambda: [Decimal(0), 0, Decimal(0), 0])

    def add(response, metric, value):
        monthly = response.time_point == TimePoint.MONTHLY
        for team in (response.team_id, None):
            row = sums[(team, response.period, metric, response.respondent_id)]
            row[0] += value
            row[1] += 1
            row[2] += value if monthly else 0
            row[3] += monthly

    for score in ResponseScore.objects.filter(response__respondent__isnull=False).select_related("response__instrument", "scale"):
        add(score.response, f"{score.response.instrument.code}.{score.scale.code}", Decimal(repr(score.value)))
    for response in SurveyResponse.objects.filter(time_point=TimePoint.MONTHLY, respondent__isnull=False).select_related("instrument"):
        add(response, f"{response.instrument.code}.{metrics.PAIR_WORK_SUFFIX}", Decimal(took_part(response.respondent_id, response.period)))
    return {key: tuple(values) for key, values in sums.items()}


def took_part(person_id: int, period) -> int:
    """The pair-work share's value, naively: 1 if the person took part in a delivered visit in that local month."""
    return int(any(
        month_start(timezone.localtime(visit.starts_at).date()) == period
        for visit in Visit.objects.filter(participants__staff_id=person_id, status=VisitStatus.COMPLETED)
    ))


def stored_person_months() -> dict:
    return {
        (row.team_id, row.period, row.metric, row.respondent_id): (row.value_sum, row.answers, row.monthly_sum, row.monthly_answers)
        for row in PersonMonth.objects.all()
    }


def expected_cell_sums() -> dict:
    """Naively from the person rows: (team or None, shard, month, metric) -> (people, answers, Σ nano, Σ nano²)."""
    sums = defaultdict(lambda: [0, 0, 0, 0])
    for row in PersonMonth.objects.all():
        shard = row.respondent_id % ALL_TEAMS_SHARDS if row.team_id is None else 0
        cell = sums[(row.team_id, shard, row.period, row.metric)]
        for index, value in enumerate((1, row.answers, row.nano, row.nano_squares)):
            cell[index] += value
    return {key: tuple(values) for key, values in sums.items()}


def stored_cell_sums() -> dict:
    """The kept month cell sums, leaving out cells whose people have all gone (they read as no cell)."""
    return {
        (row.team_id, row.shard, row.period, row.metric): (row.respondents, row.answers, row.nano, row.nano_squares)
        for row in MonthCellSum.objects.all()
        if (row.respondents, row.answers, row.nano, row.nano_squares) != (0, 0, 0, 0)
    }


def test_every_answer_is_in_its_person_month_sums_once_per_team_and_once_for_all_teams(world):
    expected = expected_person_months()
    assert len(expected) > 100
    assert stored_person_months() == expected
    shared = world["shared"]
    # The person answering in two teams has a row per team and one all-teams row holding both.
    period = world["periods"][0]
    rows = PersonMonth.objects.filter(respondent=shared, period=period, metric=metrics.PULSE_CALM)
    by_team = {row.team_id: row.answers for row in rows}
    assert None in by_team and len(by_team) == 3
    assert by_team[None] == sum(answers for team, answers in by_team.items() if team is not None)
    assert stored_cell_sums() == expected_cell_sums()


def test_deleted_answers_leave_the_sums_and_emptied_rows_go(world, team):
    person = world["staff"][team.pk][0]
    SurveyResponse.objects.filter(respondent=person).delete()  # the ORM deletes the scores first
    assert not PersonMonth.objects.filter(respondent=person, team=team).exists()
    assert stored_person_months() == expected_person_months()
    assert stored_cell_sums() == expected_cell_sums()


def test_a_response_deleted_before_its_scores_counts_the_same(world, team):
    person = world["staff"][team.pk][1]
    with transaction.atomic(), connection.cursor() as cursor:
        # The foreign keys are checked at commit, so raw SQL may delete in this order.
        cursor.execute("CREATE TEMP TABLE gone ON COMMIT DROP AS SELECT id FROM wellbeing_surveyresponse WHERE respondent_id = %s", [person.pk])
        cursor.execute("DELETE FROM wellbeing_answer WHERE response_id IN (SELECT id FROM gone)")
        cursor.execute("DELETE FROM wellbeing_surveyresponse WHERE id IN (SELECT id FROM gone)")
        cursor.execute("DELETE FROM wellbeing_responsescore WHERE response_id IN (SELECT id FROM gone)")
    assert not PersonMonth.objects.filter(respondent=person).exists()
    assert stored_person_months() == expected_person_months()
    assert stored_cell_sums() == expected_cell_sums()


def test_a_response_moved_to_another_month_and_team_moves_its_sums(world, team, other_team):
    response = SurveyResponse.objects.filter(team=team, time_point=TimePoint.MONTHLY).first()
    SurveyResponse.objects.filter(pk=response.pk).update(team=other_team, period=add_months(response.period, -6))
    SurveyResponse.objects.filter(team=team).update(visit=None)  # an update that moves nothing writes nothing
    assert stored_person_months() == expected_person_months()
    assert stored_cell_sums() == expected_cell_sums()


def test_a_rebuild_from_the_source_rows_finds_nothing_to_repair_and_repairs_what_went_around_the_triggers(world, team):
    aggregation.rebuild_all()
    assert aggregation.rebuild_all(from_source=True).person_rows_repaired == 0
    person = world["staff"][team.pk][2]
    row = PersonMonth.objects.filter(team=team, metric=metrics.PULSE_CALM).exclude(respondent=person).first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE wellbeing_personmonth SET value_sum = value_sum + 100 WHERE id = %s", [row.pk])
        # A bulk load with triggers off (as pg_restore --disable-triggers does) goes around the sums.
        cursor.execute("SET LOCAL session_replication_role = replica")
    submit_response(
        instrument=current_instrument(metrics.PULSE), time_point=TimePoint.POST_VISIT, team=team, recorded_by=person.user,
        respondent=person, answers={"calm": 5, "time_to_meet": 5, "energised": 5}, period=world["periods"][0],
        refresh_aggregates=False,
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert stored_person_months() != expected_person_months()
    result = aggregation.rebuild_all(from_source=True)
    assert result.person_rows_repaired == 1 + 3 * 2  # the tampered row; three scales, team and all teams
    assert stored_person_months() == expected_person_months()
    assert stored_metric_cells().keys() == expected_metric_cells().keys()
    assert aggregation.rebuild_all(from_source=True).person_rows_repaired == 0


def test_a_pulse_refresh_writes_only_its_team_and_all_teams_month_cells(world, team, other_team):
    aggregation.rebuild_all()
    person = world["staff"][team.pk][0]
    period = world["periods"][1]
    submit_response(
        instrument=current_instrument(metrics.PULSE), time_point=TimePoint.POST_VISIT, team=team, recorded_by=person.user,
        respondent=person, answers={"calm": 1, "time_to_meet": 2, "energised": 1}, period=period, refresh_aggregates=False,
    )
    before = {key: value for key, value in stored_metric_cells().items() if key[0] not in (team.pk, None)}
    assert aggregation.refresh_cells(team_id=team.pk, period=period, instrument_code=metrics.PULSE) == 6
    assert {key: value for key, value in stored_metric_cells().items() if key[0] not in (team.pk, None)} == before
    assert aggregation.rebuild_all().rows_changed == 0
    # Read from the kept cell sums, the refreshed cells are what regrouping every person row gives.
    assert aggregation.rebuild_all(full=True).rows_changed == 0


def test_the_month_cell_sums_follow_answers_in_the_answers_transaction_one_shard_of_all_teams_each(world, team):
    person = world["staff"][team.pk][0]
    period = world["periods"][2]
    shard = person.pk % ALL_TEAMS_SHARDS
    before = {key: value for key, value in stored_cell_sums().items() if key[2] == period}
    submit_response(
        instrument=current_instrument(metrics.PULSE), time_point=TimePoint.POST_VISIT, team=team, recorded_by=person.user,
        respondent=person, answers={"calm": 2, "time_to_meet": 4, "energised": 3}, period=period, refresh_aggregates=False,
    )
    after = {key: value for key, value in stored_cell_sums().items() if key[2] == period}
    moved = {key[:2] for key in after if after[key] != before.get(key)}
    # Only this team's row and this person's all-teams shard, nothing else (no row shared by every answer).
    assert moved == {(team.pk, 0), (None, shard)}
    assert after == {key: value for key, value in expected_cell_sums().items() if key[2] == period}


def test_a_full_rebuild_repairs_month_cell_sums_that_went_around_the_triggers(world, team):
    aggregation.rebuild_all(full=True)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE wellbeing_monthcellsum SET nano = nano + 7 WHERE team_id = %s AND metric = %s",
                       [team.pk, metrics.PULSE_CALM])
        tampered = cursor.rowcount
    assert tampered > 0 and stored_cell_sums() != expected_cell_sums()
    result = aggregation.rebuild_all(full=True)
    assert (result.cell_sums_repaired, result.rows_changed) == (tampered, 0)
    assert stored_cell_sums() == expected_cell_sums()
    assert aggregation.rebuild_all(full=True).cell_sums_repaired == 0
