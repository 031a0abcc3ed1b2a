"""The batch API: due times and business time for whole arrays of tickets in one call.

Recomputing the due time of every open ticket after a calendar change is one call::

    due = cal.add_many(started_s, remaining_s)

Inputs are ``int64`` epoch seconds (or ``datetime64`` values, converted to whole seconds
UTC) and durations in whole seconds (ints or ``timedelta64``); scalars broadcast. Results
use the input's kind: epoch seconds for integer starts, ``datetime64[s]`` (UTC) for
``datetime64`` starts. Pauses are not taken here: for a paused ticket pass the instant it
resumed and the remaining duration (``duration - business_time(start, resumed, paused)``).

Both functions locate every instant with one ``searchsorted`` over the calendar's cached
cumulative open-seconds array (see ``timeline.py``): the open time before ``start`` plus the
duration is a target position on that array, and a second ``searchsorted`` maps it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .calendars import Calendar
    from .timeline import Timeline


def _as_epoch_seconds(values: Any, name: str) -> tuple[np.ndarray, bool]:
    """Epoch seconds as int64 and whether the input was datetime64."""
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[s]").view(np.int64), True
    if arr.dtype.kind in "iu" or arr.size == 0:  # np.asarray([]) is float64
        return arr.astype(np.int64, copy=False), False
    raise TypeError(f"{name} must be int epoch seconds or datetime64, got dtype {arr.dtype}")


def _as_seconds(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind == "m":
        arr = arr.astype("timedelta64[s]").view(np.int64)
    elif arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.floor(arr)):
            raise ValueError(f"{name} must be whole seconds")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be seconds (int) or timedelta64, got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _open_before(tl: Timeline, t: np.ndarray) -> np.ndarray:
    """Open seconds in ``[tl.lo, t)`` for each ``t`` (all inside the window)."""
    i = np.searchsorted(tl.closes, t, side="right")
    # opens_padded[len] is the window end, so past the last interval the max() gives 0.
    return tl.cum[i] + np.maximum(t - tl.opens_padded[i], 0)


def add_many(cal: Calendar, starts: Any, durations: Any) -> np.ndarray:
    """Due instants for each ``(start, duration)`` pair; same semantics as ``Calendar.add``."""
    s, as_datetime = _as_epoch_seconds(starts, "starts")
    d = _as_seconds(durations, "durations")
    s, d = np.broadcast_arrays(s, d)
    if s.size == 0:
        out = np.empty(s.shape, dtype=np.int64)
        return out.view("datetime64[s]") if as_datetime else out
    if d.min() < 0:
        raise ValueError("durations must not be negative")
    tl = cal.timeline_covering(int(s.min()), int(s.max()) + 1)
    while True:
        target = _open_before(tl, s) + d
        # Conservative (>=): a zero duration needs an open instant strictly after target.
        if int(target.max()) < tl.total:
            break
        tl = cal._extend(tl)
    j = np.searchsorted(tl.cum_end, target, side="left")
    zero = d == 0
    if zero.any():
        # A zero duration at a closing time (or in a gap) belongs to the next interval:
        # "due at the first open instant at or after start", never at a close.
        j += zero & (tl.cum_end[j] == target)
    due = tl.opens[j] + (target - tl.cum[j])
    return due.view("datetime64[s]") if as_datetime else due


def business_time_many(cal: Calendar, starts: Any, ends: Any) -> np.ndarray:
    """Open seconds in ``[start, end)`` for each pair (``timedelta64[s]`` for datetime64 input)."""
    s, as_datetime = _as_epoch_seconds(starts, "starts")
    e, _ = _as_epoch_seconds(ends, "ends")
    s, e = np.broadcast_arrays(s, e)
    if s.size == 0:
        out = np.empty(s.shape, dtype=np.int64)
        return out.view("timedelta64[s]") if as_datetime else out
    if np.any(e < s):
        raise ValueError("ends must not be before starts")
    tl = cal.timeline_covering(int(s.min()), int(e.max()) + 1)
    elapsed = _open_before(tl, e) - _open_before(tl, s)
    return elapsed.view("timedelta64[s]") if as_datetime else elapsed
