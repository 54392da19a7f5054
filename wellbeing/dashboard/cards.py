"""The headline cards: one answer per question, in words chosen by the 95% interval, from the page's own figures.

No statistics of their own: each card reads estimates the tables show (the
suppressed cells of `cells`, the rows of the cost table), so a card never
shows a figure the tables hide, and a hidden one reads "too few answers".

The wording rule (`verdict`): an interval wholly on the better side of the
reference is "clearly better", wholly on the worse side "clearly worse",
one that reaches the reference "inconclusive"; a hidden figure "too few
answers to show".
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pairwork.rounding import round_half_up

from .. import metrics
from ..models import AnalysisKind, Span
from ..selectors import month_start
from ..stats import Estimate, difference_estimate
from .cells import PHASES, SUPPRESSED, Cells
from .labels import Measures, label_of
from .scope import Filters
from .tables import Focus, Table

BETTER, WORSE, INCONCLUSIVE, TOO_FEW, NO_DATA = "better", "worse", "inconclusive", "too_few", "no_data"
TOO_FEW_FOR_ESTIMATE = "too_few_for_estimate"  # too few teams or months for an honest estimate
DESCRIPTIVE = "descriptive"  # a figure with nothing to compare it with: no verdict
PER_TEAM = "per_team"  # a figure of each team, not shown in the all-teams view: a team is a choice away

VERDICT_WORDS = {
    BETTER: gettext_lazy("Clearly better than %(reference)s"),
    WORSE: gettext_lazy("Clearly worse than %(reference)s"),
    INCONCLUSIVE: gettext_lazy("Inconclusive — the interval spans %(zero)s"),
    TOO_FEW: gettext_lazy("Too few answers to show"),
    NO_DATA: gettext_lazy("No figures yet"),
    TOO_FEW_FOR_ESTIMATE: gettext_lazy("Too few teams or months for an honest estimate"),
    DESCRIPTIVE: "",
    PER_TEAM: gettext_lazy("Estimated for each team: choose a team to see it"),
}
VERDICT_STYLE = {
    BETTER: "text-bg-success", WORSE: "text-bg-danger", INCONCLUSIVE: "text-bg-secondary",
    TOO_FEW: "text-bg-light border", NO_DATA: "text-bg-light border", TOO_FEW_FOR_ESTIMATE: "text-bg-light border",
    DESCRIPTIVE: "", PER_TEAM: "text-bg-light border",
}


def verdict(estimate, reference: float, *, higher_is_better: bool = True) -> str:
    """The word for an estimate against a reference value, chosen by its 95% interval alone."""
    if estimate is SUPPRESSED:
        return TOO_FEW
    if estimate is None:
        return NO_DATA
    if estimate.ci_low is None or estimate.ci_high is None:
        return TOO_FEW  # one answer has no interval
    if estimate.ci_low > reference:
        return BETTER if higher_is_better else WORSE
    if estimate.ci_high < reference:
        return WORSE if higher_is_better else BETTER
    return INCONCLUSIVE


@dataclass
class Finding:
    label: str
    verdict: str
    figure: str = ""  # the estimate, e.g. "3,9 / 5"
    interval: str = ""  # "95% CI 3,8 to 4,0"
    base: str = ""  # how many people, which months
    reference: str = ""  # what "better" is measured against
    zero: str = ""  # the reference as a value the interval can span

    @property
    def words(self) -> str:
        return str(VERDICT_WORDS[self.verdict]) % {"reference": self.reference, "zero": self.zero}

    @property
    def style(self) -> str:
        return VERDICT_STYLE[self.verdict]

    @property
    def shows_figures(self) -> bool:
        return self.verdict not in (TOO_FEW, NO_DATA, TOO_FEW_FOR_ESTIMATE, PER_TEAM)


@dataclass
class Card:
    slug: str
    title: str
    how: str  # the design, in one or two sentences
    findings: list[Finding] = field(default_factory=list)
    descriptive: bool = False  # figures without a comparison (no verdict)

    @property
    def table_anchor(self) -> str:
        return f"#{self.slug}"


# --- Figures as the cards write them -------------------------------------------------------------

def _number(value: float, places: int = 1, *, signed: bool = False) -> str:
    shown = round_half_up(value, places)
    text = formats.number_format(shown, decimal_pos=places, use_l10n=True, force_grouping=places == 0)
    return f"+{text}" if signed and shown > 0 else text


def _interval(low: float, high: float, places: int = 1) -> str:
    if places == 1 and any(bound != 0 and round_half_up(bound, 1) == 0 for bound in (low, high)):
        places = 2  # "-0,7 to 0,0" would hide which side of zero the interval ends on
    return _("95%% CI %(low)s to %(high)s") % {"low": _number(low, places), "high": _number(high, places)}


def _month_name(month: dt.date) -> str:
    return dateformat.format(month, "F Y")


def complete_months(filters: Filters) -> list[dt.date]:
    """The period's months before this one (this month's answers and visits are still coming in), or all of them."""
    this_month = month_start(timezone.localdate())
    return [month for month in filters.months if month < this_month] or filters.months


def _latest(cells: Cells, metric: str, team_id, months: list[dt.date]):
    """The latest month of the period whose figure can be shown, else the latest with any answers (hidden), else None."""
    hidden = None
    for month in reversed(months):
        estimate = cells.metric_estimate((metric, team_id, Span.MONTH, month))
        if estimate is None:
            continue
        if estimate is not SUPPRESSED:
            return month, estimate
        hidden = hidden or (month, SUPPRESSED)
    return hidden or (None, None)


# --- The cards -------------------------------------------------------------------------------------

def pulse_card(cells: Cells, filters: Filters, measures: Measures, focus: Focus) -> Card:
    card = Card(
        slug="pulse",
        title=_("Calm visits and time to meet the client: %(team)s") % {"team": focus.name},
        how=_(
            "Staff answer a one-minute pulse after each visit (1–5). The figure is the mean of each person's answers in the "
            "latest full month of the period with at least five respondents, with its 95%% confidence interval, against the middle "
            "of the answer scale."
        ) % {},
    )
    for metric in metrics.PULSE_METRICS:
        low, high = metrics.RANGES[metric]
        middle = (low + high) / 2
        reference = _("the middle of the scale (%(value)s)") % {"value": _number(middle, 0)}
        month, estimate = _latest(cells, metric, focus.team_id, complete_months(filters))
        finding = Finding(
            label_of(measures.labels, metric),
            verdict(estimate, middle, higher_is_better=measures.better_when_higher(metric)),
            reference=reference, zero=reference,
        )
        if finding.shows_figures:
            finding.figure = _("%(mean)s / %(max)s") % {"mean": _number(estimate.mean), "max": high}
            finding.interval = _interval(estimate.ci_low, estimate.ci_high)
            finding.base = _("%(n)s staff, %(month)s") % {"n": estimate.n, "month": _month_name(month)}
        elif month is not None:
            finding.base = _month_name(month)
        card.findings.append(finding)
    return card


def _compared_teams(filters: Filters, focus: Focus):
    return [team for team in filters.shown_teams if focus.team_id is None or team.pk == focus.team_id]


def _per_team_findings(filters: Filters) -> list[Finding]:
    """In the all-teams view a card of team figures says where they are, instead of one finding per team."""
    return [] if filters.per_team else [Finding(_("Each team"), PER_TEAM)]


def staff_card(cells: Cells, filters: Filters, measures: Measures, focus: Focus, evidence=None) -> Card:
    metric = metrics.WORK_ABILITY
    card = Card(
        slug="staff_phases",
        title=_("Staff work ability with pair work"),
        how=_(
            "Each team's monthly answers (0–10) from the month its first work pair started are compared with the months "
            "before it (the difference with its 95%% interval). Different months are compared, so a change over time, "
            "such as a season or a staffing change, shows here too."
        ) % {},
    )
    for team in _compared_teams(filters, focus):
        before = cells.metric_estimate((metric, team.pk, PHASES[0], None))
        after = cells.metric_estimate((metric, team.pk, PHASES[1], None))
        if before is SUPPRESSED or after is SUPPRESSED:
            change = SUPPRESSED
        elif before is None or after is None:
            change = None
        else:
            change = difference_estimate(before, after) or Estimate(after.n, after.mean - before.mean, None, None, None)
        finding = Finding(
            team.name, verdict(change, 0.0, higher_is_better=measures.better_when_higher(metric)),
            reference=_("before pair work"), zero=_("zero"),
        )
        if finding.shows_figures:
            finding.figure = _("%(before)s → %(after)s (%(change)s)") % {
                "before": _number(before.mean), "after": _number(after.mean), "change": _number(change.mean, signed=True),
            }
            finding.interval = _interval(change.ci_low, change.ci_high)
            finding.base = _("%(before)s staff before, %(after)s with pair work; pair work since %(month)s") % {
                "before": before.n, "after": after.n, "month": _month_name(cells.first_month[team.pk]),
            }
        card.findings.append(finding)
    card.findings += _per_team_findings(filters)
    if evidence is not None and filters.totals_visible:
        card.findings.append(_against_time(evidence, metric, measures))
    return card


def _against_time(evidence, metric: str, measures: Measures) -> Finding:
    """The stored difference-in-differences: the effect of pair work against time, or why there is no honest estimate."""
    stored = evidence.rows.get((AnalysisKind.STAFF_DID, None, metric, None))
    finding = Finding(
        _("All teams, against time (teams not yet started as comparison)"), NO_DATA,
        reference=_("without pair work"), zero=_("zero"),
    )
    if stored is None:
        return finding
    if stored.too_few:
        finding.verdict = TOO_FEW_FOR_ESTIMATE
        return finding
    finding.verdict = verdict(
        Estimate(stored.n, stored.estimate, None, stored.ci_low, stored.ci_high), 0.0,
        higher_is_better=measures.better_when_higher(metric),
    )
    finding.figure = _("%(change)s points") % {"change": _number(stored.estimate, signed=True)}
    finding.interval = _interval(stored.ci_low, stored.ci_high)
    finding.base = _("%(treated)s teams starting, %(comparison)s to compare with, %(months)s months") % {
        "treated": stored.n_treated_teams, "comparison": stored.n_comparison_teams, "months": stored.n_months,
    }
    return finding


def client_card(cells: Cells, filters: Filters, measures: Measures, focus: Focus, evidence=None) -> Card:
    """Question 3 from the stored analyses (mean paired change, d, share improved); the cells before the first analysis run."""
    card = Card(
        slug="client_change",
        title=_("Client outcomes from baseline to follow-up: %(team)s") % {"team": focus.name},
        how=_(
            "Each client's latest follow-up minus their baseline, averaged over the clients with both, with the 95%% t "
            "interval (all time), the effect size (Cohen's d for paired data) and the share of clients whose change reaches "
            "the scale's minimal important change. There is no comparison group, so a change cannot be put down to pair "
            "work alone."
        ) % {},
    )
    for metric in metrics.CLIENT_METRICS:
        stored = evidence.shown((AnalysisKind.CLIENT_CHANGE, focus.team_id, metric, None)) if evidence else None
        if stored is SUPPRESSED:
            estimate = SUPPRESSED
        elif stored is not None:
            estimate = Estimate(stored.n, stored.estimate, None, stored.ci_low, stored.ci_high)
        else:
            estimate = cells.metric_estimate((metric, focus.team_id, Span.ALL_TIME, None))
        finding = Finding(
            label_of(measures.labels, metric),
            verdict(estimate, 0.0, higher_is_better=measures.better_when_higher(metric)),
            reference=_("at baseline"), zero=_("zero"),
        )
        if finding.shows_figures:
            finding.figure = _("%(change)s points") % {"change": _number(estimate.mean, signed=True)}
            finding.interval = _interval(estimate.ci_low, estimate.ci_high)
            finding.base = _("%(n)s clients, all time") % {"n": estimate.n}
            if stored is not None and stored.effect_size is not None:
                finding.base += "; " + _("effect size d %(d)s") % {"d": _number(stored.effect_size, 2, signed=True)}
            if stored is not None and stored.share_improved is not None:
                finding.base += "; " + _("%(share)s %% reached the minimal important change") % {
                    "share": _number(stored.share_improved * 100, 0)
                }
        card.findings.append(finding)
    return card


def visits_card(cells: Cells, filters: Filters, focus: Focus) -> Card:
    card = Card(
        slug="visits",
        title=_("Visits delivered and continuity: %(team)s") % {"team": focus.name},
        how=_(
            "Visits planned for the month and how they went; continuity is the share of delivered visits made with a "
            "nurse the client already knows. The latest full month of the period with at least five clients."
        ),
        descriptive=True,
    )
    hidden = None
    for month in reversed(complete_months(filters)):
        cell = cells.visit.get(("visits", focus.team_id, month))
        if cell is None:
            continue
        if cell.suppressed:
            hidden = hidden or month
            continue
        row = cells.visit_rows[cell.key]
        finding = Finding(_("Delivered of planned"), DESCRIPTIVE)
        finding.figure = _("%(delivered)s of %(planned)s") % {"delivered": row.delivered, "planned": row.planned}
        finding.base = _month_name(month)
        card.findings.append(finding)
        if row.delivered:
            continuity = Finding(_("Continuity (familiar nurse)"), DESCRIPTIVE)
            continuity.figure = f"{_number(row.with_familiar_nurse / row.delivered * 100, 0)} %"
            continuity.base = _month_name(month)
            card.findings.append(continuity)
        return card
    card.findings.append(Finding(_("Delivered of planned"), TOO_FEW if hidden else NO_DATA, base=_month_name(hidden) if hidden else ""))
    return card


def cost_card(cost: Table, filters: Filters, focus: Focus) -> Card:
    card = Card(
        slug="sick_leave_cost",
        title=_("Sick-leave cost with pair work"),
        how=_(
            "Sick-leave days per person-month with pair work minus before it, times twelve months and the cost of a "
            "sick-leave day; the interval is the difference's 95%% interval, scaled the same way."
        ) % {},
    )
    rows = {row.values[0]: row for row in cost.rows}
    for team in _compared_teams(filters, focus):
        row = rows.get(team.name)
        finding = Finding(team.name, NO_DATA, reference=_("before pair work"), zero=_("zero"))
        if row is not None:
            _team, _before, _after, _days, low, high, per_day, per_year, _n, _total = row.values
            if per_year is SUPPRESSED:
                finding.verdict = TOO_FEW
            elif low is None:
                finding.verdict = TOO_FEW
            else:
                yearly = 12 * per_day
                finding.verdict = verdict(Estimate(0, per_year, None, low * yearly, high * yearly), 0.0, higher_is_better=False)
                finding.figure = _("%(amount)s € per person and year") % {"amount": _number(per_year, 0, signed=True)}
                finding.interval = _interval(low * yearly, high * yearly, 0)
        card.findings.append(finding)
    card.findings += _per_team_findings(filters)
    return card


def build_cards(
    cells: Cells, filters: Filters, measures: Measures, focus: Focus, tables: dict[str, Table], evidence=None
) -> list[Card]:
    return [
        pulse_card(cells, filters, measures, focus),
        staff_card(cells, filters, measures, focus, evidence),
        client_card(cells, filters, measures, focus, evidence),
        visits_card(cells, filters, focus),
        cost_card(tables["sick_leave_cost"], filters, focus),
    ]
