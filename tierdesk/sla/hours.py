"""Weekly opening hours: parsing, validation and formatting of the ``hours`` field.

An interval is stored as minutes after local midnight: ``(start, end)`` with
``0 <= start < 1440`` and ``0 <= end <= 1440``. ``end == 1440`` is ``"24:00"`` (the next
local midnight); ``end < start`` runs past midnight into the next local date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import CalendarError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
_HHMM = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00")


@dataclass(frozen=True, slots=True)
class Span:
    """One daily opening interval, in minutes after local midnight."""

    start: int
    end: int

    @property
    def overnight(self) -> bool:
        """True when the interval ends on the next local date (including at "24:00")."""
        return self.end <= self.start or self.end == MINUTES_PER_DAY

    @property
    def end_day_offset(self) -> int:
        """0 if it closes on its opening date, 1 if on the next one."""
        return 1 if self.overnight else 0

    @property
    def end_minute(self) -> int:
        """Minute after local midnight of the closing date at which it closes."""
        return self.end % MINUTES_PER_DAY

    def to_list(self) -> list[str]:
        """The ``["HH:MM", "HH:MM"]`` form."""
        return [format_minutes(self.start), format_minutes(self.end)]


def parse_minutes(text: object, field: str, *, is_end: bool) -> int:
    """Parse ``"HH:MM"`` into minutes after midnight; ``"24:00"`` only as an end."""
    if not isinstance(text, str) or not _HHMM.fullmatch(text):
        raise CalendarError(f"{field}: {_quote(text)} is not a time (expected \"HH:MM\")")
    if text == "24:00" and not is_end:
        raise CalendarError(f'{field}: "24:00" is only allowed as the end of an interval')
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def format_minutes(minutes: int) -> str:
    """Format minutes after midnight as ``"HH:MM"`` (1440 -> ``"24:00"``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hours(raw: object) -> tuple[tuple[Span, ...], ...]:
    """Parse the ``hours`` mapping into seven tuples of spans, Monday first.

    Missing weekdays are closed. Intervals may overlap (their union is open).
    """
    if not isinstance(raw, Mapping):
        raise CalendarError(f"hours: expected an object keyed by weekday, got {_quote(raw)}")
    week: list[tuple[Span, ...]] = []
    for key in raw:
        if key not in WEEKDAYS:
            raise CalendarError(
                f"hours: unknown weekday {_quote(key)} (expected one of {', '.join(WEEKDAYS)})"
            )
    for day in WEEKDAYS:
        intervals = raw.get(day, [])
        if not isinstance(intervals, list | tuple):
            raise CalendarError(
                f"hours.{day}: expected a list of intervals, got {_quote(intervals)}"
            )
        spans = []
        for index, interval in enumerate(intervals):
            field = f"hours.{day}[{index}]"
            if not isinstance(interval, list | tuple) or len(interval) != 2:
                raise CalendarError(
                    f'{field}: expected ["HH:MM", "HH:MM"], got {_quote(interval)}'
                )
            start = parse_minutes(interval[0], field, is_end=False)
            end = parse_minutes(interval[1], field, is_end=True)
            if start == end:
                raise CalendarError(
                    f'{field}: empty interval "{interval[0]}"-"{interval[1]}" '
                    '(use "00:00"-"24:00" for a whole day)'
                )
            spans.append(Span(start, end))
        week.append(tuple(spans))
    return tuple(week)


def format_hours(week: tuple[tuple[Span, ...], ...]) -> dict[str, list[list[str]]]:
    """The ``hours`` mapping for ``to_dict`` (all seven weekdays, in order)."""
    return {
        day: [span.to_list() for span in spans]
        for day, spans in zip(WEEKDAYS, week, strict=True)
    }


def _quote(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)
