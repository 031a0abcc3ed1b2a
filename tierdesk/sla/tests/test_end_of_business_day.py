"""Calendar.end_of_business_day: "same business day" targets."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from tierdesk.sla import Calendar

from .samples import NEW_YORK_OFFICE, WEEKDAYS_9_TO_5

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture(scope="module")
def office():
    return Calendar.from_dict(NEW_YORK_OFFICE)


@pytest.fixture(scope="module")
def nine_to_five():
    return Calendar.from_dict(
        {"tz": "America/New_York", "hours": WEEKDAYS_9_TO_5, "holidays": ["2026-12-24"],
         "holiday_country": "US"}
    )


@pytest.mark.parametrize(
    "t", [ny(2026, 3, 2, 7), ny(2026, 3, 2, 9), ny(2026, 3, 2, 12, 30), ny(2026, 3, 2, 17, 59)]
)
def test_the_close_is_the_end_of_the_last_interval_of_the_day(office, t):
    assert office.end_of_business_day(t) == ny(2026, 3, 2, 18)


def test_at_or_after_the_last_close_it_is_the_next_business_day(office):
    assert office.end_of_business_day(ny(2026, 3, 2, 18)) == ny(2026, 3, 3, 18)
    assert office.end_of_business_day(ny(2026, 3, 2, 23)) == ny(2026, 3, 3, 18)


def test_after_the_cutoff_it_is_the_next_business_day(office):
    cutoff = time(14, 0)
    assert office.end_of_business_day(ny(2026, 3, 2, 14, 1), cutoff) == ny(2026, 3, 3, 18)
    assert office.end_of_business_day(ny(2026, 3, 2, 14, 0), cutoff) == ny(2026, 3, 2, 18)


def test_weekends_and_holidays_move_to_the_next_business_day(nine_to_five):
    assert nine_to_five.end_of_business_day(ny(2026, 3, 13, 17, 30)) == ny(2026, 3, 16, 17)
    assert nine_to_five.end_of_business_day(ny(2026, 3, 14, 10)) == ny(2026, 3, 16, 17)
    # Thu 24th listed, Fri 25th Christmas, then the weekend.
    assert nine_to_five.end_of_business_day(ny(2026, 12, 24, 10)) == ny(2026, 12, 28, 17)


def test_inside_an_overnight_interval_the_day_is_the_one_it_opened(office):
    # Saturday's 22:00-02:00 shift: at Sunday 01:00 the business day is Saturday's.
    assert office.end_of_business_day(ny(2026, 3, 15, 1)) == ny(2026, 3, 15, 2)
    assert office.end_of_business_day(ny(2026, 3, 14, 10)) == ny(2026, 3, 15, 2)


def test_always_open_closes_at_local_midnight():
    cal = Calendar.always("America/New_York")
    assert cal.end_of_business_day(ny(2026, 3, 8, 1)) == ny(2026, 3, 9)


def test_an_aware_cutoff_is_rejected(office):
    with pytest.raises(ValueError, match="cutoff must be a naive"):
        office.end_of_business_day(ny(2026, 3, 2, 10), time(14, tzinfo=NY))
