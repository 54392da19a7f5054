"""The aggregate cells behind the dashboard, read in three queries, with their suppression decided.

Suppression is decided once over *all* teams' cells (`wellbeing.suppression`)
and only then cut down to what a viewer may see, so every manager sees the
same cells hidden and no two views can be combined to undo it.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.utils.translation import gettext as _

from pairwork import data_generation

from .. import metrics
from ..models import MetricAggregate, Span, TeamPairStart, VisitAggregate
from ..stats import Estimate, mean_estimate, share_estimate
from ..suppression import THRESHOLD, Cell, Group, suppress

PHASES = (Span.BEFORE_PAIRS, Span.WITH_PAIRS)


class Suppressed:
    """A value that must not be shown: from fewer than THRESHOLD people, or able to reveal such a cell."""

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED = Suppressed()


def suppressed_label() -> str:
    return _("fewer than %(n)s") % {"n": THRESHOLD}


class VisitFigures(NamedTuple):
    """A visit aggregate's figures: read as plain rows, an organisation-wide read has one per team and month."""

    planned: int
    delivered: int
    no_shows: int
    declined: int
    cancelled: int
    with_familiar_nurse: int


@dataclass
class Cells:
    """Every aggregate cell of every team, with its statistics and suppression state."""

    metric: dict[tuple, Cell]
    metric_stats: dict[tuple, tuple[int, float, float]]
    visit: dict[tuple, Cell]
    visit_rows: dict[tuple, VisitFigures]
    first_month: dict[int, dt.date]

    def metric_estimate(self, key) -> Estimate | Suppressed | None:
        cell = self.metric.get(key)
        if cell is None:
            return None
        if cell.suppressed:
            return SUPPRESSED
        n, total, total_squares = self.metric_stats[key]
        if key[0] in metrics.SHARE_METRICS and key[2] == Span.MONTH:
            return share_estimate(n, total)
        return _within_range(mean_estimate(n, total, total_squares), key[0])


def _within_range(estimate: Estimate, metric: str) -> Estimate:
    low, high = metrics.RANGES.get(metric, (None, None))
    if low is None or estimate.ci_low is None:
        return estimate
    return Estimate(estimate.n, estimate.mean, estimate.sd, max(low, estimate.ci_low), min(high, estimate.ci_high))


# Deciding suppression over every team's cells is thousands of cells' work at region size (about 30 ms),
# which every dashboard read would repeat although the cells change only when the aggregation writes them.
# The decided cells are kept in the process for the data's generation (pairwork.data_generation), as the
# page cache keeps pages: after any committed change the next read decides anew, and a read inside a
# transaction that has written decides from what it sees. KEPT_SECONDS covers writes made outside Django.
KEPT_SECONDS = 120
_kept: tuple[int, float, Cells] | None = None


def load_cells() -> Cells:
    """Every team's cells with their suppression decided: kept while the data's generation stands (read-only)."""
    global _kept
    if data_generation.pending_writes():
        return decide_cells()
    current, now, kept = data_generation.generation(), time.monotonic(), _kept
    if kept is not None and kept[0] == current and now - kept[1] < KEPT_SECONDS:
        return kept[2]
    cells = decide_cells()  # read after the generation: at least as new as the generation it is kept for
    _kept = (current, now, cells)
    return cells


def decide_cells() -> Cells:
    """Read the aggregate tables (three queries) and mark what must be hidden."""
    metric_cells, stats = {}, {}
    for team_id, span, period, metric, respondents, total, total_squares in MetricAggregate.objects.filter(
        metric__in=metrics.DASHBOARD_METRICS
    ).values_list("team_id", "span", "period", "metric", "respondents", "total", "total_squares"):
        key = (metric, team_id, span, period)
        metric_cells[key] = Cell(key, respondents)
        stats[key] = (respondents, total, total_squares)
    visit_cells, visit_rows = {}, {}
    for team_id, period, clients, *figures in VisitAggregate.objects.values_list(
        "team_id", "period", "clients", *VisitFigures._fields
    ):
        key = ("visits", team_id, period)
        visit_cells[key] = Cell(key, clients)
        visit_rows[key] = VisitFigures(*figures)
    first_month = dict(TeamPairStart.objects.values_list("team_id", "first_month"))
    suppress(metric_cells, _metric_groups(metric_cells, first_month))
    suppress(visit_cells, _visit_groups(visit_cells))
    return Cells(metric_cells, stats, visit_cells, visit_rows, first_month)


def phase_of(first_month: dt.date | None, period: dt.date) -> str:
    return Span.WITH_PAIRS if first_month is not None and period >= first_month else Span.BEFORE_PAIRS


def _metric_groups(cells: dict, first_month: dict) -> list[Group]:
    by_metric_span_period = defaultdict(list)  # team cells, grouped to meet their all-teams total
    by_metric_team_span = defaultdict(list)  # a team's cells over time
    for key in cells:
        metric, team_id, span, period = key
        if team_id is not None:
            by_metric_span_period[(metric, span, period)].append(key)
        by_metric_team_span[(metric, team_id, span)].append(key)
    groups = []
    for key in cells:
        metric, team_id, span, period = key
        if team_id is None and span in (Span.MONTH, Span.QUARTER):
            # Teams against the all-teams total: give up the total first.
            groups.append(Group(key, tuple(by_metric_span_period[(metric, span, period)]), hide_total_first=True))
        elif span in PHASES and team_id is not None:
            months = by_metric_team_span[(metric, team_id, Span.MONTH)]
            parts = tuple(m for m in months if phase_of(first_month.get(team_id), m[3]) == span)
            groups.append(Group(key, parts))
        elif span == Span.ALL_TIME:
            groups.append(Group(key, tuple(by_metric_team_span[(metric, team_id, Span.QUARTER)])))
            if team_id is None:
                groups.append(Group(key, tuple(by_metric_span_period[(metric, Span.ALL_TIME, None)]), hide_total_first=True))
    return groups


def _visit_groups(cells: dict) -> list[Group]:
    teams_of_month = defaultdict(list)
    for key in cells:
        if key[1] is not None:
            teams_of_month[key[2]].append(key)
    return [Group(key, tuple(teams_of_month[key[2]]), hide_total_first=True) for key in cells if key[1] is None]
