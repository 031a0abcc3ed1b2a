"""Properties of the simulation that hold for any roster and demand (hypothesis; no
database): utilisation is a share, every ticket is worked once and by one technician at a
time, nobody works out of hours unless on call, and a roster that can always work drains
every ticket."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
)
from tierdesk.insights.tests.simulation_samples import START, TZ, WEEKDAYS, weekly
from tierdesk.sla import Calendar

SHIFTS = [
    weekly(TZ, WEEKDAYS, "09:00", "17:00"),
    weekly("Europe/London", ("mon", "wed", "fri", "sat"), "07:30", "12:15"),
    weekly(TZ, ("fri", "sat", "sun"), "22:00", "06:00"),
    Calendar.always("UTC").to_dict(),
]
SKILL_SETS = [("remote",), ("onsite",), ("remote", "onsite")]
TIERS = [
    Tier("Silver", SHIFTS[0], {"p3": {"first_response": {"kind": "same_day", "minutes": None,
                                                         "cutoff": "15:00"},
                                      "resolution": {"kind": "business", "minutes": 600}}}),
    Tier("Platinum", Calendar.always(TZ).to_dict(), {"p1": {
        "first_response": {"kind": "wall", "minutes": 30},
        "onsite": {"kind": "wall", "minutes": 180}}}),
]


@st.composite
def scenarios(draw, always_available=False):
    n = draw(st.integers(1, 4))
    techs = [Technician(f"t{i}", SHIFTS[draw(st.integers(0, len(SHIFTS) - 1))],
                        SKILL_SETS[draw(st.integers(0, 2))]) for i in range(n)]
    if always_available:
        techs.append(Technician("anytime", SHIFTS[3], SKILL_SETS[2]))
    rotations = []
    if draw(st.booleans()):
        rotations.append(OnCallRotation("nights", [draw(st.sampled_from(
            [t.name for t in techs] + [None])) for _ in range(draw(st.integers(1, 3)))]))
    streams = [
        Stream("Silver", "p3", draw(st.floats(0.05, 2.0)),
               Distribution.lognormal(draw(st.floats(5, 120)), draw(st.floats(1, 60))),
               onsite_share=draw(st.floats(0, 1)), drive=Distribution.empirical([10, 45])),
        Stream("Platinum", "p1", draw(st.floats(0.0, 0.5)), Distribution.exponential(30),
               onsite_share=draw(st.floats(0, 0.5)), drive=Distribution.fixed(20)),
    ]
    return Scenario(roster=Roster(techs, rotations), tiers=TIERS,
                    demand=DemandModel(streams, tz=TZ), start=START,
                    weeks=draw(st.floats(0.5, 3)), seeds=(draw(st.integers(0, 10**6)),),
                    # Long enough to work off any backlog these demands can build up.
                    drain_weeks=26 if always_available else 4)


def open_at(hours, t):
    i = np.searchsorted(hours.closes, t, side="right")
    inside = i < len(hours.opens)
    return inside & (hours.opens[np.minimum(i, len(hours.opens) - 1)] <= t)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_ticket_is_worked_at_most_once_in_hours_or_on_call(scenario):
    p = prepare(scenario)
    r = run(p, scenario.seeds[0], keep_log=True)
    log = r.log
    started = ~np.isnan(log.start)
    assert r.served + r.unserved == r.tickets == len(log.arrival)
    assert (log.start[started] >= log.arrival[started]).all()
    assert (log.tech[started] >= 0).all() and (log.tech[~started] == -1).all()
    is_24x7 = p.stream_24x7[log.stream]
    assert is_24x7[log.on_call].all()
    for index, tech in enumerate(scenario.roster.technicians):
        mine = started & (log.tech == index)
        order = np.argsort(log.start[mine])
        starts, finishes = log.start[mine][order], log.finish[mine][order]
        assert (starts[1:] >= finishes[:-1] - 1e-6).all()  # one ticket at a time
        assert open_at(p.hours[index], log.start[mine & ~log.on_call]).all()
        needs = np.where(log.onsite[mine], "onsite", "remote")
        assert set(needs) <= set(tech.skills)
    for t in r.technicians:
        assert np.isnan(t.utilisation) or 0 <= t.utilisation <= 1 + 1e-9
        assert 0 <= t.on_call_hours <= t.overtime_hours + 1e-9 <= t.busy_hours + 2e-9
    assert 0 <= r.utilisation <= 1 + 1e-9
    for a in r.attainment.values():
        assert 0 <= a.met <= a.total


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(always_available=True))
def test_a_roster_that_can_always_work_serves_every_ticket_exactly_once(scenario):
    r = run(scenario, scenario.seeds[0], keep_log=True)
    assert r.unserved == 0
    assert not np.isnan(r.log.start).any()
    assert r.served == r.tickets
    assert sum(t.tickets for t in r.technicians) == r.tickets
