"""Running a scenario: ``prepare`` (once per scenario), ``run`` (once per seed), ``simulate``
(every seed, then means and confidence intervals).

``prepare`` lays out what does not depend on the seed: technicians' hours and on-call weeks
as a stream of availability changes, which tiers are 24x7, the arrival profiles, the
same-day due-time tables, and the warnings about the inputs. ``run`` draws the tickets,
computes their due times, dispatches them and measures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .availability import (
    WEEK,
    Hours,
    Wakes,
    on_call_weeks,
    skill_classes,
    wake_events,
    working_hours,
)
from .confidence import Estimate
from .deadlines import DeadlineBook
from .demand import ArrivalProfile, arrival_grid, arrival_profile, draw_tickets
from .dispatch import dispatch_general, dispatch_pool
from .model import TARGETS, Scenario
from .results import RunResult, ScenarioResult, TicketLog, build_run, summarise


@dataclass
class Prepared:
    """A scenario made ready to run; reuse it for every seed."""

    scenario: Scenario
    t0: int
    horizon: int
    limit: int
    hours: list[Hours]
    wakes: Wakes
    tier_is_24x7: dict[str, bool]
    stream_tier: np.ndarray
    stream_24x7: np.ndarray
    profiles: list[ArrivalProfile]
    deadlines: DeadlineBook
    serves_in: list[tuple[int, ...]]
    serves_on_call: list[tuple[int, ...]]
    pool_classes: tuple[int, ...] | None
    warnings: list[str]


def _uncovered(hours: list[Hours], limit: float) -> float:
    """Seconds of ``[0, limit)`` when no technician is in their hours."""
    opens = np.concatenate([h.opens for h in hours])
    closes = np.concatenate([h.closes for h in hours])
    order = np.argsort(opens)
    covered, reach = 0.0, 0.0
    for o, c in zip(opens[order].tolist(), closes[order].tolist(), strict=True):
        if c > reach:
            covered += c - max(o, reach)
            reach = c
    return limit - covered


def _input_warnings(scenario: Scenario, prepared_hours: list[Hours], on_call: np.ndarray,
                    tier_24x7: dict[str, bool], horizon: int) -> list[str]:
    warnings = []
    techs = scenario.roster.technicians
    weeks = max(1, math.ceil(horizon / WEEK))
    streams = scenario.demand.streams
    has_demand = {s.tier for s in streams if s.tickets_per_week > 0}
    gaps = _uncovered(prepared_hours, horizon) > 0
    uncovered_weeks = int((~on_call[:weeks].any(axis=1)).sum())
    for tier in scenario.tiers:
        if tier_24x7[tier.name] and tier.name in has_demand and gaps and uncovered_weeks:
            when = ("" if uncovered_weeks == weeks
                    else f" in {uncovered_weeks} of {weeks} weeks")
            warnings.append(
                f'tier "{tier.name}" is 24x7 but nobody is on call{when}: its tickets out of '
                "working hours wait for the next shift (add an on-call rotation)")
    for skill, need in (("onsite", lambda s: s.onsite_share > 0),
                        ("remote", lambda s: s.onsite_share < 1)):
        if any(need(s) for s in streams) and not any(skill in t.skills for t in techs):
            label = "need a visit" if skill == "onsite" else "are worked remotely"
            warnings.append(f"tickets that {label} cannot be served: no technician has the "
                            f"{skill} skill")
    for s in streams:
        targets = scenario.tier(s.tier).targets
        if targets and s.priority not in targets:
            warnings.append(f'stream {s.label}: tier "{s.tier}" has no targets for priority '
                            f'"{s.priority}"; its tickets count in waits and load only')
    need = sum(s.tickets_per_week * (s.work.mean_minutes + 2 * s.onsite_share * (
        s.drive.mean_minutes if s.drive else 0)) for s in streams) / 60
    have = sum(float(h.open_between(0.0, horizon))
               for h in prepared_hours) / 3600 / (horizon / WEEK)
    if need > have:
        warnings.append(f"the demand needs about {need:,.0f} hours of work a week but the "
                        f"roster works {have:,.0f} hours a week: the queue will keep growing")
    return warnings


def prepare(scenario: Scenario) -> Prepared:
    """Everything about ``scenario`` that does not depend on the seed."""
    t0 = int(math.floor(scenario.start.timestamp()))
    horizon = int(round(scenario.weeks * WEEK))
    limit = horizon + int(round(scenario.drain_weeks * WEEK))
    roster = scenario.roster
    hours = working_hours(roster, t0, limit)
    on_call = on_call_weeks(roster, math.ceil(limit / WEEK))
    wakes = wake_events(hours, on_call, limit)
    deadlines = DeadlineBook(scenario, t0, horizon)
    deadlines.build_tables()
    tier_24x7 = deadlines.always_open
    streams = scenario.demand.streams
    tier_names = [t.name for t in scenario.tiers]
    stream_tier = np.array([tier_names.index(s.tier) for s in streams], dtype=np.int64)
    stream_24x7 = np.array([tier_24x7[s.tier] for s in streams], dtype=bool)
    flat = all(len(set(s.rates_per_hour)) == 1 for s in streams)
    grid = None if flat else arrival_grid(scenario.demand.tz, t0, horizon)
    profiles = [arrival_profile(s, grid) for s in streams]
    classes = [skill_classes(t.skills) for t in roster.technicians]
    same_skills = len({t.skills for t in roster.technicians}) == 1
    always = all(h.covers(0, limit) for h in hours)
    return Prepared(
        scenario=scenario, t0=t0, horizon=horizon, limit=limit, hours=hours, wakes=wakes,
        tier_is_24x7=tier_24x7, stream_tier=stream_tier, stream_24x7=stream_24x7,
        profiles=profiles, deadlines=deadlines,
        serves_in=[c[0] for c in classes], serves_on_call=[c[1] for c in classes],
        pool_classes=classes[0][0] if same_skills and always else None,
        warnings=_input_warnings(scenario, hours, on_call, tier_24x7, horizon),
    )


def run(scenario: Scenario | Prepared, seed: int, *, keep_log: bool = False) -> RunResult:
    """One run with ``seed``; ``keep_log`` keeps every ticket (``RunResult.log``)."""
    p = scenario if isinstance(scenario, Prepared) else prepare(scenario)
    s = p.scenario
    tickets = draw_tickets(s.demand, p.profiles, seed, p.horizon)
    due = p.deadlines.due_times(tickets.arrival, tickets.stream, tickets.onsite)
    urgency = np.minimum.reduce([due[t] for t in TARGETS])
    qclass = 2 * tickets.onsite.astype(np.int64) + p.stream_24x7[tickets.stream]
    occupancy = tickets.work + 2 * tickets.drive
    in_order = bool(np.all(urgency[1:] >= urgency[:-1]))
    if p.pool_classes is not None and in_order and np.isin(qclass, p.pool_classes).all():
        assignment = dispatch_pool(tickets.arrival, occupancy, len(p.hours))
    else:
        assignment = dispatch_general(
            arrival=tickets.arrival, qclass=qclass, occupancy=occupancy, urgency=urgency,
            wakes=p.wakes, serves_in=p.serves_in, serves_on_call=p.serves_on_call,
            limit=float(p.limit))
    log = TicketLog(
        t0=p.t0, arrival=tickets.arrival, stream=tickets.stream, work=tickets.work,
        onsite=tickets.onsite, drive=tickets.drive, start=assignment.start,
        tech=assignment.tech, on_call=assignment.on_call, due=due)
    warnings = list(p.warnings)
    unserved = int(np.isnan(assignment.start).sum())
    if unserved:
        warnings.append(f"{unserved} tickets were still waiting {s.drain_weeks:g} weeks after "
                        "the horizon and count as missed: the roster cannot reach them")
    return build_run(
        scenario=s.name, seed=seed, horizon=float(p.horizon),
        streams=[(st.tier, st.priority) for st in s.demand.streams],
        tiers=[t.name for t in s.tiers], stream_tier=p.stream_tier,
        tech_names=[t.name for t in s.roster.technicians], hours=p.hours, log=log,
        warnings=warnings, keep_log=keep_log)


def simulate(scenario: Scenario, *, keep_log: bool = False, confidence: float = 0.95
             ) -> ScenarioResult:
    """Run every seed of ``scenario``; means and ``confidence`` intervals of every figure."""
    prepared = prepare(scenario)
    runs = [run(prepared, seed, keep_log=keep_log) for seed in scenario.seeds]
    return summarise(scenario.name, runs, confidence)


__all__ = ["Estimate", "Prepared", "prepare", "run", "simulate"]
