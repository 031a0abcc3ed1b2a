"""Entitlements: everything one version of a tier promises, as one plain typed value.

`Entitlements` is what the tier designer form, the API and the seed data hand to
`plans.services.plan_version_save`; `Entitlements.from_version(v)` reads it back from a stored
version, so a form can be filled from a version and saved back unchanged. Two Entitlements
compare equal when they promise the same thing (Decimal "99" == "99.00"), which is how a
no-op save is detected.

Shape::

    Entitlements(
        channels=["email", "portal"], hours={...sla calendar dict...}, hours_label="...",
        base_fee=Decimal("99"), hourly_rate=Decimal("125"), ...scalar fields of PlanVersion...,
        coverage={service_id: "maintained"},
        targets={"p1": Target(kind="business", first_response_minutes=240), ...},
        billing={"break_fix": Billing(billable=True, hourly_rate=None, note="...")},
    )

`targets` and `billing` also accept plain dicts (from JSON); they are turned into `Target`
and `Billing` values. A priority without a target, or a work type without a rule, is simply
absent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import Any

#: PlanVersion fields an Entitlements carries one to one.
SCALAR_FIELDS = (
    "summary",
    "channels",
    "channel_instructions",
    "hours",
    "hours_label",
    "helpdesk_sessions",
    "helpdesk_session_minutes",
    "session_counting",
    "overage_session_price",
    "scheduled_maintenance",
    "network_audits",
    "hourly_rate",
    "after_hours_multiplier",
    "onsite_trip_fee",
    "hardware_markup_percent",
    "travel_billing",
    "approval_threshold",
    "base_fee",
    "price_per_user",
    "price_per_device",
    "exclusions",
)

TARGET_FIELDS = (
    "kind", "first_response_minutes", "same_day_cutoff", "onsite_minutes", "resolution_minutes"
)
BILLING_FIELDS = ("billable", "hourly_rate", "note")


@dataclass(frozen=True)
class Target:
    """The response promise for one priority (see plans.models.ResponseTarget)."""

    kind: str = "business"
    first_response_minutes: int | None = None
    same_day_cutoff: dt.time | None = None
    onsite_minutes: int | None = None
    resolution_minutes: int | None = None


@dataclass(frozen=True)
class Billing:
    """Whether one work type is billed on top of the fee, and at which rate (None = the
    version's standard hourly rate)."""

    billable: bool
    hourly_rate: Decimal | None = None
    note: str = ""


@dataclass
class Entitlements:
    """The full entitlement set of a tier version. See the module docstring."""

    channels: list[str]
    hours: dict
    hourly_rate: Decimal
    base_fee: Decimal
    hours_label: str = ""
    summary: str = ""
    channel_instructions: str = ""
    helpdesk_sessions: int | None = None
    helpdesk_session_minutes: int = 15
    session_counting: str = "blocks"
    overage_session_price: Decimal = Decimal("0.00")
    scheduled_maintenance: bool = False
    network_audits: str = "none"
    after_hours_multiplier: Decimal = Decimal("1.50")
    onsite_trip_fee: Decimal = Decimal("0.00")
    hardware_markup_percent: Decimal = Decimal("15.00")
    travel_billing: str = "trip_fee"
    approval_threshold: Decimal | None = None
    price_per_user: Decimal = Decimal("0.00")
    price_per_device: Decimal = Decimal("0.00")
    exclusions: str = ""
    coverage: dict[int, str] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    billing: dict[str, Billing] = field(default_factory=dict)

    def __post_init__(self):
        # Accept JSON-ish input (API, seed data): dict rows become typed values, service ids
        # given as strings become ints where they can.
        self.channels = list(self.channels or [])
        self.coverage = {_int_or_same(k): v for k, v in (self.coverage or {}).items()}
        self.targets = {
            k: v if isinstance(v, Target) else Target(**_only(v, TARGET_FIELDS))
            for k, v in (self.targets or {}).items()
        }
        self.billing = {
            k: v if isinstance(v, Billing) else Billing(**_only(v, BILLING_FIELDS))
            for k, v in (self.billing or {}).items()
        }

    @classmethod
    def from_version(cls, version) -> Entitlements:
        """The entitlements stored on `version` (uses prefetched rows when present)."""
        scalars = {name: getattr(version, name) for name in SCALAR_FIELDS}
        scalars["channels"] = list(scalars["channels"] or [])
        scalars["hours"] = dict(scalars["hours"] or {})
        return cls(
            **scalars,
            coverage={row.service_id: row.level for row in version.coverage.all()},
            targets={
                row.priority: Target(**{f: getattr(row, f) for f in TARGET_FIELDS})
                for row in version.targets.all()
            },
            billing={
                row.work_type: Billing(**{f: getattr(row, f) for f in BILLING_FIELDS})
                for row in version.billing.all()
            },
        )

    def scalars(self) -> dict[str, Any]:
        """The PlanVersion field values, by field name."""
        return {name: getattr(self, name) for name in SCALAR_FIELDS}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form (Decimals and times as strings) for the API and audit."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["targets"] = {k: asdict(v) for k, v in self.targets.items()}
        data["billing"] = {k: asdict(v) for k, v in self.billing.items()}
        return _jsonable(data)


def _only(data: Any, allowed: tuple[str, ...]) -> dict:
    if not isinstance(data, dict):
        raise TypeError(f"expected an object with {', '.join(allowed)}, got {data!r}")
    return {k: v for k, v in data.items() if k in allowed}


def _int_or_same(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
