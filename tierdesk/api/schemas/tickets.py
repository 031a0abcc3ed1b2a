"""Ticket, timeline and calendar schemas.

Contacts get the same shapes as staff, with the MSP's internal fields (`assignee_id`,
`assignee_name`, `sla_calendar`, `requester`) set to null; their timeline holds public
entries only.

The output schemas of tickets and entries are plain pydantic models read from the model's
attributes, not ninja Schemas: pydantic-core reads forty attributes in Rust where ninja's
getter took a Python call for each, a twentieth of the CPU of opening a ticket through the
API (bench/bench_api_tickets.py). What depends on the caller is set once per object by a
validator reading the request from the validation context.
"""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import AliasPath, BaseModel, ConfigDict, ValidationInfo, model_validator

from tierdesk.desk.models import IntakeChannel, TicketStatus, TicketType
from tierdesk.plans.models import Priority


def _is_staff(context) -> bool:
    request = (context or {}).get("request")
    return bool(request is not None and request.user.is_msp_staff)


class TicketOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str = Field(description='public token, e.g. "TD-7KQ3M9", used in e-mail subjects')
    client_id: int
    client_name: str = Field(validation_alias=AliasPath("client", "name"))
    contact_id: int | None
    site_id: int | None
    requester: str | None = Field(None, description="as received; null for client contacts")
    channel: IntakeChannel
    type: TicketType
    priority: Priority
    status: TicketStatus
    subject: str
    needs_onsite: bool
    outside_entitlement: bool = Field(
        description="arrived through a channel the client's tier does not include")
    assignee_id: int | None = Field(None, description="null for client contacts")
    alert_count: int
    opened_at: datetime
    first_response_due_at: datetime | None
    onsite_due_at: datetime | None
    resolution_due_at: datetime | None
    first_responded_at: datetime | None
    onsite_arrived_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    paused_at: datetime | None = Field(
        description="set while a pausing status (waiting on client) holds the resolution clock")
    first_response_breached: bool
    onsite_breached: bool
    resolution_breached: bool
    urgency_due_at: datetime | None = Field(
        description="the earliest pending due time; the queue's ordering key")
    created_at: datetime
    updated_at: datetime

    @model_validator(mode="after")
    def _for_the_caller(self, info: ValidationInfo):
        if not _is_staff(info.context):
            self.requester = self.assignee_id = None
        return self


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str = Field(description="reply, inbound, call (public); note, status, system (staff)")
    public: bool = Field(validation_alias="is_public")
    channel: str
    author_name: str = ""
    author_is_staff: bool = False
    body: str
    body_html: str
    created_at: datetime

    @model_validator(mode="wrap")
    @classmethod
    def _author(cls, entry, handler):
        out = handler(entry)
        if getattr(entry, "author_user_id", None):
            user = entry.author_user
            out.author_name = user.get_full_name() or user.username
            out.author_is_staff = user.is_msp_staff
        elif getattr(entry, "author_contact_id", None):
            out.author_name = entry.author_contact.name
        return out


class TicketDetailOut(TicketOut):
    assignee_name: str | None = Field(None, description="null for client contacts")
    sla_targets: dict[str, Any] = Field(
        description="the promises snapshotted at opening from the plan version and priority")
    sla_calendar: dict[str, Any] | None = Field(
        None, description="the coverage hours the clocks run on; null for client contacts")
    agreement_id: int | None
    plan_version_id: int | None
    # The router sets `timeline` from the caller's view (public only for contacts).
    entries: list[EntryOut] = Field(
        validation_alias="timeline",
        description="the timeline, oldest first; public entries only for client contacts")

    @model_validator(mode="wrap")
    @classmethod
    def _staff_fields(cls, ticket, handler, info: ValidationInfo):
        out = handler(ticket)
        if not _is_staff(info.context):
            out.sla_calendar = None
        elif getattr(ticket, "assignee_id", None) is not None:
            out.assignee_name = ticket.assignee.get_full_name() or ticket.assignee.username
        return out


class TicketIn(BaseModel):
    # Plain pydantic, like the outputs above: validated in Rust, field by field.
    subject: str = Field(min_length=1, max_length=250)
    body: str = ""
    client_id: int | None = Field(
        None, description="staff: required; client contacts: their own client (may be omitted)")
    channel: IntakeChannel | None = Field(
        None, description='staff: required, how the request reached you (a phone call, a '
        'walk-in, ...); client contacts: "portal" (may be omitted)')
    priority: Priority = Field(
        Priority.NORMAL, description="client contacts may choose p3 or p4; p1/p2 are set by "
        "the dispatcher after triage")
    type: TicketType = TicketType.HELPDESK
    contact_id: int | None = None
    site_id: int | None = None
    requester: str = Field("", max_length=200)
    needs_onsite: bool = False


class MessageIn(Schema):
    body: str = Field(min_length=1)


class TransitionIn(Schema):
    to: TicketStatus
    reason: str = ""


class AssignmentIn(Schema):
    assignee_id: int | None = Field(description="a staff user's id; null to unassign")


class PriorityPatch(Schema):
    priority: Priority


class CalendarCheckOut(Schema):
    valid: bool
    errors: list[dict[str, str]] = Field(description="[{field, message}]; empty when valid")
    calendar: dict[str, Any] | None = Field(
        None, description="the calendar in its normal form (all weekdays, sorted holidays)")


class DueIn(Schema):
    calendar: dict[str, Any]
    start: datetime = Field(description="timezone-aware, e.g. 2026-03-06T16:30:00-05:00")
    minutes: float = Field(ge=0, description="open (business) minutes to add")
    paused: list[tuple[datetime, datetime]] = Field(
        default_factory=list, description="[[start, end], ...] intervals not counted")


class DueOut(Schema):
    due_at: datetime = Field(description="UTC")
    due_local: str = Field(description="the due time in the calendar's time zone, ISO 8601")
    start: datetime
    minutes: float
