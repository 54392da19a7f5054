"""The dashboard's analyses against values computed independently with SciPy and statsmodels."""
from datetime import date

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import optimize
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint

from wellbeing.analysis import (
    DOSE_BANDS,
    Observation,
    TooFew,
    changes_of,
    difference_in_differences,
    dose_bands,
    paired_change,
    paired_effect_size,
    share_reaching_change,
)
from wellbeing.stats import difference_estimate, estimate_of

BASELINE = [3.0, 2.5, 4.0, 3.5, 2.0, 3.0]
FOLLOW_UP = [3.5, 3.5, 3.5, 4.5, 3.0, 3.0]


def test_paired_change_is_the_paired_t_interval():
    change = paired_change(zip(BASELINE, FOLLOW_UP))
    reference = scipy_stats.ttest_rel(FOLLOW_UP, BASELINE).confidence_interval(0.95)
    assert change.n == 6
    assert change.mean == pytest.approx(np.mean(np.subtract(FOLLOW_UP, BASELINE)))
    assert (change.ci_low, change.ci_high) == pytest.approx((reference.low, reference.high), abs=1e-9)


def test_paired_change_of_no_pairs_is_none_and_of_one_pair_has_no_interval():
    assert paired_change([]) is None
    one = paired_change([(2.0, 3.5)])
    assert (one.mean, one.ci_low, one.ci_high) == (1.5, None, None)


def test_cohens_dz_and_its_noncentral_t_interval():
    changes = changes_of(zip(BASELINE, FOLLOW_UP))
    effect = paired_effect_size(changes)
    n, df = len(changes), len(changes) - 1
    d = np.mean(changes) / np.std(changes, ddof=1)
    assert effect.d == pytest.approx(d)
    t_observed = d * np.sqrt(n)
    # Independently: bisect nct's distribution function for the two noncentralities.
    low = optimize.bisect(lambda ncp: scipy_stats.nct.cdf(t_observed, df, ncp) - 0.975, -20, 20, xtol=1e-12)
    high = optimize.bisect(lambda ncp: scipy_stats.nct.cdf(t_observed, df, ncp) - 0.025, -20, 20, xtol=1e-12)
    assert (effect.ci_low, effect.ci_high) == pytest.approx((low / np.sqrt(n), high / np.sqrt(n)), abs=1e-7)
    assert effect.ci_low < effect.d < effect.ci_high


def test_cohens_dz_interval_nears_the_large_sample_approximation():
    rng = np.random.default_rng(11)
    changes = list(rng.normal(0.4, 1.0, size=400))
    effect = paired_effect_size(changes)
    half = 1.959964 * np.sqrt(1 / 400 + effect.d**2 / (2 * 400))
    assert effect.ci_low == pytest.approx(effect.d - half, abs=0.01)
    assert effect.ci_high == pytest.approx(effect.d + half, abs=0.01)


def test_negative_effect_size_has_a_negative_interval_and_degenerate_cases_are_none():
    effect = paired_effect_size([-2.0, -1.5, -2.5, -1.0, -3.0])
    assert effect.ci_low < effect.d < effect.ci_high < 0
    assert paired_effect_size([1.0]) is None
    assert paired_effect_size([1.0, 1.0, 1.0]) is None


CHANGES = [3.0, 1.0, -2.0, 2.0, 0.0, -3.0, -4.0]


def test_share_reaching_the_minimal_important_change_when_higher_is_better():
    share = share_reaching_change(CHANGES, 2.0, higher_is_better=True)
    low, high = proportion_confint(2, 7, alpha=0.05, method="wilson")
    assert share.n == 7
    assert share.mean == pytest.approx(2 / 7)
    assert (share.ci_low, share.ci_high) == pytest.approx((low, high), abs=1e-9)


