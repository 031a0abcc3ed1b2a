"""Confidence intervals over simulation runs: Student's t without SciPy (no database)."""

import math

import pytest

from tierdesk.insights.simulation import estimate, t_critical
from tierdesk.insights.simulation.confidence import normal_quantile

# Two-sided 95% and 99% critical values from the published t table.
TABLE_95 = {1: 12.706, 2: 4.303, 3: 3.182, 5: 2.571, 10: 2.228, 29: 2.045, 30: 2.042,
            60: 2.000, 120: 1.980}
TABLE_99 = {1: 63.657, 4: 4.604, 9: 3.250, 29: 2.756, 120: 2.617}


@pytest.mark.parametrize(("df", "expected"), TABLE_95.items())
def test_t_critical_95_matches_the_table(df, expected):
    assert t_critical(df) == pytest.approx(expected, abs=6e-4)


@pytest.mark.parametrize(("df", "expected"), TABLE_99.items())
def test_t_critical_99_matches_the_table(df, expected):
    assert t_critical(df, 0.99) == pytest.approx(expected, abs=6e-4)


def test_t_critical_tends_to_the_normal_quantile_and_is_continuous_at_the_switch():
    assert normal_quantile(0.975) == pytest.approx(1.959964, abs=1e-6)
    assert t_critical(100_000) == pytest.approx(1.95998, abs=1e-4)
    # Exact up to 200 degrees of freedom, Cornish-Fisher beyond: no visible seam.
    assert t_critical(200) - t_critical(201) == pytest.approx(
        t_critical(199) - t_critical(200), abs=1e-6)


def test_estimate_gives_mean_plus_minus_t_s_over_root_n():
    e = estimate([1.0, 2.0, 3.0, 4.0])
    sd = math.sqrt(5 / 3)
    half = 3.182446 * sd / 2
    assert e.mean == 2.5 and e.n == 4 and e.sd == pytest.approx(sd)
    assert (e.low, e.high) == pytest.approx((2.5 - half, 2.5 + half), abs=1e-5)
    assert e.half_width == pytest.approx(half, abs=1e-5)


def test_estimate_skips_undefined_runs_and_has_no_interval_for_one_run():
    e = estimate([math.nan, 0.8, math.nan])
    assert e.n == 1 and e.mean == 0.8
    assert math.isnan(e.low) and math.isnan(e.high)
    assert estimate([]).n == 0 and math.isnan(estimate([]).mean)
    same = estimate([0.9, 0.9, 0.9])
    assert same.low == same.high == pytest.approx(0.9)


def test_bad_arguments_are_refused_naming_them():
    with pytest.raises(ValueError, match="df"):
        t_critical(0)
    with pytest.raises(ValueError, match="confidence"):
        t_critical(5, 1.0)
