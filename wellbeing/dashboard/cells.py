"""The aggregate cells behind the dashboard, read in at most three queries, with their suppression decided.

Suppression is decided once over *all* teams' cells (`wellbeing.suppression`)
and only then cut down to what a viewer may see, so every manager sees the
same cells hidden and no two views can be combined to undo it.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

from django.db import connection
from django.utils.translation import gettext as _

from pairwork import data_generation

from .. import metrics
from ..models import CellVersion, MetricAggregate, Span, TeamPairStart, VisitAggregate
from ..stats import Estimate, mean_estimate, share_estimate
from ..suppression import THRESHOLD, Cell, Group, suppress

PHASES = (Span.BEFORE_PAIRS, Span.WITH_PAIRS)
# As plain strings, compared once per cell while groups are built.
_MONTH, _QUARTER, _BEFORE_PAIRS, _WITH_PAIRS, _ALL_TIME = (
    Span.MONTH.value, Span.QUARTER.value, Span.BEFORE_PAIRS.value, Span.WITH_PAIRS.value, Span.ALL_TIME.value,
)


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
# The decided cells are kept in the process, as the page cache keeps pages, at two levels:
# * for the data's generation (pairwork.data_generation): while it stands, the kept cells are the answer;
# * for the cells' own versions (wellbeing.models.CellVersion: one per metric and team, one for the visit
#   cells, one for the team starts, moved by triggers in the writing transaction). After a change elsewhere
#   (a visit note, a booking) one read of the versions finds them unchanged and the kept cells stand. After
#   an aggregate change the same statement brings the changed teams' rows of the changed metrics along, and
#   only those metrics are decided anew, from their kept and re-read rows. Every suppression group lies
#   within one metric (its total and parts are cells of that metric), so a metric's cells are decided alone
#   exactly as among all metrics' (from the same rows in the same order: the order they were first written,
#   the aggregation upserts); the visit cells are decided on their own; a moved team start re-decides every
#   metric's phase groups.
# The versions are read in one statement with the rows they version, so kept rows are exactly those their
# kept version names. A read inside a transaction that has written decides from what it sees and keeps
# nothing. KEPT_SECONDS bounds what writes that bypass the triggers (session_replication_role = replica, as
# pg_restore --disable-triggers) could leave standing: after it every cell is read and decided anew.
KEPT_SECONDS = 120
VISITS, TEAM_STARTS = "@visits", "@team_starts"  # their rows in wellbeing_cellversion (migration 0012)
_SPECIAL = [VISITS, TEAM_STARTS]
_SHOWN = [*metrics.DASHBOARD_METRICS, *_SPECIAL]
_VERSIONS = f"""
    SELECT cell, version, NULL::bigint, NULL::bigint, NULL, NULL::date, NULL::integer, NULL::float8, NULL::float8
      FROM {CellVersion._meta.db_table}
     WHERE split_part(cell, '/', 1) = ANY (%(shown)s)
"""
_CELLS_OF = "a.metric || '/' || coalesce(a.team_id::text, '')"  # the version a row counts under, as the triggers name it
_ROW = "a.id, a.team_id, a.span, a.period, a.respondents, a.total, a.total_squares"
_ID = 2  # a row's place in what these read: (cells, version, id, team_id, span, period, respondents, total, squares)
# Every version, and every row of the metrics shown (version NULL: a version row's, or a row's).
_READ_ALL = f"""
    {_VERSIONS}
    UNION ALL
    SELECT {_CELLS_OF}, NULL, {_ROW} FROM {MetricAggregate._meta.db_table} a WHERE a.metric = ANY (%(shown)s)
