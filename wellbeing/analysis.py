"""The analyses behind the dashboard's questions, as pure functions (no database).

Each function takes plain numbers (the aggregation jobs read the rows and pass
them in) and returns a small frozen result the page, the API and the CSV can
all show. The distributions come from SciPy; the regression is statsmodels'
formula OLS computed from per-cell sums with numpy (the same figures, tested
against statsmodels, without a design matrix row per person-month).

- ``paired_change``: mean change baseline → follow-up with its t interval;
- ``paired_effect_size``: Cohen's d_z for paired data with its interval from
  the noncentral t distribution;
- ``share_reaching_change``: the share of clients whose change reaches the
  scale's minimal important change in the better direction (Wilson interval);
- ``dose_bands``: mean change by the number of delivered paired visits;
- ``difference_in_differences``: the effect of pair work against time over a
  staggered start, with team and month fixed effects, or a ``TooFew`` that
  says why no honest estimate can be given.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Sequence

from django.utils.translation import gettext_lazy as _
from scipy import optimize
from scipy import stats as distributions

from .stats import CONFIDENCE, Estimate, estimate_of, share_estimate

# --- Client change baseline → follow-up -----------------------------------------------------


def changes_of(pairs: Iterable[tuple[float, float]]) -> list[float]:
    """follow-up − baseline for each (baseline, follow-up) pair."""
    return [float(follow_up) - float(baseline) for baseline, follow_up in pairs]


def paired_change(pairs: Iterable[tuple[float, float]]) -> Estimate | None:
    """The mean paired change (follow-up − baseline) with its 95% t interval.

    The same clients are measured twice, so the interval is the one-sample t
    interval of the differences (not a comparison of two independent groups).
    None when there are no pairs.
    """
    changes = changes_of(pairs)
    if not changes:
        return None
    return estimate_of(changes)


@dataclass(frozen=True)
class EffectSize:
    """Cohen's d with its 95% confidence interval (None where it cannot be computed)."""

    n: int
    d: float
    ci_low: float | None
    ci_high: float | None


def _noncentrality_for(t_observed: float, df: float, probability: float) -> float:
    """The noncentrality λ at which P(T ≤ t_observed) = probability for T ~ nct(df, λ).

    The distribution function falls as λ grows, so the root is bracketed by
    widening an interval around the observed t in steps of its approximate
    standard error until the signs differ.
    """

    def gap(ncp: float) -> float:
        value = float(distributions.nct.cdf(t_observed, df, ncp))
        if math.isnan(value):  # far in a tail, where SciPy's series gives up: the limit
            value = 1.0 if ncp < t_observed else 0.0
        return value - probability

    step = math.sqrt(1.0 + t_observed * t_observed / (2.0 * df))
    low, high = t_observed - 2 * step, t_observed + 2 * step
    while gap(low) < 0:
        low -= step
    while gap(high) > 0:
        high += step
    return float(optimize.brentq(gap, low, high, xtol=1e-12, rtol=1e-12, maxiter=500))


def paired_effect_size(changes: Sequence[float]) -> EffectSize | None:
    """Cohen's d_z = mean change / SD of the changes, with its 95% CI.

    d_z·√n is a noncentral t statistic with n − 1 degrees of freedom, so the
    interval is found by solving for the noncentrality parameters at which the
    observed t sits at the 97.5th and 2.5th percentiles, divided by √n.
    None with fewer than two changes or when every change is the same (SD 0).
    """
    changes = [float(c) for c in changes]
    n = len(changes)
    if n < 2:
        return None
    estimate = estimate_of(changes)
    if not estimate.sd:
        return None
    d = estimate.mean / estimate.sd
    df = n - 1
    t_observed = d * math.sqrt(n)
    tail = (1 - CONFIDENCE) / 2
    ncp_low = _noncentrality_for(t_observed, df, 1 - tail)
    ncp_high = _noncentrality_for(t_observed, df, tail)
    return EffectSize(n, d, ncp_low / math.sqrt(n), ncp_high / math.sqrt(n))


