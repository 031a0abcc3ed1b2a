"""Demand: drawing a run's tickets from a ``DemandModel``, and learning hour-of-week rates
from past arrivals.

Arrivals of a stream are a Poisson process whose rate is constant within each local hour of
the week. They are drawn by inverting the cumulative rate: unit-rate Poisson points (a
cumsum of exponentials) are mapped through ``np.interp`` onto the cumulative expected count
over the horizon, laid out on a grid of UTC quarter-hours (every real UTC offset is a whole
number of quarter-hours, so each cell lies inside one local hour, DST days included). A flat
rate skips the grid. Nothing is thinned away, so the cost is one draw per ticket.

Each stream draws from its own generator, seeded by the run's seed and the stream's tier
and priority. Two scenarios run with the same seeds therefore see the same tickets in every
stream they share (common random numbers), so their difference is not drowned in noise.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from .model import DemandModel, Stream

QUARTER = 900
HOUR = 3600
DAY = 86_400
WEEK = 7 * DAY


def utc_offsets(tz: str, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """The UTC offsets (seconds) of ``tz`` over ``[lo, hi)`` epoch seconds as a step function:
    ``offsets[i]`` holds from ``changes[i]`` (``changes[0] == lo``) to the next change.

    Sampled once a day and refined by bisection to the second where two samples differ
    (zones change offset at most once a day).
    """
    zone = ZoneInfo(tz)

    def offset(t: int) -> int:
        return int(dt.datetime.fromtimestamp(t, zone).utcoffset().total_seconds())

    changes, offsets = [lo], [offset(lo)]
    t = lo
    while t < hi:
        nxt = min(t + DAY, hi)
        off = offset(nxt) if nxt < hi else offsets[-1]
        if off != offsets[-1]:
            a, b = t, nxt  # offset(a) is the old offset, offset(b) the new one
            while b - a > 1:
                mid = (a + b) // 2
                if offset(mid) == offsets[-1]:
                    a = mid
                else:
                    b = mid
            changes.append(b)
            offsets.append(off)
        t = nxt
    return np.asarray(changes, dtype=np.int64), np.asarray(offsets, dtype=np.int64)


def hour_of_week(epoch: np.ndarray, changes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Local hour of the week (0 = Monday 00:00-01:00) of each epoch second."""
    local = epoch + offsets[np.searchsorted(changes, epoch, side="right") - 1]
    days = local // DAY
    # 1970-01-01 was a Thursday: weekday (Monday 0) is (days + 3) % 7.
    return ((days + 3) % 7) * 24 + (local % DAY) // HOUR


@dataclass(frozen=True)
class ArrivalProfile:
    """A stream's expected arrivals over one horizon: the cumulative expected count at each
    grid instant (seconds since the start), or a flat rate per second."""

    flat_rate: float | None
    grid: np.ndarray | None = None
    cumulative: np.ndarray | None = None

    @property
    def expected(self) -> float:
        return float(self.cumulative[-1]) if self.cumulative is not None else 0.0


