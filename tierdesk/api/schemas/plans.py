"""Tier schemas. A version's `entitlements` has the shape of plans.entitlements.Entitlements
(`to_dict()`), and the same shape is what POST /plans/{id}/versions takes, so a client can
GET a version, change what it needs and post it back. `hours` is a tierdesk.sla calendar
dict: {"tz": ..., "hours": {"mon": [["08:00", "18:00"]], ...}, "holidays": [...]}."""

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from tierdesk.plans.entitlements import Entitlements


class PlanOut(Schema):
    id: int
    slug: str
    name: str
    rank: int
    is_active: bool
    current_version_id: int | None = None
    current_version_number: int | None = None


class PlanPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    rank: int | None = Field(None, ge=0)


class VersionSummaryOut(Schema):
    id: int
    plan_id: int
    plan_name: str = Field(alias="plan.name")
    number: int
    created_at: datetime
    created_by: str | None = None
    change_note: str
    summary: str
    agreement_count: int | None = Field(
        None, description="agreements signed on this version (it is frozen when > 0)"
    )

    @staticmethod
    def resolve_created_by(obj):
        return obj.created_by.get_username() if obj.created_by_id else None


class VersionDetailOut(VersionSummaryOut):
    entitlements: dict[str, Any] = Field(
        description="Everything the version promises; POST it to /plans/{id}/versions."
    )

    @staticmethod
    def resolve_entitlements(obj):
        return Entitlements.from_version(obj).to_dict()


class TargetIn(Schema):
    kind: str = "business"
    first_response_minutes: int | None = Field(None, ge=0)
    same_day_cutoff: time | None = None
    onsite_minutes: int | None = Field(None, ge=0)
    resolution_minutes: int | None = Field(None, ge=0)


class BillingIn(Schema):
    billable: bool
    hourly_rate: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    note: str = Field("", max_length=200)


class EntitlementsIn(Schema):
    """The full entitlement set of the new version (what GET …/versions/{id} returns under
    `entitlements`)."""

    channels: list[str]
    hours: dict[str, Any] = Field(description="a tierdesk.sla calendar dict")
    hours_label: str = Field("", max_length=100)
    hourly_rate: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    base_fee: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    summary: str = ""
    channel_instructions: str = ""
    helpdesk_sessions: int | None = Field(None, ge=0, description="null = unlimited")
    helpdesk_session_minutes: int = Field(15, ge=1)
    session_counting: str = "blocks"
    overage_session_price: Decimal = Field(Decimal("0.00"), ge=0, max_digits=10,
                                           decimal_places=2)
    scheduled_maintenance: bool = False
    network_audits: str = "none"
    after_hours_multiplier: Decimal = Field(Decimal("1.50"), ge=1, max_digits=4,
                                            decimal_places=2)
    onsite_trip_fee: Decimal = Field(Decimal("0.00"), ge=0, max_digits=10, decimal_places=2)
    hardware_markup_percent: Decimal = Field(Decimal("15.00"), ge=0, max_digits=5,
                                             decimal_places=2)
    price_per_user: Decimal = Field(Decimal("0.00"), ge=0, max_digits=10, decimal_places=2)
    price_per_device: Decimal = Field(Decimal("0.00"), ge=0, max_digits=10, decimal_places=2)
    exclusions: str = ""
    coverage: dict[int, str] = Field(
        default_factory=dict, description="service id → monitored / maintained / supported"
    )
    targets: dict[str, TargetIn] = Field(default_factory=dict, description="priority → target")
    billing: dict[str, BillingIn] = Field(default_factory=dict,
                                          description="work type → billing rule")

    def to_entitlements(self) -> Entitlements:
        data = self.model_dump()
        return Entitlements(**data)


class VersionIn(Schema):
    entitlements: EntitlementsIn
    change_note: str = Field("", max_length=200)
    expected_number: int | None = Field(
        None, description="the version number you edited; an error if the tier changed since"
    )


class PlanIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    slug: str | None = Field(None, max_length=60, description="derived from the name if empty")
    rank: int = Field(ge=0, description="position on the ladder, lowest tier first")
    entitlements: EntitlementsIn
