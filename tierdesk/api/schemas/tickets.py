"""Ticket, timeline and calendar schemas.

Contacts get the same shapes as staff, with the MSP's internal fields (`assignee_id`,
`assignee_name`, `sla_calendar`, `requester`) set to null; their timeline holds public
entries only.
"""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from tierdesk.desk.models import IntakeChannel, TicketStatus, TicketType
from tierdesk.plans.models import Priority


def _is_staff(context) -> bool:
    request = (context or {}).get("request")
    return bool(request is not None and request.user.is_msp_staff)


class TicketOut(Schema):
    id: int
    reference: str = Field(description='public token, e.g. "TD-7KQ3M9", used in e-mail subjects')
    client_id: int
    client_name: str = Field(alias="client.name")
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

    @staticmethod
    def resolve_requester(obj, context):
        return obj.requester if _is_staff(context) else None

    @staticmethod
    def resolve_assignee_id(obj, context):
        return obj.assignee_id if _is_staff(context) else None


class EntryOut(Schema):
    id: int
    kind: str = Field(description="reply, inbound, call (public); note, status, system (staff)")
    public: bool
    channel: str
    author_name: str
    author_is_staff: bool
    body: str
    body_html: str
    created_at: datetime

    @staticmethod
    def resolve_public(obj):
        return obj.is_public

    @staticmethod
    def resolve_author_name(obj):
        if obj.author_user_id:
            return obj.author_user.get_full_name() or obj.author_user.username
        if obj.author_contact_id:
            return obj.author_contact.name
        return ""

    @staticmethod
    def resolve_author_is_staff(obj):
        return obj.author_user_id is not None and obj.author_user.is_msp_staff


class TicketDetailOut(TicketOut):
    assignee_name: str | None = Field(None, description="null for client contacts")
    sla_targets: dict[str, Any] = Field(
        description="the promises snapshotted at opening from the plan version and priority")
    sla_calendar: dict[str, Any] | None = Field(
        None, description="the coverage hours the clocks run on; null for client contacts")
    agreement_id: int | None
    plan_version_id: int | None
    entries: list[EntryOut] = Field(
        description="the timeline, oldest first; public entries only for client contacts")

    @staticmethod
    def resolve_assignee_name(obj, context):
        if not _is_staff(context) or obj.assignee_id is None:
            return None
        return obj.assignee.get_full_name() or obj.assignee.username

    @staticmethod
    def resolve_sla_calendar(obj, context):
        return obj.sla_calendar if _is_staff(context) else None

    @staticmethod
    def resolve_entries(obj):
        # The router sets `timeline` from the caller's view (public only for contacts).
        return obj.timeline


class TicketIn(Schema):
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
