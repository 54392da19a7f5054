"""The dashboard's six tables, each with its chart, made from the suppressed cells.

The page, the chart and the CSV of a table are all made from the same rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from pairwork.csv_export import csv_number
from pairwork.rounding import round_half_up

from .. import metrics
from ..models import Span
from ..selectors import quarter_of
from ..stats import difference_estimate
from ..suppression import THRESHOLD, Cell
from .cells import PHASES, SUPPRESSED, Cells, phase_of, suppressed_label
from .scope import Filters


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


# Decimals of each kind of figure: the CSV keeps more of a mean or a share than
# the page shows. The page shows the CSV's figure to fewer decimals (both
# rounded by pairwork.rounding), so the two never disagree; a count and an
# amount of money are the same figure in both.
CSV_PLACES = {"count": 0, "mean": 4, "share": 4, "money": 0}
PAGE_PLACES = {"count": 0, "mean": 2, "share": 0, "money": 0}  # a share on the page is a percentage


def figure(value, kind: str) -> Decimal:
    """The figure the CSV writes for a value, and the page shows to fewer decimals."""
    return round_half_up(value, CSV_PLACES[kind])


def page_figure(value, kind: str) -> Decimal:
    exported = figure(value, kind)
    return round_half_up(exported * 100 if kind == "share" else exported, PAGE_PLACES[kind])


def _display(value, kind: str) -> str:
    if value is SUPPRESSED:
        return suppressed_label()
    if value is None:
        return "–"
    if kind not in PAGE_PLACES:
        return str(value)
    shown = page_figure(value, kind)
    grouped = kind in ("count", "money")
    text = formats.number_format(shown, decimal_pos=PAGE_PLACES[kind], use_l10n=True, force_grouping=grouped)
    return text + {"share": " %", "money": " €"}.get(kind, "")


def _csv(value, kind: str) -> str:
    if value is SUPPRESSED:
        return suppressed_label()
    if value is None:
        return ""
    if kind not in CSV_PLACES:
        return str(value)
    return csv_number(figure(value, kind), CSV_PLACES[kind])


def _chart_point(value):
    return None if value is SUPPRESSED or value is None else float(round_half_up(value, 4))


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
                str(Span(phase_of(cells.first_month.get(team_id), month)).label) if team_id is not None else "–"
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
        # xgettext:no-python-format
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
