"""The simulation agrees with queueing theory on M/M/c (no database)."""

import dataclasses

import numpy as np
import pytest

from tierdesk.insights.simulation import (
    Roster,
    Technician,
    erlang_b,
    erlang_c,
    mmc_mean_wait,
    mmc_utilisation,
    mmc_wait_within,
    prepare,
    run,
    simulate,
)
from tierdesk.insights.tests.simulation_samples import ALWAYS, mmc_scenario


def test_erlang_c_matches_published_values():
    # Textbook values: C(2, 1) = 1/3; C(5, 4) = 0.5541 (call-centre tables).
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(5, 4.0) == pytest.approx(0.5541, abs=1e-4)
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho


def test_mmc_formulas_for_the_reference_case():
    # 6 an hour, 40 minutes each, 5 technicians: load 4 erlangs, 80% busy.
    wait_hours = mmc_mean_wait(6.0, 40 / 60, 5)
    assert wait_hours == pytest.approx(erlang_c(5, 4.0) / 1.5)
    assert mmc_utilisation(6.0, 40 / 60, 5) == pytest.approx(0.8)
    assert mmc_wait_within(6.0, 40 / 60, 5, 0) == pytest.approx(1 - erlang_c(5, 4.0))


def test_erlang_c_is_one_for_an_overloaded_queue_and_mean_wait_refuses_it():
    assert erlang_c(3, 3.0) == 1.0
    with pytest.raises(ValueError, match="the queue grows without bound"):
        mmc_mean_wait(6.0, 1.0, 5)
    with pytest.raises(ValueError, match="servers"):
        erlang_c(0, 1.0)


def test_simulated_mean_wait_is_within_two_percent_of_erlang_c_over_30_seeds():
    # M/M/5, 6 arrivals an hour, 40-minute mean work, one year (~52,560 tickets a run).
    scenario = mmc_scenario(seeds=range(30))
    result = simulate(scenario)
    expected_minutes = mmc_mean_wait(6.0, 40 / 60, 5) * 60
    simulated = result[("wait_mean_minutes",)]
    assert simulated.n == 30
    assert simulated.mean == pytest.approx(expected_minutes, rel=0.02)
    assert simulated.low < expected_minutes < simulated.high
    assert result[("utilisation",)].mean == pytest.approx(0.8, abs=0.005)
    # P(no wait) = 1 - C(5, 4): the share of tickets that started at once.
    started_at_once = np.mean([np.mean(r.log.start == r.log.arrival) for r in
                               [run(prepare(mmc_scenario()), seed, keep_log=True)
                                for seed in (1, 2, 3)]])
    assert started_at_once == pytest.approx(1 - erlang_c(5, 4.0), abs=0.01)


def test_the_fast_pool_and_the_general_event_loop_assign_identically():
    # A technician without the on-site skill takes the general path (skills differ); no
    # ticket needs a visit, so the dispatch must be exactly the same.
    pool = mmc_scenario(weeks=6)
    techs = list(pool.roster.technicians)
    techs[0] = Technician("tech0", ALWAYS, ("remote",))
    general = dataclasses.replace(pool, roster=Roster(techs))
    assert prepare(pool).pool_classes is not None
    assert prepare(general).pool_classes is None
    a, b = run(pool, 5, keep_log=True), run(general, 5, keep_log=True)
    assert np.array_equal(a.log.start, b.log.start)
    assert np.array_equal(a.log.tech, b.log.tech)
    assert [t.busy_hours for t in a.technicians] == pytest.approx(
        [t.busy_hours for t in b.technicians])
