"""The cached open-time timeline of a calendar: merged open intervals in UTC over a window.

A ``Timeline`` knows every open instant in ``[lo, hi)`` (epoch seconds). Its intervals are
sorted, disjoint and not adjacent (overlapping or touching intervals, e.g. an overnight
interval running into the next day's, are merged), and clipped to the window. ``cum[i]`` is
the open time in ``[lo, opens[i])``, so the open time before any instant ``t`` is a
``searchsorted`` away, and so is the instant at which a given amount of open time is reached.

It holds the same data twice: NumPy ``int64`` arrays in seconds for the batch API, and plain
lists of Python ints in microseconds for the scalar API (``bisect`` on a list beats a NumPy
call on one value by an order of magnitude, and microseconds keep ``timedelta`` exact).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from datetime import date, timedelta

import numpy as np

from .instants import US_PER_S

DaySpans = Callable[[date], Iterable[tuple[int, int]]]


class Timeline:
    """Open intervals of a calendar in ``[lo, hi)`` epoch seconds; immutable once built."""

    __slots__ = (
        "lo", "hi", "opens", "closes", "cum", "cum_end", "opens_padded", "total",
        "lo_us", "hi_us", "opens_us", "closes_us", "cum_us", "cum_end_us", "total_us",
    )

    def __init__(self, lo: int, hi: int, intervals: list[tuple[int, int]]) -> None:
        self.lo, self.hi = lo, hi
        opens = np.fromiter((o for o, _ in intervals), dtype=np.int64, count=len(intervals))
        closes = np.fromiter((c for _, c in intervals), dtype=np.int64, count=len(intervals))
        cum = np.zeros(len(intervals) + 1, dtype=np.int64)
        np.cumsum(closes - opens, out=cum[1:])
        self.opens, self.closes, self.cum = opens, closes, cum
        self.cum_end = cum[1:]
        # A sentinel open at ``hi`` lets ``opens_padded[i]`` be read for i == len(intervals).
        self.opens_padded = np.append(opens, np.int64(hi))
        self.total = int(cum[-1])
        self.lo_us, self.hi_us = lo * US_PER_S, hi * US_PER_S
        self.opens_us = [o * US_PER_S for o in opens.tolist()]
        self.closes_us = [c * US_PER_S for c in closes.tolist()]
        self.cum_us = [c * US_PER_S for c in cum.tolist()]
        self.cum_end_us = self.cum_us[1:]
        self.total_us = self.total * US_PER_S

    def covers(self, lo: int, hi: int) -> bool:
        """True if every instant of ``[lo, hi)`` (epoch seconds) is inside the window."""
        return self.lo <= lo and hi <= self.hi

    # -- scalar queries, epoch microseconds; callers keep arguments inside the window -------

    def open_before_us(self, t: int) -> int:
        """Open time in ``[lo, t)``."""
        i = bisect_right(self.closes_us, t)
        if i < len(self.opens_us) and self.opens_us[i] < t:
            return self.cum_us[i] + t - self.opens_us[i]
        return self.cum_us[i]

    def is_open_us(self, t: int) -> bool:
        """True if ``t`` lies in a half-open interval ``[open, close)``."""
        i = bisect_right(self.closes_us, t)
        return i < len(self.opens_us) and self.opens_us[i] <= t

    def instant_at_us(self, target: int, *, zero: bool) -> int:
        """The instant at which ``target`` open time (since ``lo``) has elapsed.

        With ``zero`` False: the earliest such instant, which is a closing time when the
        target is reached exactly there. With ``zero`` True: the first *open* instant at
        which it is reached (a zero duration never lands on a closing time). Requires
        ``target < total_us``.
        """
        if zero:
            j = bisect_right(self.cum_end_us, target)
        else:
            j = bisect_left(self.cum_end_us, target)
        return self.opens_us[j] + target - self.cum_us[j]


def build_timeline(
    lo: int, hi: int, day_spans: DaySpans, local_date: Callable[[int], date]
) -> Timeline:
    """Build the timeline for ``[lo, hi)`` from the open spans of each local date.

    ``day_spans(d)`` yields the (open, close) epoch seconds of the intervals that *open* on
    local date ``d``; ``local_date(t)`` is the local date of epoch second ``t``. The walk is
    by local date, not by 24-hour steps, so 23- and 25-hour days come out right. It starts
    one date early because an overnight interval of the previous date may still be open.
    """
    first = local_date(lo) - timedelta(days=1)
    last = local_date(hi)
    raw: list[tuple[int, int]] = []
    day = first
    while day <= last:
        raw.extend(day_spans(day))
        day += timedelta(days=1)
    raw.sort()
    merged: list[tuple[int, int]] = []
    for open_s, close_s in raw:
        open_s, close_s = max(open_s, lo), min(close_s, hi)
        if close_s <= open_s:
            continue
        if merged and open_s <= merged[-1][1]:
            if close_s > merged[-1][1]:
                merged[-1] = (merged[-1][0], close_s)
        else:
            merged.append((open_s, close_s))
    return Timeline(lo, hi, merged)