def reaches_minimal_change(change: float, minimal_important_change: float, higher_is_better: bool = True) -> bool:
    """Whether a change is an improvement at least as large as the minimal important change."""
    improvement = change if higher_is_better else -change
    return improvement >= minimal_important_change - 1e-9


def share_reaching_change(changes: Sequence[float], minimal_important_change: float, higher_is_better: bool = True) -> Estimate | None:
    """The share of clients whose change reaches the minimal important change, with its Wilson 95% CI.

    On a scale where a lower score is better (loneliness, say) an improvement
    is a fall of at least the minimal important change. None without changes.
    """
    changes = list(changes)
    if not changes:
        return None
    improved = sum(1 for change in changes if reaches_minimal_change(change, minimal_important_change, higher_is_better))
    return share_estimate(len(changes), improved)


# --- Dose–response --------------------------------------------------------------------------


@dataclass(frozen=True)
class DoseBand:
    """Clients whose delivered paired visits fall in [low, high] (high None: no upper bound)."""

    low: int
    high: int | None
    change: Estimate | None

    @property
    def label(self) -> str:
        return f"{self.low}+" if self.high is None else f"{self.low}–{self.high}"

    @property
    def n(self) -> int:
        return self.change.n if self.change else 0


DOSE_BANDS: tuple[tuple[int, int | None], ...] = ((1, 3), (4, 7), (8, None))


def dose_bands(rows: Iterable[tuple[int, float]], bands: Sequence[tuple[int, int | None]] = DOSE_BANDS) -> list[DoseBand]:
    """Mean change per band of delivered paired visits, from (delivered visits, change) rows.

    Every band is returned, an empty one with ``change`` None; a client with
    fewer visits than the lowest band (none delivered) is in no band.
    """
    members: dict[int, list[float]] = defaultdict(list)
    for visits, change in rows:
        for index, (low, high) in enumerate(bands):
            if visits >= low and (high is None or visits <= high):
                members[index].append(float(change))
                break
    return [
        DoseBand(low, high, estimate_of(members[index]) if members[index] else None)
        for index, (low, high) in enumerate(bands)
    ]


# --- Difference-in-differences over a staggered start --------------------------------------

MIN_TREATED_TEAMS = 2
MIN_COMPARISON_TEAMS = 2
MIN_MONTHS = 3
# Cluster-robust errors by team need enough teams to be trusted; with fewer the
# errors are clustered by person (repeated months of the same person), or
# heteroskedasticity-robust (HC1) where no person is known.
MIN_TEAM_CLUSTERS = 10


@dataclass(frozen=True)
class Observation:
    """One person's value in one month in one team (person None: anonymous)."""

    team: Hashable
    month: object
    value: float
    person: Hashable | None = None


@dataclass(frozen=True)
class DifferenceInDifferences:
    """The estimated effect of pair work against time, with its 95% CI."""

    estimate: float
    ci_low: float
    ci_high: float
    n_observations: int
    n_teams: int
    n_treated_teams: int
    n_comparison_teams: int
    n_months: int
    covariance: str  # "cluster-team", "cluster-person" or "HC1"

    too_few = False


@dataclass(frozen=True)
class TooFew:
    """No honest estimate: the reason code, its explanation and the counts behind it."""

    reason: str  # "treated-teams", "comparison-teams" or "months"
    n_teams: int
    n_treated_teams: int
    n_comparison_teams: int
    n_months: int

    too_few = True

    @property
    def explanation(self) -> str:
        return str(TOO_FEW_REASONS[self.reason])


TOO_FEW_REASONS = {
    "treated-teams": _("Too few teams have started pair work within these months for an honest estimate (at least 2 are needed)."),
    "comparison-teams": _(
        "Too few teams had not yet started pair work in the same months to compare with (at least 2 are needed)."
    ),
    "months": _("Too few months of data for an honest estimate (at least 3 are needed)."),
}


