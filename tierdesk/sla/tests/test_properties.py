"""Hypothesis properties of the SLA engine, and agreement with the day-walking reference."""

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tierdesk.sla import Calendar

from .reference import ReferenceCalendar
from .samples import SAMPLES, WEEKDAYS_9_TO_5

DICTS = {
    **SAMPLES,
    "paris_nine_to_five": {"tz": "Europe/Paris", "hours": WEEKDAYS_9_TO_5,
                           "holidays": ["2026-05-14"], "holiday_country": "FR"},
}
CALENDARS = {name: Calendar.from_dict(d) for name, d in DICTS.items()}
REFERENCES = {name: ReferenceCalendar(d) for name, d in DICTS.items()}
MINUTE = timedelta(minutes=1)
LO = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 4 * 365 * 24 * 60

names = st.sampled_from(sorted(CALENDARS))
# Whole minutes, so every instant lines up with the calendars' minute-aligned edges; the
# DST transitions of the samples are covered (they are 4 years of instants).
starts = st.integers(0, SPAN_MINUTES).map(lambda m: LO + m * MINUTE)
durations = st.one_of(
    st.just(timedelta(0)),
    st.integers(1, 60).map(lambda m: m * MINUTE),
    st.integers(1, 60 * 24 * 40).map(lambda m: m * MINUTE),
)
positive = durations.filter(bool)
pause_lists = st.lists(
    st.tuples(st.integers(-3000, 20000), st.integers(0, 5000)), max_size=4
)

PROPERTY = settings(max_examples=150, deadline=None)


def pauses_from(start, offsets):
    return [(start + a * MINUTE, start + (a + b) * MINUTE) for a, b in offsets]


@PROPERTY
@given(names, starts, positive)
def test_the_minute_before_a_due_time_is_open(name, start, duration):
    cal = CALENDARS[name]
    due = cal.add(start, duration)
    assert cal.is_open(due - MINUTE)
    assert cal.business_time(due - MINUTE, due) == MINUTE


@PROPERTY
@given(names, starts)
def test_a_zero_duration_is_due_at_an_open_instant(name, start):
    cal = CALENDARS[name]
    due = cal.add(start, timedelta(0))
    assert due >= start and cal.is_open(due)
    assert cal.business_time(start, due) == timedelta(0)


@PROPERTY
@given(names, starts, durations, positive)
def test_adding_in_two_steps_equals_adding_once(name, start, first, second):
    cal = CALENDARS[name]
    assert cal.add(cal.add(start, first), second) == cal.add(start, first + second)


@PROPERTY
@given(names, starts, durations, pause_lists)
def test_business_time_up_to_the_due_time_is_the_duration(name, start, duration, offsets):
    cal = CALENDARS[name]
    paused = pauses_from(start, offsets)
    assert cal.business_time(start, cal.add(start, duration, paused), paused) == duration


@PROPERTY
@given(names, starts, durations, starts)
def test_a_pause_over_closed_time_changes_nothing(name, start, duration, closed_at):
    cal = CALENDARS[name]
    if cal.is_open(closed_at):
        return
    pause = [(closed_at, cal.next_open(closed_at))]  # closed all the way through
    assert cal.add(start, duration, pause) == cal.add(start, duration)
    end = start + 30 * 24 * 60 * MINUTE
    assert cal.business_time(start, end, pause) == cal.business_time(start, end)


@PROPERTY
@given(names, starts, durations, pause_lists)
def test_add_agrees_with_the_day_walking_reference(name, start, duration, offsets):
    paused = pauses_from(start, offsets)
    assert CALENDARS[name].add(start, duration, paused) == REFERENCES[name].add(
        start, duration, paused
    )


@PROPERTY
@given(names, starts, st.integers(0, 60 * 24 * 60), pause_lists)
def test_business_time_agrees_with_the_reference(name, start, minutes, offsets):
    end = start + minutes * MINUTE
    paused = pauses_from(start, offsets)
    assert CALENDARS[name].business_time(start, end, paused) == REFERENCES[name].business_time(
        start, end, paused
    )


@PROPERTY
@given(names, starts, st.sampled_from([0, 1, 59, 61, 3599]))
def test_is_open_agrees_with_the_reference_to_the_second(name, start, seconds):
    t = start + timedelta(seconds=seconds)
    assert CALENDARS[name].is_open(t) == REFERENCES[name].is_open(t)


@PROPERTY
@given(
    names,
    st.lists(
        st.tuples(st.integers(0, SPAN_MINUTES * 60), st.integers(0, 40 * 24 * 3600)),
        min_size=1, max_size=50,
    ),
)
def test_add_many_agrees_with_add(name, cases):
    cal = CALENDARS[name]
    s = np.array([c[0] for c in cases], dtype=np.int64) + int(LO.timestamp())
    d = np.array([c[1] for c in cases], dtype=np.int64)
    got = cal.add_many(s, d)
    for start, duration, due in zip(s.tolist(), d.tolist(), got.tolist(), strict=True):
        expected = cal.add(datetime.fromtimestamp(start, UTC), timedelta(seconds=duration))
        assert due == int(expected.timestamp())
    ends = np.maximum(s, got)
    assert (cal.business_time_many(s, ends) == d).all()
