"""Service-desk models: tickets and their timelines, SLA clocks, raw intake, on-call."""

from tierdesk.desk.models.intake import Attachment, InboundMessage, InboundSource, InboundStatus
from tierdesk.desk.models.oncall import OnCallMember, OnCallRotation
from tierdesk.desk.models.outsourcing import (
    HelpdeskRoute,
    OutsourcedTicket,
    OutsourcingPartner,
    PartnerTargetKind,
    PartnerWebhook,
    WebhookStatus,
)
from tierdesk.desk.models.tickets import (
    EntryKind,
    IntakeChannel,
    SlaNotice,
    Ticket,
    TicketEntry,
    TicketPause,
    TicketStatus,
    TicketType,
)

__all__ = [
    "Attachment", "EntryKind", "HelpdeskRoute", "InboundMessage", "InboundSource",
    "InboundStatus", "IntakeChannel", "OnCallMember", "OnCallRotation", "OutsourcedTicket",
    "OutsourcingPartner", "PartnerTargetKind", "PartnerWebhook", "SlaNotice", "Ticket",
    "TicketEntry", "TicketPause", "TicketStatus", "TicketType", "WebhookStatus",
]
