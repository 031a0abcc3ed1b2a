"""/calendars: check a business calendar and compute due times with tierdesk.sla, so outside
scripts and the tier designer's clients use the same engine as the desk's clocks.

A tier version's stored calendar is in its entitlements (`hours` of /plans/.../versions).
These endpoints store nothing; any staff role may use them (client contacts get 404).
"""

import json
import re
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Body, Router

from tierdesk.api.auth import require_staff
from tierdesk.api.schemas.tickets import CalendarCheckOut, DueIn, DueOut
from tierdesk.sla import Calendar, CalendarError

router = Router(tags=["calendars"])

# CalendarError messages start with the field: `hours.mon[1]: "25:00" is not a time`.
_FIELD_PREFIX = re.compile(r"^(?P<field>[a-z_]+(?:\[\d+\])*(?:\.[a-z_]+(?:\[\d+\])*)*): "
                           r"(?P<message>.+)$", re.S)


def calendar_error_field(exc: Exception, prefix: str = "") -> dict[str, str]:
    """A CalendarError (or the ValueError of a naive datetime) → {field, message}; the
    whole calendar when the message names no field."""
    text = str(exc)
    match = _FIELD_PREFIX.match(text)
    if match:
        field, message = match["field"], match["message"]
    else:
        field, message = "calendar", text
    if prefix and field != "calendar":
        field = f"{prefix}.{field}"
    return {"field": field, "message": message}


def _check(data: object) -> CalendarCheckOut:
    try:
        calendar = Calendar.from_dict(data)
    except (CalendarError, TypeError) as exc:
        return CalendarCheckOut(valid=False, errors=[calendar_error_field(exc)])
    return CalendarCheckOut(valid=True, errors=[], calendar=calendar.to_dict())


@router.get("/calendars/validate", response=CalendarCheckOut)
def validate_calendar_get(request, calendar: str):
    """Check a calendar given as JSON in the `calendar` query parameter. The answer is 200
    either way: `valid`, the `errors` naming the field (`hours.mon[1]`, `tz`, ...), and the
    calendar in its normal form when valid."""
    require_staff(request)
    try:
        data = json.loads(calendar)
    except ValueError as exc:
        return CalendarCheckOut(valid=False,
                                errors=[{"field": "calendar", "message": f"not JSON: {exc}"}])
    return _check(data)


@router.post("/calendars/validate", response=CalendarCheckOut)
def validate_calendar(request, payload: Body[dict[str, Any]]):
    """Check the calendar in the body (`{"tz": ..., "hours": {...}, "holidays": [...]}`),
    as GET does."""
    require_staff(request)
    return _check(payload)


@router.post("/calendars/due", response=DueOut)
def due_time(request, payload: DueIn):
    """When `minutes` of open time on `calendar` have elapsed after `start`, not counting the
    `paused` intervals — exactly how a ticket's due time is computed. A bad calendar is 422
    naming the field (`calendar.hours.mon[1]`); a `start` without a UTC offset is 422 on
    `start`."""
    require_staff(request)
    try:
        calendar = Calendar.from_dict(payload.calendar)
    except (CalendarError, TypeError) as exc:
        error = calendar_error_field(exc, prefix="calendar")
        raise ValidationError({error["field"]: error["message"]}) from None
    if payload.start.tzinfo is None:
        raise ValidationError({"start": "needs a UTC offset, e.g. 2026-03-06T16:30:00-05:00"})
    for i, (begin, end) in enumerate(payload.paused):
        if begin.tzinfo is None or end.tzinfo is None:
            raise ValidationError({f"paused[{i}]": "needs UTC offsets on both ends"})
        if end < begin:
            raise ValidationError({f"paused[{i}]": "ends before it starts"})
    try:
        due = calendar.add(payload.start, timedelta(minutes=payload.minutes),
                           paused=payload.paused)
    except CalendarError as exc:
        error = calendar_error_field(exc, prefix="calendar")
        raise ValidationError({error["field"]: error["message"]}) from None
    return DueOut(due_at=due, due_local=due.astimezone(calendar.tz).isoformat(),
                  start=payload.start, minutes=payload.minutes)
