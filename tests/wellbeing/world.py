"""A generated data set for the aggregation tests, and the aggregates computed from it in plain Python.

The Python side is deliberately naive (dicts and loops over the raw rows),
so that it is an independent check of the SQL in wellbeing.aggregation.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from clients.models import CareRelationship
from pairwork.models import Role
from tests import factories as f
from tests.factories import make_visit
from visits.models import Visit, VisitStatus
from wellbeing import metrics
from wellbeing.models import MetricAggregate, ResponseScore, SurveyResponse, TimePoint, VisitAggregate
from wellbeing.selectors import add_months, current_instrument, month_start, quarter_of
from wellbeing.services import submit_response

from .conftest import bulk_staff


def _local_month(moment: dt.datetime) -> dt.date:
    return month_start(timezone.localtime(moment).date())


def generate_world(rng: random.Random, teams, *, months: int = 4) -> dict:
    """Staff answers over `months` months in each team, visits, client baselines and follow-ups."""
    pulse, monthly, outcome = (current_instrument(code) for code in (metrics.PULSE, metrics.MONTHLY, metrics.CLIENT_OUTCOME))
    this_month = month_start(timezone.localdate())
    periods = [add_months(this_month, -back) for back in range(months, 0, -1)]
    staff = {team.pk: bulk_staff(team, rng.randint(3, 8), prefix=f"gen{team.pk}") for team in teams}
    # Someone in two teams who answers in both in the same month: counted once in the all-teams cell.
    shared = staff[teams[0].pk][0]
    shared.teams.add(teams[1])
    # Pair work: team 0 starts two months into the data, team 1 never, team 2 before the data.
    starts = {teams[0].pk: periods[2], teams[-1].pk: add_months(periods[0], -3)}
    pairs = {}
    for team in teams:
        if team.pk in starts:
            pairs[team.pk] = f.WorkPairFactory(team=team, active_from=starts[team.pk] + dt.timedelta(days=9))
    for period in periods:
        for team in teams:
            for person in staff[team.pk] + ([shared] if team == teams[1] else []):
                for _ in range(rng.randint(1 if person is shared else 0, 3)):
                    submit_response(
                        instrument=pulse, time_point=TimePoint.POST_VISIT, team=team, recorded_by=person.user, respondent=person,
                        answers={code: rng.randint(1, 5) for code in ("calm", "time_to_meet", "energised")},
                        period=period, refresh_aggregates=False,
                    )
                if person is not shared and rng.random() < 0.8:
                    submit_response(
                        instrument=monthly, time_point=TimePoint.MONTHLY, team=team, recorded_by=person.user, respondent=person,
                        answers={"work_ability": rng.randint(0, 10), "sick_leave_days": rng.choice([0, 0, 0, 1, 2, 5])},
                        period=period, refresh_aggregates=False,
                    )
    # Visits: some completed with a staff respondent as participant (pair-work share), various outcomes.
    clients = []
    for team in teams:
        if team.pk not in pairs:
            continue
        pair = pairs[team.pk]
        for index in range(rng.randint(3, 6)):
            client = f.ClientFactory(team=team)
            clients.append(client)
            if rng.random() < 0.5:
                CareRelationship.objects.create(client=client, nurse=pair.nurse, is_primary=True)
            for visit_index in range(rng.randint(1, 4)):
                starts_at = timezone.make_aware(
                    dt.datetime.combine(periods[rng.randrange(len(periods))] + dt.timedelta(days=index * 3 + visit_index), dt.time(10))
                )
                status = rng.choice([VisitStatus.COMPLETED, VisitStatus.COMPLETED, VisitStatus.NO_SHOW, VisitStatus.CLIENT_DECLINED])
                if not Visit.objects.filter(pair=pair, starts_at=starts_at).exists():
                    visit = make_visit(pair=pair, client=client, starts_at=starts_at, status=status)
                    if rng.random() < 0.5:  # a generated respondent joins, so the pair-work share is not all zero
                        visit.participants.create(staff=rng.choice(staff[team.pk]), role=Role.NURSE)
    # Client outcomes: baseline, one or two follow-ups; a few skipped items; one follow-up without baseline.
    for number, client in enumerate(clients):
        recorder = pairs[client.team_id].nurse.user
        def answers():
            return {
                "life_satisfaction": rng.randint(0, 10), "worthwhile": rng.choice([None, rng.randint(0, 10)]),
                "happiness": rng.randint(0, 10), "anxiety": rng.randint(0, 10),
                "feels_lonely": rng.randint(1, 5), "someone_to_talk_to": rng.randint(1, 5), "left_outside": rng.randint(1, 5),
                "everyday_activities": rng.choice([None, rng.randint(1, 5)]),
            }

        first = timezone.make_aware(dt.datetime.combine(periods[0] + dt.timedelta(days=number % 20), dt.time(9)))
        if number != 0:
            submit_response(instrument=outcome, time_point=TimePoint.BASELINE, answers=answers(), team=client.team,
                            recorded_by=recorder, client=client, submitted_at=first, refresh_aggregates=False)
        for follow_up in range(rng.randint(0, 2)):
            submit_response(instrument=outcome, time_point=TimePoint.FOLLOW_UP, answers=answers(), team=client.team,
                            recorded_by=recorder, client=client, refresh_aggregates=False,
                            submitted_at=first + dt.timedelta(weeks=6 + 5 * follow_up + rng.randint(0, 3)))
    return {"periods": periods, "staff": staff, "shared": shared}


# --- The same aggregates, computed naively -----------------------------------------------------------

def _stats(values: list[float]) -> tuple:
    return (len(values), sum(values), sum(v * v for v in values))


def expected_metric_cells() -> dict:
    """(team_id, span, period, metric) -> (respondents, responses, total, total_squares)."""
    scores = ResponseScore.objects.select_related("response__instrument", "scale")
    staff_values = defaultdict(list)  # (team, period, time_point, metric, person) -> values
    client_values = []
    for score in scores:
        response = score.response
        metric = f"{response.instrument.code}.{score.scale.code}"
        if response.respondent_id:
            staff_values[(response.team_id, response.period, response.time_point, metric, response.respondent_id)].append(score.value)
        else:
            client_values.append((response, metric, score.value))
    for response in SurveyResponse.objects.filter(time_point=TimePoint.MONTHLY).select_related("instrument"):
        took_part = Visit.objects.filter(
            participants__staff_id=response.respondent_id, status=VisitStatus.COMPLETED,
        )
        flag = any(_local_month(v.starts_at) == response.period for v in took_part)
        key = (response.team_id, response.period, response.time_point, f"{response.instrument.code}.pair_work_share", response.respondent_id)
        staff_values[key].append(1.0 if flag else 0.0)

    cells = {}

    def add(key, per_person: dict):
        means = [sum(v) / len(v) for v in per_person.values()]
        n, total, squares = _stats(means)
        cells[key] = (n, sum(len(v) for v in per_person.values()), total, squares)

    month_people = defaultdict(lambda: defaultdict(list))
    for (team, period, _tp, metric, person), values in staff_values.items():
        month_people[(team, "month", period, metric)][person] += values
        month_people[(None, "month", period, metric)][person] += values
    first_month = {}
    from pairwork.models import WorkPair

    for pair in WorkPair.objects.all():
        month = month_start(pair.active_from)
        first_month[pair.team_id] = min(month, first_month.get(pair.team_id, month))
    for (team, period, time_point, metric, person), values in staff_values.items():
        if time_point != TimePoint.MONTHLY:
            continue
        phase = "with_pairs" if team in first_month and period >= first_month[team] else "before_pairs"
        month_people[(team, phase, None, metric)][person] += values
    for key, people in month_people.items():
        add(key, people)

    baseline, latest = {}, {}
    for response, metric, value in sorted(client_values, key=lambda row: (row[0].submitted_at, row[0].pk)):
        key = (response.client_id, metric)
        if response.time_point == TimePoint.BASELINE:
            baseline.setdefault(key, value)
        else:
            latest[key] = (response, value)
    changes = defaultdict(list)
    for (client, metric), (response, value) in latest.items():
        if (client, metric) not in baseline:
            continue
        change = value - baseline[(client, metric)]
        quarter = quarter_of(response.period)
        for key in ((response.team_id, "quarter", quarter), (None, "quarter", quarter), (response.team_id, "all_time", None), (None, "all_time", None)):
            changes[(*key, f"{metric}.change")].append(change)
    for key, values in changes.items():
        n, total, squares = _stats(values)
        cells[key] = (n, n, total, squares)
    return cells


def expected_visit_cells() -> dict:
    cells = defaultdict(lambda: [0, 0, 0, 0, 0, 0, set()])
    for visit in Visit.objects.select_related("pair").prefetch_related("participants"):
        month = _local_month(visit.starts_at)
        familiar = visit.status == VisitStatus.COMPLETED and any(
            p.role == Role.NURSE and CareRelationship.objects.filter(client=visit.client, nurse=p.staff).exists()
            for p in visit.participants.all()
        )
        for key in ((visit.pair.team_id, month), (None, month)):
            cell = cells[key]
            cell[0] += 1
            cell[1] += visit.status == VisitStatus.COMPLETED
            cell[2] += visit.status == VisitStatus.NO_SHOW
            cell[3] += visit.status == VisitStatus.CLIENT_DECLINED
            cell[4] += visit.status in (VisitStatus.CANCELLED, VisitStatus.CANCELLED_ON_ARRIVAL)
            cell[5] += familiar
            cell[6].add(visit.client_id)
    return {key: (*values[:6], len(values[6])) for key, values in cells.items()}


def stored_metric_cells() -> dict:
    return {
        (row.team_id, row.span, row.period, row.metric): (row.respondents, row.responses, row.total, row.total_squares)
        for row in MetricAggregate.objects.all()
    }


def stored_visit_cells() -> dict:
    return {
        (row.team_id, row.period): (row.planned, row.delivered, row.no_shows, row.declined, row.cancelled, row.with_familiar_nurse, row.clients)
        for row in VisitAggregate.objects.all()
    }


def snapshot() -> tuple:
    """Every aggregate row with its id, to prove a second run rewrote nothing."""
    from wellbeing.models import TeamPairStart

    return (
        sorted(MetricAggregate.objects.values_list("id", "team_id", "span", "period", "metric", "respondents", "responses", "total", "total_squares")),
        sorted(VisitAggregate.objects.values_list()),
        sorted(TeamPairStart.objects.values_list()),
    )


assert settings.TIME_ZONE == "Europe/Helsinki"
