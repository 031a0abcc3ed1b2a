"""The inputs of a simulation: roster, on-call rotations, tiers and their targets, the demand
model and the scenario. Plain frozen dataclasses, validated when built.

Bad input raises ``ScenarioError`` (a ``ValueError``) whose message starts with the field,
prefixed by the element it belongs to when there are several, e.g.
``technician "alice": skills: unknown skill "plumbing" (expected remote, onsite)`` or
``weeks: 520 weeks would simulate 10.0 years; a scenario covers at most 104 weeks (2 years)``.
Lists are accepted wherever a tuple is declared and stored as tuples.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from tierdesk.sla import Calendar, CalendarError

SKILLS = ("remote", "onsite")
TARGETS = ("first_response", "onsite", "resolution")
TARGET_KINDS = ("business", "wall", "same_day")
HOURS_PER_WEEK = 168
MAX_WEEKS = 104  # two years: the calendars lay out two years ahead, and so do plans
MAX_DRAIN_WEEKS = 26
MAX_SEEDS = 1000


class ScenarioError(ValueError):
    """A simulation input is invalid; the message starts with the offending field."""


def _fail(where: str, message: str) -> ScenarioError:
    return ScenarioError(f"{where}: {message}" if where else message)


@lru_cache(maxsize=256)
def _calendar_from_json(key: str) -> Calendar:
    return Calendar.from_dict(json.loads(key))


def calendar_from_dict(hours: Mapping[str, Any], where: str = "hours") -> Calendar:
    """The ``tierdesk.sla`` calendar of a calendar dict, cached by its JSON form (a roster
    mostly shares a few schedules, and a calendar caches its laid-out open intervals)."""
    try:
        return _calendar_from_json(json.dumps(hours, sort_keys=True, default=str))
    except CalendarError as exc:
        raise _fail(where, str(exc)) from None
    except TypeError as exc:
        raise _fail(where, f"not a calendar dict ({exc})") from None


def _tuple(value: Any, where: str) -> tuple:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        raise _fail(where, f"expected a list, got {type(value).__name__}")
    return tuple(value)


def _number(value: Any, where: str, *, positive: bool = False, nonnegative: bool = False
            ) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise _fail(where, f"expected a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise _fail(where, f"must be finite, got {value!r}")
    if positive and value <= 0:
        raise _fail(where, f"must be positive, got {value:g}")
    if nonnegative and value < 0:
        raise _fail(where, f"must not be negative, got {value:g}")
    return value


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"must be a non-empty string, got {value!r}")
    return value


# Roster ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Technician:
    """A technician: working hours (a ``tierdesk.sla`` calendar dict) and skills.

    ``remote`` lets them take tickets worked remotely, ``onsite`` tickets that need a visit.
    """

    name: str
    hours: Mapping[str, Any]
    skills: tuple[str, ...] = SKILLS

    def __post_init__(self) -> None:
        _name(self.name, "technician: name")
        where = f'technician "{self.name}"'
        skills = _tuple(self.skills, f"{where}: skills")
        if not skills:
            raise _fail(f"{where}: skills", "needs at least one skill (remote, onsite)")
        for skill in skills:
            if skill not in SKILLS:
                raise _fail(f"{where}: skills",
                            f"unknown skill {skill!r} (expected {', '.join(SKILLS)})")
        object.__setattr__(self, "skills", tuple(s for s in SKILLS if s in skills))
        calendar_from_dict(self.hours, f"{where}: hours")

    @property
    def calendar(self) -> Calendar:
        return calendar_from_dict(self.hours)


@dataclass(frozen=True)
class OnCallRotation:
    """Who is on call out of hours for the 24x7 tiers, week by week.

    Week ``k`` of the scenario (counted from its start, 7 x 24 hours each) is covered by
    ``weeks[k % len(weeks)]``, a technician's name or ``None`` for a week nobody covers.
    Several rotations put several technicians on call at once.
    """

    name: str
    weeks: tuple[str | None, ...]

    def __post_init__(self) -> None:
        _name(self.name, "on-call rotation: name")
        where = f'on-call rotation "{self.name}": weeks'
        weeks = _tuple(self.weeks, where)
        if not weeks:
            raise _fail(where, "needs at least one week")
        for i, member in enumerate(weeks):
            if member is not None and not isinstance(member, str):
                raise _fail(f"{where}[{i}]", f"expected a technician's name, got {member!r}")
        object.__setattr__(self, "weeks", weeks)

    def on_call(self, week: int) -> str | None:
        return self.weeks[week % len(self.weeks)]


@dataclass(frozen=True)
class Roster:
    """The technicians and the on-call rotations among them."""

    technicians: tuple[Technician, ...]
    on_call: tuple[OnCallRotation, ...] = ()

    def __post_init__(self) -> None:
        techs = _tuple(self.technicians, "roster.technicians")
        if not techs:
            raise _fail("roster.technicians", "the roster is empty; add at least one technician")
        names = set()
        for i, tech in enumerate(techs):
            if not isinstance(tech, Technician):
                raise _fail(f"roster.technicians[{i}]", "expected a Technician")
            if tech.name in names:
                raise _fail(f"roster.technicians[{i}]", f'duplicate technician "{tech.name}"')
            names.add(tech.name)
        rotations = _tuple(self.on_call, "roster.on_call")
        for i, rotation in enumerate(rotations):
            if not isinstance(rotation, OnCallRotation):
                raise _fail(f"roster.on_call[{i}]", "expected an OnCallRotation")
            for k, member in enumerate(rotation.weeks):
                if member is not None and member not in names:
                    raise _fail(f"roster.on_call[{i}].weeks[{k}]",
                                f'unknown technician "{member}"')
        object.__setattr__(self, "technicians", techs)
        object.__setattr__(self, "on_call", rotations)


# Tiers ----------------------------------------------------------------------------------

def _check_target(spec: Any, where: str) -> dict:
    """A target spec as desk stores it: {"kind", "minutes", "cutoff"} (see desk/clocks.py)."""
    if not isinstance(spec, Mapping):
        raise _fail(where, f"expected an object, got {type(spec).__name__}")
    kind = spec.get("kind")
    if kind not in TARGET_KINDS:
        raise _fail(f"{where}.kind", f"must be one of {', '.join(TARGET_KINDS)}, got {kind!r}")
    minutes = spec.get("minutes")
    cutoff = spec.get("cutoff")
    if kind == "same_day":
        if minutes is not None:
            raise _fail(f"{where}.minutes", "a same-day target has no minutes")
        if cutoff is not None:
            try:
                dt.time.fromisoformat(cutoff)
            except (TypeError, ValueError):
                raise _fail(f"{where}.cutoff", f"{cutoff!r} is not a time (HH:MM)") from None
    else:
        _number(minutes, f"{where}.minutes", positive=True)
    return {"kind": kind, "minutes": minutes, "cutoff": cutoff}


@dataclass(frozen=True)
class Tier:
    """A tier: its coverage hours (calendar dict) and targets per priority.

    ``targets`` is ``{priority: {target: spec}}`` with targets ``first_response``, ``onsite``
    (only for tickets needing a visit) and ``resolution`` and the desk's spec shape
    ``{"kind": "business" | "wall" | "same_day", "minutes": int | None, "cutoff": "HH:MM" |
    None}``: business minutes count on ``hours``, wall minutes on the clock, and same-day is
    due at the close of the business day of the opening. A missing target is no promise. A
    tier whose ``hours`` are open around the clock is a 24x7 tier: on-call technicians take
    its tickets out of their own hours.
    """

    name: str
    hours: Mapping[str, Any]
    targets: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _name(self.name, "tier: name")
        where = f'tier "{self.name}"'
        calendar_from_dict(self.hours, f"{where}: hours")
        if not isinstance(self.targets, Mapping):
            raise _fail(f"{where}: targets", "expected {priority: {target: spec}}")
        targets = {}
        for priority, by_target in self.targets.items():
            _name(priority, f"{where}: targets (priority)")
            if not isinstance(by_target, Mapping):
                raise _fail(f"{where}: targets.{priority}", "expected {target: spec}")
            targets[priority] = {}
            for target, spec in by_target.items():
                if target not in TARGETS:
                    raise _fail(f"{where}: targets.{priority}",
                                f"unknown target {target!r} (expected {', '.join(TARGETS)})")
                targets[priority][target] = _check_target(
                    spec, f"{where}: targets.{priority}.{target}")
        object.__setattr__(self, "targets", targets)

    @property
    def calendar(self) -> Calendar:
        return calendar_from_dict(self.hours)


# Demand ---------------------------------------------------------------------------------

DISTRIBUTIONS = ("fixed", "exponential", "lognormal", "empirical")


@dataclass(frozen=True)
class Distribution:
    """A distribution of minutes (work time, drive time). Build one with ``fixed(minutes)``,
    ``exponential(mean)``, ``lognormal(mean, sd)`` (parameters of the minutes themselves,
    not of their logarithm) or ``empirical(values, weights=None)`` (draws from the sample,
    e.g. the work times of past tickets or the drive minutes of each site)."""

    kind: str
    mean: float | None = None
    sd: float | None = None
    values: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in DISTRIBUTIONS:
            raise _fail("kind", f"must be one of {', '.join(DISTRIBUTIONS)}, got {self.kind!r}")
        if self.kind == "empirical":
            values = _tuple(self.values, "values")
            if not values:
                raise _fail("values", "an empirical distribution needs at least one value")
            values = tuple(_number(v, f"values[{i}]", nonnegative=True)
                           for i, v in enumerate(values))
            weights = _tuple(self.weights, "weights")
            if weights:
                if len(weights) != len(values):
                    raise _fail("weights", f"needs {len(values)} weights (one per value), "
                                           f"got {len(weights)}")
                weights = tuple(_number(w, f"weights[{i}]", nonnegative=True)
                                for i, w in enumerate(weights))
                if sum(weights) <= 0:
                    raise _fail("weights", "must not all be zero")
            object.__setattr__(self, "values", values)
            object.__setattr__(self, "weights", weights)
            return
        mean = _number(self.mean, "mean", nonnegative=self.kind == "fixed",
                       positive=self.kind != "fixed")
        object.__setattr__(self, "mean", mean)
        if self.kind == "lognormal":
            object.__setattr__(self, "sd", _number(self.sd, "sd", positive=True))

    @classmethod
    def fixed(cls, minutes: float) -> Distribution:
        return cls("fixed", mean=minutes)

    @classmethod
    def exponential(cls, mean: float) -> Distribution:
        return cls("exponential", mean=mean)

    @classmethod
    def lognormal(cls, mean: float, sd: float) -> Distribution:
        return cls("lognormal", mean=mean, sd=sd)

    @classmethod
    def empirical(cls, values: Sequence[float], weights: Sequence[float] | None = None
                  ) -> Distribution:
        return cls("empirical", values=tuple(values), weights=tuple(weights or ()))

    @property
    def mean_minutes(self) -> float:
        if self.kind != "empirical":
            return float(self.mean)
        return float(np.average(self.values, weights=self.weights or None))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws in minutes (float64)."""
        if self.kind == "fixed":
            return np.full(n, float(self.mean))
        if self.kind == "exponential":
            return rng.exponential(self.mean, n)
        if self.kind == "lognormal":
            sigma2 = math.log1p((self.sd / self.mean) ** 2)
            return rng.lognormal(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2), n)
        values = np.asarray(self.values, dtype=float)
        if not self.weights:
            return values[rng.integers(0, len(values), n)]
        p = np.asarray(self.weights, dtype=float)
        return rng.choice(values, n, p=p / p.sum())