def test_share_reaching_the_minimal_important_change_when_lower_is_better():
    share = share_reaching_change(CHANGES, 2.0, higher_is_better=False)
    low, high = proportion_confint(3, 7, alpha=0.05, method="wilson")
    assert share.mean == pytest.approx(3 / 7)
    assert (share.ci_low, share.ci_high) == pytest.approx((low, high), abs=1e-9)
    assert share_reaching_change([], 2.0) is None


def test_dose_bands_of_delivered_paired_visits():
    rows = [(0, 5.0), (1, 1.0), (3, 2.0), (4, 0.0), (7, 1.0), (8, 3.0), (12, 5.0), (9, 4.0)]
    bands = dose_bands(rows)
    assert [band.label for band in bands] == ["1–3", "4–7", "8+"]
    assert [band.n for band in bands] == [2, 2, 3]
    assert [band.change.mean for band in bands] == pytest.approx([1.5, 0.5, 4.0])
    reference = scipy_stats.ttest_1samp([3.0, 5.0, 4.0], 0).confidence_interval(0.95)
    assert (bands[2].change.ci_low, bands[2].change.ci_high) == pytest.approx((reference.low, reference.high), abs=1e-9)


def test_an_empty_dose_band_is_still_listed():
    bands = dose_bands([(2, 1.0), (2, 2.0)])
    assert len(bands) == len(DOSE_BANDS)
    assert bands[1].change is None and bands[1].n == 0 and bands[2].change is None


# --- Difference-in-differences -------------------------------------------------------------

MONTHS = [date(2025, month, 1) for month in range(1, 9)]


def _world(teams, starts, *, dip=-1.0, effect=0.0, people=6, noise=0.3, seed=3):
    """Person-month values: team level + a summer dip in every team + effect while treated + noise."""
    rng = np.random.default_rng(seed)
    observations = []
    for index, team in enumerate(teams):
        level = 3.0 + 0.2 * index
        for person in range(people):
            person_level = rng.normal(0, 0.2)
            for month in MONTHS:
                seasonal = dip if month.month >= 5 else 0.0
                treated = starts.get(team) is not None and month >= starts[team]
                value = level + person_level + seasonal + (effect if treated else 0.0) + rng.normal(0, noise)
                observations.append(Observation(team, month, value, f"{team}-{person}"))
    return observations


def _statsmodels_reference(observations, starts, groups):
    frame = pd.DataFrame(
        {
            "value": [o.value for o in observations],
            "team": [o.team for o in observations],
            "month": [o.month.isoformat() for o in observations],
            "treated": [float(starts.get(o.team) is not None and o.month >= starts[o.team]) for o in observations],
            "person": [o.person for o in observations],
        }
    )
    fit = smf.ols("value ~ C(team) + C(month) + treated", data=frame).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(frame[groups])[0]}, use_t=True
    )
    low, high = fit.conf_int().loc["treated"]
    return fit.params["treated"], low, high


STAGGERED = {"A": date(2025, 3, 1), "B": date(2025, 4, 1), "C": date(2025, 5, 1), "D": date(2025, 6, 1)}
TEAMS = ["A", "B", "C", "D", "E", "F", "G", "H"]


def test_a_seasonal_dip_in_every_team_is_not_read_as_an_effect_of_pair_work():
    observations = _world(TEAMS, STAGGERED, dip=-1.0, effect=0.0)
    result = difference_in_differences(observations, STAGGERED)
    assert not result.too_few
    assert abs(result.estimate) < 0.15
    assert result.ci_low < 0 < result.ci_high

    # The plain before/with comparison of the teams that started sees the dip as a change.
    def treated(o):
        return o.month >= STAGGERED[o.team]

    started = [o for o in observations if o.team in STAGGERED]
    before = estimate_of(o.value for o in started if not treated(o))
    with_pair_work = estimate_of(o.value for o in started if treated(o))
    plain = difference_estimate(before, with_pair_work)
    assert plain.mean < -0.4
    assert plain.ci_high < 0


def test_a_real_effect_is_found_against_the_same_dip():
    observations = _world(TEAMS, STAGGERED, dip=-1.0, effect=0.5)
    result = difference_in_differences(observations, STAGGERED)
    assert result.estimate == pytest.approx(0.5, abs=0.15)
    assert result.ci_low > 0


