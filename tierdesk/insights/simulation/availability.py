"""When each technician can take work: working hours laid out over the run, on-call weeks,
and the time-ordered stream of changes ("wake" events) the dispatcher replays.

Times are seconds since the scenario start (float). A technician's hours come from the
cached open intervals of their ``tierdesk.sla`` calendar (``Calendar.timeline_covering``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import SKILLS, Roster

WEEK = 7 * 86_400

# Wake kinds, in the order they apply at one instant: what ends before what begins.
CLOSE, OFF_CALL, OPEN, ON_CALL = 0, 1, 2, 3


@dataclass(frozen=True)
class Hours:
    """Merged open intervals ``[opens[i], closes[i])`` clipped to the run; ``cum[i]`` is the
    open time before ``opens[i]``."""

    opens: np.ndarray
    closes: np.ndarray
    cum: np.ndarray
    opens_padded: np.ndarray  # opens + [inf]: index len(opens) is past the last interval

    @classmethod
    def of(cls, opens: np.ndarray, closes: np.ndarray) -> Hours:
        cum = np.concatenate(([0.0], np.cumsum(closes - opens)))
        return cls(opens, closes, cum, np.append(opens, np.inf))

    def open_before(self, t: np.ndarray | float) -> np.ndarray:
        """Open time in ``[0, t)`` for each ``t``."""
        t = np.asarray(t, dtype=float)
        i = np.searchsorted(self.closes, t, side="right")
        return self.cum[i] + np.maximum(t - self.opens_padded[i], 0.0)

    def open_between(self, a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
        """Open time in ``[a, b)`` for each pair."""
        return self.open_before(b) - self.open_before(a)

    def covers(self, lo: float, hi: float) -> bool:
        """True when open all through ``[lo, hi)``."""
        return bool(np.any((self.opens <= lo) & (self.closes >= hi)))


def working_hours(roster: Roster, t0: int, limit: int) -> list[Hours]:
    """Each technician's open intervals over ``[0, limit)`` seconds since ``t0``."""
    out = []
    for tech in roster.technicians:
        tl = tech.calendar.timeline_covering(t0, t0 + limit)
        keep = (tl.closes > t0) & (tl.opens < t0 + limit)
        opens = np.maximum(tl.opens[keep], t0) - t0
        closes = np.minimum(tl.closes[keep], t0 + limit) - t0
        out.append(Hours.of(opens.astype(float), closes.astype(float)))
    return out


def on_call_weeks(roster: Roster, weeks: int) -> np.ndarray:
    """``on_call[week, tech]``: who is on call in each week of the run."""
    index = {tech.name: i for i, tech in enumerate(roster.technicians)}
    on_call = np.zeros((weeks, len(index)), dtype=bool)
    for rotation in roster.on_call:
        for week in range(weeks):
            member = rotation.on_call(week)
            if member is not None:
                on_call[week, index[member]] = True
    return on_call


@dataclass(frozen=True)
class Wakes:
    """Availability changes in time order (parallel arrays): when, which kind, whose. They
    do not depend on the seed, so the dispatcher merges them with the arrivals up front
    instead of pushing them through its heap."""

    times: np.ndarray
    kinds: np.ndarray
    techs: np.ndarray


def wake_events(hours: list[Hours], on_call: np.ndarray, limit: int) -> Wakes:
    times, kinds, techs = [], [], []
    for tech, h in enumerate(hours):
        times += [h.opens, h.closes[h.closes < limit]]
        kinds += [np.full(len(h.opens), OPEN), np.full(int((h.closes < limit).sum()), CLOSE)]
        techs += [np.full(len(h.opens), tech), np.full(int((h.closes < limit).sum()), tech)]
        column = on_call[:, tech]
        previous = np.concatenate(([False], column[:-1]))
        for kind, weeks in ((ON_CALL, np.flatnonzero(column & ~previous)),
                            (OFF_CALL, np.flatnonzero(~column & previous))):
            at = weeks * float(WEEK)
            at = at[at < limit]
            times.append(at)
            kinds.append(np.full(len(at), kind))
            techs.append(np.full(len(at), tech))
    t = np.concatenate(times).astype(float)
    k = np.concatenate(kinds).astype(np.int64)
    w = np.concatenate(techs).astype(np.int64)
    order = np.lexsort((w, k, t))
    return Wakes(t[order], k[order], w[order])


def skill_classes(skills: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The queue classes a technician with ``skills`` serves in hours and on call.

    A ticket's class is ``2 * needs_onsite + is_24x7``; on call, only 24x7 classes.
    """
    in_hours = tuple(2 * SKILLS.index(s) + a for s in skills for a in (0, 1))
    return in_hours, tuple(q for q in in_hours if q % 2 == 1)
