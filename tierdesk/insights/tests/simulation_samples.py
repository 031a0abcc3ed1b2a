"""Scenarios shared by the simulation tests and bench/bench_simulation.py."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tierdesk.insights.simulation import (
    DemandModel,
    Distribution,
    OnCallRotation,
    Roster,
    Scenario,
    Stream,
    Technician,
    Tier,
)
from tierdesk.sla import Calendar

TZ = "America/New_York"
START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)  # a Monday
ONE_YEAR_WEEKS = 365 / 7
ALWAYS = Calendar.always("UTC").to_dict()


def weekly(tz: str, days: tuple[str, ...], start: str, end: str, **extra) -> dict:
    """A calendar dict open ``start``-``end`` on ``days``."""
    return {"tz": tz, "hours": {d: [[start, end]] for d in days}, **extra}


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = (*WEEKDAYS, "sat", "sun")


def mmc_scenario(*, servers: int = 5, per_hour: float = 6.0, mean_minutes: float = 40.0,
                 weeks: float = ONE_YEAR_WEEKS, seeds=(1,)) -> Scenario:
    """M/M/c: a 24x7 pool, exponential work, no targets (so first come, first served)."""
    return Scenario(
        name=f"M/M/{servers}",
        roster=Roster([Technician(f"tech{i}", ALWAYS) for i in range(servers)]),
        tiers=[Tier("Pool", ALWAYS)],
        demand=DemandModel([Stream("Pool", "p3", per_hour,
                                   Distribution.exponential(mean_minutes))]),
        start=START, weeks=weeks, seeds=tuple(seeds))


def office_profile(per_week: float, tz_shape: str = "business") -> tuple[float, ...]:
    """168 hourly rates summing to ``per_week``: mostly office hours, some evenings, a
    trickle at night and at weekends (24x7 tiers call at any hour)."""
    weights = np.empty(168)
    for day in range(7):
        for hour in range(24):
            if day < 5 and 8 <= hour < 18:
                w = 1.0
            elif day < 5 and (7 <= hour < 8 or 18 <= hour < 22):
                w = 0.25
            elif day < 5:
                w = 0.04
            else:
                w = 0.08 if 8 <= hour < 20 else 0.03
            if tz_shape == "always":
                w = max(w, 0.15)
            weights[day * 24 + hour] = w
    return tuple(float(x) for x in weights / weights.sum() * per_week)


PRIORITIES = {"p1": 0.05, "p2": 0.20, "p3": 0.50, "p4": 0.25}
WORK = {"p1": (90, 80), "p2": (60, 50), "p3": (40, 35), "p4": (30, 25)}
ONSITE_SHARE = {"p1": 0.25, "p2": 0.15, "p3": 0.08, "p4": 0.05}

TIERS = {
    "Silver": (weekly(TZ, WEEKDAYS, "08:00", "18:00", holiday_country="US"), {
        "p1": {"first_response": {"kind": "business", "minutes": 120},
               "resolution": {"kind": "business", "minutes": 480}},
        "p2": {"first_response": {"kind": "business", "minutes": 240},
               "resolution": {"kind": "business", "minutes": 960}},
        "p3": {"first_response": {"kind": "same_day", "minutes": None, "cutoff": "15:00"},
               "resolution": {"kind": "business", "minutes": 2400}},
        "p4": {"first_response": {"kind": "same_day", "minutes": None, "cutoff": "12:00"}},
    }),
    "Gold": (weekly(TZ, (*WEEKDAYS, "sat"), "07:00", "20:00", holiday_country="US"), {
        "p1": {"first_response": {"kind": "wall", "minutes": 60},
               "onsite": {"kind": "business", "minutes": 240},
               "resolution": {"kind": "business", "minutes": 360}},
        "p2": {"first_response": {"kind": "business", "minutes": 120},
               "resolution": {"kind": "business", "minutes": 720}},
        "p3": {"first_response": {"kind": "business", "minutes": 240},
               "resolution": {"kind": "business", "minutes": 1440}},
        "p4": {"first_response": {"kind": "business", "minutes": 480}},
    }),
    "Platinum": (Calendar.always(TZ).to_dict(), {
        "p1": {"first_response": {"kind": "wall", "minutes": 15},
               "onsite": {"kind": "wall", "minutes": 240},
               "resolution": {"kind": "wall", "minutes": 240}},
        "p2": {"first_response": {"kind": "wall", "minutes": 60},
               "resolution": {"kind": "wall", "minutes": 480}},
        "p3": {"first_response": {"kind": "business", "minutes": 120},
               "resolution": {"kind": "business", "minutes": 1440}},
        "p4": {"first_response": {"kind": "business", "minutes": 240}},
    }),
}
CLIENT_SHARE = {"Silver": 0.6, "Gold": 0.3, "Platinum": 0.1}
TICKETS_PER_CLIENT_WEEK = {"Silver": 0.8, "Gold": 1.4, "Platinum": 3.0}


def msp_scenario(*, clients: int = 500, technicians: int = 20, weeks: float = ONE_YEAR_WEEKS,
                 seeds=(1,), on_call: bool = True, seed: int = 7) -> Scenario:
    """An MSP: ``clients`` over Silver / Gold / Platinum (24x7), each with a site at its
    own drive time; ``technicians`` on day, early and late shifts, a third remote-only; two
    weekly on-call rotations for Platinum."""
    rng = np.random.default_rng(seed)
    counts = {tier: round(clients * share) for tier, share in CLIENT_SHARE.items()}
    streams = []
    for tier, n in counts.items():
        if n == 0:
            continue
        drive = Distribution.empirical(np.round(rng.gamma(2.0, 20.0, n) + 5).tolist())
        per_week = n * TICKETS_PER_CLIENT_WEEK[tier]
        for priority, share in PRIORITIES.items():
            mean, sd = WORK[priority]
            shape = "always" if tier == "Platinum" else "business"
            streams.append(Stream(tier, priority, office_profile(per_week * share, shape),
                                  Distribution.lognormal(mean, sd),
                                  onsite_share=ONSITE_SHARE[priority], drive=drive))
    shifts = [weekly(TZ, WEEKDAYS, "08:00", "17:00", holiday_country="US"),
              weekly(TZ, WEEKDAYS, "07:00", "16:00", holiday_country="US"),
              weekly(TZ, WEEKDAYS, "11:00", "20:00", holiday_country="US"),
              weekly(TZ, ("tue", "wed", "thu", "fri", "sat"), "09:00", "18:00")]
    techs = [Technician(f"tech{i:02d}", shifts[i % len(shifts)],
                        ("remote",) if i % 3 == 2 else ("remote", "onsite"))
             for i in range(technicians)]
    callers = [t.name for t in techs if "onsite" in t.skills][:6]
    rotations = ([OnCallRotation("primary", callers[0::2]),
                  OnCallRotation("backup", callers[1::2])] if on_call and callers else [])
    return Scenario(
        name=f"{clients} clients, {technicians} technicians",
        roster=Roster(techs, rotations),
        tiers=[Tier(name, hours, targets) for name, (hours, targets) in TIERS.items()],
        demand=DemandModel(streams, tz=TZ), start=START, weeks=weeks, seeds=tuple(seeds))
