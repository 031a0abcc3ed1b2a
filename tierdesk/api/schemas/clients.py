"""Client, site, contact and agreement schemas."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


def _is_staff(context) -> bool:
    request = (context or {}).get("request")
    return bool(request is not None and request.user.is_msp_staff)


class ClientOut(Schema):
    id: int
    name: str
    segment_id: int
    segment_name: str = Field(alias="segment.name")
    timezone: str
    users_count: int
    devices_count: int
    billing_email: str
    phone: str
    notes: str | None = Field(None, description="internal notes; null for client contacts")
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_notes(obj, context):
        return obj.notes if _is_staff(context) else None


class ClientIn(Schema):
    name: str = Field(min_length=1, max_length=150)
    segment_id: int
    timezone: str = Field("America/New_York", max_length=64,
                          description="IANA time zone, e.g. America/New_York")
    users_count: int = Field(1, ge=0)
    devices_count: int = Field(1, ge=0)
    billing_email: str = ""
    phone: str = Field("", max_length=40)
    notes: str = ""


class ClientPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=150)
    segment_id: int | None = None
    timezone: str | None = Field(None, max_length=64)
    users_count: int | None = Field(None, ge=0)
    devices_count: int | None = Field(None, ge=0)
    billing_email: str | None = None
    phone: str | None = Field(None, max_length=40)
    notes: str | None = None
    is_active: bool | None = None


class SiteOut(Schema):
    id: int
    client_id: int
    name: str
    address: str
    drive_minutes: int = Field(description="one-way drive time from the MSP's office")
    has_rmm_agent: bool


class SiteIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    address: str = Field(min_length=1)
    drive_minutes: int = Field(ge=0)
    has_rmm_agent: bool = False


class SitePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    address: str | None = None
    drive_minutes: int | None = Field(None, ge=0)
    has_rmm_agent: bool | None = None


class ContactOut(Schema):
    id: int
    client_id: int
    name: str
    email: str
    phone: str
    title: str
    can_sign: bool
    is_billing: bool
    has_portal_login: bool

    @staticmethod
    def resolve_has_portal_login(obj):
        return obj.user_id is not None


class ContactIn(Schema):
    name: str = Field(min_length=1, max_length=150)
    email: str = ""
    phone: str = Field("", max_length=40)
    title: str = Field("", max_length=100)
    can_sign: bool = False
    is_billing: bool = False


class ContactPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=150)
    email: str | None = None
    phone: str | None = Field(None, max_length=40)
    title: str | None = Field(None, max_length=100)
    can_sign: bool | None = None
    is_billing: bool | None = None


class AgreementOut(Schema):
    id: int
    client_id: int
    client_name: str = Field(alias="client.name")
    plan_version_id: int
    plan_id: int = Field(alias="plan_version.plan_id")
    plan_name: str = Field(alias="plan_version.plan.name")
    plan_version_number: int = Field(alias="plan_version.number")
    status: str
    start_date: date
    end_date: date | None
    auto_renew: bool
    term_months: int
    billing_cycle: str
    users_count: int
    devices_count: int
    base_fee: Decimal
    price_per_user: Decimal
    price_per_device: Decimal
    monthly_fee: Decimal
    override_reason: str
    replaces_id: int | None
    sent_at: datetime | None
    signed_at: datetime | None
    activated_at: datetime | None
    ended_at: datetime | None
    end_reason: str
    feasibility_warnings: list[Any] | None = Field(
        None, description="what the MSP may not be able to deliver; null for client contacts"
    )
    feasibility_acknowledged_at: datetime | None = None
    feasibility_note: str | None = None

    @staticmethod
    def resolve_feasibility_warnings(obj, context):
        return obj.feasibility_warnings if _is_staff(context) else None

    @staticmethod
    def resolve_feasibility_acknowledged_at(obj, context):
        return obj.feasibility_acknowledged_at if _is_staff(context) else None

    @staticmethod
    def resolve_feasibility_note(obj, context):
        return obj.feasibility_note if _is_staff(context) else None


class AgreementIn(Schema):
    client_id: int
    plan_version_id: int
    start_date: date
    end_date: date | None = None
    auto_renew: bool = True
    term_months: int = Field(12, ge=1)
    billing_cycle: str = "monthly"
    users_count: int | None = Field(None, ge=0, description="default: the client's")
    devices_count: int | None = Field(None, ge=0, description="default: the client's")
    base_fee: Decimal | None = Field(None, ge=0, description="default: the tier's price")
    price_per_user: Decimal | None = Field(None, ge=0)
    price_per_device: Decimal | None = Field(None, ge=0)
    override_reason: str = Field("", max_length=300,
                                 description="required when a price differs from the tier's")


class AgreementPatch(Schema):
    plan_version_id: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    auto_renew: bool | None = None
    term_months: int | None = Field(None, ge=1)
    billing_cycle: str | None = None
    users_count: int | None = Field(None, ge=0)
    devices_count: int | None = Field(None, ge=0)
    base_fee: Decimal | None = Field(None, ge=0)
    price_per_user: Decimal | None = Field(None, ge=0)
    price_per_device: Decimal | None = Field(None, ge=0)
    override_reason: str | None = Field(None, max_length=300)


class AgreementSendIn(Schema):
    acknowledge: bool = Field(
        False, description="send despite feasibility warnings (they are recorded with you)"
    )
    note: str = Field("", description="why the warnings are acceptable")
    contact_id: int | None = Field(
        None, description="e-mail the signing link to this contact of the client"
    )


class AgreementSignIn(Schema):
    token: str = Field(min_length=1, description="the token of the signing link")
    typed_name: str = Field(min_length=1, max_length=150)
    consent: bool


class AgreementChangeTierIn(Schema):
    plan_version_id: int
    effective_date: date = Field(description="first day on the new tier")
    users_count: int | None = Field(None, ge=0, description="default: the current agreement's")
    devices_count: int | None = Field(None, ge=0)
    base_fee: Decimal | None = Field(None, ge=0, description="default: the new tier's price")
    price_per_user: Decimal | None = Field(None, ge=0)
    price_per_device: Decimal | None = Field(None, ge=0)
    override_reason: str = Field("", max_length=300)


class AgreementEndIn(Schema):
    end_date: date = Field(description="the last covered day")
    reason: str = Field(min_length=1, max_length=200)