"""
# Every version, and the rows of the cells whose version is not the kept one. A SELECT from its first word,
# so the data's generation does not count it as a change (pairwork.data_generation.changes_data).
_READ_CHANGED = f"""
    SELECT * FROM (
    WITH versions AS MATERIALIZED ({_VERSIONS}),
    changed AS MATERIALIZED (
        SELECT v.cell FROM versions v LEFT JOIN unnest(%(cells)s::text[], %(kept)s::bigint[]) k(cell, version) USING (cell)
         WHERE v.version IS DISTINCT FROM k.version AND v.cell LIKE '%%/%%'
    )
    SELECT * FROM versions
    UNION ALL
    SELECT c.cell, NULL, {_ROW}
      FROM changed c JOIN {MetricAggregate._meta.db_table} a
        ON a.metric = split_part(c.cell, '/', 1)
       AND coalesce(a.team_id, 0) = coalesce(nullif(split_part(c.cell, '/', 2), '')::bigint, 0)
    ) AS read
"""
_READ_VISITS = f"""
    SELECT team_id, period, clients, {", ".join(VisitFigures._fields)}
      FROM {VisitAggregate._meta.db_table}
     ORDER BY team_id NULLS FIRST, period
"""
_READ_TEAM_STARTS = f"SELECT team_id, first_month FROM {TeamPairStart._meta.db_table}"


@dataclass
class _MetricCells:
    """One metric's cells decided."""

    cells: dict[tuple, Cell]
    stats: dict[tuple, tuple[int, float, float]]


@dataclass
class _Kept:
    database: tuple  # the versions and generations are one database's (a benchmark measures two in one process)
    generation: int | None
    decided_at: float  # when every cell was last read and decided anew
    versions: dict[str, int | None]
    rows: dict[str, dict[str, list[tuple]]]  # metric -> its cells' version name -> their rows
    metric: dict[str, _MetricCells]
    visit: tuple[dict, dict]
    first_month: dict[int, dt.date]
    cells: Cells


_kept: _Kept | None = None


def load_cells() -> Cells:
    """Every team's cells with their suppression decided: kept while the cells' versions stand (read-only)."""
    global _kept
    if data_generation.pending_writes():
        return decide_cells()
    current, now, kept = data_generation.generation(), time.monotonic(), _kept
    if kept is not None and (now - kept.decided_at >= KEPT_SECONDS or kept.database != _database()):
        kept = None
    if kept is not None and kept.generation == current:
        return kept.cells
    _kept = _follow(kept, current, now)  # read after the generation: at least as new as the generation it is kept for
    return _kept.cells


def _database() -> tuple:
    settings = connection.settings_dict
    return settings["HOST"], settings["PORT"], settings["NAME"]


def decide_cells() -> Cells:
    """Read the aggregate tables (three queries) and mark what must be hidden."""
    return _follow(None, None, time.monotonic()).cells


def _follow(kept: _Kept | None, generation: int | None, now: float) -> _Kept:
    """The kept cells brought up to the cells' versions: only what changed is read and decided anew."""
    old = kept.versions if kept is not None else {}
    with connection.cursor() as cursor:
        if kept is None:
            cursor.execute(_READ_ALL, {"shown": _SHOWN})
        else:
            cursor.execute(_READ_CHANGED, {"shown": _SHOWN, "cells": list(old), "kept": list(old.values())})
        versions, fetched = {}, defaultdict(list)
        for row in cursor.fetchall():
            if row[_ID] is None:
                versions[row[0]] = row[1]
            else:
                fetched[row[0]].append(row)
        for name in fetched.keys() - versions.keys():  # rows written past the triggers: read every time
            versions[name] = None
        changed = {name for name, version in versions.items() if version is None or old.get(name) != version}
        # Gone: a kept version no longer there (the rows with it); one never there stays as read (KEPT_SECONDS).
        changed.update(name for name, version in old.items() if version is not None and name not in versions)
        if kept is not None and not changed:
            return _Kept(kept.database, generation, kept.decided_at, versions, kept.rows, kept.metric, kept.visit,
                         kept.first_month, kept.cells)
        if kept is None or VISITS in changed:
            cursor.execute(_READ_VISITS)
            visit = _decide_visits(cursor.fetchall())
        else:
            visit = kept.visit
        if kept is None or TEAM_STARTS in changed:
            cursor.execute(_READ_TEAM_STARTS)
            first_month = dict(cursor.fetchall())
        else:
            first_month = kept.first_month
    rows = {metric: dict(chunks) for metric, chunks in kept.rows.items()} if kept is not None else {}
    redecide = set(metrics.DASHBOARD_METRICS) if kept is None or first_month != kept.first_month else set()
    for name in changed - set(_SPECIAL):
        metric = name.rsplit("/", 1)[0]
        chunks = rows.setdefault(metric, {})
        if name in fetched:
            chunks[name] = fetched[name]
        else:
            chunks.pop(name, None)
        redecide.add(metric)
    by_metric = {}
    for metric in metrics.DASHBOARD_METRICS:
        if metric not in redecide:
            if metric in kept.metric:
                by_metric[metric] = kept.metric[metric]
        elif rows.get(metric):
            by_metric[metric] = _decide_metric(metric, [row for chunk in rows[metric].values() for row in chunk], first_month)
    metric_cells, stats = {}, {}
    for part in by_metric.values():
        metric_cells.update(part.cells)
        stats.update(part.stats)
    cells = Cells(metric_cells, stats, visit[0], visit[1], first_month)
    decided_at = now if kept is None else kept.decided_at
    return _Kept(_database(), generation, decided_at, versions, rows, by_metric, visit, first_month, cells)


