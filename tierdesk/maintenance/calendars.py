"""The client's business calendar, as maintenance sees it: which local dates are business
days, when each opens and closes, and where an occurrence on a closed day moves.

A client's calendar is `Client.business_hours` when set, otherwise the MSP's working week
and holidays (TIERDESK_MSP_HOURS) in the client's own time zone — a dental office in Denver
keeps Denver's Monday to Friday. Calendars are cached by their JSON form; the generation
job asks the same few calendars about the same few dates for thousands of agreements.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from tierdesk.sla import Calendar
from tierdesk.sla.instants import local_to_epoch

UTC = dt.UTC
#: How far a closed day may push an occurrence: a calendar has open time within two years
#: (tierdesk.sla rejects any other), but a month of closure is already absurd for maintenance.
MAX_SHIFT_DAYS = 400


@dataclass(frozen=True)
class BusinessDay:
    """One open local date: when it opens and closes (UTC epoch seconds)."""

    day: dt.date
    opens: int
    closes: int


def client_calendar_dict(client) -> dict:
    if client.business_hours:
        return client.business_hours
    return {**settings.TIERDESK_MSP_HOURS, "tz": client.timezone}


def client_days(client) -> BusinessDays:
    """The (cached) business days of `client`'s calendar."""
    return _days(json.dumps(client_calendar_dict(client), sort_keys=True))


@lru_cache(maxsize=512)
def _days(key: str) -> BusinessDays:
    return BusinessDays(Calendar.from_dict(json.loads(key)))


class BusinessDays:
    """Business-day questions about one calendar, memoised per local date."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self._days: dict[dt.date, BusinessDay | None] = {}
        self._landing: dict[dt.date, BusinessDay] = {}
        self._planned: dict[tuple[dt.date, dt.time], dt.datetime] = {}

    def get(self, day: dt.date) -> BusinessDay | None:
        """The opening and closing of local `day`, or None when the client is closed."""
        try:
            return self._days[day]
        except KeyError:
            spans = self.calendar.day_spans(day)
            found = BusinessDay(day, spans[0][0], spans[-1][1]) if spans else None
            self._days[day] = found
            return found

    def on_or_after(self, day: dt.date) -> BusinessDay:
        """The first business day at or after `day`: where an occurrence on `day` lands."""
        try:
            return self._landing[day]
        except KeyError:
            pass
        for offset in range(MAX_SHIFT_DAYS):
            found = self.get(day + dt.timedelta(days=offset))
            if found is not None:
                self._landing[day] = found
                return found
        raise ValueError(f"the calendar has no business day within {MAX_SHIFT_DAYS} days "
                         f"of {day}")

    def planned_at(self, bday: BusinessDay, at: dt.time) -> dt.datetime:
        """When work planned for `at` local time on `bday` starts: that time when the
        client is open then, else the day's opening. A wall time that does not exist
        (spring forward) moves forward, as everywhere in tierdesk.sla."""
        try:
            return self._planned[bday.day, at]
        except KeyError:
            pass
        epoch = local_to_epoch(bday.day, at, self.calendar.tz)
        if not (bday.opens <= epoch < bday.closes) or not self.calendar.is_open(_utc(epoch)):
            epoch = bday.opens
        self._planned[bday.day, at] = planned = _utc(epoch)
        return planned


def closes_at(bday: BusinessDay) -> dt.datetime:
    return _utc(bday.closes)


def _utc(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, UTC)
