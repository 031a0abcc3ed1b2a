"""Demand in the simulation: arrivals by hour of week, learning rates from history, common
random numbers (no database)."""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from tierdesk.insights.simulation import (
    DemandModel,
    Distribution,
    Stream,
    hour_of_week_rates,
    run,
)
from tierdesk.insights.simulation.demand import arrival_grid, utc_offsets
from tierdesk.insights.tests.simulation_samples import TZ, mmc_scenario, office_profile

WORK = Distribution.fixed(1)


def scenario_with(streams, *, tz=TZ, weeks=8, start=None):
    base = mmc_scenario(weeks=weeks)
    tiers = base.tiers
    return dataclasses.replace(base, demand=DemandModel(streams, tz=tz), tiers=tiers,
                               start=start or base.start)


def local_hour_of_week(log, tz):
    local = [dt.datetime.fromtimestamp(log.t0 + a, ZoneInfo(tz)) for a in log.arrival]
    return np.array([t.weekday() * 24 + t.hour for t in local])


def test_arrivals_follow_the_hour_of_week_profile_across_a_dst_change():
    # Only Monday 09:00-10:00 and Friday 16:00-17:00 local; the window spans March's DST.
    rates = [0.0] * 168
    rates[9] = 20.0
    rates[4 * 24 + 16] = 10.0
    start = dt.datetime(2026, 2, 23, tzinfo=dt.UTC)
    s = scenario_with([Stream("Pool", "p3", rates, WORK)], weeks=6, start=start)
    log = run(s, 3, keep_log=True).log
    hours = local_hour_of_week(log, TZ)
    assert set(hours) == {9, 4 * 24 + 16}
    assert np.sum(hours == 9) == pytest.approx(6 * 20, rel=0.3)
    assert np.sum(hours == 4 * 24 + 16) == pytest.approx(6 * 10, rel=0.4)


def test_hour_of_week_rates_learn_back_the_profile_that_generated_the_arrivals():
    profile = office_profile(400.0)
    s = scenario_with([Stream("Pool", "p3", profile, WORK)], weeks=52)
    log = run(s, 1, keep_log=True).log
    start = s.start
    learned = hour_of_week_rates(log.t0 + log.arrival.astype(np.int64), tz=TZ, start=start,
                                 end=start + dt.timedelta(weeks=52))
    assert len(learned) == 168
    assert sum(learned) == pytest.approx(400.0, rel=0.02)
    # Each bucket is a Poisson count over 52 hours: within 4.5 standard deviations.
    expected = np.array(profile)
    assert np.all(np.abs(np.array(learned) - expected) <= 4.5 * np.sqrt(expected / 52) + 1e-9)
    assert learned[3 * 24 + 3] < 1  # Thursday 03:00: a trickle


def test_rates_over_a_partial_week_divide_by_the_hours_actually_observed():
    # Monday 00:00 to Wednesday 00:00 UTC: two hours of each kind on Mon/Tue, none after.
    start = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    arrivals = [start.timestamp() + 3600 * h + 60 for h in (0, 0, 24)]
    rates = hour_of_week_rates(np.array(arrivals, dtype=np.int64), tz="UTC", start=start,
                               end=start + dt.timedelta(days=2))
    assert rates[0] == 2.0 and rates[24] == 1.0 and sum(rates) == 3.0
    with pytest.raises(ValueError, match="end"):
        hour_of_week_rates(np.array([]), tz="UTC", start=start, end=start)


def test_utc_offsets_find_the_dst_changes_to_the_second():
    lo = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp())
    hi = int(dt.datetime(2027, 1, 1, tzinfo=dt.UTC).timestamp())
    changes, offsets = utc_offsets(TZ, lo, hi)
    assert offsets.tolist() == [-5 * 3600, -4 * 3600, -5 * 3600]
    assert changes[1] == int(dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC).timestamp())
    assert changes[2] == int(dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC).timestamp())
    edges, how = arrival_grid("Asia/Kathmandu", lo, 7 * 86_400)  # UTC+05:45
    assert how[0] == 3 * 24 + 5  # 2026-01-01 00:00 UTC is Thursday 05:45 local


def test_scenarios_with_the_same_seed_share_the_tickets_of_their_common_streams():
    gold = Stream("Pool", "p1", 2.0, Distribution.exponential(30))
    silver = Stream("Pool", "p3", 5.0, Distribution.exponential(30))
    more_silver = dataclasses.replace(silver, rates_per_hour=9.0)
    a = run(scenario_with([gold, silver]), 7, keep_log=True).log
    b = run(scenario_with([gold, more_silver]), 7, keep_log=True).log
    a_gold, b_gold = a.stream == 0, b.stream == 0
    assert np.array_equal(a.arrival[a_gold], b.arrival[b_gold])
    assert np.array_equal(a.work[a_gold], b.work[b_gold])
    assert (b.stream == 1).sum() > (a.stream == 1).sum()
    c = run(scenario_with([gold, silver]), 8, keep_log=True).log
    assert not np.array_equal(a.arrival[a_gold][:10], c.arrival[c.stream == 0][:10])


def test_work_and_drive_distributions_have_the_requested_means():
    rng = np.random.default_rng(1)
    lognormal = Distribution.lognormal(40, 30).sample(rng, 200_000)
    assert lognormal.mean() == pytest.approx(40, rel=0.01)
    assert lognormal.std() == pytest.approx(30, rel=0.03)
    sites = Distribution.empirical([10, 50], weights=[3, 1])
    assert sites.mean_minutes == 20
    assert sites.sample(rng, 100_000).mean() == pytest.approx(20, rel=0.02)
