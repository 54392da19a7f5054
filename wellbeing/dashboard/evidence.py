"""The stored analyses on the dashboard: read (one query), hidden where small, laid out as three tables.

No statistics here: every figure is a column of an `AnalysisResult` row that
the aggregation job stored (`wellbeing.evidence`). What this module decides
is what may be shown, under the same rule as the cells (`wellbeing.suppression`):

* a client-change figure or a dose band from fewer than THRESHOLD clients is hidden;
* complementary suppression in three kinds of group: each team's figure against
  the all-teams figure (the total is given up first, as for the cells); the dose
  bands of one team and measure against its client-change total (the clients
  whose follow-up came before any paired visit are a part that is never shown);
  each band of the teams against the all-teams band;
* a client-change figure whose client-change cell the table above hides is
  hidden too, so the two tables cannot be played against each other;
* the groups overlap (a team's bands add up to its total, and the teams' bands to
  the all-teams band), so after the per-group rule one more cell is hidden while
  any hidden figure could still be worked out by combining groups
  (`suppression.suppress_overlapping`);
* the staff difference-in-differences is estimated only from team-months the staff
  table shows (the job leaves smaller ones out) and is shown only to viewers who
  may see the all-teams figures, as it is made from every team's answers.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .. import analysis, metrics
from ..evidence import NO_VISITS_BAND
from ..models import AnalysisKind, AnalysisResult, Span
from ..suppression import THRESHOLD, Cell, Group, suppress_overlapping
from .cards import TOO_FEW_FOR_ESTIMATE, VERDICT_WORDS, verdict
from .cells import SUPPRESSED, Cells
from .labels import Measures, label_of
from .scope import Filters
from .tables import Column, Focus, Row, Table

NOT_SHOWN = "not_shown"  # the band of clients without a paired visit: a part of its total, never a figure
LINKED = "linked"  # hidden because the client-change table hides the same figure

CLIENT, DOSE, STAFF = "evidence_client", "evidence_dose", "evidence_staff"
SLUGS = (CLIENT, DOSE, STAFF)


def key_of(row) -> tuple:
    return (row.kind, row.team_id, row.metric, row.band_low)


def evidence_groups(keys: Iterable[tuple]) -> list[Group]:
    """The totals and parts among stored analyses (keys (kind, team, metric, band_low)): see the module's docstring."""
    keys = list(keys)
    present = set(keys)
    teams_of = defaultdict(list)  # (kind, metric, band) -> team keys
    bands_of = defaultdict(list)  # (team, metric) -> band keys
    for key in keys:
        kind, team_id, metric, band = key
        if team_id is not None:
            teams_of[(kind, metric, band)].append(key)
        if kind == AnalysisKind.DOSE_BAND:
            bands_of[(team_id, metric)].append(key)
    groups = []
    for key in keys:
        kind, team_id, metric, band = key
        if kind == AnalysisKind.STAFF_DID:
            continue
        if team_id is None:
            groups.append(Group(key, tuple(teams_of[(kind, metric, band)]), hide_total_first=True))
        if kind == AnalysisKind.CLIENT_CHANGE and bands_of[(team_id, metric)]:
            groups.append(Group(key, tuple(bands_of[(team_id, metric)])))
    return [group for group in groups if group.total in present]


def suppress_evidence(sizes: dict[tuple, int], *, linked_hidden: Iterable[tuple] = ()) -> dict[tuple, Cell]:
    """Cells for the stored analyses (key -> n of clients), with their suppression decided."""
    cells = {key: Cell(key, n) for key, n in sizes.items() if key[0] != AnalysisKind.STAFF_DID}
    for key, cell in cells.items():
        if key[0] == AnalysisKind.DOSE_BAND and key[3] == NO_VISITS_BAND[0]:
            cell.hide(NOT_SHOWN)
    for key in linked_hidden:
        if key in cells:
            cells[key].hide(LINKED)
    suppress_overlapping(cells, evidence_groups(cells))
    return cells


@dataclass
class Evidence:
    rows: dict[tuple, AnalysisResult]
    cells: dict[tuple, Cell]

    def shown(self, key) -> AnalysisResult | None | object:
        """The stored row, SUPPRESSED when hidden, None when there is none."""
        row = self.rows.get(key)
        if row is None:
            return None
        cell = self.cells.get(key)
        return SUPPRESSED if cell is not None and cell.suppressed else row


def load_evidence(cells: Cells) -> Evidence:
    rows = {key_of(row): row for row in AnalysisResult.objects.all()}
    linked = [
        key for key in rows
        if key[0] == AnalysisKind.CLIENT_CHANGE
        and (cell := cells.metric.get((key[2], key[1], Span.ALL_TIME, None))) is not None and cell.suppressed
    ]
    return Evidence(rows, suppress_evidence({key: row.n for key, row in rows.items()}, linked_hidden=linked))


# --- Words -------------------------------------------------------------------------------------------

def reading(low, high, *, higher_is_better: bool, reference: str) -> str:
    """The interval's verdict in words: clearly better/worse than the reference, or inconclusive (it spans zero)."""
    if low is None or high is None:
        return str(VERDICT_WORDS["too_few"])
    from ..stats import Estimate

    word = verdict(Estimate(0, (low + high) / 2, None, low, high), 0.0, higher_is_better=higher_is_better)
    return str(VERDICT_WORDS[word]) % {"reference": reference, "zero": _("zero")}


# --- Tables ------------------------------------------------------------------------------------------

def _interval_columns(kind: str) -> list[Column]:
    return [Column(_("95% CI, lower"), kind), Column(_("95% CI, upper"), kind)]


