"""What a simulation reports: per run (``RunResult``) and over the seeds of a scenario
(``ScenarioResult``, each figure a mean with its confidence interval).

Definitions (all over the horizon; tickets are those arriving in it, followed to the end):

* **Attainment** of a target: the share of tickets with that promise that met it. First
  response is when a technician starts on the ticket, on-site arrival that plus the drive,
  resolution the end of the work. A ticket never started counts as missed.
* **Waits**: arrival to start, wall-clock minutes, over the tickets started.
* **Utilisation** of a technician: time busy inside their own hours / their open hours
  (in [0, 1]). Busy time includes driving, there and back.
* **Overtime**: time busy outside their own hours: work that runs past the close, and
  on-call work. **On-call hours** are the part of it spent on tickets taken on call;
  **on-call tickets** count the call-outs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .availability import Hours
from .confidence import Estimate, estimate
from .model import TARGETS

Metric = tuple[str, ...]
WAIT_FIGURES = ("mean", "p50", "p90", "p95", "max")


@dataclass(frozen=True)
class Attainment:
    met: int
    total: int

    @property
    def share(self) -> float:
        """Met / total; NaN when no ticket had this promise."""
        return self.met / self.total if self.total else math.nan


@dataclass(frozen=True)
class Waits:
    """Waits (minutes) of the tickets started: count, mean, percentiles, max (NaN if none)."""

    count: int
    mean_minutes: float
    p50_minutes: float
    p90_minutes: float
    p95_minutes: float
    max_minutes: float

    @classmethod
    def of(cls, seconds: np.ndarray) -> Waits:
        if len(seconds) == 0:
            return cls(0, *(math.nan,) * 5)
        minutes = seconds / 60.0
        p50, p90, p95 = np.percentile(minutes, (50, 90, 95))
        return cls(len(minutes), float(minutes.mean()), float(p50), float(p90), float(p95),
                   float(minutes.max()))

    def figure(self, name: str) -> float:
        return getattr(self, f"{name}_minutes")


@dataclass(frozen=True)
class TechnicianLoad:
    name: str
    tickets: int
    available_hours: float
    busy_hours: float
    overtime_hours: float
    on_call_hours: float
    on_call_tickets: int

    @property
    def utilisation(self) -> float:
        """Busy share of the technician's own hours (NaN when they had none)."""
        if self.available_hours <= 0:
            return math.nan
        return (self.busy_hours - self.overtime_hours) / self.available_hours


@dataclass(frozen=True)
class TicketLog:
    """Every ticket of a run (kept on request): seconds since the scenario start ``t0``
    (epoch seconds). ``due`` maps each target to its due times (``inf``: no promise)."""

    t0: int
    arrival: np.ndarray
    stream: np.ndarray
    work: np.ndarray
    onsite: np.ndarray
    drive: np.ndarray
    start: np.ndarray
    tech: np.ndarray
    on_call: np.ndarray
    due: Mapping[str, np.ndarray]

    @property
    def finish(self) -> np.ndarray:
        """When the technician is free again (back from the site)."""
        return self.start + self.work + 2 * self.drive

    def done(self, target: str) -> np.ndarray:
        """When each ticket reached ``target`` (NaN if never started)."""
        if target == "first_response":
            return self.start
        if target == "onsite":
            return self.start + self.drive
        return self.start + self.drive + self.work


@dataclass(frozen=True)
class RunResult:
    """One run of a scenario with one seed."""

    scenario: str
    seed: int
    tickets: int
    unserved: int
    attainment: Mapping[tuple[str, str], Attainment]
    attainment_by_priority: Mapping[tuple[str, str, str], Attainment]
    waits: Waits
    waits_by_tier: Mapping[str, Waits]
    waits_by_priority: Mapping[tuple[str, str], Waits]
    technicians: tuple[TechnicianLoad, ...]
    warnings: tuple[str, ...] = ()
    log: TicketLog | None = field(default=None, repr=False)

    @property
    def served(self) -> int:
        return self.tickets - self.unserved

    @property
    def utilisation(self) -> float:
        """The roster's busy share of its open hours."""
        available = sum(t.available_hours for t in self.technicians)
        busy = sum(t.busy_hours - t.overtime_hours for t in self.technicians)
        return busy / available if available > 0 else math.nan

    @property
    def overtime_hours(self) -> float:
        return sum(t.overtime_hours for t in self.technicians)

    @property
    def on_call_hours(self) -> float:
        return sum(t.on_call_hours for t in self.technicians)

    @property
    def on_call_tickets(self) -> int:
        return sum(t.on_call_tickets for t in self.technicians)

    def metrics(self) -> dict[Metric, float]:
        """Every figure under a tuple key; see ``tierdesk.insights.simulation``."""
        out: dict[Metric, float] = {
            ("tickets",): float(self.tickets),
            ("unserved",): float(self.unserved),
            ("utilisation",): self.utilisation,
            ("overtime_hours",): self.overtime_hours,
            ("on_call_hours",): self.on_call_hours,
            ("on_call_tickets",): float(self.on_call_tickets),
        }
        for (tier, target), a in self.attainment.items():
            out[("attainment", tier, target)] = a.share
        for (tier, priority, target), a in self.attainment_by_priority.items():
            out[("attainment", tier, priority, target)] = a.share
        for figure in WAIT_FIGURES:
            name = f"wait_{figure}_minutes"
            out[(name,)] = self.waits.figure(figure)
            for tier, w in self.waits_by_tier.items():
                out[(name, tier)] = w.figure(figure)
            for (tier, priority), w in self.waits_by_priority.items():
                out[(name, tier, priority)] = w.figure(figure)
        for t in self.technicians:
            out[("utilisation", t.name)] = t.utilisation
            out[("busy_hours", t.name)] = t.busy_hours
            out[("overtime_hours", t.name)] = t.overtime_hours
            out[("on_call_hours", t.name)] = t.on_call_hours
            out[("on_call_tickets", t.name)] = float(t.on_call_tickets)
        return out


