"""Calendar.from_dict / to_dict: the stored and API form, and its validation errors."""

import pickle
from datetime import UTC, date, datetime, timedelta

import pytest

from tierdesk.sla import Calendar, CalendarError

from .samples import SAMPLES, WEEKDAYS_9_TO_5


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_to_dict_round_trips_through_from_dict(name):
    cal = Calendar.from_dict(SAMPLES[name])
    again = Calendar.from_dict(cal.to_dict())
    assert again == cal
    assert hash(again) == hash(cal)
    assert again.to_dict() == cal.to_dict()


def test_to_dict_writes_every_weekday_and_sorted_holidays():
    cal = Calendar.from_dict(
        {"tz": "Europe/Paris", "hours": {"tue": [["22:00", "06:00"]]},
         "holidays": ["2026-12-25", "2026-01-01"]}
    )
    assert cal.to_dict() == {
        "tz": "Europe/Paris",
        "hours": {"mon": [], "tue": [["22:00", "06:00"]], "wed": [], "thu": [], "fri": [],
                  "sat": [], "sun": []},
        "holidays": ["2026-01-01", "2026-12-25"],
    }


def test_calendars_with_different_holidays_are_not_equal():
    base = {"tz": "UTC", "hours": WEEKDAYS_9_TO_5}
    assert Calendar.from_dict(base) != Calendar.from_dict({**base, "holidays": ["2026-12-25"]})


def test_always_is_open_every_day_all_day():
    assert Calendar.always("Asia/Tokyo").to_dict()["hours"]["sun"] == [["00:00", "24:00"]]


def test_calendar_pickles_by_definition():
    cal = Calendar.from_dict(SAMPLES["new_york_office"])
    cal.is_open(datetime(2026, 1, 5, tzinfo=UTC))  # builds the cache, which is not pickled
    assert pickle.loads(pickle.dumps(cal)) == cal


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tz": "Mars/Base"}, 'tz: unknown time zone "Mars/Base"'),
        ({"tz": ""}, "tz: expected a time zone name"),
        ({"hours": {"mon": [["09:00", "12:00"], ["13:00", "25:00"]]}},
         'hours.mon[1]: "25:00" is not a time'),
        ({"hours": {"mon": [["9:00", "12:00"]]}}, 'hours.mon[0]: "9:00" is not a time'),
        ({"hours": {"mon": [["24:00", "02:00"]]}},
         'hours.mon[0]: "24:00" is only allowed as the end'),
        ({"hours": {"mon": [["09:00"]]}}, 'hours.mon[0]: expected ["HH:MM", "HH:MM"]'),
        ({"hours": {"mon": [["09:00", "09:00"]]}}, "hours.mon[0]: empty interval"),
        ({"hours": {"mon": "09:00-17:00"}}, "hours.mon: expected a list of intervals"),
        ({"hours": {"mnd": [["09:00", "17:00"]]}}, 'hours: unknown weekday "mnd"'),
        ({"hours": {"mon": []}}, "hours: no open intervals on any weekday"),
        ({"holidays": ["2026-12-25", "2026-13-01"]},
         'holidays[1]: "2026-13-01" is not a date'),
        ({"holidays": ["25/12/2026"]}, 'holidays[0]: "25/12/2026" is not a date'),
        ({"holiday_country": "XX"}, 'holiday_country: unknown holiday country "XX"'),
        ({"holiday_country": "US", "holiday_subdiv": "ZZ"},
         'holiday_subdiv: unknown subdivision "ZZ" of "US"'),
        ({"holiday_subdiv": "NY"}, "holiday_subdiv: needs holiday_country"),
        ({"holiday_countyr": "US"}, "holiday_countyr: unknown field"),
    ],
)
def test_from_dict_rejects_bad_fields_naming_them(changes, message):
    d = {"tz": "America/New_York", "hours": WEEKDAYS_9_TO_5, **changes}
    with pytest.raises(CalendarError) as excinfo:
        Calendar.from_dict(d)
    assert str(excinfo.value).startswith(message)
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize("missing", ["tz", "hours"])
def test_from_dict_requires_tz_and_hours(missing):
    d = {"tz": "UTC", "hours": WEEKDAYS_9_TO_5}
    del d[missing]
    with pytest.raises(CalendarError, match=f"^{missing}: this field is required"):
        Calendar.from_dict(d)


def test_calendar_without_open_time_in_the_next_two_years_is_rejected():
    today = datetime.now(UTC).date()
    saturdays = [
        today + timedelta(days=k)
        for k in range(-7, 2 * 366 + 7)
        if (today + timedelta(days=k)).weekday() == 5
    ]
    d = {"tz": "UTC", "hours": {"sat": [["09:00", "17:00"]]},
         "holidays": [day.isoformat() for day in saturdays]}
    with pytest.raises(CalendarError, match="^holidays: the calendar has no open time"):
        Calendar.from_dict(d)
    # One Saturday left open is enough.
    d["holidays"] = d["holidays"][:-10]
    Calendar.from_dict(d)


def test_holidays_accept_date_objects_in_the_keyword_constructor():
    cal = Calendar(tz="UTC", hours=WEEKDAYS_9_TO_5, holidays=[date(2026, 12, 25)])
    assert cal.to_dict()["holidays"] == ["2026-12-25"]


NAIVE = datetime(2026, 3, 2, 10, 0)
AWARE = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda cal: cal.add(NAIVE, timedelta(hours=1)), "start"),
        (lambda cal: cal.business_time(AWARE, NAIVE), "end"),
        (lambda cal: cal.business_time(NAIVE, AWARE), "start"),
        (lambda cal: cal.add(AWARE, timedelta(hours=1), paused=[(NAIVE, AWARE)]),
         r"paused\[0\] start"),
        (lambda cal: cal.is_open(NAIVE), "t"),
        (lambda cal: cal.next_open(NAIVE), "t"),
        (lambda cal: cal.end_of_business_day(NAIVE), "t"),
    ],
)
def test_naive_datetimes_are_rejected_naming_the_argument(call, name):
    cal = Calendar.from_dict({"tz": "UTC", "hours": WEEKDAYS_9_TO_5})
    with pytest.raises(ValueError, match=f"^{name} must be timezone-aware"):
        call(cal)


def test_negative_durations_are_rejected():
    cal = Calendar.always("UTC")
    with pytest.raises(ValueError, match="duration must not be negative"):
        cal.add(AWARE, timedelta(seconds=-1))


def test_end_before_start_is_rejected():
    cal = Calendar.always("UTC")
    with pytest.raises(ValueError, match="is before start"):
        cal.business_time(AWARE, AWARE - timedelta(seconds=1))
    with pytest.raises(ValueError, match=r"paused\[0\]: end .* is before start"):
        cal.add(AWARE, timedelta(0), paused=[(AWARE, AWARE - timedelta(hours=1))])
