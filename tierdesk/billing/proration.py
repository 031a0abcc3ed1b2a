"""Billing periods and proration by day: pure date and Decimal arithmetic, no database.

Anchor: every billing period starts on the first day of a calendar month. An agreement's
periods are anchored at the first day of the month it starts in and last the months of its
billing cycle (monthly 1, quarterly 3, annual 12), so a quarterly agreement starting on
15 October has periods 1 Oct–31 Dec, 1 Jan–31 Mar, ... and its first period is partial.
Periods are half-open [start, end); documents show `end - 1 day` as the last day.

Proration is by day: the fee of a period times covered days / days in the period, rounded
once to cents, half-up. A period split in two parts (a tier change) gives two rounded
amounts whose sum differs from the rounded whole by at most one cent (each part is off by at
most half a cent).
"""

import datetime as dt
from decimal import Decimal

from tierdesk.core.money import round_money

CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def cycle_months(billing_cycle: str) -> int:
    return CYCLE_MONTHS[billing_cycle]


def is_cycle_start(*, anchor: dt.date, period_start: dt.date, months: int) -> bool:
    """Whether a period of `months` months anchored at `anchor`'s month starts on
    `period_start` (the first of a month)."""
    diff = month_index(period_start) - month_index(anchor)
    return diff >= 0 and diff % months == 0


def period_bounds(*, period_start: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """[start, end) of the period of `months` months starting at `period_start`."""
    return period_start, add_months(period_start, months)


def covered_days(*, start: dt.date, end: dt.date, service_start: dt.date,
                 service_end: dt.date | None) -> int:
    """Days of [start, end) the service covers; `service_end` is the last covered day
    (inclusive, as Agreement.end_date), None for open-ended."""
    first = max(start, service_start)
    stop = end if service_end is None else min(end, service_end + dt.timedelta(days=1))
    return max(0, (stop - first).days)


def prorate(*, fee: Decimal, days: int, total_days: int) -> Decimal:
    """`fee` × days / total_days, rounded once (half-up) to cents. A full period is the
    full fee exactly."""
    if total_days <= 0 or days < 0 or days > total_days:
        raise ValueError("days must be within the period")
    if days == total_days:
        return round_money(fee)
    return round_money(Decimal(fee) * days / total_days)
