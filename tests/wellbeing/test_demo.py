"""Demo answers on top of whatever demo world exists: realistic, idempotent, aggregated."""
import datetime as dt
import random

import pytest
from django.utils import timezone

from clients.models import CareRelationship
from tests import factories as f
from tests.factories import make_visit
from visits.models import VisitStatus
from wellbeing import metrics
from wellbeing.demo import seed_survey_responses
from wellbeing.models import AggregationState, AnalysisKind, AnalysisResult, MetricAggregate, SurveyResponse, TimePoint


@pytest.fixture
def demo_world(team, pair, nurse):
    """One team, two pairs, six clients with weekly completed visits over the last twelve weeks."""
    second = f.WorkPairFactory(team=team, active_from=timezone.localdate() - dt.timedelta(days=200))
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    clients = []
    for number in range(6):
        record = f.ClientFactory(team=team)
        CareRelationship.objects.create(client=record, nurse=nurse, is_primary=True)
        clients.append(record)
        working_pair = pair if number % 2 else second
        for week in range(12 if number < 4 else 3):
            starts_at = now - dt.timedelta(weeks=week, days=1, hours=number)
            make_visit(pair=working_pair, client=record, starts_at=starts_at, status=VisitStatus.COMPLETED)
    make_visit(pair=pair, client=clients[0], starts_at=now + dt.timedelta(days=2))  # still planned
    return {"clients": clients}


def test_demo_answers_follow_the_rules_and_a_second_run_adds_nothing(demo_world):
    counts = seed_survey_responses(rng=random.Random(7))
    participants_of_completed = 2 * (4 * 12 + 2 * 3)
    assert 0.5 * participants_of_completed < counts["post-visit pulses"] < 0.9 * participants_of_completed
    assert counts["monthly surveys"] > 0
    # A baseline at the first joint visit for most clients, a follow-up for most of the four whose first
    # visit is 8+ weeks ago (twelve weeks of visits); the rest are left due or overdue for the nurse.
    with_baseline = set(SurveyResponse.objects.filter(time_point=TimePoint.BASELINE).values_list("client", flat=True))
    with_follow_up = set(SurveyResponse.objects.filter(time_point=TimePoint.FOLLOW_UP).values_list("client", flat=True))
    long_term = {record.pk for record in demo_world["clients"][:4]}
    assert (len(with_baseline), len(with_follow_up)) == (counts["client baselines"], counts["client follow-ups"])
    assert with_follow_up <= with_baseline & long_term
    assert 3 <= len(with_baseline) <= 6 and len(with_follow_up) >= 2
    assert SurveyResponse.objects.filter(time_point=TimePoint.POST_VISIT).count() == counts["post-visit pulses"]
    assert not SurveyResponse.objects.filter(time_point=TimePoint.POST_VISIT, visit__status=VisitStatus.PLANNED).exists()
    assert not SurveyResponse.objects.filter(time_point=TimePoint.MONTHLY, period=timezone.localdate().replace(day=1)).exists()
    # Aggregated at the end.
    assert MetricAggregate.objects.filter(metric=metrics.PULSE_CALM, team=demo_world["clients"][0].team).exists()
    assert AggregationState.objects.get().rebuilt_at is not None
    # The stored analyses too: the clients' change from baseline to follow-up, per team and all teams.
    assert AnalysisResult.objects.filter(kind=AnalysisKind.CLIENT_CHANGE, team=None, n=len(with_follow_up)).exists()

    before = SurveyResponse.objects.count()
    again = seed_survey_responses(rng=random.Random(7))
    assert again == {"post-visit pulses": 0, "monthly surveys": 0, "client baselines": 0, "client follow-ups": 0}
    assert SurveyResponse.objects.count() == before


def test_demo_answers_are_within_each_items_range(demo_world):
    seed_survey_responses(rng=random.Random(3))
    for response in SurveyResponse.objects.prefetch_related("answers__item"):
        for answer in response.answers.all():
            assert answer.value is None or answer.item.scale_min <= answer.value <= answer.item.scale_max
