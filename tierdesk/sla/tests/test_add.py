"""Calendar.add / business_time / is_open / next_open: one example per documented rule."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tierdesk.sla import Calendar

from .reference import ReferenceCalendar
from .samples import NEW_YORK_OFFICE, WEEKDAYS_9_TO_5

NY = ZoneInfo("America/New_York")
H = timedelta(hours=1)
NINE_TO_FIVE = {"tz": "America/New_York", "hours": WEEKDAYS_9_TO_5,
                "holidays": ["2026-12-24"], "holiday_country": "US"}


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture(scope="module")
def nine_to_five():
    return Calendar.from_dict(NINE_TO_FIVE)


@pytest.fixture(scope="module")
def office():
    return Calendar.from_dict(NEW_YORK_OFFICE)


def test_weekend_is_skipped(nine_to_five):
    assert nine_to_five.add(ny(2026, 3, 13, 16), 2 * H) == ny(2026, 3, 16, 10)


def test_results_are_utc(nine_to_five):
    due = nine_to_five.add(ny(2026, 3, 13, 16), 2 * H)
    assert due.utcoffset() == timedelta(0)


def test_listed_and_public_holidays_are_skipped(nine_to_five):
    # Thu 24th is listed, Fri 25th is Christmas, then the weekend.
    assert nine_to_five.add(ny(2026, 12, 23, 16), 2 * H) == ny(2026, 12, 28, 10)
    assert nine_to_five.is_holiday(ny(2026, 12, 25).date())


def test_subdivision_holidays_are_added():
    # Lincoln's Birthday (Thu 12 Feb) is a New York holiday, not a federal one.
    with_ny = Calendar.from_dict({**NINE_TO_FIVE, "holiday_subdiv": "NY"})
    without = Calendar.from_dict(NINE_TO_FIVE)
    assert with_ny.add(ny(2026, 2, 11, 16, 30), H) == ny(2026, 2, 13, 9, 30)
    assert without.add(ny(2026, 2, 11, 16, 30), H) == ny(2026, 2, 12, 9, 30)


def test_lunch_break_is_not_counted(office):
    assert office.add(ny(2026, 3, 2, 11), 2 * H) == ny(2026, 3, 2, 14)
    assert office.business_time(ny(2026, 3, 2, 9), ny(2026, 3, 2, 18)) == 8 * H
    assert not office.is_open(ny(2026, 3, 2, 12, 30))


def test_overnight_interval_runs_past_midnight(office):
    # Saturday 22:00-02:00: one hour before midnight, two after, due at Sunday's 02:00 close.
    assert office.add(ny(2026, 3, 14, 23), 3 * H) == ny(2026, 3, 15, 2)
    assert office.is_open(ny(2026, 3, 15, 1, 59))
    assert not office.is_open(ny(2026, 3, 15, 2))


def test_a_ticket_at_exactly_closing_time_waits_for_the_next_opening(nine_to_five):
    assert not nine_to_five.is_open(ny(2026, 3, 13, 17))
    assert nine_to_five.add(ny(2026, 3, 13, 17), H) == ny(2026, 3, 16, 10)


def test_a_ticket_at_exactly_opening_time_counts_at_once(nine_to_five):
    assert nine_to_five.is_open(ny(2026, 3, 16, 9))
    assert nine_to_five.add(ny(2026, 3, 16, 9), H) == ny(2026, 3, 16, 10)


def test_a_duration_running_out_at_closing_time_is_due_at_closing_time(nine_to_five, office):
    assert nine_to_five.add(ny(2026, 3, 16, 16), H) == ny(2026, 3, 16, 17)
    assert office.add(ny(2026, 3, 2, 11), H) == ny(2026, 3, 2, 12)  # lunch closes at 12:00


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (ny(2026, 3, 13, 17), ny(2026, 3, 16, 9)),  # at closing time: next opening
        (ny(2026, 3, 14, 12), ny(2026, 3, 16, 9)),  # weekend
        (ny(2026, 3, 16, 9), ny(2026, 3, 16, 9)),  # at opening time
        (ny(2026, 3, 16, 10, 30), ny(2026, 3, 16, 10, 30)),  # open
    ],
)
def test_a_zero_duration_is_due_at_the_first_open_instant(nine_to_five, start, due):
    assert nine_to_five.add(start, timedelta(0)) == due
    assert nine_to_five.next_open(start) == due


def test_always_open_adds_real_time_across_dst():
    cal = Calendar.always("America/New_York")
    # Not ``start + 30 * H``: adding to a zoned datetime is wall-clock arithmetic (the trap).
    start = ny(2026, 3, 7, 12).astimezone(UTC)
    assert cal.add(start, 30 * H) == start + 30 * H == ny(2026, 3, 8, 19)
    assert cal.business_time(start, start + 30 * H) == 30 * H
    assert cal.business_time(ny(2026, 3, 8), ny(2026, 3, 9)) == 23 * H


def test_overlapping_pauses_are_counted_once(nine_to_five):
    pauses = [(ny(2026, 3, 16, 10), ny(2026, 3, 16, 11)),
              (ny(2026, 3, 16, 10, 30), ny(2026, 3, 16, 12))]
    assert nine_to_five.add(ny(2026, 3, 16, 9), 4 * H, paused=pauses) == ny(2026, 3, 16, 15)
    day = (ny(2026, 3, 16, 9), ny(2026, 3, 16, 17))
    assert nine_to_five.business_time(*day, paused=pauses) == 6 * H


def test_a_pause_over_closed_time_changes_nothing(nine_to_five):
    start = ny(2026, 3, 13, 16)
    closed = [(ny(2026, 3, 13, 17), ny(2026, 3, 16, 9))]
    assert nine_to_five.add(start, 2 * H, paused=closed) == nine_to_five.add(start, 2 * H)


def test_only_the_open_time_of_a_pause_matters(nine_to_five):
    pause = [(ny(2026, 3, 13, 16, 30), ny(2026, 3, 16, 9, 30))]
    assert nine_to_five.add(ny(2026, 3, 13, 16), 2 * H, paused=pause) == ny(2026, 3, 16, 11)


def test_a_pause_may_start_before_the_clock(nine_to_five):
    pause = [(ny(2026, 3, 16, 8), ny(2026, 3, 16, 10))]
    assert nine_to_five.add(ny(2026, 3, 16, 9), H, paused=pause) == ny(2026, 3, 16, 11)


def test_a_duration_running_out_at_a_pause_is_due_when_the_pause_starts(nine_to_five):
    pause = [(ny(2026, 3, 16, 10), ny(2026, 3, 16, 11))]
    assert nine_to_five.add(ny(2026, 3, 16, 9), H, paused=pause) == ny(2026, 3, 16, 10)


def test_a_zero_duration_inside_a_pause_is_due_when_it_ends(nine_to_five):
    pause = [(ny(2026, 3, 16, 10), ny(2026, 3, 16, 11))]
    assert nine_to_five.add(ny(2026, 3, 16, 10, 15), timedelta(0), paused=pause) == ny(
        2026, 3, 16, 11
    )


def test_microseconds_are_exact(nine_to_five):
    start = ny(2026, 3, 16, 16, 59, 59, 999_999)
    assert nine_to_five.add(start, timedelta(microseconds=2)) == ny(2026, 3, 17, 9, 0, 0, 1)


def test_long_durations_and_old_starts_extend_the_cached_window():
    cal = Calendar.from_dict(NINE_TO_FIVE)
    ref = ReferenceCalendar(NINE_TO_FIVE)
    start = ny(2026, 3, 16, 10)
    assert cal.add(start, 5000 * H) == ref.add(start, 5000 * H)
    old = ny(2019, 7, 3, 16)
    assert cal.add(old, 3 * H) == ref.add(old, 3 * H) == ny(2019, 7, 5, 11)
    assert cal.business_time(old, start) == ref.business_time(old, start)


def test_instants_outside_the_supported_range_fail_clearly():
    cal = Calendar.from_dict(NINE_TO_FIVE)
    with pytest.raises(ValueError, match="outside the supported range"):
        cal.add(ny(2026, 3, 16, 10), timedelta(days=365 * 200))