@dataclass(frozen=True)
class Stream:
    """The tickets of one tier x priority: arrivals per hour of week, work, visits.

    ``rates_per_hour`` is one rate (tickets an hour, all week) or 168 of them, index 0 being
    Monday 00:00-01:00 in the demand model's time zone. ``work`` is the hands-on time per
    ticket. A share ``onsite_share`` of tickets needs a visit: the technician drives
    ``drive`` minutes there (the on-site arrival), works, and drives as long back.
    """

    tier: str
    priority: str
    rates_per_hour: float | tuple[float, ...]
    work: Distribution
    onsite_share: float = 0.0
    drive: Distribution | None = None

    @property
    def label(self) -> str:
        return f"{self.tier}/{self.priority}"

    def __post_init__(self) -> None:
        _name(self.tier, "stream: tier")
        _name(self.priority, "stream: priority")
        where = f"stream {self.label}"
        rates = self.rates_per_hour
        if isinstance(rates, int | float | np.integer | np.floating) and not isinstance(
                rates, bool):
            rates = (_number(rates, f"{where}: rates_per_hour", nonnegative=True),) * 168
        else:
            rates = _tuple(rates, f"{where}: rates_per_hour")
            if len(rates) != HOURS_PER_WEEK:
                raise _fail(f"{where}: rates_per_hour",
                            f"needs {HOURS_PER_WEEK} values (hour of week), got {len(rates)}")
            rates = tuple(_number(r, f"{where}: rates_per_hour[{i}]", nonnegative=True)
                          for i, r in enumerate(rates))
        object.__setattr__(self, "rates_per_hour", rates)
        if not isinstance(self.work, Distribution):
            raise _fail(f"{where}: work", "expected a Distribution")
        share = _number(self.onsite_share, f"{where}: onsite_share", nonnegative=True)
        if share > 1:
            raise _fail(f"{where}: onsite_share", f"is a share between 0 and 1, got {share:g}")
        object.__setattr__(self, "onsite_share", share)
        if share > 0 and not isinstance(self.drive, Distribution):
            raise _fail(f"{where}: drive",
                        "tickets needing a visit need a drive-time Distribution (minutes)")

    @property
    def tickets_per_week(self) -> float:
        return float(sum(self.rates_per_hour))


