"""Daylight-saving traps in America/New_York and Europe/London.

2026 transitions: New York springs forward on Sun 8 March (02:00 EST -> 03:00 EDT) and falls
back on Sun 1 November (02:00 EDT -> 01:00 EST); London springs forward on Sun 29 March
(01:00 GMT -> 02:00 BST) and falls back on Sun 25 October (02:00 BST -> 01:00 GMT).
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tierdesk.sla import Calendar

from .samples import WEEKDAYS_9_TO_5, utc

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
H = timedelta(hours=1)
M = timedelta(minutes=1)


def sundays(tz: str, *intervals: list[str]) -> Calendar:
    return Calendar.from_dict({"tz": tz, "hours": {"sun": [list(i) for i in intervals]}})


def day_of(cal: Calendar, tz: ZoneInfo, y: int, m: int, d: int) -> timedelta:
    start = datetime(y, m, d, tzinfo=tz)
    return cal.business_time(start, start.astimezone(UTC) + 30 * H)


@pytest.mark.parametrize(
    ("tz", "spring", "fall"),
    [("America/New_York", (2026, 3, 8), (2026, 11, 1)),
     ("Europe/London", (2026, 3, 29), (2026, 10, 25))],
)
def test_a_whole_day_is_23_hours_in_spring_and_25_in_autumn(tz, spring, fall):
    cal = Calendar.always(tz)
    zone = ZoneInfo(tz)
    for (y, m, d), hours in ((spring, 23), (fall, 25)):
        start = datetime(y, m, d, tzinfo=zone)
        end = datetime(y, m, d + 1, tzinfo=zone)
        assert cal.business_time(start, end) == hours * H
    spans = sundays(tz, ["00:00", "24:00"]).day_spans(date(*spring))
    assert [close - open_ for open_, close in spans] == [23 * 3600]


def test_business_hours_keep_their_wall_times_across_the_change():
    cal = Calendar.from_dict({"tz": "America/New_York", "hours": WEEKDAYS_9_TO_5})
    # Fri 16:00 EST (21:00 UTC) + 2h is Mon 10:00 EDT (14:00 UTC), not 15:00 UTC.
    assert cal.add(datetime(2026, 3, 6, 16, tzinfo=NY), 2 * H) == utc(2026, 3, 9, 14)
    assert cal.add(datetime(2026, 10, 30, 16, tzinfo=NY), 2 * H) == utc(2026, 11, 2, 15)


def test_an_opening_time_that_does_not_exist_moves_forward_to_the_transition():
    cal = sundays("America/New_York", ["02:30", "04:00"])
    # 02:30 does not exist on 8 March: the day opens at 03:00 EDT (07:00 UTC).
    assert cal.next_open(datetime(2026, 3, 8, tzinfo=NY)) == utc(2026, 3, 8, 7)
    assert day_of(cal, NY, 2026, 3, 8) == H
    assert day_of(cal, NY, 2026, 3, 15) == 90 * M


def test_an_interval_inside_the_gap_is_empty_that_day():
    cal = sundays("America/New_York", ["02:15", "02:45"], ["09:00", "10:00"])
    assert day_of(cal, NY, 2026, 3, 8) == H
    assert day_of(cal, NY, 2026, 3, 15) == 90 * M
    assert cal.next_open(datetime(2026, 3, 8, tzinfo=NY)) == datetime(2026, 3, 8, 9, tzinfo=NY)


def test_an_overnight_interval_into_spring_forward_is_an_hour_shorter():
    cal = Calendar.from_dict({"tz": "America/New_York", "hours": {"sat": [["20:00", "04:00"]]}})
    assert cal.business_time(utc(2026, 3, 7, 12), utc(2026, 3, 8, 12)) == 7 * H
    assert cal.business_time(utc(2026, 3, 14, 12), utc(2026, 3, 15, 12)) == 8 * H


def test_an_ambiguous_wall_time_takes_its_first_occurrence():
    cal = sundays("America/New_York", ["01:00", "01:30"])
    # 01:00-01:30 EDT (05:00-05:30 UTC); the repeated 01:00-01:30 EST is closed.
    assert day_of(cal, NY, 2026, 11, 1) == 30 * M
    assert cal.is_open(utc(2026, 11, 1, 5, 15))
    assert not cal.is_open(utc(2026, 11, 1, 6, 15))
    assert cal.add(utc(2026, 11, 1, 5, 15), 15 * M) == utc(2026, 11, 1, 5, 30)


def test_an_interval_spanning_fall_back_gets_the_extra_hour():
    cal = sundays("America/New_York", ["00:00", "03:00"])
    assert day_of(cal, NY, 2026, 11, 1) == 4 * H
    assert cal.add(datetime(2026, 11, 1, tzinfo=NY), 4 * H) == datetime(2026, 11, 1, 3, tzinfo=NY)


def test_london_spring_forward_gap_and_fall_back_overlap():
    cal = sundays("Europe/London", ["00:30", "02:00"])
    # Spring: 00:30 GMT -> 02:00 BST = 00:30 -> 01:00 UTC.
    assert day_of(cal, LONDON, 2026, 3, 29) == 30 * M
    # Autumn: 00:30 BST -> 02:00 GMT = 23:30 UTC (Sat) -> 02:00 UTC.
    assert day_of(cal, LONDON, 2026, 10, 25) == 150 * M
    assert cal.next_open(utc(2026, 10, 24, 12)) == utc(2026, 10, 24, 23, 30)


def test_london_opening_inside_the_gap():
    cal = sundays("Europe/London", ["01:30", "03:00"])
    assert cal.next_open(utc(2026, 3, 28, 12)) == utc(2026, 3, 29, 1)  # 02:00 BST
    assert day_of(cal, LONDON, 2026, 3, 29) == H
