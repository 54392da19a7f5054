"""Confidence intervals computed by hand and by the dashboard's statistics."""
import pytest

from wellbeing.stats import difference_estimate, estimate_of, mean_estimate, share_estimate, t_quantile


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.7062), (2, 4.3027), (4, 2.7764), (5, 2.5706), (10, 2.2281), (30, 2.0423), (120, 1.9799)],
)
def test_t_quantile_matches_the_printed_tables(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-4)


def test_ci_of_a_mean_change_matches_the_hand_computed_value():
    # Changes 2, -1, 3, 0, 1: mean 1.0; deviations 1, -2, 2, -1, 0 -> s² = 10 / 4 = 2.5,
    # s = 1.58114, se = s / √5 = 0.70711, t(0.975, 4) = 2.77645 -> half-width 1.96324.
    estimate = estimate_of([2, -1, 3, 0, 1])
    assert estimate.mean == 1.0
    assert estimate.ci_low == pytest.approx(1.0 - 1.96324, abs=1e-4)
    assert estimate.ci_high == pytest.approx(1.0 + 1.96324, abs=1e-4)


def test_the_same_ci_comes_from_the_sums_the_aggregates_keep():
    values = [2, -1, 3, 0, 1]
    from_sums = mean_estimate(len(values), sum(values), sum(v * v for v in values))
    assert (from_sums.ci_low, from_sums.ci_high) == pytest.approx((-0.96324, 2.96324), abs=1e-4)


def test_one_value_has_a_mean_but_no_interval():
    estimate = mean_estimate(1, 4.0, 16.0)
    assert (estimate.mean, estimate.ci_low, estimate.ci_high) == (4.0, None, None)


def test_share_uses_the_wilson_interval():
    # 3 of 10: Wilson 95% interval (0.1078, 0.6032).
    estimate = share_estimate(10, 3)
    assert (estimate.mean, estimate.ci_low, estimate.ci_high) == pytest.approx((0.3, 0.1078, 0.6032), abs=1e-4)


def test_difference_of_two_means_has_a_welch_interval():
    before, after = estimate_of([2, 3, 4, 3, 3]), estimate_of([1, 2, 1, 2, 1, 2])
    change = difference_estimate(before, after)
    assert change.mean == pytest.approx(1.5 - 3.0)
    assert change.ci_low < change.mean < change.ci_high


def test_welch_interval_and_t_quantile_match_scipy_on_a_hand_data_set():
    from scipy import stats as scipy_stats

    before_values, after_values = [2, 3, 4, 3, 3], [1, 2, 1, 2, 1, 2]
    change = difference_estimate(estimate_of(before_values), estimate_of(after_values))
    reference = scipy_stats.ttest_ind(after_values, before_values, equal_var=False).confidence_interval(0.95)
    assert change.mean == pytest.approx(-1.5)
    assert (change.ci_low, change.ci_high) == pytest.approx((reference.low, reference.high), abs=1e-9)
    for df in (1, 3.7, 4, 29, 250):
        assert t_quantile(0.975, df) == pytest.approx(scipy_stats.t.ppf(0.975, df), abs=1e-12)
    # The mean's interval is scipy's one-sample t interval.
    one_sample = scipy_stats.ttest_1samp([2, -1, 3, 0, 1], 0).confidence_interval(0.95)
    estimate = estimate_of([2, -1, 3, 0, 1])
    assert (estimate.ci_low, estimate.ci_high) == pytest.approx((one_sample.low, one_sample.high), abs=1e-9)
