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
from .labels import label_of
from .scope import Filters

# At most this many series in one chart: more cannot be told apart, least of all on a phone.
MAX_SERIES = 6


@dataclass(frozen=True)
class Focus:
    """The one team the charts draw (None: all teams together), and whether all teams are drawn as a reference."""

    team_id: int | None
    name: str
    reference: bool

    @property
    def series(self) -> list[tuple[int | None, str, bool]]:
        """(team id, name, is the reference) of each team line: the focus first, then all teams."""
        lines = [(self.team_id, self.name, False)]
        if self.reference and self.team_id is not None:
            lines.append((None, _("All teams"), True))
        return lines


# A manager without teams: an id no team has, so the charts and cards find no figures (never the all-teams totals).
NO_TEAM = -1


def focus_of(filters: Filters) -> Focus:
    """One chosen team against all teams; without a choice all teams together, or a manager's first team."""
    if filters.show_totals:
        return Focus(None, _("All teams"), reference=False)
    if not filters.teams:
        return Focus(NO_TEAM, _("No teams"), reference=False)
    team = filters.teams[0]
    return Focus(team.pk, team.name, reference=filters.totals_visible)


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
    # Small multiples: one chart per measure, each with its title (the survey's wording) and at most six series.
    charts: list[dict] = field(default_factory=list)
    chart_summary: str = ""
    note: str = ""  # a line under the table: why there is no estimate (stored analyses), where the team rows are
    # No figure in any row, only words (the stored analyses: too few teams or months): the printed report says it in a line.
    words_only: bool = False

    @property
    def chart(self) -> dict | None:
        """The first of the table's charts (the API's `chart`, kept for its readers)."""
        return self.charts[0] if self.charts else None

    def chart_element_id(self, index: int = 0) -> str:
        return f"chart-data-{self.slug}-{index}"

    def drawn_charts(self) -> list[tuple[str, str, dict]]:
        """(canvas id, JSON element id, chart) for the page."""
        return [(f"chart-{self.slug}-{index}", self.chart_element_id(index), chart) for index, chart in enumerate(self.charts)]

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
    return f"{month.year}-{month.month:02d}"  # strftime costs ~50 µs a call here; a region's page labels hundreds


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


def _mean_of(estimate):
    return SUPPRESSED if estimate is SUPPRESSED else (None if estimate is None else estimate.mean)


def _interval_of(estimate, scale: float = 1.0):
    """The 95% interval of a shown estimate, or None (hidden, missing, or too few for one)."""
    if estimate is SUPPRESSED or estimate is None or estimate.ci_low is None:
        return None
    return [estimate.ci_low * scale, estimate.ci_high * scale]


def _scaled(value, scale: float):
    return value if value is SUPPRESSED or value is None else value * scale


class Series:
    """One line or set of bars: points (SUPPRESSED where hidden, None where nothing was answered) and their intervals."""

    def __init__(self, label: str, points: list, intervals: list | None = None, *, reference: bool = False, **extra):
        self.label, self.points, self.intervals, self.reference, self.extra = label, points, intervals, reference, extra

    @classmethod
    def of_estimates(cls, label: str, estimates: list, *, scale: float = 1.0, **extra) -> "Series":
        return cls(label, [_scaled(_mean_of(e), scale) for e in estimates], [_interval_of(e, scale) for e in estimates], **extra)

    def dataset(self, keep: list[int]) -> dict:
        data = {"label": self.label, "data": [_chart_point(self.points[i]) for i in keep], **self.extra}
        if self.intervals is not None:
            data["intervals"] = [
                None if self.intervals[i] is None or data["data"][n] is None else [_chart_point(v) for v in self.intervals[i]]
                for n, i in enumerate(keep)
            ]
        if self.reference:
            data["reference"] = True
        return data


def _chart(title: str, kind: str, labels: list[str], series: list[Series], options: dict, *, only_with_data: bool = True) -> dict:
    """A chart of at most MAX_SERIES series; its x-axis keeps only the positions where a series has data.

    A hidden figure counts as data (the gap says "fewer than 5"); a month no one answered in does not.
    """
    assert len(series) <= MAX_SERIES, f"{title}: {len(series)} series"
    keep = [
        i for i in range(len(labels))
        if not only_with_data or any(line.points[i] is not None for line in series)
    ]
    return {
        "title": str(title),
        "type": kind,
        "data": {"labels": [labels[i] for i in keep], "datasets": [line.dataset(keep) for line in series]},
        "options": options,
    }