@dataclass(frozen=True)
class Design:
    """Enough teams and months for an estimate: the counts a fit reports."""

    n_teams: int
    n_treated_teams: int
    n_comparison_teams: int
    n_months: int

    too_few = False


def did_design(team_months: Iterable[tuple[Hashable, object]], starts: dict[Hashable, object]) -> Design | TooFew:
    """Whether (team, month) observations, one per person and month, allow an estimate; the counts either way.

    Needs only which teams answered in which months, not the values: the
    aggregation job asks this of a small grouped query first and loads the
    person rows only when an estimate can be made.
    """
    team_months = set(team_months)
    months = {month for _, month in team_months}
    teams = {team for team, _ in team_months}

    def treated(team, month) -> bool:
        start = starts.get(team)
        return start is not None and month >= start

    statuses: dict[Hashable, set[bool]] = defaultdict(set)
    for team, month in team_months:
        statuses[team].add(treated(team, month))
    switching = {team for team, seen in statuses.items() if seen == {True, False}}
    # Per month, the starting teams that already have pair work in it.
    treated_in: dict[object, set] = defaultdict(set)
    for team, month in team_months:
        if team in switching and treated(team, month):
            treated_in[month].add(team)
    # Comparison teams: without pair work in a month in which another starting team has it.
    comparison = {team for team, month in team_months if not treated(team, month) and treated_in[month] - {team}}
    counts = dict(n_teams=len(teams), n_treated_teams=len(switching), n_comparison_teams=len(comparison), n_months=len(months))
    if len(months) < MIN_MONTHS:
        return TooFew("months", **counts)
    if len(switching) < MIN_TREATED_TEAMS:
        return TooFew("treated-teams", **counts)
    if len(comparison) < MIN_COMPARISON_TEAMS:
        return TooFew("comparison-teams", **counts)
    return Design(**counts)


# Person clusters for a fit from cell sums: given each cell's weight a·x (the cell's row of the treated
# coefficient's linear estimator) and its fitted value, the sum over persons of the squared treated
# score Σ_i∈person a·x_i (y_i − ŷ_i), and how many persons there are.
PersonScores = Callable[[dict[tuple, float], dict[tuple, float]], tuple[float, int]]

# statsmodels' OLS solves with this pseudo-inverse cutoff (statsmodels.tools.tools.pinv_extended).
PINV_RTOL = 1e-15


@dataclass(frozen=True)
class CellSums:
    """One (team, month) cell of the fit: its person-months, their sum, and squares about the cell mean."""

    team: Hashable
    month: object
    n: int
    total: float
    within: float = 0.0  # Σ (value − cell mean)²; used by the HC1 errors only


