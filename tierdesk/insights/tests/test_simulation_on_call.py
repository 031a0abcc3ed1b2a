"""On-call rotations in the simulation: who answers 24x7 tiers out of hours, and what it
costs them (no database)."""

import datetime as dt

import numpy as np
import pytest

from tierdesk.insights.simulation import (
    DemandModel,
    Distribution,
    OnCallRotation,
    Roster,
    Scenario,
    Stream,
    Technician,
    Tier,
    prepare,
    run,
    simulate,
)
from tierdesk.insights.tests.simulation_samples import START, TZ, WEEKDAYS, weekly
from tierdesk.sla import Calendar

OFFICE = weekly(TZ, WEEKDAYS, "09:00", "17:00")
ALWAYS_NY = Calendar.always(TZ).to_dict()
PLATINUM = Tier("Platinum", ALWAYS_NY, {"p1": {
    "first_response": {"kind": "wall", "minutes": 30},
    "resolution": {"kind": "wall", "minutes": 240}}})
SILVER = Tier("Silver", OFFICE, {"p3": {
    "first_response": {"kind": "business", "minutes": 240}}})


def scenario(rotations=(), weeks=4, seeds=(1,)):
    return Scenario(
        roster=Roster([Technician("ann", OFFICE), Technician("bob", OFFICE)], rotations),
        tiers=[PLATINUM, SILVER],
        demand=DemandModel([Stream("Platinum", "p1", 0.2, Distribution.fixed(30)),
                            Stream("Silver", "p3", 0.5, Distribution.fixed(20))], tz=TZ),
        start=START, weeks=weeks, seeds=seeds)


def test_the_on_call_technician_answers_24x7_tickets_at_night_and_it_counts_as_on_call_load():
    rotation = OnCallRotation("nights", ["ann", "bob"])
    r = run(scenario([rotation]), 1, keep_log=True)
    log = r.log
    platinum = log.stream == 0
    called = log.on_call
    assert called.any()
    assert platinum[called].all()                 # only 24x7 tickets are taken on call
    # Answered at once, unless the on-call technician is still on the previous call.
    waited = called & (log.start > log.arrival)
    assert waited.sum() < called.sum() / 4
    for k in np.flatnonzero(waited):
        assert log.start[k] in set(log.finish[log.tech == log.tech[k]])
    assert r.attainment[("Platinum", "first_response")].share > 0.95
    # ann covers the even weeks, bob the odd ones.
    week = (log.start[called] // (7 * 86_400)).astype(int)
    assert set(log.tech[called][week % 2 == 0]) == {0}
    assert set(log.tech[called][week % 2 == 1]) == {1}
    by_name = {t.name: t for t in r.technicians}
    assert by_name["ann"].on_call_tickets + by_name["bob"].on_call_tickets == called.sum()
    assert r.on_call_hours == pytest.approx(called.sum() * 0.5, rel=0.05)
    assert r.overtime_hours >= r.on_call_hours > 0
    assert r.warnings == ()


def test_office_hours_tickets_are_never_taken_on_call():
    r = run(scenario([OnCallRotation("nights", ["ann"])]), 2, keep_log=True)
    silver = r.log.stream == 1
    assert not r.log.on_call[silver].any()


def test_a_24x7_tier_with_nobody_on_call_warns_and_its_night_tickets_wait():
    r = run(scenario(), 1, keep_log=True)
    assert any('tier "Platinum" is 24x7 but nobody is on call' in w for w in r.warnings)
    assert r.on_call_tickets == 0
    assert r.attainment[("Platinum", "first_response")].share < 0.5
    tz = Calendar.from_dict(OFFICE).tz
    starts = [dt.datetime.fromtimestamp(r.log.t0 + s, dt.UTC).astimezone(tz)
              for s in r.log.start]
    assert all(s.weekday() < 5 and dt.time(9) <= s.time() < dt.time(17) for s in starts)


def test_a_rotation_with_gaps_warns_about_the_uncovered_weeks():
    result = simulate(scenario([OnCallRotation("nights", ["ann", None])], weeks=4,
                               seeds=(1, 2)))
    assert any("nobody is on call in 2 of 4 weeks" in w for w in result.warnings)
    assert result[("on_call_tickets",)].mean > 0


def test_a_roster_covering_every_hour_needs_no_on_call_and_gets_no_warning():
    shifts = [Technician("day", weekly(TZ, ("mon", "tue", "wed", "thu", "fri", "sat",
                                            "sun"), "06:00", "18:00")),
              Technician("night", weekly(TZ, ("mon", "tue", "wed", "thu", "fri", "sat",
                                              "sun"), "18:00", "06:00"))]
    s = Scenario(roster=Roster(shifts), tiers=[PLATINUM],
                 demand=DemandModel([Stream("Platinum", "p1", 0.2, Distribution.fixed(30))]),
                 start=START, weeks=2)
    assert prepare(s).warnings == []
    r = run(s, 1, keep_log=True)
    assert r.on_call_tickets == 0
    # Nobody waits for a shift: a ticket starts on arrival or when the previous one ends.
    finishes = set(r.log.finish)
    assert all(s == a or s in finishes for s, a in zip(r.log.start, r.log.arrival,
                                                       strict=True))
