"""Properties of planning (no database): every planned work order lands inside an open
business day of the client's calendar, keys are unique, and the daily job's overlapping
windows plan exactly what one run over their union plans."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from tierdesk.core.bulk import flat
from tierdesk.maintenance.calendars import BusinessDays
from tierdesk.maintenance.occurrences import KEY_AT, AgreementWindow, planned_schedule
from tierdesk.maintenance.occurrences import plan as plan_rows
from tierdesk.sla import Calendar

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RULES = ["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=SA", "FREQ=WEEKLY;BYDAY=SU",
         "FREQ=MONTHLY;BYMONTHDAY=1", "FREQ=MONTHLY;BYDAY=TH;BYMONTHDAY=10,11,12,13,14,15,16",
         "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1", "FREQ=YEARLY", "FREQ=WEEKLY"]
ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "America/Denver"]


@st.composite
def calendars(draw):
    open_days = draw(st.sets(st.sampled_from(DAYS), min_size=2, max_size=7))
    start = draw(st.integers(0, 12))
    length = draw(st.integers(2, 12))
    hours = {d: [[f"{start:02d}:00", f"{start + length:02d}:00"]] for d in open_days}
    holidays = draw(st.lists(st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)), max_size=2))
    return Calendar.from_dict({"tz": draw(st.sampled_from(ZONES)), "hours": hours,
                               "holidays": [h.isoformat() for h in holidays]})


@st.composite
def schedules(draw):
    rules = draw(st.lists(st.sampled_from(RULES), min_size=1, max_size=5))
    return [planned_schedule(i + 1, "maintenance", f"task:{i + 1}", f"Task {i}", rule,
                             dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))),
                             15, "remote", "", rule == "FREQ=DAILY")
            for i, rule in enumerate(rules)]


def plan(*args):
    return [flat(row) for row in plan_rows(*args)]


def _window(start, first, last):
    return AgreementWindow(1, 1, None, start, first, last)


@settings(max_examples=60, deadline=None)
@given(cal=calendars(), scheds=schedules(),
       start=st.dates(dt.date(2025, 6, 1), dt.date(2026, 12, 31)),
       today=st.dates(dt.date(2026, 1, 1), dt.date(2027, 6, 30)),
       horizon=st.integers(1, 60))
def test_every_planned_work_order_is_inside_an_open_business_day(cal, scheds, start, today,
                                                                  horizon):
    days = BusinessDays(cal)
    rows = plan(_window(start, max(today, start), today + dt.timedelta(days=horizon)), scheds,
                days, NOW)
    keys = [row[KEY_AT] for row in rows]
    assert len(keys) == len(set(keys))
    for row in rows:
        due_on, scheduled_at, due_at = row[8], row[9], row[10]
        bday = days.get(due_on)
        assert bday is not None and cal.day_spans(due_on)
        assert cal.is_open(scheduled_at)
        assert bday.opens <= scheduled_at.timestamp() < bday.closes == due_at.timestamp()
        assert max(today, start) <= due_on <= today + dt.timedelta(days=horizon)


@settings(max_examples=60, deadline=None)
@given(cal=calendars(), scheds=schedules(),
       start=st.dates(dt.date(2025, 6, 1), dt.date(2026, 6, 30)),
       today=st.dates(dt.date(2026, 7, 1), dt.date(2027, 6, 30)),
       horizon=st.integers(1, 45), step=st.integers(1, 10))
def test_overlapping_daily_runs_plan_exactly_what_one_run_plans(cal, scheds, start, today,
                                                                horizon, step):
    days = BusinessDays(cal)
    end = today + dt.timedelta(days=horizon)
    later = today + dt.timedelta(days=min(step, horizon))
    first = plan(_window(start, today, end), scheds, days, NOW)
    second = plan(_window(start, later, end + dt.timedelta(days=step)), scheds, days, NOW)
    union = plan(_window(start, today, end + dt.timedelta(days=step)), scheds, days, NOW)
    by_key = {row[KEY_AT]: row for row in first + second}
    assert set(by_key) == {row[KEY_AT] for row in union}
    assert all(by_key[row[KEY_AT]] == row for row in union)
