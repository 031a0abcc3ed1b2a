"""Calendars in the simulation: technicians' hours, due times on the tier's calendar, and
same-day targets (no database)."""

import datetime as dt

import numpy as np
import pytest

from tierdesk.insights.simulation import (
    DemandModel,
    Distribution,
    Roster,
    Scenario,
    Stream,
    Technician,
    Tier,
    prepare,
    run,
)
from tierdesk.insights.simulation.deadlines import DaySpans, is_always_open, same_day_table
from tierdesk.insights.tests.simulation_samples import (
    START,
    TZ,
    WEEKDAYS,
    msp_scenario,
    weekly,
)
from tierdesk.sla import Calendar
from tierdesk.sla.tests.samples import NEW_YORK_OFFICE

OFFICE = weekly(TZ, WEEKDAYS, "09:00", "17:00")


def open_at(hours, t):
    i = np.searchsorted(hours.closes, t, side="right")
    return (i < len(hours.opens)) & (hours.opens[np.minimum(i, len(hours.opens) - 1)] <= t)


def test_no_technician_starts_work_outside_their_hours_unless_on_call():
    p = prepare(msp_scenario(weeks=3))
    r = run(p, 4, keep_log=True)
    log = r.log
    assert r.tickets > 500
    for index in range(len(p.hours)):
        mine = (log.tech == index) & ~log.on_call
        assert mine.any()
        assert open_at(p.hours[index], log.start[mine]).all()
    assert (log.start[~np.isnan(log.start)] >= log.arrival[~np.isnan(log.start)]).all()


def test_a_weekend_ticket_of_an_office_hours_roster_waits_for_monday_morning():
    # One stream arriving only on Saturdays 10:00-11:00 New York time.
    rates = [0.0] * 168
    rates[5 * 24 + 10] = 3.0
    scenario = Scenario(
        roster=Roster([Technician("ann", OFFICE)]),
        tiers=[Tier("Silver", OFFICE, {"p3": {"resolution": {"kind": "business",
                                                              "minutes": 240}}})],
        demand=DemandModel([Stream("Silver", "p3", rates, Distribution.fixed(10))], tz=TZ),
        start=START, weeks=4)
    log = run(scenario, 1, keep_log=True).log
    assert len(log.arrival) > 0
    starts = [dt.datetime.fromtimestamp(log.t0 + s, dt.UTC).astimezone(Calendar.from_dict(
        OFFICE).tz) for s in log.start]
    assert {s.weekday() for s in starts} == {0}            # Monday
    assert min(s.time() for s in starts) == dt.time(9, 0)  # the first at the opening
    # Business minutes count from Monday 09:00: 240 of them end at 13:00 (well met).
    arrival_local = dt.datetime.fromtimestamp(log.t0 + log.arrival[0], dt.UTC)
    due = Calendar.from_dict(OFFICE).add(arrival_local, dt.timedelta(minutes=240))
    assert log.due["resolution"][0] == pytest.approx(due.timestamp() - log.t0, abs=1)


def test_wall_targets_count_plain_minutes_and_business_targets_the_tier_calendar():
    p = prepare(msp_scenario(weeks=2))
    r = run(p, 2, keep_log=True)
    log = r.log
    streams = p.scenario.demand.streams
    silver_p1 = next(i for i, s in enumerate(streams) if s.label == "Silver/p1")
    gold_p1 = next(i for i, s in enumerate(streams) if s.label == "Gold/p1")
    gold = log.stream == gold_p1
    assert np.allclose(log.due["first_response"][gold], log.arrival[gold] + 60 * 60)
    silver = np.flatnonzero(log.stream == silver_p1)[:20]
    cal = p.scenario.tier("Silver").calendar
    for k in silver:
        arrived = dt.datetime.fromtimestamp(log.t0 + np.ceil(log.arrival[k]), dt.UTC)
        expected = cal.add(arrived, dt.timedelta(minutes=120)).timestamp() - log.t0
        assert log.due["first_response"][k] == pytest.approx(expected)
    # A target the tier does not promise is absent: Silver p4 has no resolution.
    silver_p4 = next(i for i, s in enumerate(streams) if s.label == "Silver/p4")
    assert np.isinf(log.due["resolution"][log.stream == silver_p4]).all()


@pytest.mark.parametrize("cutoff", [None, "15:00"])
def test_the_same_day_table_agrees_with_the_sla_engine_at_every_instant(cutoff):
    # Lunch breaks, an overnight Saturday shift, listed and public holidays.
    cal = Calendar.from_dict(NEW_YORK_OFFICE)
    t0 = int(dt.datetime(2026, 11, 20, tzinfo=dt.UTC).timestamp())
    span = 6 * 7 * 86_400
    table = same_day_table(DaySpans(cal), cutoff, t0, span)
    rng = np.random.default_rng(3)
    instants = np.concatenate((rng.uniform(0, span, 400), table.breaks[1:60],
                               table.breaks[1:60] - 1e-3))
    got = table.lookup(instants)
    cut = dt.time.fromisoformat(cutoff) if cutoff else None
    for t, due in zip(instants.tolist(), got.tolist(), strict=True):
        at = dt.datetime.fromtimestamp(t0 + t, dt.UTC)
        expected = cal.end_of_business_day(at, cut).timestamp() - t0
        assert due == pytest.approx(expected, abs=1e-6), at


def test_a_calendar_open_around_the_clock_is_recognised_as_24x7():
    assert is_always_open(Calendar.always("Europe/Paris"))
    split = {"tz": "UTC", "hours": {d: [["00:00", "12:00"], ["12:00", "24:00"]] for d in
                                    ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}
    assert is_always_open(Calendar.from_dict(split))
    overnight = {"tz": "UTC", "hours": {d: [["12:00", "06:00"], ["06:00", "12:00"]] for d in
                                        ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}
    assert is_always_open(Calendar.from_dict(overnight))
    assert not is_always_open(Calendar.from_dict({**split, "holidays": ["2026-12-25"]}))
    assert not is_always_open(Calendar.from_dict(OFFICE))
