"""The values profitability is made of: periods (a month, or the trailing 90 days) and the
additive figures of one agreement, client, tier or segment in one period. Plain values, no
database; profitability.py fills them."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal
from operator import attrgetter

from tierdesk.billing.proration import add_months
from tierdesk.core.money import round_money

TRAILING_DAYS = 90
D0 = Decimal(0)
#: The share of a whole month: MonthPart.share returns this very object, so hot loops can
#: test `share is ONE` and skip a multiplication.
ONE = Decimal(1)
SIXTY = Decimal(60)
CENT_MINUTES = Decimal(6000)  # an hourly rate in cents × minutes / 6000 = money


@dataclass(frozen=True)
class MonthPart:
    """The days [first, last] of `month` that fall inside a period."""

    month: dt.date
    first: dt.date
    last: dt.date
    days_in_month: int

    @property
    def share(self) -> Decimal:
        """The share of the month inside the period (1 for a whole month)."""
        days = (self.last - self.first).days + 1
        if days == self.days_in_month:
            return ONE
        return Decimal(days) / self.days_in_month


@dataclass(frozen=True)
class Period:
    """A span of days (inclusive) profitability is computed over: a calendar month, keyed
    "YYYY-MM", or the trailing window ending on a day, keyed "90d"."""

    key: str
    start: dt.date
    end: dt.date
    label: str
    is_month: bool

    @classmethod
    def month(cls, month: dt.date) -> Period:
        month = month.replace(day=1)
        last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        return cls(key=f"{month:%Y-%m}", start=month, end=last, label=f"{month:%B %Y}",
                   is_month=True)

    @classmethod
    def trailing(cls, today: dt.date, days: int = TRAILING_DAYS) -> Period:
        start = today - dt.timedelta(days=days - 1)
        return cls(key=f"{days}d", start=start, end=today,
                   label=f"{days} days to {today:%-d %b %Y}", is_month=False)

    @classmethod
    def last_months(cls, today: dt.date, count: int = 12) -> list[Period]:
        """The `count` calendar months up to and including today's, oldest first."""
        first = add_months(today, -(count - 1))
        return [cls.month(add_months(first, i)) for i in range(count)]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> list[MonthPart]:
        parts, month = [], self.start.replace(day=1)
        while month <= self.end:
            days = calendar.monthrange(month.year, month.month)[1]
            last_of_month = month.replace(day=days)
            parts.append(MonthPart(month=month, first=max(month, self.start),
                                   last=min(last_of_month, self.end), days_in_month=days))
            month = add_months(month, 1)
        return parts


