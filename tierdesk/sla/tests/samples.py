"""Calendars shared by the SLA tests and the benchmark."""

from datetime import UTC, datetime

from tierdesk.sla import Calendar

WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}

# Lunch break, a short Friday, an overnight Saturday shift, holidays listed and public.
NEW_YORK_OFFICE = {
    "tz": "America/New_York",
    "hours": {
        "mon": [["09:00", "12:00"], ["13:00", "18:00"]],
        "tue": [["09:00", "12:00"], ["13:00", "18:00"]],
        "wed": [["09:00", "12:00"], ["13:00", "18:00"]],
        "thu": [["09:00", "12:00"], ["13:00", "18:00"]],
        "fri": [["09:00", "15:00"]],
        "sat": [["22:00", "02:00"]],
        "sun": [],
    },
    "holidays": ["2026-12-24", "2026-12-31"],
    "holiday_country": "US",
    "holiday_subdiv": "NY",
}

LONDON_OFFICE = {
    "tz": "Europe/London",
    "hours": {**WEEKDAYS_9_TO_5, "sat": [["00:00", "03:00"]], "sun": [["23:00", "24:00"]]},
    "holiday_country": "GB",
    "holiday_subdiv": "ENG",
}

# Wall times inside the DST gaps and overlaps, to exercise both traps.
DST_NIGHT_SHIFTS = {
    "tz": "America/New_York",
    "hours": {
        "mon": [["00:00", "24:00"]],
        "sat": [["01:00", "03:30"], ["20:00", "04:00"]],
        "sun": [["01:30", "02:30"], ["02:45", "06:00"]],
    },
}

SAMPLES = {
    "new_york_office": NEW_YORK_OFFICE,
    "london_office": LONDON_OFFICE,
    "dst_night_shifts": DST_NIGHT_SHIFTS,
    "always_sydney": Calendar.always("Australia/Sydney").to_dict(),
}


def utc(*args: int) -> datetime:
    """A UTC datetime."""
    return datetime(*args, tzinfo=UTC)