def per_team_note() -> str:
    """Why a table of team rows is empty in the all-teams view, and where its rows are."""
    return _("This table has a row for each team: choose a team to see its figures. The CSV file has every team.")


def _y_axis(title: str, **limits) -> dict:
    return {"scales": {"y": {**limits, "title": {"display": True, "text": str(title)}}}}


def pulse_table(cells: Cells, filters: Filters, shown, labels: dict, focus: Focus) -> Table:
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
                ((metric, team_id, Span.MONTH, month), [_month_label(month), team_name, label_of(labels, metric)], "mean")
                for team_id, team_name in shown
                for metric in metrics.PULSE_METRICS
            ],
        )
    month_labels = [_month_label(month) for month in months]
    for metric in metrics.PULSE_METRICS:
        lines = [
            Series.of_estimates(name, [cells.metric_estimate((metric, team_id, Span.MONTH, m)) for m in months], reference=reference)
            for team_id, name, reference in focus.series
        ]
        table.charts.append(_chart(label_of(labels, metric), "line", month_labels, lines, _y_axis(_("Mean (1–5)"), min=1, max=5)))
    table.chart_summary = _(
        "Mean pulse answers per month with their 95%% confidence intervals (whiskers), %(team)s; "
        "gaps are months with fewer than %(n)s respondents."
    ) % {"team": focus.name, "n": THRESHOLD}
    return table


def staff_table(cells: Cells, filters: Filters, shown, labels: dict, focus: Focus) -> Table:
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
                    ((metric, team_id, Span.MONTH, month), [_month_label(month), team_name, phase, label_of(labels, metric)], "mean")
                    for metric in metrics.STAFF_METRICS
                ],
            )
    for row in table.rows:  # a share is shown in percent, like its label says
        if row.cells[0].key[0] in metrics.SHARE_METRICS and row.visible:
            row.values[5:] = [None if v is None else v * 100 for v in row.values[5:]]
    month_labels = [_month_label(m) for m in months]
    axes = {
        metrics.WORK_ABILITY: ("line", _y_axis(_("Mean (0–10)"), min=0, max=10), 1.0),
        metrics.SICK_LEAVE_DAYS: ("line", _y_axis(_("Days per person"), min=0), 1.0),
        metrics.PAIR_WORK_SHARE: ("bar", _y_axis(_("In pair work (%)"), min=0, max=100), 100.0),
    }
    for metric in metrics.STAFF_METRICS:
        kind, options, scale = axes[metric]
        lines = [
            Series.of_estimates(
                name, [cells.metric_estimate((metric, team_id, Span.MONTH, m)) for m in months], scale=scale, reference=reference,
                **({"type": "line"} if reference and kind == "bar" else {}),
            )
            for team_id, name, reference in focus.series
        ]
        table.charts.append(_chart(label_of(labels, metric), kind, month_labels, lines, options))
    table.chart_summary = _(
        "Monthly work ability, sick-leave days and the share of respondents in pair work, %(team)s, "
        "with 95%% confidence intervals (whiskers)."
    ) % {"team": focus.name}
    return table


def phase_table(cells: Cells, filters: Filters, labels: dict) -> Table:
    table = Table(
        slug="staff_phases",
        title=_("2b. Before and with pair work"),
        question=_(
            "Each team's monthly answers before the month its first work pair started, and from that month on "
            "(all months on record, whatever the period chosen above)."
        ),
        columns=[Column(_("Team")), Column(_("Measure")), Column(_("Pair work")), *_estimate_columns()],
    )
    if not filters.per_team:
        table.note = per_team_note()
        return table
    for team in filters.teams:
        for metric in (metrics.WORK_ABILITY, metrics.SICK_LEAVE_DAYS):
            table.rows += _metric_rows(
                cells,
                keys_and_labels=[
                    ((metric, team.pk, phase, None), [team.name, label_of(labels, metric), str(phase.label)], "mean")
                    for phase in PHASES
                ],
            )
    team_names = [team.name for team in filters.teams]
    for metric, axis in ((metrics.WORK_ABILITY, _("Mean (0–10)")), (metrics.SICK_LEAVE_DAYS, _("Days per person"))):
        lines = [
            Series.of_estimates(str(phase.label), [cells.metric_estimate((metric, team.pk, phase, None)) for team in filters.teams])
            for phase in PHASES
        ]
        table.charts.append(_chart(label_of(labels, metric), "bar", team_names, lines, _y_axis(axis, min=0)))
    # xgettext:no-python-format
    table.chart_summary = _("Mean work ability and sick-leave days per team, before and with pair work, with 95% confidence intervals.")
    return table