def client_evidence_table(evidence: Evidence, shown, measures: Measures) -> Table:
    table = Table(
        slug=CLIENT,
        title=_("3a. Client change in detail: effect size and clients who improved"),
        question=_(
            "Per measure, over all time: the mean paired change (latest follow-up minus baseline) with its 95%% interval, "
            "the effect size (Cohen's d for paired data) with its interval, and the share of clients whose change reaches "
            "the scale's minimal important change in the better direction. There is no comparison group."
        ) % {},
        columns=[
            Column(_("Measure")), Column(_("Team")), Column(_("Clients (n)"), "count"), Column(_("Mean change"), "mean"),
            *_interval_columns("mean"), Column(_("Effect size d"), "mean"), *_interval_columns("mean"),
            Column(_("Minimal important change"), "mean"), Column(_("Reached it"), "share"), *_interval_columns("share"),
            Column(_("Reading")),
        ],
    )
    for metric in metrics.CLIENT_METRICS:
        for team_id, team_name in shown:
            key = (AnalysisKind.CLIENT_CHANGE, team_id, metric, None)
            row = evidence.shown(key)
            if row is None:
                continue
            labels = [label_of(measures.labels, metric), team_name]
            if row is SUPPRESSED:
                values = [*labels, *[SUPPRESSED] * 11, _("fewer than %(n)s") % {"n": THRESHOLD}]
            else:
                values = [
                    *labels, row.n, row.estimate, row.ci_low, row.ci_high,
                    row.effect_size, row.effect_size_ci_low, row.effect_size_ci_high,
                    row.minimal_important_change, row.share_improved, row.share_ci_low, row.share_ci_high,
                    reading(row.ci_low, row.ci_high, higher_is_better=measures.better_when_higher(metric), reference=_("at baseline")),
                ]
            table.rows.append(Row(values=values, cells=[evidence.cells[key]]))
    return table


def dose_table(evidence: Evidence, shown, measures: Measures) -> Table:
    table = Table(
        slug=DOSE,
        title=_("3b. Client change by the number of delivered paired visits"),
        question=_(
            "Do clients who had more paired visits change more? The mean change with its 95%% interval for clients with "
            "1–3, 4–7 and 8 or more delivered paired visits by their latest follow-up (all time). Clients choose and are "
            "chosen for visits, so a difference between the bands is an association, not proof of an effect."
        ) % {},
        columns=[
            Column(_("Measure")), Column(_("Team")), Column(_("Delivered paired visits")), Column(_("Clients (n)"), "count"),
            Column(_("Mean change"), "mean"), *_interval_columns("mean"),
        ],
    )
    for metric in metrics.CLIENT_METRICS:
        for team_id, team_name in shown:
            for low, high in analysis.DOSE_BANDS:
                key = (AnalysisKind.DOSE_BAND, team_id, metric, low)
                row = evidence.shown(key)
                if row is None:
                    continue
                band = f"{low}+" if high is None else f"{low}–{high}"
                labels = [label_of(measures.labels, metric), team_name, band]
                values = [*labels, *[SUPPRESSED] * 4] if row is SUPPRESSED else [*labels, row.n, row.estimate, row.ci_low, row.ci_high]
                table.rows.append(Row(values=values, cells=[evidence.cells[key]]))
    return table


def staff_evidence_table(evidence: Evidence, filters: Filters, measures: Measures) -> Table:
    table = Table(
        slug=STAFF,
        title=_("2c. Pair work against time: difference-in-differences"),
        question=_(
            "The effect of pair work on staff, separated from what happens to every team at the same time (a season, a "
            "staffing change): each team's months with pair work are compared with its own months before, against teams "
            "that had not yet started in the same months (team and month effects, each person once a month, all months on "
            "record). Team-months with fewer than %(n)s respondents are left out."
        ) % {"n": THRESHOLD},
        columns=[
            Column(_("Measure")), Column(_("Estimated effect of pair work"), "mean"), *_interval_columns("mean"),
            Column(_("Teams starting pair work"), "count"), Column(_("Comparison teams"), "count"),
            Column(_("Months"), "count"), Column(_("Person-months (n)"), "count"), Column(_("Reading")),
        ],
    )
    if not filters.totals_visible:
        table.chart_summary = _("Made from every team's answers, so it is shown to organisation-wide viewers only.")
        return table
    reasons: list[str] = []
    for metric in (metrics.WORK_ABILITY, metrics.SICK_LEAVE_DAYS):
        row = evidence.rows.get((AnalysisKind.STAFF_DID, None, metric, None))
        if row is None:
            continue
        counts = [row.n_treated_teams, row.n_comparison_teams, row.n_months, row.n]
        if row.too_few:
            values = [label_of(measures.labels, metric), None, None, None, *counts, str(VERDICT_WORDS[TOO_FEW_FOR_ESTIMATE])]
            reasons.append(str(analysis.TOO_FEW_REASONS[row.too_few]))
        else:
            values = [
                label_of(measures.labels, metric), row.estimate, row.ci_low, row.ci_high, *counts,
                reading(row.ci_low, row.ci_high, higher_is_better=measures.better_when_higher(metric),
                        reference=_("without pair work")),
            ]
        table.rows.append(Row(values=values, cells=[]))
    table.note = " ".join(dict.fromkeys(reasons))  # each reason once
    table.words_only = bool(table.rows) and all(row.values[1] is None for row in table.rows)
    return table


def evidence_tables(evidence: Evidence, filters: Filters, shown, measures: Measures, focus: Focus) -> list[Table]:
    return [
        staff_evidence_table(evidence, filters, measures),
        client_evidence_table(evidence, shown, measures),
        dose_table(evidence, shown, measures),
    ]
