"""Business calendars: weekly hours, holidays and time zone, and the arithmetic on them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from . import batch
from .errors import CalendarError
from .hours import WEEKDAYS, Span, format_hours, parse_hours
from .instants import (
    ONE_US,
    US_PER_S,
    from_us,
    local_to_epoch,
    require_aware,
    require_duration,
    to_us,
)
from .pauses import merge_pauses
from .timeline import Timeline, build_timeline

_FIELDS = ("tz", "hours", "holidays", "holiday_country", "holiday_subdiv")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY = 86_400
# The first window reaches a little back (tickets opened recently, a clock restarted in the
# past) and two years forward; later windows grow by at least their own span.
_WINDOW_BACK = 31 * _DAY
_WINDOW_AHEAD = 731 * _DAY
# Bounds of the supported range, so a huge duration fails clearly instead of looping.
_MIN_EPOCH = int(datetime(1900, 1, 1, tzinfo=UTC).timestamp())
_MAX_EPOCH = int(datetime(2400, 1, 1, tzinfo=UTC).timestamp())


@lru_cache(maxsize=256)
def _country_holidays(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    import holidays  # imported lazily: it is slow to import and many calendars do not use it

    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year))


class Calendar:
    """A business calendar: time zone, weekly open intervals and closed dates.

    Build one with ``Calendar.from_dict(d)`` (the stored/API form, see the package
    docstring), ``Calendar(tz=..., hours=..., ...)`` with the same fields as keywords, or
    ``Calendar.always(tz)`` for 24x7. Calendars compare equal when their ``to_dict()`` forms
    are equal. Each instance lazily caches its open intervals in UTC (a ``Timeline``) and
    extends the cached window when a query falls outside it.
    """

    __slots__ = ("tz", "week", "holidays", "holiday_country", "holiday_subdiv", "_timeline")

    def __init__(
        self,
        *,
        tz: str | ZoneInfo,
        hours: Mapping[str, Any],
        holidays: Iterable[str | date] | None = (),
        holiday_country: str | None = None,
        holiday_subdiv: str | None = None,
    ) -> None:
        self.tz = _parse_tz(tz)
        self.week: tuple[tuple[Span, ...], ...] = parse_hours(hours)
        self.holidays: frozenset[date] = _parse_holidays(holidays)
        self.holiday_country, self.holiday_subdiv = _parse_country(holiday_country, holiday_subdiv)
        self._timeline: Timeline | None = None
        self._check_opens_within_two_years()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Calendar:
        """Build a calendar from its dict form; raise ``CalendarError`` naming the bad field."""
        if not isinstance(d, Mapping):
            raise CalendarError(f"calendar: expected an object, got {type(d).__name__}")
        for key in d:
            if key not in _FIELDS:
                raise CalendarError(f"{key}: unknown field (expected one of {', '.join(_FIELDS)})")
        for key in ("tz", "hours"):
            if key not in d:
                raise CalendarError(f"{key}: this field is required")
        return cls(**d)

    @classmethod
    def always(cls, tz: str | ZoneInfo = "UTC") -> Calendar:
        """A 24x7 calendar (open every instant, no holidays) in time zone ``tz``."""
        return cls(tz=tz, hours={day: [["00:00", "24:00"]] for day in WEEKDAYS})

    def to_dict(self) -> dict[str, Any]:
        """The dict form: all seven weekdays, holidays sorted; round-trips via ``from_dict``."""
        d: dict[str, Any] = {
            "tz": self.tz.key,
            "hours": format_hours(self.week),
            "holidays": [day.isoformat() for day in sorted(self.holidays)],
        }
        if self.holiday_country is not None:
            d["holiday_country"] = self.holiday_country
        if self.holiday_subdiv is not None:
            d["holiday_subdiv"] = self.holiday_subdiv
        return d

    def _key(self) -> tuple[Any, ...]:
        return (self.tz.key, self.week, self.holidays, self.holiday_country, self.holiday_subdiv)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Calendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Calendar.from_dict({self.to_dict()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle the definition only; the cached timeline is rebuilt on demand.
        return (Calendar.from_dict, (self.to_dict(),))

    # -- days -------------------------------------------------------------------------------

    def is_holiday(self, day: date) -> bool:
        """True if local date ``day`` is closed as a holiday (listed or public)."""
        if day in self.holidays:
            return True
        if self.holiday_country is None:
            return False
        return day in _country_holidays(self.holiday_country, self.holiday_subdiv, day.year)

    def day_spans(self, day: date) -> list[tuple[int, int]]:
        """The (open, close) epoch seconds of the intervals opening on local date ``day``.

        A holiday closes the intervals that open on it; an overnight interval opened the
        evening before still runs into the holiday morning. Intervals that DST leaves empty
        (entirely inside a spring-forward gap) are dropped.
        """
        if self.is_holiday(day):
            return []
        spans = []
        for span in self.week[day.weekday()]:
            open_s = local_to_epoch(day, _time(span.start), self.tz)
            close_day = day + timedelta(days=span.end_day_offset)
            close_s = local_to_epoch(close_day, _time(span.end_minute), self.tz)
            if close_s > open_s:
                spans.append((open_s, close_s))
        return spans

    def _local_date(self, epoch_s: int) -> date:
        return datetime.fromtimestamp(epoch_s, self.tz).date()

    def _check_opens_within_two_years(self) -> None:
        if not any(self.week):
            raise CalendarError("hours: no open intervals on any weekday")
        today = datetime.now(self.tz).date()
        for offset in range(2 * 366):
            if self.day_spans(today + timedelta(days=offset)):
                return
        raise CalendarError(
            f"holidays: the calendar has no open time in the two years from {today}"
        )

    # -- the cached timeline ----------------------------------------------------------------

    def timeline_covering(self, lo: int, hi: int) -> Timeline:
        """The cached timeline, rebuilt over a larger window if it does not cover [lo, hi)."""
        tl = self._timeline
        if tl is not None and tl.lo <= lo and hi <= tl.hi:
            return tl
        if tl is None:
            new_lo, new_hi = lo - _WINDOW_BACK, max(hi, lo + _WINDOW_AHEAD)
        else:
            new_lo = min(tl.lo, lo - _WINDOW_BACK)
            new_hi = max(tl.hi, hi + _WINDOW_AHEAD) if hi > tl.hi else tl.hi
        if new_lo < _MIN_EPOCH or new_hi > _MAX_EPOCH:
            raise ValueError("instant outside the supported range (years 1900 to 2400)")
        tl = build_timeline(new_lo, new_hi, self.day_spans, self._local_date)
        self._timeline = tl  # one atomic assignment: concurrent readers see old or new
        return tl

    def _extend(self, tl: Timeline) -> Timeline:
        """A timeline reaching further ahead (at least double the span)."""
        return self.timeline_covering(tl.lo, tl.hi + max(tl.hi - tl.lo, _WINDOW_AHEAD))

    def _add_us(self, start: int, duration: int) -> int:
        sec = start // US_PER_S
        tl = self.timeline_covering(sec, sec + 1)
        while True:
            target = tl.open_before_us(start) + duration
            if target < tl.total_us or (duration and target == tl.total_us):
                return tl.instant_at_us(target, zero=not duration)
            tl = self._extend(tl)

    def _open_between_us(self, a: int, b: int) -> int:
        tl = self.timeline_covering(a // US_PER_S, b // US_PER_S + 1)
        return tl.open_before_us(b) - tl.open_before_us(a)

    # -- scalar API -------------------------------------------------------------------------

    def add(
        self,
        start: datetime,
        duration: timedelta,
        paused: Iterable[tuple[datetime, datetime]] = (),
    ) -> datetime:
        """The instant (UTC) at which ``duration`` of open, unpaused time has elapsed after
        ``start``. A zero duration gives the first open, unpaused instant at or after
        ``start``; a duration running out exactly at a closing time gives that closing time.
        """
        s = to_us(require_aware(start, "start"))
        d = require_duration(duration) // ONE_US
        pauses = merge_pauses(paused)
        cur, remaining = s, d
        for p_start, p_end in pauses:
            if p_end <= cur:
                continue
            due = self._add_us(cur, remaining)
            if due < p_start or (remaining and due == p_start):
                return from_us(due)
            # The pause begins before the clock runs out: bank the open time up to the
            # pause and restart the clock at its end.
            remaining -= self._open_between_us(cur, max(cur, p_start))
            cur = max(cur, p_end)
        return from_us(self._add_us(cur, remaining))

    def business_time(
        self,
        start: datetime,
        end: datetime,
        paused: Iterable[tuple[datetime, datetime]] = (),
    ) -> timedelta:
        """The open, unpaused time in ``[start, end)``; ``end`` must not precede ``start``."""
        s = to_us(require_aware(start, "start"))
        e = to_us(require_aware(end, "end"))
        if e < s:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        total = self._open_between_us(s, e)
        for p_start, p_end in merge_pauses(paused):
            a, b = max(p_start, s), min(p_end, e)
            if a < b:
                total -= self._open_between_us(a, b)
        return timedelta(microseconds=total)

    def is_open(self, t: datetime) -> bool:
        """True if ``t`` is inside an open interval (intervals are half-open [open, close))."""
        us = to_us(require_aware(t, "t"))
        sec = us // US_PER_S
        return self.timeline_covering(sec, sec + 1).is_open_us(us)

    def next_open(self, t: datetime) -> datetime:
        """The first open instant at or after ``t`` (``t`` itself if open), in UTC."""
        return from_us(self._add_us(to_us(require_aware(t, "t")), 0))

    def end_of_business_day(self, t: datetime, cutoff: time | None = None) -> datetime:
        """The close (UTC) of the business day of ``t``, for "same business day" targets.

        The business day of ``t`` is its local date, or the previous date when ``t`` is
        inside an overnight interval opened that date. Its close is the end of the last
        interval opening on that date. The next business day's close is returned instead
        when the day is closed, ``t`` is at or past that close, or ``t`` is after
        ``cutoff`` (a naive local ``time``) on that day.
        """
        us = to_us(require_aware(t, "t"))
        if cutoff is not None and (not isinstance(cutoff, time) or cutoff.tzinfo is not None):
            raise ValueError(f"cutoff must be a naive datetime.time (local), got {cutoff!r}")
        day = t.astimezone(self.tz).date()
        spans = self.day_spans(day - timedelta(days=1))
        if any(o * US_PER_S <= us < c * US_PER_S for o, c in spans):
            day -= timedelta(days=1)
        else:
            spans = self.day_spans(day)
        if spans:
            close_us = max(c for _, c in spans) * US_PER_S
            before_cutoff = cutoff is None or us <= local_to_epoch(day, cutoff, self.tz) * US_PER_S
            if us < close_us and before_cutoff:
                return from_us(close_us)
        for offset in range(1, 2 * 366 + 1):
            spans = self.day_spans(day + timedelta(days=offset))
            if spans:
                return from_us(max(c for _, c in spans) * US_PER_S)
        raise CalendarError(f"no business day within two years after {t.isoformat()}")

    # -- batch API --------------------------------------------------------------------------

    def add_many(self, starts: Any, durations: Any) -> np.ndarray:
        """Vectorised ``add`` without pauses; see ``tierdesk.sla.batch.add_many``."""
        return batch.add_many(self, starts, durations)

    def business_time_many(self, starts: Any, ends: Any) -> np.ndarray:
        """Vectorised ``business_time`` without pauses; see ``batch.business_time_many``."""
        return batch.business_time_many(self, starts, ends)


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _parse_tz(value: object) -> ZoneInfo:
    if isinstance(value, ZoneInfo):
        return value
    if not isinstance(value, str) or not value:
        raise CalendarError(f"tz: expected a time zone name, got {value!r}")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CalendarError(f'tz: unknown time zone "{value}"') from None


def _parse_holidays(values: object) -> frozenset[date]:
    if values is None:  # JSON null: no listed holidays
        return frozenset()
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise CalendarError(f'holidays: expected a list of "YYYY-MM-DD" dates, got {values!r}')
    days = set()
    for index, value in enumerate(values):
        if isinstance(value, date) and not isinstance(value, datetime):
            days.add(value)
            continue
        try:
            if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
                raise ValueError
            days.add(date.fromisoformat(value))
        except ValueError:
            shown = f'"{value}"' if isinstance(value, str) else repr(value)
            raise CalendarError(
                f'holidays[{index}]: {shown} is not a date (expected "YYYY-MM-DD")'
            ) from None
    return frozenset(days)


def _parse_country(country: object, subdiv: object) -> tuple[str | None, str | None]:
    if country is None:
        if subdiv is not None:
            raise CalendarError("holiday_subdiv: needs holiday_country")
        return None, None
    if not isinstance(country, str):
        raise CalendarError(f"holiday_country: expected a country code, got {country!r}")
    if subdiv is not None and not isinstance(subdiv, str):
        raise CalendarError(f"holiday_subdiv: expected a subdivision code, got {subdiv!r}")
    year = datetime.now(UTC).year
    try:
        _country_holidays(country, None, year)
    except NotImplementedError:
        raise CalendarError(f'holiday_country: unknown holiday country "{country}"') from None
    if subdiv is not None:
        try:
            _country_holidays(country, subdiv, year)
        except NotImplementedError:
            raise CalendarError(
                f'holiday_subdiv: unknown subdivision "{subdiv}" of "{country}"'
            ) from None
    return country, subdiv

