"""A slow, obviously-correct reference for ``Calendar``, used by tests and the benchmark.

It shares no code with the engine: it reads the calendar's dict form, walks local dates one
by one with plain ``datetime`` arithmetic, finds a spring-forward wall time by stepping
minute by minute until the wall time exists, and walks the resulting intervals in order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


class ReferenceCalendar:
    """Day-walking implementation of ``add``, ``business_time`` and ``is_open``."""

    def __init__(self, d: dict) -> None:
        self.tz = ZoneInfo(d["tz"])
        self.hours = [
            [(_minutes(a), _minutes(b)) for a, b in d["hours"].get(day, [])] for day in WEEKDAYS
        ]
        self.holidays = {date.fromisoformat(x) for x in d.get("holidays", [])}
        self.country = d.get("holiday_country")
        self.subdiv = d.get("holiday_subdiv")
        self.day_intervals = lru_cache(maxsize=None)(self._day_intervals)

    def is_holiday(self, day: date) -> bool:
        if day in self.holidays:
            return True
        if self.country is None:
            return False
        public = holidays_lib.country_holidays(self.country, subdiv=self.subdiv, years=day.year)
        return day in public

    def wall_to_utc(self, wall: datetime) -> datetime:
        """The first instant whose local wall time is ``wall`` (or, in a gap, the next one)."""
        while True:
            aware = wall.replace(tzinfo=self.tz)  # fold=0: first occurrence
            if aware.astimezone(UTC).astimezone(self.tz).replace(tzinfo=None) == wall:
                return aware.astimezone(UTC)
            wall += timedelta(minutes=1)

    def _day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        if self.is_holiday(day):
            return []
        out = []
        midnight = datetime(day.year, day.month, day.day)
        for start, end in self.hours[day.weekday()]:
            if end < start:  # runs past midnight; "24:00" is already 1440
                end += 1440
            opens = self.wall_to_utc(midnight + timedelta(minutes=start))
            closes = self.wall_to_utc(midnight + timedelta(minutes=end))
            if closes > opens:
                out.append((opens, closes))
        return out

    def intervals(self, first: date, last: date) -> list[tuple[datetime, datetime]]:
        """Merged open intervals of local dates first..last."""
        raw = []
        day = first
        while day <= last:
            raw.extend(self.day_intervals(day))
            day += timedelta(days=1)
        raw.sort()
        merged: list[tuple[datetime, datetime]] = []
        for o, c in raw:
            if merged and o <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(c, merged[-1][1]))
            else:
                merged.append((o, c))
        return merged

    def pieces(self, first: date, last: date, paused) -> list[tuple[datetime, datetime]]:
        """Open intervals minus the paused ones."""
        out = []
        for o, c in self.intervals(first, last):
            parts = [(o, c)]
            for ps, pe in paused:
                next_parts = []
                for a, b in parts:
                    if pe <= a or ps >= b:
                        next_parts.append((a, b))
                        continue
                    if a < ps:
                        next_parts.append((a, ps))
                    if pe < b:
                        next_parts.append((pe, b))
                parts = next_parts
            out.extend(parts)
        return out

    def local_date(self, t: datetime) -> date:
        return t.astimezone(self.tz).date()

    def add(self, start: datetime, duration: timedelta, paused=()) -> datetime:
        first = self.local_date(start) - timedelta(days=1)
        days = 16
        while True:
            last = first + timedelta(days=days)
            # Intervals of later dates could merge into the tail, so only trust results
            # before the last date begins.
            horizon = self.wall_to_utc(datetime(last.year, last.month, last.day))
            remaining = duration
            for o, c in self.pieces(first, last, paused):
                if c <= start:
                    continue
                o = max(o, start)
                if o >= horizon:
                    break
                if duration == timedelta(0):
                    return o
                if c - o >= remaining:
                    due = o + remaining
                    if due < horizon:
                        return due
                    break
                remaining -= c - o
            days *= 2

    def business_time(self, start: datetime, end: datetime, paused=()) -> timedelta:
        total = timedelta(0)
        first = self.local_date(start) - timedelta(days=1)
        for o, c in self.pieces(first, self.local_date(end) + timedelta(days=1), paused):
            a, b = max(o, start), min(c, end)
            if a < b:
                total += b - a
        return total

    def is_open(self, t: datetime) -> bool:
        day = self.local_date(t)
        return any(o <= t < c for o, c in self.intervals(day - timedelta(days=1), day))