def cells_of_person_months(
    team: "np.ndarray", month: "np.ndarray", value: "np.ndarray", person: "np.ndarray",
    team_labels: Sequence[Hashable], month_labels: Sequence[object],
) -> tuple[list[CellSums], PersonScores | None]:
    """A fit's (team, month) cells from its rows as numpy columns, and its person clusters.

    ``team``, ``month`` and ``person`` are integer codes (indexes into the
    labels; a person below 0 is anonymous), ``value`` the values. Each known
    person counts once per month: their mean, in the team of their first row
    (an anonymous row stands alone). The person clusters are None when some
    person is unknown (the fit then uses HC1).
    """
    import numpy as np

    team, month, person = (np.asarray(column, dtype=np.int64) for column in (team, month, person))
    value = np.asarray(value, dtype=np.float64)
    known = np.flatnonzero(person >= 0)
    anonymous = np.flatnonzero(person < 0)
    # A stable sort by (person, month) keeps each person-month's rows in their given order: the first is its team.
    order = known[np.lexsort((month[known], person[known]))]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (person[order][1:] != person[order][:-1]) | (month[order][1:] != month[order][:-1])
    group = np.cumsum(starts) - 1
    first = order[starts]
    means = np.bincount(group, weights=value[order]) / np.bincount(group)
    team = np.concatenate([team[first], team[anonymous]])
    month = np.concatenate([month[first], month[anonymous]])
    value = np.concatenate([means, value[anonymous]])
    person = person[first]

    cell_keys, cell_of = np.unique(team * len(month_labels) + month, return_inverse=True)
    counts = np.bincount(cell_of)
    totals = np.bincount(cell_of, weights=value)
    within = np.bincount(cell_of, weights=(value - (totals / counts)[cell_of]) ** 2)
    cells = [
        CellSums(team_labels[key // len(month_labels)], month_labels[key % len(month_labels)], int(n), float(total), float(squares))
        for key, n, total, squares in zip(cell_keys.tolist(), counts, totals, within)
    ]
    if len(anonymous):
        return cells, None
    people, person_of = np.unique(person, return_inverse=True)

    def persons(weights: dict[tuple, float], fitted: dict[tuple, float]) -> tuple[float, int]:
        keys = [(cell.team, cell.month) for cell in cells]
        weight = np.array([weights[key] for key in keys])[cell_of]
        residual = value - np.array([fitted[key] for key in keys])[cell_of]
        scores = np.bincount(person_of, weights=weight * residual, minlength=len(people))
        return float(scores @ scores), len(people)

    return cells, persons


def difference_in_differences(
    observations: Iterable[Observation], starts: dict[Hashable, object]
) -> DifferenceInDifferences | TooFew:
    """The effect of pair work against time: OLS of value on C(team) + C(month) + treated.

    ``starts`` maps a team to the first month with pair work (a team not in it
    has not started). An observation is treated from its team's start month
    on. Team effects absorb lasting differences between teams, month effects
    absorb what happens to every team at once (a seasonal dip, a shared
    staffing change), so ``treated`` is estimated against teams that had not
    yet started in the same months. Each person counts once per month (their
    mean, in the team of their first observation).

    No estimate (a ``TooFew``) with fewer than 2 teams that start within the
    data (seen both before and with pair work), fewer than 2 teams without
    pair work in a month in which a starting team has it, or fewer than 3
    months.

    The two-way fixed-effects estimate assumes the effect is roughly the same
    across teams and over time since the start; with strongly varying effects
    a staggered design can weight them oddly, so it is read with its interval.

    The same fit as statsmodels' formula OLS with cluster-robust (by team with
    enough teams, else by person) or HC1 errors and t intervals, computed from
    per-cell sums (`cells_of_person_months`, `difference_in_differences_from_cells`).
    The aggregation job calls those two directly with the person-months as
    numpy columns.
    """
    codes: dict[str, dict[Hashable, int]] = {"team": {}, "month": {}, "person": {}}

    def code(kind: str, label: Hashable) -> int:
        return codes[kind].setdefault(label, len(codes[kind]))

    observations = list(observations)
    team = [code("team", row.team) for row in observations]
    month = [code("month", row.month) for row in observations]
    person = [-1 if row.person is None else code("person", row.person) for row in observations]
    cells, persons = cells_of_person_months(
        team, month, [float(row.value) for row in observations], person, list(codes["team"]), list(codes["month"])
    )
    return difference_in_differences_from_cells(cells, starts, persons=persons)


def difference_in_differences_from_cells(
    cells: Sequence[CellSums], starts: dict[Hashable, object], *, persons: PersonScores | None = None
) -> DifferenceInDifferences | TooFew:
    """`difference_in_differences` from its (team, month) cells, one person-month each counted once.

    Every regressor is constant within a cell (``treated`` depends only on the
    team and the month), so the least-squares fit and its bread (X'X)⁺ come
    from each cell's count and sum: the dummy matrix is one row per cell,
    weighted by √n. statsmodels' choices are kept exactly: the patsy columns
    (intercept, the team and month levels but the first in sorted order,
    treated), its pseudo-inverse and rank, and its small-sample corrections —
    clustered: G/(G−1)·(N−1)/(N−K) with K the number of columns and t with
    G − 1 degrees of freedom; HC1: N/(N−rank) and t with N − rank.

    The meat of the sandwich for ``treated``: per team, Σ over its cells of
    a·x_cell · (sum − n·ŷ_cell); per person, what ``persons`` returns for the
    cells' weights and fitted values (None: some person is unknown, so HC1 from
    each cell's squares about the fitted value).
    """
    import numpy as np

    cells = [cell for cell in cells if cell.n > 0]
    design = did_design(((cell.team, cell.month) for cell in cells), starts)
    if design.too_few:
        return design

    def treated(cell: CellSums) -> bool:
        start = starts.get(cell.team)
        return start is not None and cell.month >= start

    team_levels = sorted({str(cell.team) for cell in cells})
    month_levels = sorted({str(cell.month) for cell in cells})
    team_column = {level: 1 + index for index, level in enumerate(team_levels[1:])}
    month_column = {level: len(team_levels) + index for index, level in enumerate(month_levels[1:])}
    k_columns = len(team_levels) + len(month_levels)  # intercept, T − 1 teams, M − 1 months, treated
    dummies = np.zeros((len(cells), k_columns))
    dummies[:, 0] = 1.0
    for row, cell in enumerate(cells):
        if str(cell.team) in team_column:
            dummies[row, team_column[str(cell.team)]] = 1.0
        if str(cell.month) in month_column:
            dummies[row, month_column[str(cell.month)]] = 1.0
        dummies[row, -1] = 1.0 if treated(cell) else 0.0
    counts = np.array([float(cell.n) for cell in cells])
    totals = np.array([float(cell.total) for cell in cells])
    # X'X = Z'Z with one row per cell: the same singular values, pseudo-inverse and rank as the full matrix.
    weighted = np.sqrt(counts)[:, None] * dummies
    pinv_weighted = np.linalg.pinv(weighted, rtol=PINV_RTOL)
    bread = pinv_weighted @ pinv_weighted.T
    rank = int(np.linalg.matrix_rank(np.diag(np.linalg.svd(weighted, compute_uv=False))))
    params = bread @ (dummies.T @ totals)
    fitted = dummies @ params
    weights = dummies @ bread[:, -1]  # a·x per cell, a = (X'X)⁺ e_treated
    residual_sums = totals - counts * fitted
    n_observations = int(counts.sum())

    if design.n_teams >= MIN_TEAM_CLUSTERS:
        covariance = "cluster-team"
        team_scores: dict[Hashable, float] = defaultdict(float)
        for cell, score in zip(cells, weights * residual_sums):
            team_scores[cell.team] += float(score)
        meat, groups = math.fsum(score * score for score in team_scores.values()), len(team_scores)
    elif persons is not None:
        covariance = "cluster-person"
        keys = [(cell.team, cell.month) for cell in cells]
        meat, groups = persons(dict(zip(keys, weights.tolist())), dict(zip(keys, fitted.tolist())))
    else:
        covariance = "HC1"
        within = np.array([float(cell.within) for cell in cells])
        means = totals / counts
        meat = float(weights**2 @ (within + counts * (means - fitted) ** 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        if covariance == "HC1":
            variance = np.float64(meat) * n_observations / np.float64(n_observations - rank)
            df = n_observations - rank
        else:
            variance = (
                np.float64(meat) * groups / np.float64(groups - 1)
                * (n_observations - 1) / np.float64(n_observations - k_columns)
            )
            df = groups - 1
        half_width = distributions.t.ppf(1 - (1 - CONFIDENCE) / 2, df) * np.sqrt(variance)
    estimate = float(params[-1])
    low, high = estimate - half_width, estimate + half_width
    if not (np.isfinite(low) and np.isfinite(high)):
        low = high = estimate
    return DifferenceInDifferences(
        estimate=estimate,
        ci_low=float(low),
        ci_high=float(high),
        n_observations=n_observations,
        covariance=covariance,
        n_teams=design.n_teams,
        n_treated_teams=design.n_treated_teams,
        n_comparison_teams=design.n_comparison_teams,
        n_months=design.n_months,
    )