@dataclass(slots=True)
class Figures:
    """Revenue, cost and the work behind them for one subject in one period.

    What SQL sums is kept as integers — money in cents, time cost in cents × minutes
    (an hourly rate in cents times minutes; / 6000 is money) — and turned into Decimals
    only when read, because a year of 10,000 clients adds up 100,000s of rows. The other
    money parts are unrounded Decimals. `revenue` and `cost` round their sum once, so
    `margin == revenue - cost` exactly for every row."""

    # Revenue.
    fees: Decimal = D0
    fees_estimated: Decimal = D0  # the part of `fees` not invoiced yet (included in fees)
    overage_cents: int = 0
    billable_cents: int = 0
    items: Decimal = D0
    adjustments: Decimal = D0
    # Cost.
    labour_cm: int = 0  # cents × minutes
    travel_cm: int = 0  # cents × minutes
    mileage: Decimal = D0
    tools: Decimal = D0
    outsourced: Decimal = D0
    items_cost: Decimal = D0
    # The work.
    minutes: int = 0
    travel_minutes: int = 0
    sessions: int = 0
    helpdesk_sessions: int = 0
    helpdesk_minutes: int = 0
    onsite_visits: int = 0
    included_onsite_visits: int = 0
    included_breakfix_minutes: int = 0
    after_hours_minutes: int = 0
    workorder_minutes: int = 0
    #: Months of service inside the period (Σ covered days / days in month): what the
    #: monthly fee was due for; turns period totals into "a month".
    fee_months: Decimal = D0

    REVENUE_PARTS = ("fees", "overage", "billable", "items", "adjustments")
    COST_PARTS = ("labour", "travel", "mileage", "tools", "outsourced", "items_cost")

    def add(self, other: Figures) -> Figures:
        """Add `other` into this one (written out: roll-ups add 100,000s of figures)."""
        self.fees += other.fees
        self.fees_estimated += other.fees_estimated
        self.overage_cents += other.overage_cents
        self.billable_cents += other.billable_cents
        self.items += other.items
        self.adjustments += other.adjustments
        self.labour_cm += other.labour_cm
        self.travel_cm += other.travel_cm
        self.mileage += other.mileage
        self.tools += other.tools
        self.outsourced += other.outsourced
        self.items_cost += other.items_cost
        self.minutes += other.minutes
        self.travel_minutes += other.travel_minutes
        self.sessions += other.sessions
        self.helpdesk_sessions += other.helpdesk_sessions
        self.helpdesk_minutes += other.helpdesk_minutes
        self.onsite_visits += other.onsite_visits
        self.included_onsite_visits += other.included_onsite_visits
        self.included_breakfix_minutes += other.included_breakfix_minutes
        self.after_hours_minutes += other.after_hours_minutes
        self.workorder_minutes += other.workorder_minutes
        self.fee_months += other.fee_months
        return self

    def copy(self) -> Figures:
        return Figures().add(self)

    @classmethod
    def total(cls, many: list[Figures]) -> Figures:
        """The sum of many figures, field by field (a C-speed sum per field: a tier's
        roll-up adds 40,000 agreement-months)."""
        return cls(*(sum(map(getter, many)) for getter in _GETTERS))

    @property
    def overage(self) -> Decimal:
        return Decimal(self.overage_cents) / 100

    @property
    def billable(self) -> Decimal:
        return Decimal(self.billable_cents) / 100

    @property
    def labour(self) -> Decimal:
        return Decimal(self.labour_cm) / CENT_MINUTES

    @property
    def travel(self) -> Decimal:
        return Decimal(self.travel_cm) / CENT_MINUTES

    @property
    def travel_total(self) -> Decimal:
        """Travel time and mileage."""
        return self.travel + self.mileage

    @property
    def other_cost(self) -> Decimal:
        """Outsourced fees and the cost of items sold."""
        return self.outsourced + self.items_cost

    @property
    def revenue(self) -> Decimal:
        return round_money(sum((getattr(self, p) for p in self.REVENUE_PARTS), D0))

    @property
    def cost(self) -> Decimal:
        return round_money(sum((getattr(self, p) for p in self.COST_PARTS), D0))

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_pct(self) -> Decimal | None:
        """Margin as a percentage of revenue, one decimal; None without revenue."""
        revenue = self.revenue
        if revenue <= 0:
            return None
        return (self.margin * 100 / revenue).quantize(Decimal("0.1"))

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / SIXTY).quantize(Decimal("0.01"))

    @property
    def effective_hourly(self) -> Decimal | None:
        """Revenue per hour worked; None when nobody worked."""
        if not self.minutes:
            return None
        return round_money(self.revenue * SIXTY / self.minutes)

    @property
    def estimated(self) -> bool:
        return self.fees_estimated != 0

    def parts(self) -> dict[str, Decimal]:
        """Each money part rounded to cents (for tables and CSV)."""
        return {p: round_money(getattr(self, p))
                for p in (*self.REVENUE_PARTS, *self.COST_PARTS)}

    def under(self, floor: Decimal) -> bool:
        """Below `floor` percent: a margin % under it, or cost with no revenue at all."""
        pct = self.margin_pct
        if pct is None:
            return self.cost > 0
        return pct < floor


#: One attribute getter per field of Figures, in field order (Figures.total).
_GETTERS = tuple(attrgetter(f.name) for f in fields(Figures))
