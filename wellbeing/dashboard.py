"""The managers' dashboard: tables and charts built from the aggregate tables only.

`build_dashboard` reads a fixed handful of queries (aggregates, visit
aggregates, pair-work starts, freshness, cost setting), whatever the number
of responses behind them. Suppression is decided once over *all* teams'
cells (`wellbeing.suppression`) and only then cut down to what this viewer
may see, so every manager sees the same cells hidden and no two views can
be combined to undo it. The page, the charts and the CSV are all made from
the same `Table` rows.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pairwork.models import Role, Team
from pairwork.roles import ADMINISTRATOR, role_of

from . import metrics
from .models import AggregationState, MetricAggregate, SickLeaveCost, Span, TeamPairStart, VisitAggregate
from .selectors import add_months, month_start, quarter_of
from .stats import Estimate, difference_estimate, mean_estimate, share_estimate
from .suppression import THRESHOLD, Cell, Group, suppress

DEFAULT_MONTHS = 12
PHASES = (Span.BEFORE_PAIRS, Span.WITH_PAIRS)


class Suppressed:
    """A value that must not be shown: from fewer than THRESHOLD people, or able to reveal such a cell."""

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED = Suppressed()


def suppressed_label() -> str:
    return _("fewer than %(n)s") % {"n": THRESHOLD}


# --- Who sees which teams --------------------------------------------------------------------

@dataclass(frozen=True)
class DashboardScope:
    teams: list[Team]
    shows_totals: bool  # an organisation-wide view also shows the all-teams totals


def dashboard_scope(user) -> DashboardScope | None:
    """Teams whose aggregates this user may see; None for anyone who is not a manager or administrator."""
    role = role_of(user)
    if role == ADMINISTRATOR:
        return DashboardScope(list(Team.objects.order_by("name")), shows_totals=True)
    if role == Role.MANAGER:
        profile = user.staff_profile
        if profile.organisation_wide:
            return DashboardScope(list(Team.objects.order_by("name")), shows_totals=True)
        return DashboardScope(list(profile.teams.order_by("name")), shows_totals=False)
    return None


@dataclass(frozen=True)
class Filters:
    teams: tuple[Team, ...]
    start: dt.date
    end: dt.date
    show_totals: bool

    @property
    def months(self) -> list[dt.date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months


def filters_for(scope: DashboardScope, *, team_id: str = "", start=None, end=None) -> Filters:
    end = end or month_start(timezone.localdate())
    start = start or add_months(end, -(DEFAULT_MONTHS - 1))
    chosen = [team for team in scope.teams if str(team.pk) == str(team_id)]
    return Filters(
        teams=tuple(chosen or scope.teams),
        start=start,
        end=end,
        show_totals=scope.shows_totals and not chosen,
    )


# --- Tables ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text, count, mean, share, money


@dataclass
class Row:
    values: list
    cells: list[Cell]  # the aggregate cells the row's figures come from

    @property
    def visible(self) -> bool:
        return all(cell.visible for cell in self.cells)


@dataclass
class Table:
    slug: str
    title: str
    question: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    chart: dict | None = None
    chart_summary: str = ""
    note: str = ""

    @property
    def chart_element_id(self) -> str:
        return f"chart-data-{self.slug}"

    def display_rows(self) -> list[list[tuple[str, bool]]]:
        """Each value as (text, is a number), for the page."""
        return [
            [(_display(value, column.kind), column.kind != "text") for value, column in zip(row.values, self.columns)]
            for row in self.rows
        ]

    def csv_header(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def csv_rows(self) -> list[list[str]]:
        return [[_csv(value, column.kind) for value, column in zip(row.values, self.columns)] for row in self.rows]


def _display(value, kind: str) -> str:
    if value is SUPPRESSED:
        return suppressed_label()
    if value is None:
        return "–"
    if kind == "count":
        return formats.number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)
    if kind == "mean":
        return formats.number_format(value, decimal_pos=2, use_l10n=True)
    if kind == "share":
        return formats.number_format(value * 100, decimal_pos=0, use_l10n=True) + " %"
    if kind == "money":
        return formats.number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True) + " €"
    return str(value)


def _csv(value, kind: str) -> str:
    if value is SUPPRESSED:
        return suppressed_label()
    if value is None:
        return ""
    if kind == "count":
        return str(int(value))
    if kind in ("mean", "share"):
        return f"{value:.4f}"
    if kind == "money":
        return f"{value:.0f}"
    return str(value)


def _chart_point(value):
    return None if value is SUPPRESSED or value is None else round(float(value), 4)


# --- Loading the cells and deciding suppression --------------------------------------------------

@dataclass
class Cells:
    """Every aggregate cell of every team, with its statistics and suppression state."""

    metric: dict[tuple, Cell]
    metric_stats: dict[tuple, tuple[int, float, float]]
    visit: dict[tuple, Cell]
    visit_rows: dict[tuple, VisitAggregate]
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


def load_cells() -> Cells:
    """Read the aggregate tables (three queries) and mark what must be hidden."""
    metric_cells, stats = {}, {}
    for team_id, span, period, metric, respondents, total, total_squares in MetricAggregate.objects.filter(
        metric__in=metrics.DASHBOARD_METRICS
    ).values_list("team_id", "span", "period", "metric", "respondents", "total", "total_squares"):
        key = (metric, team_id, span, period)
        metric_cells[key] = Cell(key, respondents)
        stats[key] = (respondents, total, total_squares)
    visit_cells, visit_rows = {}, {}
    for row in VisitAggregate.objects.all():
        key = ("visits", row.team_id, row.period)
        visit_cells[key] = Cell(key, row.clients)
        visit_rows[key] = row
    first_month = dict(TeamPairStart.objects.values_list("team_id", "first_month"))
    suppress(metric_cells, _metric_groups(metric_cells, first_month))
    suppress(visit_cells, _visit_groups(visit_cells))
    return Cells(metric_cells, stats, visit_cells, visit_rows, first_month)


def _phase_of(first_month: dt.date | None, period: dt.date) -> str:
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
            parts = tuple(m for m in months if _phase_of(first_month.get(team_id), m[3]) == span)
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


# --- The dashboard -------------------------------------------------------------------------------

@dataclass
class Dashboard:
    tables: list[Table]
    rebuilt_at: dt.datetime | None
    updated_at: dt.datetime | None
    cost_per_day: Decimal
    cost_set_at: dt.datetime | None
    first_months: dict[str, dt.date]

    def table(self, slug: str) -> Table | None:
        return next((table for table in self.tables if table.slug == slug), None)


def build_dashboard(filters: Filters) -> Dashboard:
    cells = load_cells()
    state = AggregationState.objects.filter(pk=1).first()
    cost = SickLeaveCost.objects.current()
    cost_per_day = cost.cost_per_day if cost else Decimal(SickLeaveCost.DEFAULT_PER_DAY)
    shown = [(team.pk, team.name) for team in filters.teams]
    if filters.show_totals:
        shown.append((None, _("All teams")))
    return Dashboard(
        tables=[
            pulse_table(cells, filters, shown),
            staff_table(cells, filters, shown),
            phase_table(cells, filters),
            client_change_table(cells, filters, shown),
            visits_table(cells, filters, shown),
            cost_table(cells, filters, cost_per_day),
        ],
        rebuilt_at=state.rebuilt_at if state else None,
        updated_at=state.updated_at if state else None,
        cost_per_day=cost_per_day,
        cost_set_at=cost.set_at if cost else None,
        first_months={team.name: cells.first_month[team.pk] for team in filters.teams if team.pk in cells.first_month},
    )


def _month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _quarter_label(quarter: dt.date) -> str:
    return f"{quarter.year} Q{(quarter.month - 1) // 3 + 1}"


def _estimate_values(estimate) -> list:
    if estimate is SUPPRESSED:
        return [SUPPRESSED] * 4
    return [estimate.n, estimate.mean, estimate.ci_low, estimate.ci_high]


def _estimate_columns(kind: str = "mean", n_label=None) -> list[Column]:
    return [
        Column(n_label or _("Respondents (n)"), "count"),
        Column(_("Mean"), kind),
        Column(_("95% CI, lower"), kind),
        Column(_("95% CI, upper"), kind),
    ]


def _metric_rows(cells: Cells, *, keys_and_labels) -> list[Row]:
    rows = []
    for key, labels, kind in keys_and_labels:
        estimate = cells.metric_estimate(key)
        if estimate is None:
            continue
        rows.append(Row(values=[*labels, *_estimate_values(estimate)], cells=[cells.metric[key]]))
    return rows


def _line_dataset(label: str, points: list, **extra) -> dict:
    return {"label": label, "data": [_chart_point(point) for point in points], **extra}


def _mean_of(estimate):
    return SUPPRESSED if estimate is SUPPRESSED else (None if estimate is None else estimate.mean)


def pulse_table(cells: Cells, filters: Filters, shown) -> Table:
    table = Table(
        slug="pulse",
        title=_("1. Calm visits and time to meet the client"),
        question=_("Are paired visits calm, and do nurses have time to meet the client? Staff answer a pulse after each visit (1–5)."),
        columns=[Column(_("Month")), Column(_("Team")), Column(_("Measure")), *_estimate_columns()],
    )
    months = filters.months
    for month in months:
        table.rows += _metric_rows(
            cells,
            keys_and_labels=[
                ((metric, team_id, Span.MONTH, month), [_month_label(month), team_name, str(metrics.LABELS[metric])], "mean")
                for team_id, team_name in shown
                for metric in metrics.PULSE_METRICS
            ],
        )
    table.chart = {
        "type": "line",
        "data": {
            "labels": [_month_label(month) for month in months],
            "datasets": [
                _line_dataset(
                    f"{team_name}: {metrics.LABELS[metric]}",
                    [_mean_of(cells.metric_estimate((metric, team_id, Span.MONTH, month))) for month in months],
                )
                for team_id, team_name in shown
                for metric in metrics.PULSE_METRICS
            ],
        },
        "options": {"scales": {"y": {"min": 1, "max": 5, "title": {"display": True, "text": _("Mean (1–5)")}}}},
    }
    table.chart_summary = _("Mean pulse answers per month and team; gaps are months with fewer than %(n)s respondents.") % {"n": THRESHOLD}
    return table


def staff_table(cells: Cells, filters: Filters, shown) -> Table:
    table = Table(
        slug="staff",
        title=_("2. Staff work ability and sick leave as pair work grows"),
        question=_(
            "How do staff work ability and sick-leave days develop as the share of staff in pair work grows? "
            "From the monthly survey; 'pair work' means the respondent took part in a delivered paired visit that month."
        ),
        columns=[Column(_("Month")), Column(_("Team")), Column(_("Pair work")), Column(_("Measure")), *_estimate_columns()],
    )
    months = filters.months
    for month in months:
        for team_id, team_name in shown:
            phase = (
                str(Span(_phase_of(cells.first_month.get(team_id), month)).label) if team_id is not None else "–"
            )
            table.rows += _metric_rows(
                cells,
                keys_and_labels=[
                    ((metric, team_id, Span.MONTH, month), [_month_label(month), team_name, phase, str(metrics.LABELS[metric])], "mean")
                    for metric in metrics.STAFF_METRICS
                ],
            )
    for row in table.rows:  # a share is shown in percent, like its label says
        if row.cells[0].key[0] in metrics.SHARE_METRICS and row.visible:
            row.values[5:] = [None if v is None else v * 100 for v in row.values[5:]]
    datasets = []
    for team_id, team_name in shown:
        datasets.append(
            _line_dataset(
                f"{team_name}: {metrics.LABELS[metrics.WORK_ABILITY]}",
                [_mean_of(cells.metric_estimate((metrics.WORK_ABILITY, team_id, Span.MONTH, m))) for m in months],
                type="line", yAxisID="y",
            )
        )
        datasets.append(
            _line_dataset(
                f"{team_name}: {metrics.LABELS[metrics.SICK_LEAVE_DAYS]}",
                [_mean_of(cells.metric_estimate((metrics.SICK_LEAVE_DAYS, team_id, Span.MONTH, m))) for m in months],
                type="line", yAxisID="y", borderDash=[6, 4],
            )
        )
        shares = [_mean_of(cells.metric_estimate((metrics.PAIR_WORK_SHARE, team_id, Span.MONTH, m))) for m in months]
        datasets.append(
            _line_dataset(
                f"{team_name}: {metrics.LABELS[metrics.PAIR_WORK_SHARE]}",
                [SUPPRESSED if s is SUPPRESSED else (None if s is None else s * 100) for s in shares],
                type="bar", yAxisID="y1",
            )
        )
    table.chart = {
        "type": "bar",
        "data": {"labels": [_month_label(m) for m in months], "datasets": datasets},
        "options": {
            "scales": {
                "y": {"min": 0, "max": 10, "position": "left", "title": {"display": True, "text": _("Work ability / sick-leave days")}},
                "y1": {"min": 0, "max": 100, "position": "right", "grid": {"drawOnChartArea": False},
                       "title": {"display": True, "text": _("In pair work (%)")}},
            }
        },
    }
    table.chart_summary = _("Monthly work ability and sick-leave days (lines) against the share of respondents in pair work (bars).")
    return table


def phase_table(cells: Cells, filters: Filters) -> Table:
    table = Table(
        slug="staff_phases",
        title=_("2b. Before and with pair work"),
        question=_(
            "Each team's monthly answers before the month its first work pair started, and from that month on "
            "(all months on record, whatever the period chosen above)."
        ),
        columns=[Column(_("Team")), Column(_("Measure")), Column(_("Pair work")), *_estimate_columns()],
    )
    for team in filters.teams:
        for metric in (metrics.WORK_ABILITY, metrics.SICK_LEAVE_DAYS):
            table.rows += _metric_rows(
                cells,
                keys_and_labels=[
                    ((metric, team.pk, phase, None), [team.name, str(metrics.LABELS[metric]), str(phase.label)], "mean")
                    for phase in PHASES
                ],
            )
    datasets = []
    for metric in (metrics.WORK_ABILITY, metrics.SICK_LEAVE_DAYS):
        for phase in PHASES:
            datasets.append(
                _line_dataset(
                    f"{metrics.LABELS[metric]}: {phase.label}",
                    [_mean_of(cells.metric_estimate((metric, team.pk, phase, None))) for team in filters.teams],
                )
            )
    table.chart = {
        "type": "bar",
        "data": {"labels": [team.name for team in filters.teams], "datasets": datasets},
        "options": {"scales": {"y": {"min": 0, "title": {"display": True, "text": _("Mean")}}}},
    }
    table.chart_summary = _("Mean work ability and sick-leave days per team, before and with pair work.")
    return table


def client_change_table(cells: Cells, filters: Filters, shown) -> Table:
    table = Table(
        slug="client_change",
        title=_("3. Client outcomes from baseline to follow-up"),
        question=_(
            "Do clients' outcomes change from baseline to follow-up? Mean change per client (latest follow-up minus "
            "baseline) with its 95% confidence interval, by the quarter of the follow-up and over all time."
        ),
        columns=[Column(_("Period")), Column(_("Team")), Column(_("Measure")), *_estimate_columns(n_label=_("Clients (n)"))],
    )
    quarters = sorted({quarter_of(month) for month in filters.months})
    for period_label, span, period in [(_("All time"), Span.ALL_TIME, None)] + [
        (_quarter_label(q), Span.QUARTER, q) for q in quarters
    ]:
        table.rows += _metric_rows(
            cells,
            keys_and_labels=[
                ((metric, team_id, span, period), [period_label, team_name, str(metrics.LABELS[metric])], "mean")
                for team_id, team_name in shown
                for metric in metrics.CLIENT_METRICS
            ],
        )
    table.chart = {
        "type": "bar",
        "data": {
            "labels": [str(metrics.LABELS[metric]) for metric in metrics.CLIENT_METRICS],
            "datasets": [
                _line_dataset(
                    team_name,
                    [_mean_of(cells.metric_estimate((metric, team_id, Span.ALL_TIME, None))) for metric in metrics.CLIENT_METRICS],
                )
                for team_id, team_name in shown
            ],
        },
        "options": {"scales": {"y": {"title": {"display": True, "text": _("Mean change")}}}},
    }
    table.chart_summary = _("Mean change from baseline to follow-up over all time, per team and measure.")
    return table


def visits_table(cells: Cells, filters: Filters, shown) -> Table:
    table = Table(
        slug="visits",
        title=_("4. Visits planned and delivered, and continuity"),
        question=_(
            "Visits planned vs delivered, no-shows, and continuity: the share of delivered visits made with a nurse "
            "the client already knows. A month of a team is shown when its visits involve at least %(n)s clients."
        ) % {"n": THRESHOLD},
        columns=[
            Column(_("Month")), Column(_("Team")), Column(_("Planned"), "count"), Column(_("Delivered"), "count"),
            Column(_("No-shows"), "count"), Column(_("Client declined"), "count"), Column(_("Cancelled"), "count"),
            Column(_("Continuity (familiar nurse)"), "share"),
        ],
    )
    months = filters.months
    for month in months:
        for team_id, team_name in shown:
            key = ("visits", team_id, month)
            cell = cells.visit.get(key)
            if cell is None:
                continue
            if cell.suppressed:
                values = [SUPPRESSED] * 6
            else:
                row = cells.visit_rows[key]
                continuity = row.with_familiar_nurse / row.delivered if row.delivered else None
                values = [row.planned, row.delivered, row.no_shows, row.declined, row.cancelled, continuity]
            table.rows.append(Row(values=[_month_label(month), team_name, *values], cells=[cell]))

    def series(team_id, attribute):
        points = []
        for month in months:
            cell = cells.visit.get(("visits", team_id, month))
            if cell is None:
                points.append(None)
            elif cell.suppressed:
                points.append(SUPPRESSED)
            else:
                row = cells.visit_rows[cell.key]
                if attribute == "continuity":
                    points.append(row.with_familiar_nurse / row.delivered * 100 if row.delivered else None)
                else:
                    points.append(getattr(row, attribute))
        return points

    datasets = []
    for team_id, team_name in shown:
        datasets.append(_line_dataset(f"{team_name}: {_('Planned')}", series(team_id, "planned"), yAxisID="y"))
        datasets.append(_line_dataset(f"{team_name}: {_('Delivered')}", series(team_id, "delivered"), yAxisID="y"))
        datasets.append(_line_dataset(f"{team_name}: {_('No-shows')}", series(team_id, "no_shows"), yAxisID="y"))
        datasets.append(
            _line_dataset(f"{team_name}: {_('Continuity (%)')}", series(team_id, "continuity"), type="line", yAxisID="y1")
        )
    table.chart = {
        "type": "bar",
        "data": {"labels": [_month_label(m) for m in months], "datasets": datasets},
        "options": {
            "scales": {
                "y": {"min": 0, "position": "left", "title": {"display": True, "text": _("Visits")}},
                "y1": {"min": 0, "max": 100, "position": "right", "grid": {"drawOnChartArea": False},
                       "title": {"display": True, "text": _("Continuity (%)")}},
            }
        },
    }
    table.chart_summary = _("Visits planned, delivered and no-shows per month (bars), and continuity (line).")
    return table


def cost_table(cells: Cells, filters: Filters, cost_per_day: Decimal) -> Table:
    table = Table(
        slug="sick_leave_cost",
        title=_("5. Estimated change in sick-leave costs"),
        question=_(
            "Sick-leave days per person and month with pair work minus before it, times the cost of a sick-leave "
            "day (%(cost)s €), for a year. An estimate: it assumes the difference is due to pair work."
        ) % {"cost": formats.number_format(cost_per_day, decimal_pos=2, use_l10n=True)},
        columns=[
            Column(_("Team")),
            Column(_("Sick-leave days / person-month before pair work"), "mean"),
            Column(_("With pair work"), "mean"),
            Column(_("Change (days)"), "mean"),
            Column(_("95% CI, lower"), "mean"),
            Column(_("95% CI, upper"), "mean"),
            Column(_("Cost per day"), "money"),
            Column(_("Estimated cost change per person and year"), "money"),
            Column(_("Respondents with pair work (n)"), "count"),
            Column(_("Estimated cost change per year for them"), "money"),
        ],
    )
    points = []
    for team in filters.teams:
        before_key = (metrics.SICK_LEAVE_DAYS, team.pk, Span.BEFORE_PAIRS, None)
        with_key = (metrics.SICK_LEAVE_DAYS, team.pk, Span.WITH_PAIRS, None)
        if before_key not in cells.metric or with_key not in cells.metric:
            continue
        before, after = cells.metric_estimate(before_key), cells.metric_estimate(with_key)
        source = [cells.metric[before_key], cells.metric[with_key]]
        if before is SUPPRESSED or after is SUPPRESSED:
            table.rows.append(Row(values=[team.name, *[SUPPRESSED] * 5, float(cost_per_day), *[SUPPRESSED] * 3], cells=source))
            points.append(SUPPRESSED)
            continue
        change = difference_estimate(before, after)
        difference = after.mean - before.mean
        per_person_year = difference * 12 * float(cost_per_day)
        table.rows.append(
            Row(
                values=[
                    team.name, before.mean, after.mean, difference,
                    change.ci_low if change else None, change.ci_high if change else None,
                    float(cost_per_day), per_person_year, after.n, per_person_year * after.n,
                ],
                cells=source,
            )
        )
        points.append(per_person_year)
    table.chart = {
        "type": "bar",
        "data": {
            "labels": [row.values[0] for row in table.rows],
            "datasets": [_line_dataset(_("Estimated cost change per person and year (€)"), points)],
        },
        "options": {"scales": {"y": {"title": {"display": True, "text": "€"}}}},
    }
    table.chart_summary = _("Estimated yearly sick-leave cost change per person, per team; below zero means savings.")
    return table
