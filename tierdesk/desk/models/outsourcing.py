"""Outsourcing end-user help desk: partners, which tiers route to them, and the tickets
handed over (desk/outsourcing.py holds the rules)."""

from __future__ import annotations

import copy
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from tierdesk.core.models import TimeStampedModel
from tierdesk.desk.models.tickets import Ticket
from tierdesk.plans.models import Plan


def default_partner_hours() -> dict:
    """A partner works the MSP's own hours until told otherwise (a fresh copy each time)."""
    return copy.deepcopy(settings.TIERDESK_MSP_HOURS)


class PartnerTargetKind(models.TextChoices):
    BUSINESS = "business", "Business minutes (the partner's hours)"
    WALL = "wall", "Wall-clock minutes (24x7)"


class OutsourcingPartner(TimeStampedModel):
    """An outside help desk that takes the end-user help-desk tickets of the tiers routed to
    it (HelpdeskRoute).

    It is told about each ticket by e-mail (`email`) and/or by a signed webhook POST
    (`webhook_url`, signed with `webhook_secret`: see desk/outsourcing.py). Its own
    promises — first response and resolution, counted on `hours` or on the wall clock —
    are tracked on each ticket apart from the MSP's SLA, which still binds the MSP towards
    the client. Its price is `fee_per_ticket` for each ticket handed over plus
    `fee_per_month` for every calendar month of the contract (`contract_start` to
    `contract_end`, open-ended when empty), whole months, not prorated.
    """

    name = models.CharField(max_length=100, unique=True)
    email = models.EmailField(blank=True, help_text="Where new tickets are e-mailed.")
    webhook_url = models.URLField(
        max_length=500, blank=True, help_text="Where new tickets are POSTed, signed.")
    webhook_secret = models.CharField(
        max_length=64, blank=True, help_text="HMAC-SHA256 key of the webhook signature.")
    hours = models.JSONField(default=default_partner_hours,
                             help_text="The partner's working hours as a tierdesk.sla calendar.")
    target_kind = models.CharField(max_length=10, choices=PartnerTargetKind.choices,
                                   default=PartnerTargetKind.BUSINESS)
    first_response_minutes = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)])
    resolution_minutes = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)])
    fee_per_ticket = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))])
    fee_per_month = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))])
    contract_start = models.DateField()
    contract_end = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if not self.email and not self.webhook_url:
            errors["email"] = "give an e-mail address or a webhook URL (or both)"
        if self.webhook_url and not self.webhook_secret:
            errors["webhook_secret"] = "a webhook needs a secret to sign with"
        if self.hours is not None:
            from tierdesk.sla import Calendar, CalendarError

            try:
                Calendar.from_dict(self.hours)
            except (CalendarError, TypeError, KeyError) as exc:
                errors["hours"] = str(exc)
        if self.contract_end and self.contract_start and self.contract_end < self.contract_start:
            errors["contract_end"] = "the contract cannot end before it starts"
        if errors:
            raise ValidationError(errors)

    @property
    def targets(self) -> dict:
        """The partner's promises in the desk's target shape (desk/clocks.py)."""
        out = {}
        for step, minutes in (("first_response", self.first_response_minutes),
                              ("resolution", self.resolution_minutes)):
            if minutes:
                out[step] = {"kind": self.target_kind, "minutes": minutes, "cutoff": None}
        return out


class HelpdeskRoute(TimeStampedModel):
    """Which partner takes the end-user help-desk tickets of one tier.

    Keyed by plans.Plan, not PlanVersion: a version is frozen once an agreement uses it,
    while who answers the help desk is the MSP's operational choice, not a term the client
    signed (the client's targets stay the tier's). A tier with no row keeps its help desk in
    house. The choice applies to tickets opened from then on.
    """

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(OutsourcingPartner, on_delete=models.PROTECT,
                                related_name="routes")

    class Meta:
        ordering = ["plan__rank"]

    def __str__(self) -> str:
        return f"{self.plan_id} -> {self.partner}"


class OutsourcedTicket(models.Model):
    """A ticket handed to a partner when it opened.

    The partner's calendar and targets are snapshots taken then (a later change of the
    partner's terms never moves a handed-over ticket's due times), and so is `fee`, the
    partner's per-ticket fee. The partner's steps are recorded by staff
    (`partner_responded_at`, `partner_resolved_at`); a step done after its due time is
    breached. The MSP's own SLA stays on the ticket, unchanged.
    """

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="outsourcing")
    partner = models.ForeignKey(OutsourcingPartner, on_delete=models.PROTECT,
                                related_name="tickets")
    routed_at = models.DateTimeField()
    partner_calendar = models.JSONField()
    partner_targets = models.JSONField(default=dict, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    partner_responded_at = models.DateTimeField(null=True, blank=True)
    partner_resolved_at = models.DateTimeField(null=True, blank=True)
    first_response_breached = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    fee = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    notified_by = models.CharField(max_length=20, help_text='"email", "webhook" or both.')
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-routed_at"]
        indexes = [models.Index(fields=["partner", "routed_at"]),
                   models.Index(fields=["routed_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} -> {self.partner}"


class WebhookStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"


class PartnerWebhook(models.Model):
    """The signed POST that tells a partner about a handed-over ticket.

    `body` is stored (in the opening's transaction) before anything is sent, and is sent
    byte for byte by a task; the signature covers the timestamp of each attempt and the
    body. A worker claims the row with a conditional UPDATE (pending -> sending), so two
    workers never both send; a failed attempt goes back to pending for the task's retry,
    and after MAX attempts the row is failed and stays for the owner to see.
    """

    outsourced = models.OneToOneField(OutsourcedTicket, on_delete=models.CASCADE,
                                      related_name="webhook")
    url = models.URLField(max_length=500)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=WebhookStatus.choices,
                              default=WebhookStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"webhook {self.pk} ({self.status})"
