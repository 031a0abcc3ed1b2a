"""Confidence intervals over the runs of a scenario (Student's t, no SciPy).

The t quantile is exact for whole degrees of freedom: the two-sided probability
``P(|T| <= t)`` has a closed form as a finite trigonometric sum (Abramowitz & Stegun 26.7.3
and 26.7.4, with ``theta = atan(t / sqrt(df))``), which is inverted by bisection on theta.
Past 200 degrees of freedom the Cornish-Fisher expansion around the normal quantile is used
(its error there is below 1e-7).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

_EXACT_DF_LIMIT = 200


def _two_sided(theta: float, df: int) -> float:
    """P(|T| <= sqrt(df) tan(theta)) for T ~ Student's t with ``df`` degrees of freedom."""
    s, c = math.sin(theta), math.cos(theta)
    c2 = c * c
    if df % 2:
        total, term = 0.0, c
        for k in range(1, (df - 1) // 2 + 1):
            total += term
            term *= c2 * (2 * k) / (2 * k + 1)
        return (2 / math.pi) * (theta + s * total)
    total, term = 0.0, 1.0
    for k in range(1, df // 2 + 1):
        total += term
        term *= c2 * (2 * k - 1) / (2 * k)
    return s * total


def normal_quantile(p: float) -> float:
    """The standard normal quantile of ``p`` in (0, 1), by bisection on ``math.erf``."""
    if not 0 < p < 1:
        raise ValueError(f"p: must be strictly between 0 and 1, got {p!r}")
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return (lo + hi) / 2


def t_critical(df: int, confidence: float = 0.95) -> float:
    """The ``t`` with ``P(|T| <= t) = confidence`` (e.g. 12.706 for df=1, 2.045 for df=29)."""
    if isinstance(df, bool) or not isinstance(df, int) or df < 1:
        raise ValueError(f"df: must be a positive integer, got {df!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: must be strictly between 0 and 1, got {confidence!r}")
    if df > _EXACT_DF_LIMIT:
        z = normal_quantile((1 + confidence) / 2)
        g1 = (z**3 + z) / 4
        g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
        g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
        return z + g1 / df + g2 / df**2 + g3 / df**3
    lo, hi = 0.0, math.pi / 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if _two_sided(mid, df) < confidence:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return math.sqrt(df) * math.tan((lo + hi) / 2)


@dataclass(frozen=True)
class Estimate:
    """A mean over runs with its confidence interval ``[low, high]``.

    ``n`` counts the runs where the figure is defined (a tier without tickets has no
    attainment); with fewer than two, ``low``/``high`` are NaN (no spread to measure).
    """

    mean: float
    low: float
    high: float
    n: int
    sd: float
    confidence: float = 0.95

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def estimate(values: Iterable[float], confidence: float = 0.95) -> Estimate:
    """Mean and ``confidence`` interval ``mean +- t(n-1) s / sqrt(n)``; NaNs are skipped."""
    xs = [float(v) for v in values if v is not None and not math.isnan(v)]
    n = len(xs)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0, math.nan, confidence)
    mean = math.fsum(xs) / n
    if n == 1:
        return Estimate(mean, math.nan, math.nan, 1, math.nan, confidence)
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
    half = t_critical(n - 1, confidence) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n, sd, confidence)