def client_change_table(cells: Cells, filters: Filters, shown, labels: dict, focus: Focus) -> Table:
    table = Table(
        slug="client_change",
        title=_("3. Client outcomes from baseline to follow-up"),
        question=_(
            "Do clients' outcomes change from baseline to follow-up? Mean change per client (latest follow-up minus "
            "baseline) with its 95%% confidence interval, by the quarter of the follow-up and over all time."
        ) % {},
        columns=[Column(_("Period")), Column(_("Team")), Column(_("Measure")), *_estimate_columns(n_label=_("Clients (n)"))],
    )
    quarters = sorted({quarter_of(month) for month in filters.months})
    for period_label, span, period in [(_("All time"), Span.ALL_TIME, None)] + [
        (_quarter_label(q), Span.QUARTER, q) for q in quarters
    ]:
        table.rows += _metric_rows(
            cells,
            keys_and_labels=[
                ((metric, team_id, span, period), [period_label, team_name, label_of(labels, metric)], "mean")
                for team_id, team_name in shown
                for metric in metrics.CLIENT_METRICS
            ],
        )
    lines = [
        Series.of_estimates(name, [cells.metric_estimate((metric, team_id, Span.ALL_TIME, None)) for metric in metrics.CLIENT_METRICS],
                            reference=reference)
        for team_id, name, reference in focus.series
    ]
    table.charts.append(
        _chart(_("Mean change from baseline to follow-up"), "bar", [label_of(labels, m) for m in metrics.CLIENT_METRICS], lines,
               _y_axis(_("Mean change")), only_with_data=False)
    )
    table.chart_summary = _(
        "Mean change from baseline to follow-up over all time per measure, %(team)s, with 95%% confidence intervals."
    ) % {"team": focus.name}
    return table


def visits_table(cells: Cells, filters: Filters, shown, focus: Focus) -> Table:
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

    def points(team_id, attribute):
        found = []
        for month in months:
            cell = cells.visit.get(("visits", team_id, month))
            if cell is None:
                found.append(None)
            elif cell.suppressed:
                found.append(SUPPRESSED)
            else:
                row = cells.visit_rows[cell.key]
                if attribute == "continuity":
                    found.append(row.with_familiar_nurse / row.delivered * 100 if row.delivered else None)
                else:
                    found.append(getattr(row, attribute))
        return found

    month_labels = [_month_label(m) for m in months]
    counts = [
        Series(str(label), points(focus.team_id, attribute))
        for label, attribute in ((_("Planned"), "planned"), (_("Delivered"), "delivered"), (_("No-shows"), "no_shows"))
    ]
    table.charts.append(_chart(_("Visits planned, delivered and no-shows"), "bar", month_labels, counts, _y_axis(_("Visits"), min=0)))
    continuity = [
        Series(name, points(team_id, "continuity"), type="line", reference=reference)
        for team_id, name, reference in focus.series
    ]
    table.charts.append(
        _chart(_("Continuity (familiar nurse)"), "line", month_labels, continuity, _y_axis(_("Continuity (%)"), min=0, max=100))
    )
    table.chart_summary = _("Visits planned, delivered and no-shows per month (bars), and continuity (line), %(team)s.") % {
        "team": focus.name
    }
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
    if not filters.per_team:
        table.note = per_team_note()
        return table
    points, intervals = [], []
    yearly = 12 * float(cost_per_day)
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
            intervals.append(None)
            continue
        change = difference_estimate(before, after)
        difference = after.mean - before.mean
        per_person_year = difference * yearly
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
        intervals.append([change.ci_low * yearly, change.ci_high * yearly] if change and change.ci_low is not None else None)
    table.charts.append(
        _chart(
            _("Estimated cost change per person and year (€)"), "bar", [row.values[0] for row in table.rows],
            [Series(_("Estimated cost change per person and year (€)"), points, intervals)], _y_axis("€"), only_with_data=False,
        )
    )
    table.chart_summary = _(
        # xgettext:no-python-format
        "Estimated yearly sick-leave cost change per person, per team, with 95% confidence intervals; below zero means savings."
    )
    return table
