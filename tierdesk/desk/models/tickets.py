"""Tickets, their timeline and their SLA clocks."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tierdesk.clients.models import Agreement, Client, Contact, Site
from tierdesk.plans.models import PlanVersion, Priority


class IntakeChannel(models.TextChoices):
    """How a request reached the desk. The first four are the channels a tier may or may not
    include (plans.Channel); monitoring alerts and walk-ins are never gated."""

    EMAIL = "email", "E-mail"
    PORTAL = "portal", "Web portal"
    PHONE_ATTENDANT = "phone_attendant", "Phone (attendant)"
    HOTLINE = "hotline", "Hotline"
    MONITORING = "monitoring", "Monitoring alert"
    WALK_IN = "walk_in", "Walk-in"


class TicketType(models.TextChoices):
    HELPDESK = "helpdesk", "Help desk"
    BREAK_FIX = "break_fix", "Break-fix"
    MAINTENANCE = "maintenance", "Maintenance"
    MONITORING_ALERT = "monitoring_alert", "Monitoring alert"
    ONSITE = "onsite", "On-site visit"
    PROJECT = "project", "Project"
    CALLBACK = "callback", "Callback request"


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "In progress"
    WAITING_CLIENT = "waiting_client", "Waiting on client"
    WAITING_VENDOR = "waiting_vendor", "Waiting on vendor"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


# The open statuses in the fixed order of statuses.OPEN_STATUS_LIST: the condition of the
# queue's partial indexes, which SQLite uses only when a query repeats it exactly.
OPEN_QUEUE = Q(status__in=["new", "open", "waiting_client", "waiting_vendor"])


class Ticket(models.Model):
    """A request or incident of one client, with the SLA promises that applied when it opened.

    `sla_targets` and `sla_calendar` are snapshots taken at opening from the agreement's plan
    version and the ticket's priority, so a later tier change never moves an open ticket's
    clock. Due times are stored; the sweep (desk/sweeps.py) takes the rows whose
    `sla_check_at` has come. `*_breached` flags are decided from a due time and the time of
    the event, and never cleared. `paused_at` is set while a pausing status holds the
    resolution clock; finished pauses are TicketPause rows.
    """

    reference = models.CharField(
        max_length=16, unique=True, help_text="Public token, e.g. TD-7KQ3M9, used in subjects."
    )
    # Every index is written by every opening; one the database never needs is SQLite's
    # slowest part of it (bench/bench_api_tickets.py). The client's and the assignee's
    # lookups use the (client, status) and (assignee, status) indexes below, whose first
    # column they are; tickets are read by plan version only when a version is deleted
    # (PROTECT's check, a rare scan).
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="tickets",
                               db_index=False)
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    plan_version = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    requester = models.CharField(
        max_length=200, blank=True, help_text="E-mail address or phone number as received."
    )
    channel = models.CharField(max_length=20, choices=IntakeChannel.choices)
    type = models.CharField(max_length=20, choices=TicketType.choices,
                            default=TicketType.HELPDESK)
    priority = models.CharField(max_length=4, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=20, choices=TicketStatus.choices,
                              default=TicketStatus.NEW)
    subject = models.CharField(max_length=250)
    needs_onsite = models.BooleanField(default=False)
    outside_entitlement = models.BooleanField(
        default=False, help_text="Arrived through a channel the client's tier does not include."
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_tickets", db_index=False,
    )

    # Monitoring alerts fold into one open ticket per device and check.
    alert_key = models.CharField(max_length=200, blank=True)
    alert_count = models.PositiveIntegerField(default=0)

    # SLA snapshot and clocks (all UTC).
    opened_at = models.DateTimeField(db_index=True)
    sla_calendar = models.JSONField(null=True, blank=True)
    sla_targets = models.JSONField(default=dict, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    onsite_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    onsite_arrived_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    first_response_breached = models.BooleanField(default=False)
    onsite_breached = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    sla_check_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sweep should next look at this ticket."
    )
    # Ordering key of the queue: the earliest pending due time (NULL sorts last).
    urgency_due_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["status", "urgency_due_at"]),
            models.Index(fields=["client", "status"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["sla_check_at"]),
            # The staff queue walks open tickets in urgency order (desk/selectors.py). The
            # condition must stay identical to statuses.OPEN_STATUS_LIST, in this order, or
            # SQLite will not use the index.
            models.Index(fields=["urgency_due_at", "id"], name="ticket_queue_order",
                         condition=OPEN_QUEUE),
            # ...and so do its filters (a priority, an assignee or none, breached, outside
            # entitlement, no agreement) — each a few rows of a small partial index.
            models.Index(fields=["priority", "urgency_due_at", "id"],
                         name="ticket_queue_priority", condition=OPEN_QUEUE),
            models.Index(fields=["assignee", "urgency_due_at", "id"],
                         name="ticket_queue_assignee", condition=OPEN_QUEUE),
            models.Index(fields=["urgency_due_at", "id"], name="ticket_queue_breached",
                         condition=OPEN_QUEUE & (Q(first_response_breached=True)
                                                 | Q(onsite_breached=True)
                                                 | Q(resolution_breached=True))),
            models.Index(fields=["urgency_due_at", "id"], name="ticket_queue_outside",
                         condition=OPEN_QUEUE & Q(outside_entitlement=True)),
            models.Index(fields=["urgency_due_at", "id"], name="ticket_queue_no_agreement",
                         condition=OPEN_QUEUE & Q(agreement__isnull=True)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "alert_key"],
                condition=~Q(alert_key="") & Q(status__in=["new", "open", "waiting_client",
                                                           "waiting_vendor"]),
                name="one_open_ticket_per_alert",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED)


class TicketPause(models.Model):
    """One finished pause of a ticket's resolution clock (a pausing status, or the time a
    ticket spent resolved before it was reopened)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    reason = models.CharField(max_length=40)

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.ticket.reference} paused from {self.started_at:%Y-%m-%d %H:%M}"


class EntryKind(models.TextChoices):
    REPLY = "reply", "Public reply"
    INBOUND = "inbound", "Message from the client"
    NOTE = "note", "Internal note"
    CALL = "call", "Phone conversation"
    STATUS = "status", "Status change"
    SYSTEM = "system", "System"


class TicketEntry(models.Model):
    """One item of a ticket's timeline. A REPLY or CALL from staff is a public response and
    stops the first-response clock; a NOTE or STATUS entry never does."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    author_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=20, choices=IntakeChannel.choices, blank=True)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="Sanitised HTML (nh3), if any.")
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    inbound = models.ForeignKey(
        "desk.InboundMessage", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "ticket entries"

    def __str__(self) -> str:
        return f"{self.ticket.reference} {self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_public(self) -> bool:
        return self.kind in (EntryKind.REPLY, EntryKind.INBOUND, EntryKind.CALL)


class SlaNotice(models.Model):
    """A warning or breach notice sent for one target of one ticket at one threshold. The
    unique constraint makes the sweep's notifications exactly-once across workers."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_notices")
    target = models.CharField(max_length=20)  # first_response / onsite / resolution
    threshold = models.CharField(max_length=10)  # "0.75", "0.9", "breach", "drive"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target", "threshold"],
                                    name="sla_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.ticket.reference} {self.target} {self.threshold}"
