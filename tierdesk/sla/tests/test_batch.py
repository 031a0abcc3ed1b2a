"""The batch API: add_many and business_time_many over NumPy arrays."""

from datetime import timedelta

import numpy as np
import pytest

from tierdesk.sla import Calendar

from .samples import NEW_YORK_OFFICE, WEEKDAYS_9_TO_5, utc

H = 3600


@pytest.fixture(scope="module")
def office():
    return Calendar.from_dict(NEW_YORK_OFFICE)


def epoch(dt) -> int:
    return int(dt.timestamp())


def test_add_many_matches_add_on_examples(office):
    starts = [utc(2026, 3, 2, 14), utc(2026, 3, 6, 19, 59), utc(2026, 3, 14, 12),
              utc(2026, 3, 2, 23)]
    durations = [0, 2 * H, 3 * H, 40 * H]
    due = office.add_many(np.array([epoch(s) for s in starts]), np.array(durations))
    assert due.dtype == np.int64
    expected = [
        epoch(office.add(s, timedelta(seconds=d)))
        for s, d in zip(starts, durations, strict=True)
    ]
    assert due.tolist() == expected


def test_add_many_keeps_the_closing_time_and_zero_duration_rules(office):
    close = epoch(utc(2026, 3, 2, 23))  # Monday 18:00 EST
    due = office.add_many([close - H, close, close], [H, 0, 1])
    assert due.tolist() == [
        close,  # runs out exactly at the close: due at the close
        epoch(utc(2026, 3, 3, 14)),  # zero duration at the close: next opening (09:00 EST)
        epoch(utc(2026, 3, 3, 14)) + 1,
    ]


def test_datetime64_in_gives_datetime64_out_and_durations_broadcast(office):
    starts = np.array(["2026-03-02T14:00", "2026-03-03T22:30"], dtype="datetime64[s]")
    due = office.add_many(starts, np.timedelta64(1, "h"))
    assert due.dtype == np.dtype("datetime64[s]")
    assert due.tolist()[0].isoformat() == "2026-03-02T15:00:00"
    assert due.tolist()[1].isoformat() == "2026-03-04T14:30:00"  # 30 min Tue, 30 min Wed


def test_business_time_many_matches_business_time(office):
    starts = np.array([epoch(utc(2026, 3, 2, 14)), epoch(utc(2026, 3, 6, 12))])
    ends = starts + np.array([10 * H, 100 * H])
    got = office.business_time_many(starts, ends)
    assert got.tolist() == [
        int(office.business_time(utc(2026, 3, 2, 14), utc(2026, 3, 3, 0)).total_seconds()),
        int(office.business_time(utc(2026, 3, 6, 12), utc(2026, 3, 10, 16)).total_seconds()),
    ]
    as_dt = office.business_time_many(starts.astype("datetime64[s]"), ends.astype("datetime64[s]"))
    assert as_dt.dtype == np.dtype("timedelta64[s]")


def test_batch_extends_the_window_forward_and_back():
    cal = Calendar.from_dict({"tz": "Europe/London", "hours": WEEKDAYS_9_TO_5})
    cal.is_open(utc(2026, 3, 2))  # first window around March 2026
    starts = np.array([epoch(utc(2026, 3, 2, 10)), epoch(utc(2015, 6, 1, 10)),
                       epoch(utc(2031, 1, 6, 10))])
    durations = np.array([6000 * H, H, 0])
    got = cal.add_many(starts, durations)
    expected = [epoch(cal.add(utc(2026, 3, 2, 10), timedelta(hours=6000))),
                epoch(utc(2015, 6, 1, 11)), epoch(utc(2031, 1, 6, 10))]
    assert got.tolist() == expected


def test_empty_batches_give_empty_results(office):
    assert office.add_many(np.array([], dtype=np.int64), 0).shape == (0,)
    assert office.business_time_many([], []).shape == (0,)


@pytest.mark.parametrize(
    ("starts", "durations", "error", "message"),
    [
        ([0], [-1], ValueError, "durations must not be negative"),
        ([0], [1.5], ValueError, "durations must be whole seconds"),
        ([0.5], [1], TypeError, "starts must be int epoch seconds or datetime64"),
        ([0], ["1h"], TypeError, "durations must be seconds"),
    ],
)
def test_add_many_rejects_bad_input(office, starts, durations, error, message):
    with pytest.raises(error, match=message):
        office.add_many(np.array(starts), np.array(durations))


def test_business_time_many_rejects_ends_before_starts(office):
    with pytest.raises(ValueError, match="ends must not be before starts"):
        office.business_time_many([10], [5])