@dataclass(frozen=True)
class ScenarioResult:
    """All runs of a scenario and, per metric, the mean over runs with its confidence
    interval. ``result[("attainment", "Gold", "resolution")]`` is an ``Estimate``."""

    scenario: str
    runs: tuple[RunResult, ...]
    summary: Mapping[Metric, Estimate]
    warnings: tuple[str, ...] = ()

    def __getitem__(self, metric: Metric) -> Estimate:
        return self.summary[metric]


def summarise(scenario: str, runs: Sequence[RunResult], confidence: float = 0.95
              ) -> ScenarioResult:
    """Means and confidence intervals of every metric over ``runs``."""
    per_run = [r.metrics() for r in runs]
    keys = list(dict.fromkeys(k for m in per_run for k in m))
    summary = {k: estimate([m.get(k, math.nan) for m in per_run], confidence) for k in keys}
    warnings = tuple(dict.fromkeys(w for r in runs for w in r.warnings))
    return ScenarioResult(scenario, tuple(runs), summary, warnings)


def _attainment(groups: np.ndarray, count: int, applies: np.ndarray, met: np.ndarray
                ) -> list[Attainment]:
    total = np.bincount(groups[applies], minlength=count)
    hits = np.bincount(groups[applies & met], minlength=count)
    return [Attainment(int(h), int(t)) for h, t in zip(hits, total, strict=True)]


def _grouped_waits(wait: np.ndarray, groups: np.ndarray, labels: Sequence) -> dict:
    """Waits per group label; a group holding every ticket reuses the overall figures."""
    present = np.bincount(groups, minlength=len(labels))
    out = {}
    for g, label in enumerate(labels):
        if present[g] == len(groups):
            out[label] = None  # filled by the caller with the overall figures
        elif present[g]:
            out[label] = Waits.of(wait[groups == g])
    return out


def build_run(*, scenario: str, seed: int, horizon: float, streams: Sequence[tuple[str, str]],
              tiers: Sequence[str], stream_tier: np.ndarray, tech_names: Sequence[str],
              hours: Sequence[Hours], log: TicketLog, warnings: Sequence[str],
              keep_log: bool) -> RunResult:
    """Turn a run's tickets and assignments into figures (vectorised; per group through
    ``bincount``, so the cost does not grow with the number of technicians or tiers)."""
    started = ~np.isnan(log.start)
    unserved = int((~started).sum())
    tier_of = stream_tier[log.stream]
    attainment, by_priority = {}, {}
    for target in TARGETS:
        due = log.due[target]
        applies = np.isfinite(due)
        if not applies.any():
            continue
        with np.errstate(invalid="ignore"):
            met = started & (log.done(target) <= due)
        for tier_index, a in enumerate(_attainment(tier_of, len(tiers), applies, met)):
            if a.total:
                attainment[(tiers[tier_index], target)] = a
        for s, a in enumerate(_attainment(log.stream, len(streams), applies, met)):
            if a.total:
                by_priority[(*streams[s], target)] = a

    wait = (log.start - log.arrival)[started]
    waits = Waits.of(wait)
    waits_by_tier = _grouped_waits(wait, tier_of[started], tiers)
    waits_by_priority = _grouped_waits(wait, log.stream[started], streams)
    for grouped in (waits_by_tier, waits_by_priority):
        for label, w in grouped.items():
            if w is None:
                grouped[label] = waits

    n_tech = len(tech_names)
    tech = log.tech[started]
    a = np.clip(log.start[started], 0, horizon)
    b = np.clip(log.finish[started], 0, horizon)
    busy = b - a
    in_hours = busy.copy()
    part_time = [i for i, h in enumerate(hours) if not h.covers(0, horizon)]
    if part_time:
        order = np.argsort(tech, kind="stable")
        bounds = np.concatenate(([0], np.cumsum(np.bincount(tech, minlength=n_tech))))
        for i in part_time:
            mine = order[bounds[i]:bounds[i + 1]]
            in_hours[mine] = hours[i].open_between(a[mine], b[mine])
    out_of_hours = busy - in_hours
    called = log.on_call[started]
    tickets = np.bincount(tech, minlength=n_tech)
    busy_s = np.bincount(tech, weights=busy, minlength=n_tech)
    over_s = np.bincount(tech, weights=out_of_hours, minlength=n_tech)
    call_s = np.bincount(tech[called], weights=out_of_hours[called], minlength=n_tech)
    call_n = np.bincount(tech[called], minlength=n_tech)
    technicians = tuple(
        TechnicianLoad(
            name=name, tickets=int(tickets[i]),
            available_hours=float(hours[i].open_between(0.0, horizon)) / 3600,
            busy_hours=float(busy_s[i]) / 3600, overtime_hours=float(over_s[i]) / 3600,
            on_call_hours=float(call_s[i]) / 3600, on_call_tickets=int(call_n[i]))
        for i, name in enumerate(tech_names))
    return RunResult(
        scenario=scenario, seed=seed, tickets=len(log.arrival), unserved=unserved,
        attainment=attainment, attainment_by_priority=by_priority, waits=waits,
        waits_by_tier=waits_by_tier, waits_by_priority=waits_by_priority,
        technicians=technicians, warnings=tuple(warnings),
        log=log if keep_log else None,
    )
