'''The SLA engine: business calendars and due-time arithmetic. Pure Python, no Django.

Public API
==========

``Calendar.from_dict(d)`` / ``cal.to_dict()``
    The stored (JSON) and API form of a calendar::

        {"tz": "America/New_York",
         "hours": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], ..., "sun": []},
         "holidays": ["2026-12-25"],
         "holiday_country": "US", "holiday_subdiv": "NY"}

    ``tz`` and ``hours`` are required; a missing weekday is closed; ``holidays``,
    ``holiday_country`` and ``holiday_subdiv`` are optional. ``to_dict()`` always writes
    all seven weekdays and the sorted ``holidays`` list, and ``from_dict(cal.to_dict()) ==
    cal``. ``Calendar(**d)`` takes the same fields as keywords. Bad input raises
    ``CalendarError`` (a ``ValueError``) whose message starts with the field, e.g.
    ``hours.mon[1]: "25:00" is not a time`` or ``tz: unknown time zone "Mars/Base"``.
``Calendar.always(tz)``
    24x7.
``cal.add(start, duration, paused=()) -> datetime``
    When ``duration`` of open time has elapsed after ``start``, not counting ``paused``
    ``(start, end)`` intervals.
``cal.business_time(start, end, paused=()) -> timedelta``
    Open, unpaused time in ``[start, end)``.
``cal.is_open(t)``, ``cal.next_open(t)``
``cal.end_of_business_day(t, cutoff=None)``
    The close of ``t``'s business day (or of the next business day when the day is closed,
    ``t`` is at or past its last close, or after the local ``cutoff`` time) - for "same
    business day" targets.
``cal.add_many(starts, durations)``, ``cal.business_time_many(starts, ends)``
    The batch API over NumPy arrays of epoch seconds (or ``datetime64``); see ``batch``.
``cal.is_holiday(day)``, ``cal.day_spans(day)``
    Whether a local date is a holiday; the UTC (epoch seconds) intervals opening on it.

Every datetime argument must be timezone-aware (a naive one raises ``ValueError`` naming
the argument); every datetime result is in UTC. Durations are ``timedelta`` (microseconds
are exact); negative durations raise ``ValueError``.

Semantics
=========

* **Half-open intervals.** Open intervals are ``[open, close)``: a ticket arriving exactly
  at closing time waits for the next opening; one arriving exactly at opening time starts
  counting at once.
* **Due at closing time.** A duration that runs out exactly at a closing time is due at
  that closing time, not at the next opening.
* **Zero duration** is due at the first open instant at or after ``start``
  (``next_open``); with pauses, the first open instant outside them.
* **Intervals.** Several per day; ``"24:00"`` is allowed as an end; an end earlier than the
  start runs past midnight into the next local date. Overlapping intervals (also across
  days) count once. A holiday closes the intervals that *open* on that local date; an
  overnight interval opened the evening before still runs into the holiday morning.
  ``holiday_country``/``holiday_subdiv`` add that place's public holidays (including
  observed days) from the ``holidays`` package.
* **Real instants, local days.** Arithmetic is on real instants (UTC). Opening hours are
  laid out by walking local dates, so 23- and 25-hour days are right: a 09:00-17:00 day is
  8 hours on DST days too, and a 00:00-24:00 day is 23 or 25 hours. A local time that does
  not exist (spring forward) moves forward to the first instant that exists (the
  transition: 02:30 on a New York spring-forward day opens at 03:00 EDT); an ambiguous
  time (fall back) takes its first occurrence (``fold=0``).
* **Pauses** are unioned (overlapping pauses count once); only their open time matters, so
  a pause over closed time changes nothing. A pause may start before ``start``.
* **Always open somewhere.** A calendar with no open time in the two years from today
  (its time zone) is rejected when it is built (``CalendarError``).
* **end_of_business_day.** The business day of ``t`` is its local date, or the previous
  one when ``t`` is inside an overnight interval opened then; its close is the end of the
  last interval opening on that date. "After cutoff" is strict: ``t`` exactly at the
  cutoff still gets the same day.

Supported instants lie between the years 1900 and 2400.

Implementation
==============

Each calendar lazily caches a ``Timeline``: its merged open intervals in UTC over a window
(one month back and two years ahead of the first query, grown by at least its own span when
a query falls outside) with a cumulative open-time array. ``add`` is then two bisections;
the batch API is two ``searchsorted`` calls over the arrays. A timeline is immutable and is
swapped in with one assignment, so calendars can be shared across threads.
'''

from .calendars import Calendar
from .errors import CalendarError
from .timeline import Timeline

__all__ = ["Calendar", "CalendarError", "Timeline"]