def arrival_grid(tz: str, t0: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Quarter-hour grid over ``[t0, t0 + horizon]`` (seconds since ``t0``, both ends
    included) and the local hour of week of each cell."""
    first = -(-t0 // QUARTER) * QUARTER
    inner = np.arange(first, t0 + horizon, QUARTER, dtype=np.int64)
    if inner.size == 0 or inner[0] != t0:
        inner = np.concatenate(([t0], inner))
    edges = np.concatenate((inner, [t0 + horizon]))
    changes, offsets = utc_offsets(tz, t0, t0 + horizon + 1)
    return edges - t0, hour_of_week(inner, changes, offsets)


def arrival_profile(stream: Stream, grid: tuple[np.ndarray, np.ndarray] | None) -> ArrivalProfile:
    """The ``ArrivalProfile`` of ``stream`` on a grid from ``arrival_grid`` (None: flat)."""
    rates = np.asarray(stream.rates_per_hour, dtype=float)
    if np.all(rates == rates[0]):
        return ArrivalProfile(flat_rate=rates[0] / HOUR)
    edges, how = grid
    expected = rates[how] * (np.diff(edges) / HOUR)
    cumulative = np.concatenate(([0.0], np.cumsum(expected)))
    return ArrivalProfile(flat_rate=None, grid=edges.astype(float), cumulative=cumulative)


def _unit_poisson(rng: np.random.Generator, total: float) -> np.ndarray:
    """The points of a unit-rate Poisson process on ``[0, total)``."""
    if total <= 0:
        return np.empty(0)
    # Draw a little more than expected in one go; top up in the rare case it falls short.
    n = int(total + 6 * np.sqrt(total) + 20)
    points = np.cumsum(rng.exponential(1.0, n))
    while points[-1] < total:
        more = np.cumsum(rng.exponential(1.0, n)) + points[-1]
        points = np.concatenate((points, more))
    return points[: np.searchsorted(points, total)]


def draw_arrivals(rng: np.random.Generator, profile: ArrivalProfile, horizon: int
                  ) -> np.ndarray:
    """Sorted arrival instants (seconds since the start, float) of one stream."""
    if profile.flat_rate is not None:
        if profile.flat_rate <= 0:
            return np.empty(0)
        return _unit_poisson(rng, profile.flat_rate * horizon) / profile.flat_rate
    points = _unit_poisson(rng, profile.expected)
    return np.interp(points, profile.cumulative, profile.grid)


def stream_rng(seed: int, stream: Stream) -> np.random.Generator:
    """The generator of one stream in one run (see the module docstring)."""
    key = zlib.crc32(f"{stream.tier}\x00{stream.priority}".encode())
    return np.random.default_rng([seed, key])


@dataclass
class Tickets:
    """A run's tickets in arrival order (parallel arrays; times in seconds since start)."""

    arrival: np.ndarray      # float64
    stream: np.ndarray       # int32 index into demand.streams
    work: np.ndarray         # float64 seconds of hands-on work
    onsite: np.ndarray       # bool
    drive: np.ndarray        # float64 seconds, one way (0 when remote)

    def __len__(self) -> int:
        return len(self.arrival)


def draw_tickets(demand: DemandModel, profiles: list[ArrivalProfile], seed: int,
                 horizon: int) -> Tickets:
    """All tickets of one run, merged across streams in arrival order."""
    parts = []
    for index, (stream, profile) in enumerate(zip(demand.streams, profiles, strict=True)):
        rng = stream_rng(seed, stream)
        arrival = draw_arrivals(rng, profile, horizon)
        n = len(arrival)
        work = stream.work.sample(rng, n) * 60
        if stream.onsite_share > 0:
            onsite = rng.random(n) < stream.onsite_share
            drive = np.where(onsite, stream.drive.sample(rng, n) * 60, 0.0)
        else:
            onsite, drive = np.zeros(n, dtype=bool), np.zeros(n)
        parts.append((arrival, np.full(n, index, dtype=np.int32), work, onsite, drive))
    if len(parts) == 1:
        return Tickets(*parts[0])
    order = np.argsort(np.concatenate([p[0] for p in parts]), kind="stable")
    return Tickets(*(np.concatenate([p[i] for p in parts])[order] for i in range(5)))


def hour_of_week_rates(arrivals: np.ndarray, *, tz: str, start: dt.datetime,
                       end: dt.datetime) -> tuple[float, ...]:
    """Learn ``Stream.rates_per_hour`` from history: the arrivals (epoch seconds or
    ``datetime64``) in ``[start, end)`` counted per local hour of week, each divided by how
    many hours of that kind the window holds (a window need not be whole weeks)."""
    if start.utcoffset() is None or end.utcoffset() is None:
        raise ValueError("start/end: must be timezone-aware")
    lo, hi = int(start.timestamp()), int(end.timestamp())
    if hi <= lo:
        raise ValueError("end: must be after start")
    arr = np.asarray(arrivals)
    if arr.dtype.kind == "M":
        arr = arr.astype("datetime64[s]").view(np.int64)
    arr = arr.astype(np.int64)
    arr = arr[(arr >= lo) & (arr < hi)]
    changes, offsets = utc_offsets(tz, lo, hi)
    counts = np.bincount(hour_of_week(arr, changes, offsets), minlength=168)
    edges, how = arrival_grid(tz, lo, hi - lo)
    exposure = np.bincount(how, weights=np.diff(edges) / HOUR, minlength=168)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(exposure > 0, counts / exposure, 0.0)
    return tuple(float(r) for r in rates)