def _decide_metric(metric: str, rows: list[tuple], first_month: dict) -> _MetricCells:
    """One metric's cells, decided from its rows in the order they were first written."""
    rows.sort(key=itemgetter(_ID))
    cells, stats = {}, {}
    for _, _, _, team_id, span, period, respondents, total, total_squares in rows:
        key = (metric, team_id, span, period)
        cells[key] = Cell(key, respondents)
        stats[key] = (respondents, total, total_squares)
    suppress(cells, _metric_groups(cells, first_month))
    return _MetricCells(cells, stats)


def _decide_visits(rows: list[tuple]) -> tuple[dict, dict]:
    visit_cells, visit_rows = {}, {}
    for team_id, period, clients, *figures in rows:
        key = ("visits", team_id, period)
        visit_cells[key] = Cell(key, clients)
        visit_rows[key] = VisitFigures(*figures)
    suppress(visit_cells, _visit_groups(visit_cells))
    return visit_cells, visit_rows


def phase_of(first_month: dt.date | None, period: dt.date) -> str:
    return Span.WITH_PAIRS if first_month is not None and period >= first_month else Span.BEFORE_PAIRS


def _metric_groups(cells: dict, first_month: dict) -> list[Group]:
    """The suppression groups of one metric's cells (every group's total and parts are cells of one metric)."""
    team_cells = defaultdict(list)  # (span, period) -> the team cells, grouped to meet their all-teams total
    months = defaultdict(list)  # team -> its month cells
    quarters = defaultdict(list)  # team (or all teams) -> its quarter cells
    for key in cells:
        team_id, span, period = key[1], key[2], key[3]
        if team_id is not None:
            team_cells[(span, period)].append(key)
        if span == _MONTH:
            months[team_id].append(key)
        elif span == _QUARTER:
            quarters[team_id].append(key)
    groups = []
    for key in cells:
        team_id, span, period = key[1], key[2], key[3]
        if team_id is None and (span == _MONTH or span == _QUARTER):
            # Teams against the all-teams total: give up the total first.
            groups.append(Group(key, tuple(team_cells[(span, period)]), hide_total_first=True))
        elif team_id is not None and (span == _BEFORE_PAIRS or span == _WITH_PAIRS):
            start = first_month.get(team_id)
            groups.append(Group(key, tuple(m for m in months[team_id] if phase_of(start, m[3]) == span)))
        elif span == _ALL_TIME:
            groups.append(Group(key, tuple(quarters[team_id])))
            if team_id is None:
                groups.append(Group(key, tuple(team_cells[(_ALL_TIME, None)]), hide_total_first=True))
    return groups


def _visit_groups(cells: dict) -> list[Group]:
    teams_of_month = defaultdict(list)
    for key in cells:
        if key[1] is not None:
            teams_of_month[key[2]].append(key)
    return [Group(key, tuple(teams_of_month[key[2]]), hide_total_first=True) for key in cells if key[1] is None]
