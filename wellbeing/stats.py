"""Means with 95% confidence intervals from the sufficient statistics the aggregates keep.

The distributions come from SciPy (``scipy.stats``): the Student t quantile
for the intervals of a mean and of a Welch difference, the normal quantile
for the Wilson interval of a share. This module only turns the sums the
aggregates keep (n, Σx, Σx²) into estimates.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from scipy import stats as _distributions

CONFIDENCE = 0.95


def t_cdf(t: float, df: float) -> float:
    """The distribution function of Student's t with df degrees of freedom."""
    return float(_distributions.t.cdf(t, df))


@lru_cache(maxsize=512)
def t_quantile(p: float, df: float) -> float:
    """The p quantile of Student's t with df degrees of freedom."""
    return float(_distributions.t.ppf(p, df))


@lru_cache(maxsize=8)
def normal_quantile(p: float) -> float:
    """The p quantile of the standard normal distribution."""
    return float(_distributions.norm.ppf(p))


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95% confidence interval (None where n is too small for one)."""

    n: int
    mean: float
    sd: float | None
    ci_low: float | None
    ci_high: float | None


def mean_estimate(n: int, total: float, total_squares: float) -> Estimate:
    """Mean and t-based 95% CI from n, Σx and Σx²."""
    mean = total / n
    if n < 2:
        return Estimate(n, mean, None, None, None)
    variance = max(0.0, (total_squares - total * total / n) / (n - 1))
    sd = math.sqrt(variance)
    half_width = t_quantile(0.5 + CONFIDENCE / 2, n - 1) * sd / math.sqrt(n)
    return Estimate(n, mean, sd, mean - half_width, mean + half_width)


def estimate_of(values) -> Estimate:
    values = list(values)
    return mean_estimate(len(values), sum(values), sum(v * v for v in values))


def share_estimate(n: int, successes: float) -> Estimate:
    """A proportion with the Wilson score 95% interval (better than ±t·se near 0 or 1)."""
    p = successes / n
    z = normal_quantile(0.5 + CONFIDENCE / 2)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Estimate(n, p, None, max(0.0, centre - half_width), min(1.0, centre + half_width))


def difference_estimate(before: Estimate, after: Estimate) -> Estimate | None:
    """after − before, with a Welch 95% interval (two independent samples)."""
    if before.sd is None or after.sd is None:
        return None
    v1, v2 = before.sd**2 / before.n, after.sd**2 / after.n
    difference = after.mean - before.mean
    if v1 + v2 == 0:
        return Estimate(before.n + after.n, difference, 0.0, difference, difference)
    df = (v1 + v2) ** 2 / (v1 * v1 / (before.n - 1) + v2 * v2 / (after.n - 1))
    half_width = t_quantile(0.5 + CONFIDENCE / 2, df) * math.sqrt(v1 + v2)
    return Estimate(before.n + after.n, difference, None, difference - half_width, difference + half_width)