@dataclass(frozen=True)
class DemandModel:
    """The demand: one ``Stream`` per tier x priority; hours of week are local to ``tz``."""

    streams: tuple[Stream, ...]
    tz: str = "UTC"

    def __post_init__(self) -> None:
        streams = _tuple(self.streams, "demand.streams")
        if not streams:
            raise _fail("demand.streams", "the demand model is empty: it needs at least one "
                                          "stream of tickets (tier x priority)")
        seen = set()
        for i, stream in enumerate(streams):
            if not isinstance(stream, Stream):
                raise _fail(f"demand.streams[{i}]", "expected a Stream")
            key = (stream.tier, stream.priority)
            if key in seen:
                raise _fail(f"demand.streams[{i}]", f"a second stream for {stream.label}")
            seen.add(key)
        object.__setattr__(self, "streams", streams)
        try:
            ZoneInfo(self.tz)
        except (TypeError, ValueError, ZoneInfoNotFoundError):
            raise _fail("demand.tz", f"unknown time zone {self.tz!r}") from None


# Scenario -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    """What to simulate: roster, tiers, demand, from ``start`` for ``weeks`` weeks, once per
    seed. Arrivals stop at the horizon; the simulation then runs on for up to
    ``drain_weeks`` so the last tickets are worked (those still waiting are unserved)."""

    roster: Roster
    tiers: tuple[Tier, ...]
    demand: DemandModel
    start: dt.datetime
    weeks: float
    seeds: tuple[int, ...] = (1,)
    name: str = ""
    drain_weeks: float = 4

    def __post_init__(self) -> None:
        if not isinstance(self.roster, Roster):
            raise _fail("roster", "expected a Roster")
        if not isinstance(self.demand, DemandModel):
            raise _fail("demand", "expected a DemandModel")
        if not isinstance(self.start, dt.datetime) or self.start.utcoffset() is None:
            raise _fail("start", f"must be a timezone-aware datetime, got {self.start!r}")
        weeks = _number(self.weeks, "weeks", positive=True)
        if weeks > MAX_WEEKS:
            raise _fail("weeks", f"{weeks:g} weeks would simulate {weeks / 52:.1f} years; a "
                                 f"scenario covers at most {MAX_WEEKS} weeks (2 years)")
        object.__setattr__(self, "weeks", weeks)
        drain = _number(self.drain_weeks, "drain_weeks", nonnegative=True)
        if drain > MAX_DRAIN_WEEKS:
            raise _fail("drain_weeks", f"at most {MAX_DRAIN_WEEKS}, got {drain:g}")
        object.__setattr__(self, "drain_weeks", drain)
        seeds = _tuple(self.seeds, "seeds")
        if not seeds:
            raise _fail("seeds", "needs at least one seed")
        if len(seeds) > MAX_SEEDS:
            raise _fail("seeds", f"at most {MAX_SEEDS} seeds, got {len(seeds)}")
        for i, seed in enumerate(seeds):
            if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
                raise _fail(f"seeds[{i}]", f"must be a non-negative integer, got {seed!r}")
        if len(set(seeds)) != len(seeds):
            raise _fail("seeds", "must not repeat (a repeated seed repeats the same run)")
        object.__setattr__(self, "seeds", tuple(int(s) for s in seeds))
        tiers = _tuple(self.tiers, "tiers")
        names = set()
        for i, tier in enumerate(tiers):
            if not isinstance(tier, Tier):
                raise _fail(f"tiers[{i}]", "expected a Tier")
            if tier.name in names:
                raise _fail(f"tiers[{i}]", f'duplicate tier "{tier.name}"')
            names.add(tier.name)
        object.__setattr__(self, "tiers", tiers)
        for i, stream in enumerate(self.demand.streams):
            if stream.tier not in names:
                raise _fail(f"demand.streams[{i}].tier", f'unknown tier "{stream.tier}"')

    def tier(self, name: str) -> Tier:
        return next(t for t in self.tiers if t.name == name)
