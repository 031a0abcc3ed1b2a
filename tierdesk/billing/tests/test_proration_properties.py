"""Proration by day: hypothesis properties and the period anchor."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tierdesk.billing.invoicing import LineDraft, totals_for
from tierdesk.billing.proration import add_months, covered_days, is_cycle_start, prorate
from tierdesk.core.money import round_money

fees = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2)
months = st.sampled_from([1, 3, 12])
starts = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)).map(
    lambda d: d.replace(day=1))


@given(fee=fees, period_start=starts, m=months)
def test_a_full_period_prorated_is_the_full_fee(fee, period_start, m):
    end = add_months(period_start, m)
    total = (end - period_start).days
    days = covered_days(start=period_start, end=end, service_start=period_start,
                        service_end=None)
    assert prorate(fee=fee, days=days, total_days=total) == fee


@given(fee=fees, period_start=starts, m=months, data=st.data())
def test_the_two_parts_of_a_split_period_sum_to_the_whole_within_a_cent(fee, period_start,
                                                                         m, data):
    end = add_months(period_start, m)
    total = (end - period_start).days
    split = data.draw(st.integers(min_value=0, max_value=total))
    change = period_start + dt.timedelta(days=split)
    old = covered_days(start=period_start, end=end, service_start=period_start,
                       service_end=change - dt.timedelta(days=1))
    new = covered_days(start=period_start, end=end, service_start=change, service_end=None)
    assert old + new == total
    parts = prorate(fee=fee, days=old, total_days=total) + prorate(fee=fee, days=new,
                                                                    total_days=total)
    assert abs(parts - fee) <= Decimal("0.01")


@given(amounts=st.lists(st.decimals(min_value=Decimal("-5000"), max_value=Decimal("5000"),
                                    places=2), min_size=1, max_size=20),
       rate=st.decimals(min_value=Decimal("0"), max_value=Decimal("30"), places=3))
def test_lines_sum_to_the_total(amounts, rate):
    lines = [LineDraft("labour", "x", "", Decimal(1), a, a, taxable=i % 2 == 0)
             for i, a in enumerate(amounts)]
    sums = totals_for(lines, rate)
    assert sums.subtotal == sum(amounts)
    assert sums.total == sums.subtotal + sums.tax
    assert sums.tax == round_money(sum(amounts[::2]) * rate / 100)


def test_periods_are_anchored_at_the_start_month():
    anchor = dt.date(2026, 10, 15)
    assert is_cycle_start(anchor=anchor, period_start=dt.date(2027, 1, 1), months=3)
    assert not is_cycle_start(anchor=anchor, period_start=dt.date(2026, 11, 1), months=3)
    assert not is_cycle_start(anchor=anchor, period_start=dt.date(2026, 9, 1), months=1)
    assert add_months(dt.date(2026, 11, 1), 2) == dt.date(2027, 1, 1)