def test_difference_in_differences_matches_statsmodels_with_person_clusters():
    observations = _world(TEAMS, STAGGERED, effect=0.3)
    result = difference_in_differences(observations, STAGGERED)
    estimate, low, high = _statsmodels_reference(observations, STAGGERED, "person")
    assert result.covariance == "cluster-person"
    assert (result.estimate, result.ci_low, result.ci_high) == pytest.approx((estimate, low, high), abs=1e-9)
    assert (result.n_teams, result.n_treated_teams, result.n_comparison_teams, result.n_months) == (8, 4, 7, 8)
    assert result.n_observations == len(observations)


def test_difference_in_differences_clusters_by_team_when_there_are_enough_teams():
    teams = [f"T{index:02d}" for index in range(12)]
    starts = {team: date(2025, 2 + index % 6, 1) for index, team in enumerate(teams[:6])}
    observations = _world(teams, starts, people=4)
    result = difference_in_differences(observations, starts)
    estimate, low, high = _statsmodels_reference(observations, starts, "team")
    assert result.covariance == "cluster-team"
    assert (result.estimate, result.ci_low, result.ci_high) == pytest.approx((estimate, low, high), abs=1e-9)


def _unbalanced(observations, seed=11):
    """Drop about a third of the person-months at random: people who skipped months, a panel with holes."""
    rng = np.random.default_rng(seed)
    return [o for o in observations if rng.random() > 0.35]


def test_difference_in_differences_matches_statsmodels_on_an_unbalanced_panel_with_person_clusters():
    observations = _unbalanced(_world(TEAMS, STAGGERED, effect=0.3))
    result = difference_in_differences(observations, STAGGERED)
    estimate, low, high = _statsmodels_reference(observations, STAGGERED, "person")
    assert result.covariance == "cluster-person"
    assert (result.estimate, result.ci_low, result.ci_high) == pytest.approx((estimate, low, high), abs=1e-9)


def test_difference_in_differences_matches_statsmodels_on_an_unbalanced_panel_with_team_clusters():
    teams = [f"T{index:02d}" for index in range(12)]
    starts = {team: date(2025, 2 + index % 6, 1) for index, team in enumerate(teams[:6])}
    observations = _unbalanced(_world(teams, starts, people=4, effect=0.2))
    result = difference_in_differences(observations, starts)
    estimate, low, high = _statsmodels_reference(observations, starts, "team")
    assert result.covariance == "cluster-team"
    assert (result.estimate, result.ci_low, result.ci_high) == pytest.approx((estimate, low, high), abs=1e-9)


def test_difference_in_differences_matches_statsmodels_hc1_when_people_are_anonymous():
    observations = [Observation(o.team, o.month, o.value, None) for o in _unbalanced(_world(TEAMS, STAGGERED, effect=0.3))]
    result = difference_in_differences(observations, STAGGERED)
    frame = pd.DataFrame(
        {
            "value": [o.value for o in observations],
            "team": [o.team for o in observations],
            "month": [o.month.isoformat() for o in observations],
            "treated": [float(o.month >= STAGGERED[o.team]) if o.team in STAGGERED else 0.0 for o in observations],
        }
    )
    fit = smf.ols("value ~ C(team) + C(month) + treated", data=frame).fit(cov_type="HC1", use_t=True)
    low, high = fit.conf_int().loc["treated"]
    assert result.covariance == "HC1"
    assert (result.estimate, result.ci_low, result.ci_high) == pytest.approx((fit.params["treated"], low, high), abs=1e-9)


