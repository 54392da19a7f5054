"""Means with 95% confidence intervals from the sufficient statistics the aggregates keep.

No SciPy in the project: the Student t quantile is found by bisection on
the t distribution function, written with the regularised incomplete beta
function (continued fraction, as in Numerical Recipes). Accurate to far
more digits than a dashboard shows.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

CONFIDENCE = 0.95


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _regularised_incomplete_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1.0 - x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    tail = 0.5 * _regularised_incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


@lru_cache(maxsize=512)
def t_quantile(p: float, df: float) -> float:
    """The p quantile of Student's t with df degrees of freedom (p > 0.5)."""
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2.0


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
    z = 1.959963984540054
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
