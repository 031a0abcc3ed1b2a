"""Bad simulation input is refused with a message naming the field (no database)."""

import dataclasses
import datetime as dt

import pytest

from tierdesk.insights.simulation import (
    DemandModel,
    Distribution,
    OnCallRotation,
    Roster,
    Scenario,
    ScenarioError,
    Stream,
    Technician,
    Tier,
)
from tierdesk.insights.tests.simulation_samples import ALWAYS, START, mmc_scenario

WORK = Distribution.exponential(30)


def test_a_horizon_of_ten_years_is_refused():
    with pytest.raises(ScenarioError, match=r"^weeks: 520 weeks would simulate 10\.0 years; "
                                            r"a scenario covers at most 104 weeks"):
        mmc_scenario(weeks=520)
    assert mmc_scenario(weeks=104).weeks == 104
    with pytest.raises(ScenarioError, match="^weeks: must be positive"):
        mmc_scenario(weeks=0)


def test_an_empty_roster_is_refused():
    with pytest.raises(ScenarioError, match="^roster.technicians: the roster is empty"):
        Roster([])


def test_technicians_are_checked_by_name_and_field():
    with pytest.raises(ScenarioError, match='^technician "ann": skills: unknown skill '
                                            "'plumbing'"):
        Technician("ann", ALWAYS, ("remote", "plumbing"))
    with pytest.raises(ScenarioError, match='^technician "ann": hours: tz: unknown time zone'):
        Technician("ann", {"tz": "Mars/Base", "hours": {}})
    with pytest.raises(ScenarioError, match='^technician "ann": skills: needs at least one'):
        Technician("ann", ALWAYS, ())
    with pytest.raises(ScenarioError, match=r'^roster.technicians\[1\]: duplicate technician'):
        Roster([Technician("ann", ALWAYS), Technician("ann", ALWAYS)])


def test_a_rotation_naming_a_stranger_is_refused():
    with pytest.raises(ScenarioError, match=r'^roster.on_call\[0\].weeks\[1\]: unknown '
                                            r'technician "zed"'):
        Roster([Technician("ann", ALWAYS)], [OnCallRotation("nights", ["ann", "zed"])])
    with pytest.raises(ScenarioError, match='^on-call rotation "nights": weeks: needs at least'):
        OnCallRotation("nights", [])


def test_tier_targets_are_checked_like_the_desk_stores_them():
    with pytest.raises(ScenarioError, match=r'^tier "Gold": targets.p1.first_response.kind: '
                                            r"must be one of business, wall, same_day"):
        Tier("Gold", ALWAYS, {"p1": {"first_response": {"kind": "soon", "minutes": 5}}})
    with pytest.raises(ScenarioError, match=r'^tier "Gold": targets.p1.resolution.minutes: '
                                            r"must be positive"):
        Tier("Gold", ALWAYS, {"p1": {"resolution": {"kind": "wall", "minutes": -5}}})
    with pytest.raises(ScenarioError, match=r"unknown target 'arrival'"):
        Tier("Gold", ALWAYS, {"p1": {"arrival": {"kind": "wall", "minutes": 5}}})
    with pytest.raises(ScenarioError, match=r"cutoff: '25:00' is not a time"):
        Tier("Gold", ALWAYS, {"p1": {"first_response": {"kind": "same_day",
                                                        "cutoff": "25:00"}}})


def test_streams_and_distributions_are_checked():
    with pytest.raises(ScenarioError, match=r"^stream Gold/p1: rates_per_hour: needs 168 "
                                            r"values \(hour of week\), got 24"):
        Stream("Gold", "p1", [1.0] * 24, WORK)
    with pytest.raises(ScenarioError, match=r"rates_per_hour\[3\]: must not be negative"):
        Stream("Gold", "p1", [1.0] * 3 + [-1.0] + [1.0] * 164, WORK)
    with pytest.raises(ScenarioError, match="^stream Gold/p1: drive: tickets needing a visit"):
        Stream("Gold", "p1", 1.0, WORK, onsite_share=0.2)
    with pytest.raises(ScenarioError, match="onsite_share: is a share between 0 and 1"):
        Stream("Gold", "p1", 1.0, WORK, onsite_share=1.5, drive=WORK)
    with pytest.raises(ScenarioError, match="^sd: must be positive"):
        Distribution.lognormal(30, 0)
    with pytest.raises(ScenarioError, match="^values: an empirical distribution needs"):
        Distribution.empirical([])
    with pytest.raises(ScenarioError, match="^weights: needs 2 weights"):
        Distribution.empirical([10, 20], [1])


def test_the_demand_must_not_be_empty_or_ambiguous():
    with pytest.raises(ScenarioError, match="^demand.streams: the demand model is empty"):
        DemandModel([])
    with pytest.raises(ScenarioError, match=r"^demand.streams\[1\]: a second stream"):
        DemandModel([Stream("Gold", "p1", 1.0, WORK), Stream("Gold", "p1", 2.0, WORK)])
    with pytest.raises(ScenarioError, match="^demand.tz: unknown time zone"):
        DemandModel([Stream("Gold", "p1", 1.0, WORK)], tz="Mars/Base")


def test_the_scenario_checks_references_start_and_seeds():
    base = mmc_scenario(weeks=1)
    with pytest.raises(ScenarioError, match=r'^demand.streams\[0\].tier: unknown tier "Gold"'):
        dataclasses.replace(base, demand=DemandModel([Stream("Gold", "p1", 1.0, WORK)]))
    with pytest.raises(ScenarioError, match="^start: must be a timezone-aware datetime"):
        dataclasses.replace(base, start=dt.datetime(2026, 1, 5))
    with pytest.raises(ScenarioError, match="^seeds: must not repeat"):
        dataclasses.replace(base, seeds=(1, 1))
    with pytest.raises(ScenarioError, match=r"^seeds\[0\]: must be a non-negative integer"):
        dataclasses.replace(base, seeds=(-1,))
    with pytest.raises(ScenarioError, match="^seeds: needs at least one seed"):
        dataclasses.replace(base, seeds=())
    with pytest.raises(ScenarioError, match=r"^tiers\[1\]: duplicate tier"):
        dataclasses.replace(base, tiers=[Tier("Pool", ALWAYS), Tier("Pool", ALWAYS)])


def test_scenario_errors_are_value_errors():
    assert issubclass(ScenarioError, ValueError)
    with pytest.raises(ValueError):
        Scenario(roster=Roster([Technician("a", ALWAYS)]), tiers=[Tier("Pool", ALWAYS)],
                 demand=DemandModel([Stream("Pool", "p1", 1.0, WORK)]), start=START,
                 weeks=200)
