'''Capacity and SLA-feasibility simulation: can the roster keep the promises of the tiers?
Pure Python (NumPy and ``tierdesk.sla``; no Django), so the Django layer can learn the
inputs from history and run scenarios side by side.

Public API
==========

Inputs (``model.py``; frozen dataclasses, bad input raises ``ScenarioError``, a
``ValueError`` whose message starts with the field)::

    Technician(name, hours: dict, skills=("remote", "onsite"))       # hours: sla calendar dict
    OnCallRotation(name, weeks: tuple[str | None, ...])   # week k -> weeks[k % len]; None = nobody
    Roster(technicians, on_call=())
    Tier(name, hours: dict, targets={priority: {target: spec}})
        # target: "first_response" | "onsite" | "resolution"
        # spec: {"kind": "business" | "wall" | "same_day", "minutes": int | None,
        #        "cutoff": "HH:MM" | None}   (the desk's shape, see desk/clocks.py)
    Distribution.fixed(minutes) / .exponential(mean) / .lognormal(mean, sd)
        / .empirical(values, weights=None)                         # minutes
    Stream(tier, priority, rates_per_hour: float | 168 floats, work: Distribution,
           onsite_share=0.0, drive: Distribution | None = None)    # drive: one way, minutes
    DemandModel(streams, tz="UTC")                                 # hours of week in tz
    Scenario(roster, tiers, demand, start: aware datetime, weeks, seeds=(1,), name="",
             drain_weeks=4)                                        # weeks <= 104

Running (``engine.py``)::

    simulate(scenario, *, keep_log=False, confidence=0.95) -> ScenarioResult
    prepare(scenario) -> Prepared                 # the seed-independent part, reusable
    run(scenario_or_prepared, seed, *, keep_log=False) -> RunResult

Results (``results.py``, ``confidence.py``)::

    RunResult: tickets, served, unserved, attainment[(tier, target)] -> Attainment(met,
        total).share, attainment_by_priority[(tier, priority, target)], waits / waits_by_tier
        [tier] / waits_by_priority[(tier, priority)] -> Waits(count, mean_minutes,
        p50_minutes, p90_minutes, p95_minutes, max_minutes), technicians -> TechnicianLoad(
        name, tickets, available_hours, busy_hours, overtime_hours, on_call_hours,
        on_call_tickets, utilisation), utilisation, overtime_hours, on_call_hours,
        on_call_tickets, warnings, log (TicketLog when keep_log), metrics() -> {key: float}
    ScenarioResult: scenario, runs, warnings, summary {key: Estimate}; result[key]
    Estimate(mean, low, high, n, sd, confidence).half_width
    estimate(values, confidence=0.95) -> Estimate;  t_critical(df, confidence=0.95)

Metric keys (tuples): ``("tickets",)``, ``("unserved",)``, ``("utilisation",)``,
``("overtime_hours",)``, ``("on_call_hours",)``, ``("on_call_tickets",)``,
``("attainment", tier, target)``, ``("attainment", tier, priority, target)``,
``("wait_<f>_minutes",)``, ``("wait_<f>_minutes", tier)``, ``("wait_<f>_minutes", tier,
priority)`` for f in mean, p50, p90, p95, max, and per technician ``("utilisation", name)``,
``("busy_hours", name)``, ``("overtime_hours", name)``, ``("on_call_hours", name)``,
``("on_call_tickets", name)``. A figure undefined in a run (no tickets) is NaN there and
left out of its estimate.

Learning the demand (``demand.py``)::

    hour_of_week_rates(arrivals, *, tz, start, end) -> tuple of 168 rates per hour

Closed forms (``erlang.py``)::

    erlang_b(servers, offered_load), erlang_c(servers, offered_load),
    mmc_mean_wait(arrival_rate, mean_service, servers),
    mmc_wait_within(arrival_rate, mean_service, servers, within),
    mmc_utilisation(arrival_rate, mean_service, servers)

The model
=========

* Tickets of each stream arrive as a Poisson process with the stream's hour-of-week rates,
  from ``start`` for ``weeks`` weeks; each has a work time, and with probability
  ``onsite_share`` needs a visit (drive there, work, drive back; the technician needs the
  ``onsite`` skill, otherwise ``remote``). The run then continues up to ``drain_weeks`` so
  the last tickets are worked; tickets still waiting then are unserved (counted missed).
* Due times follow the desk's rules on the tier's calendar (``deadlines.py``); a ticket's
  urgency is its earliest due time.
* Dispatch (``dispatch.py``): a free technician who may work now and has the skill takes
  the waiting ticket with the earliest due time. Technicians work in their own hours; out
  of them, the on-call technicians of the week take tickets of 24x7 tiers (a tier whose
  hours are always open). Work is not interrupted at closing time (overtime).
* Seeds give independent runs; each stream has its own random generator per seed, so two
  scenarios with the same seeds share their common tickets (common random numbers).
* Warnings (not errors) in the results: a 24x7 tier with nobody on call, a skill nobody
  has, a priority without targets, demand above the roster's hours, unserved tickets.

Validation: an M/M/c case (24x7 roster, no targets, so first-come-first-served) matches
``mmc_mean_wait`` within 2% over 30 seeds (tests/test_simulation_erlang.py).
'''

from .confidence import Estimate, estimate, t_critical
from .demand import hour_of_week_rates
from .engine import Prepared, prepare, run, simulate
from .erlang import erlang_b, erlang_c, mmc_mean_wait, mmc_utilisation, mmc_wait_within
from .model import (
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
from .results import (
    Attainment,
    RunResult,
    ScenarioResult,
    TechnicianLoad,
    TicketLog,
    Waits,
)

__all__ = [
    "Attainment", "DemandModel", "Distribution", "Estimate", "OnCallRotation", "Prepared",
    "Roster", "RunResult", "Scenario", "ScenarioError", "ScenarioResult", "Stream",
    "Technician", "TechnicianLoad", "TicketLog", "Tier", "Waits", "erlang_b", "erlang_c",
    "estimate", "hour_of_week_rates", "mmc_mean_wait", "mmc_utilisation", "mmc_wait_within",
    "prepare", "run", "simulate", "t_critical",
]