def test_without_noise_the_estimate_is_the_built_in_effect():
    starts = {"A": MONTHS[1], "B": MONTHS[2]}
    observations = [
        Observation(team, month, 1.0 * index + 0.5 * m + (2.0 if team in starts and month >= starts[team] else 0.0))
        for index, team in enumerate("ABCD")
        for m, month in enumerate(MONTHS[:4])
    ]
    result = difference_in_differences(observations, starts)
    assert result.covariance == "HC1"
    assert result.estimate == pytest.approx(2.0)
    assert (result.ci_low, result.ci_high) == pytest.approx((2.0, 2.0), abs=1e-6)


def test_each_person_counts_once_per_month():
    starts = {"A": MONTHS[1], "B": MONTHS[2]}
    base = [
        Observation(team, month, float(m), f"{team}{p}")
        for team in "ABCD"
        for m, month in enumerate(MONTHS[:4])
        for p in range(3)
    ]
    doubled = base + [Observation("A", MONTHS[3], 100.0, "A0"), Observation("A", MONTHS[3], -94.0, "A0")]
    result = difference_in_differences(doubled, starts)
    # A0's three answers in April count as one (their mean, 3.0 = the other values of the month).
    assert result.n_observations == len(base)
    assert result.estimate == pytest.approx(0.0, abs=1e-9)


def _too_few(observations, starts):
    result = difference_in_differences(observations, starts)
    assert isinstance(result, TooFew) and result.too_few
    assert result.explanation
    return result


def test_too_few_months():
    starts = {"A": MONTHS[1], "B": MONTHS[1]}
    observations = [Observation(t, m, 1.0, None) for t in "ABCD" for m in MONTHS[:2]]
    result = _too_few(observations, starts)
    assert (result.reason, result.n_months) == ("months", 2)


def test_too_few_treated_teams():
    starts = {"A": MONTHS[1], "B": MONTHS[0]}  # B has pair work in every month: it does not switch.
    observations = [Observation(t, m, float(i), None) for t in "ABCD" for i, m in enumerate(MONTHS[:4])]
    result = _too_few(observations, starts)
    assert (result.reason, result.n_treated_teams) == ("treated-teams", 1)


def test_too_few_not_yet_treated_teams():
    starts = {"A": MONTHS[1], "B": MONTHS[1], "C": MONTHS[0]}
    observations = [Observation(t, m, float(i), None) for t in "ABCD" for i, m in enumerate(MONTHS[:4])]
    result = _too_few(observations, starts)
    assert (result.reason, result.n_treated_teams, result.n_comparison_teams) == ("comparison-teams", 2, 1)


def test_a_later_starting_team_compares_for_an_earlier_one():
    # A and B start at different months; C and D never: A's months with pair work
    # are compared with B (not yet started), C and D.
    starts = {"A": MONTHS[1], "B": MONTHS[3]}
    observations = [Observation(t, m, float(i), None) for t in "ABCD" for i, m in enumerate(MONTHS[:5])]
    result = difference_in_differences(observations, starts)
    assert not result.too_few
    assert (result.n_treated_teams, result.n_comparison_teams) == (2, 3)


def test_the_design_check_from_team_months_alone_agrees_with_the_fit():
    from wellbeing.analysis import Observation, did_design

    months = [date(2025, m, 1) for m in range(1, 7)]
    for starts in ({"a": months[2], "b": months[4]}, {"a": months[2]}, {}, {"a": months[0], "b": months[0]}):
        observations = [
            Observation(team, month, 5.0 + (hash((team, month, person)) % 7) / 3, person)
            for team in ("a", "b", "c", "d")
            for month in months
            for person in (f"{team}1", f"{team}2", "shared")
        ]
        fitted = difference_in_differences(observations, starts)
        # "shared" answers in every team: counted once per month, in the team of their first row.
        team_months = {(row.team, row.month) for row in observations if row.person != "shared" or row.team == "a"}
        design = did_design(team_months, starts)
        assert design.too_few == fitted.too_few
        assert (design.n_teams, design.n_treated_teams, design.n_comparison_teams, design.n_months) == (
            fitted.n_teams, fitted.n_treated_teams, fitted.n_comparison_teams, fitted.n_months
        )
        if fitted.too_few:
            assert design.reason == fitted.reason
