"""The dashboard's decided cells (wellbeing.dashboard.cells): decided once while nothing changes, anew after a commit.

Kept for the data's generation, which advances when a change commits, so the
tests that change data commit for real (transaction=True).
"""
from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pairwork import data_generation
from wellbeing import aggregation, metrics
from wellbeing.dashboard import cells as dashboard_cells
from wellbeing.dashboard import load_cells
from wellbeing.models import MetricAggregate, Span
from wellbeing.selectors import month_start

from .conftest import bulk_staff
from .test_dashboard import answer_monthly

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def month_cell(team):
    """A month cell of the team, from five people's answers (committed, and aggregated)."""
    period = month_start(timezone.localdate())
    answer_monthly(team, bulk_staff(team, 5, prefix="kept"), period)
    aggregation.rebuild_all(full=True)
    cell = MetricAggregate.objects.filter(team=team, span=Span.MONTH, period=period, metric=metrics.WORK_ABILITY).get()
    dashboard_cells._kept = None
    return cell


def key_of(cell):
    return (cell.metric, cell.team_id, cell.span, cell.period)


def test_while_nothing_changes_the_cells_are_decided_once_and_read_with_one_query(month_cell):
    first = load_cells()

    with CaptureQueriesContext(connection) as queries:
        again = load_cells()

    assert again is first
    assert [query["sql"] for query in queries] == [f"SELECT {data_generation.CURRENT}"]  # the generation only


def test_a_committed_change_is_decided_anew_at_once(month_cell):
    before = load_cells()
    assert before.metric_stats[key_of(month_cell)][0] == 5

    MetricAggregate.objects.filter(pk=month_cell.pk).update(respondents=7)

    after = load_cells()
    assert after is not before and after.metric_stats[key_of(month_cell)][0] == 7


def test_inside_a_transaction_that_wrote_the_cells_are_decided_from_what_it_sees(month_cell):
    kept = load_cells()

    with pytest.raises(RuntimeError), transaction.atomic():
        MetricAggregate.objects.filter(pk=month_cell.pk).update(respondents=2)
        seen = load_cells()
        assert seen is not kept and seen.metric[key_of(month_cell)].suppressed  # two people: hidden
        raise RuntimeError("roll back")

    assert load_cells() is kept  # the rolled-back change never counted
    assert not kept.metric[key_of(month_cell)].suppressed


def test_kept_cells_expire(month_cell, monkeypatch):
    first = load_cells()
    monkeypatch.setattr(dashboard_cells, "KEPT_SECONDS", 0)

    assert load_cells() is not first
