"""Due times of a run's tickets, with the desk's rules (see ``tierdesk/desk/clocks.py``):
business minutes count on the tier's calendar, wall minutes on the clock, and a same-day
target is due at the close of the business day of the opening (of the next one after the
cutoff). Simulated clocks never pause: a simulated ticket waits for nobody but the desk.

All times are seconds since the scenario start (float); a missing target is ``inf``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from tierdesk.sla import Calendar
from tierdesk.sla.instants import local_to_epoch

from .model import TARGETS, Scenario

DAY = 86_400
MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class SameDayTable:
    """``end_of_business_day`` as a step function over a window: ``values[i]`` holds from
    ``breaks[i]`` up to ``breaks[i + 1]`` (seconds since the start)."""

    breaks: np.ndarray
    values: np.ndarray

    def lookup(self, t: np.ndarray) -> np.ndarray:
        return self.values[np.searchsorted(self.breaks, t, side="right") - 1]


class DaySpans:
    """``cal.day_spans`` memoised per local date (each call lays out DST-aware instants)."""

    def __init__(self, cal: Calendar) -> None:
        self.cal = cal
        self._memo: dict[dt.date, list[tuple[int, int]]] = {}

    def __call__(self, day: dt.date) -> list[tuple[int, int]]:
        spans = self._memo.get(day)
        if spans is None:
            spans = self._memo[day] = self.cal.day_spans(day)
        return spans

    def next_close(self, day: dt.date) -> float:
        """The close of the first business day after ``day``."""
        for offset in range(1, 2 * 366 + 1):
            spans = self(day + dt.timedelta(days=offset))
            if spans:
                return float(max(c for _, c in spans))
        raise ValueError(f"no business day within two years after {day}")


def end_of_business_day(spans: DaySpans, t: float, cutoff: dt.time | None) -> float:
    """``Calendar.end_of_business_day`` (same rules, see ``tierdesk.sla``) on epoch seconds,
    reading the day spans from the memo."""
    cal = spans.cal
    day = dt.datetime.fromtimestamp(t, cal.tz).date()
    previous = spans(day - dt.timedelta(days=1))
    if any(o <= t < c for o, c in previous):
        day -= dt.timedelta(days=1)
        today = previous
    else:
        today = spans(day)
    if today:
        close = max(c for _, c in today)
        before_cutoff = cutoff is None or t <= local_to_epoch(day, cutoff, cal.tz)
        if t < close and before_cutoff:
            return float(close)
    return spans.next_close(day)


def same_day_table(spans: DaySpans, cutoff: str | None, t0: int, span: int) -> SameDayTable:
    """The close of the business day for every instant of ``[t0, t0 + span)``.

    ``end_of_business_day`` is a non-decreasing step function of the instant. It can only
    change at a local midnight, at an interval's close (it is right-continuous there: "at or
    past the close" moves on) or just after a cutoff ("after" is strict). Evaluating it at
    those candidate instants, a few a day, gives the exact step function, and a ticket's
    due time is then one ``searchsorted``.
    """
    cut = dt.time.fromisoformat(cutoff) if cutoff else None
    tz = spans.cal.tz
    first = dt.datetime.fromtimestamp(t0, tz).date() - dt.timedelta(days=1)
    last = dt.datetime.fromtimestamp(t0 + span, tz).date() + dt.timedelta(days=1)
    candidates = {float(t0)}
    day = first
    while day <= last:
        candidates.add(float(local_to_epoch(day, dt.time(0), tz)))
        for _, close in spans(day):
            candidates.add(float(close))
        if cut is not None:
            candidates.add(local_to_epoch(day, cut, tz) + 1e-6)
        day += dt.timedelta(days=1)
    breaks = sorted(c for c in candidates if t0 <= c < t0 + span)
    values = [end_of_business_day(spans, b, cut) for b in breaks]
    return SameDayTable(np.asarray(breaks) - t0, np.asarray(values) - t0)


def is_always_open(cal: Calendar) -> bool:
    """True for a calendar open every instant: no holidays, and each weekday covered from
    midnight to midnight (overnight intervals count on both dates)."""
    if cal.holidays or cal.holiday_country:
        return False
    covered: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for weekday, day_spans in enumerate(cal.week):
        for span in day_spans:
            if span.overnight:
                covered[weekday].append((span.start, MINUTES_PER_DAY))
                covered[(weekday + 1) % 7].append((0, span.end_minute))
            else:
                covered[weekday].append((span.start, span.end))
    for intervals in covered:
        reach = 0
        for start, end in sorted(intervals):
            if start > reach:
                return False
            reach = max(reach, end)
        if reach < MINUTES_PER_DAY:
            return False
    return True


class DeadlineBook:
    """Computes due times for a scenario; tables and calendars are built once, then reused
    for every seed."""

    def __init__(self, scenario: Scenario, t0: int, span: int) -> None:
        self.scenario, self.t0, self.span = scenario, t0, span
        self._tables: dict[tuple[str, str | None], SameDayTable] = {}
        self._spans: dict[str, DaySpans] = {}
        self.always_open = {t.name: is_always_open(t.calendar) for t in scenario.tiers}

    def build_tables(self) -> None:
        """Build every same-day table the scenario needs now (they do not depend on the
        seed), so that the runs only look them up."""
        for stream in self.scenario.demand.streams:
            for spec in self.scenario.tier(stream.tier).targets.get(stream.priority, {}
                                                                   ).values():
                if spec["kind"] == "same_day":
                    self._table(stream.tier, spec.get("cutoff"))

    def _table(self, tier_name: str, cutoff: str | None) -> SameDayTable:
        key = (tier_name, cutoff)
        if key not in self._tables:
            if tier_name not in self._spans:
                self._spans[tier_name] = DaySpans(self.scenario.tier(tier_name).calendar)
            self._tables[key] = same_day_table(self._spans[tier_name], cutoff, self.t0,
                                               self.span)
        return self._tables[key]

    def _due(self, tier_name: str, spec: dict, arrival: np.ndarray) -> np.ndarray:
        always = self.always_open[tier_name]
        if spec["kind"] == "wall" or (spec["kind"] == "business" and always):
            # On a 24x7 calendar business minutes are wall minutes: skip the calendar.
            return arrival + spec["minutes"] * 60.0
        cal = self.scenario.tier(tier_name).calendar
        if spec["kind"] == "business":
            # Calendars count whole seconds: a start rounded up to the next second is at
            # most one second late, nothing next to minutes-long targets.
            starts = self.t0 + np.ceil(arrival).astype(np.int64)
            seconds = np.full(len(arrival), int(round(spec["minutes"] * 60)), dtype=np.int64)
            return (cal.add_many(starts, seconds) - self.t0).astype(float)
        return self._table(tier_name, spec.get("cutoff")).lookup(arrival)

    def due_times(self, arrival: np.ndarray, stream: np.ndarray, onsite: np.ndarray
                  ) -> dict[str, np.ndarray]:
        """``{target: due}`` for every ticket; ``inf`` where the tier promises nothing (and
        for ``onsite`` on tickets without a visit)."""
        due = {target: np.full(len(arrival), np.inf) for target in TARGETS}
        for index, s in enumerate(self.scenario.demand.streams):
            specs = self.scenario.tier(s.tier).targets.get(s.priority, {})
            if not specs:
                continue
            mine = stream == index
            for target, spec in specs.items():
                sel = mine & onsite if target == "onsite" else mine
                if sel.any():
                    due[target][sel] = self._due(s.tier, spec, arrival[sel])
        return due
