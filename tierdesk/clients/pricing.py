"""What an agreement costs by default: the tier's prices adjusted for the client's segment.

Rule: the segment's `price_factor` multiplies the per-user and per-device prices only. The
base fee is the fixed cost of having a client at all (the account, the monitoring set-up,
the monthly review) and is the same whatever kind of client it is; the factor models how much
more (or less) work each seat of that kind of client brings — a medical office's users need
HIPAA-aware handling, a home user's devices need less. Each adjusted unit price is rounded to
cents once, half-up (core/money.py), because that is the price printed on the agreement and
multiplied by the counts.

A price that differs from these is a negotiated override and needs a reason
(`agreement_draft` enforces it).
"""

from dataclasses import dataclass
from decimal import Decimal

from tierdesk.catalog.models import Segment
from tierdesk.core.money import round_money, to_decimal
from tierdesk.plans.models import PlanVersion

PRICE_FIELDS = ("base_fee", "price_per_user", "price_per_device")


@dataclass(frozen=True)
class TierPrice:
    """The default prices of one tier version for one segment, per month."""

    base_fee: Decimal
    price_per_user: Decimal
    price_per_device: Decimal

    def monthly_fee(self, *, users_count: int, devices_count: int) -> Decimal:
        return (self.base_fee + self.price_per_user * users_count
                + self.price_per_device * devices_count)

    def as_dict(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in PRICE_FIELDS}


def tier_price(*, plan_version: PlanVersion, segment: Segment) -> TierPrice:
    """The tier's prices for a client of `segment` (see the module docstring for the rule)."""
    factor = to_decimal(segment.price_factor)
    return TierPrice(
        base_fee=round_money(plan_version.base_fee),
        price_per_user=round_money(to_decimal(plan_version.price_per_user) * factor),
        price_per_device=round_money(to_decimal(plan_version.price_per_device) * factor),
    )


def price_overrides(*, default: TierPrice, given: dict) -> dict[str, tuple[Decimal, Decimal]]:
    """The prices in `given` (None = take the default) that differ from the tier's, as
    {field: (tier price, given price)}."""
    differing = {}
    for name in PRICE_FIELDS:
        value = given.get(name)
        if value is None:
            continue
        tier_value = getattr(default, name)
        if to_decimal(value) != tier_value:
            differing[name] = (tier_value, to_decimal(value))
    return differing
