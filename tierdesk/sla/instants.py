"""Conversions between aware datetimes, epoch seconds/microseconds and local wall times.

The engine computes on integers: epoch seconds in the cached timeline (calendar edges are
whole minutes in local time and UTC offsets are whole seconds), epoch microseconds in the
scalar API (so a ``timedelta`` with microseconds is exact, no float rounding).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
ONE_S = timedelta(seconds=1)
US_PER_S = 1_000_000


def require_aware(value: object, name: str) -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise naming ``name``."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a timezone-aware datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive datetime {value.isoformat()}")
    return value


def require_duration(value: object, name: str = "duration") -> timedelta:
    """Return ``value`` if it is a non-negative ``timedelta``, else raise naming ``name``."""
    if not isinstance(value, timedelta):
        raise TypeError(f"{name} must be a datetime.timedelta, got {type(value).__name__}")
    if value < timedelta(0):
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def to_us(dt: datetime) -> int:
    """Epoch microseconds of an aware datetime (exact integer arithmetic)."""
    return (dt - EPOCH) // ONE_US


def from_us(us: int) -> datetime:
    """The UTC datetime at ``us`` epoch microseconds."""
    return EPOCH + timedelta(microseconds=us)


def local_to_epoch(day: date, at: time, tz: tzinfo) -> int:
    """Epoch seconds of the wall time ``day``+``at`` in ``tz``, resolving DST traps.

    * Ambiguous wall times (fall back) take their first occurrence: ``fold=0``, which is
      what zoneinfo does by default.
    * Wall times that do not exist (spring forward) move forward to the first instant that
      exists, i.e. the transition itself (02:30 on a New York spring-forward day becomes
      03:00 EDT). We do *not* shift by the gap as ``fold=0`` would (02:30 -> 03:30 EDT):
      that is not order-preserving, so the interval 02:30-03:15 would end before it starts.
    """
    wall = datetime.combine(day, at)
    guess = wall.replace(tzinfo=tz)  # fold=0: offset from before any transition
    epoch_s = (guess - EPOCH) // ONE_S
    if _wall_at(epoch_s, tz) == wall:
        return epoch_s
    # In a gap. fold=1 applies the offset from after the transition, which gives an instant
    # before the transition; fold=0 gives one after it. Bisect for the transition.
    lo = (wall.replace(tzinfo=tz, fold=1) - EPOCH) // ONE_S
    hi = epoch_s
    if lo > hi:  # pragma: no cover - defensive, zoneinfo orders them this way
        lo, hi = hi, lo
    before = _offset_at(lo, tz)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_at(mid, tz) == before:
            lo = mid
        else:
            hi = mid
    return hi


def epoch_to_local(epoch_s: int, tz: tzinfo) -> datetime:
    """The aware local datetime of an epoch-seconds instant."""
    return datetime.fromtimestamp(epoch_s, tz)


def _wall_at(epoch_s: int, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(epoch_s, tz).replace(tzinfo=None)


def _offset_at(epoch_s: int, tz: tzinfo) -> timedelta | None:
    return datetime.fromtimestamp(epoch_s, tz).utcoffset()
