"""Insights models: the monthly value report of a client, and the MSP's cost model
(loaded cost rates, tool costs, outsourced help-desk fees) with the margin floor of each
tier, which profitability, the guardrails and the price designer read.

The simulation subpackage (insights/simulation) is pure Python and has no models.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from tierdesk.catalog.models import Service
from tierdesk.clients.models import Client
from tierdesk.core.models import Role, TimeStampedModel
from tierdesk.plans.models import Plan


class ValueReport(TimeStampedModel):
    """What the MSP did for one client in one calendar month, as the client will read it.

    `data` is the snapshot of every figure (maintenance done, alerts handled, tickets and
    SLA attainment, time spent against the fee, what was billed and why, what the next tier
    would have covered), computed once by `value_reports_generate`, so the page, the PDF,
    the e-mail and the API always show the same numbers. `month` is the first day of the
    month (in the client's time zone). One report per client and month: regenerating
    replaces the snapshot of a report not yet e-mailed; once `emailed_at` is set the
    snapshot is what the client received and is kept unless regeneration is forced.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="value_reports")
    month = models.DateField(help_text="The first day of the reported month.")
    data = models.JSONField(default=dict)
    generated_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    emailed_to = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-month", "client__name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "month"],
                                    name="value_report_once_per_month"),
        ]
        indexes = [models.Index(fields=["month", "client"])]

    def __str__(self) -> str:
        return f"Value report {self.month:%B %Y} · {self.client.name}"

    def clean(self):
        if isinstance(self.month, dt.date) and self.month.day != 1:
            raise ValidationError({"month": "must be the first day of a month"})

    @property
    def month_key(self) -> str:
        """The month as YYYY-MM (URLs, file names)."""
        return f"{self.month:%Y-%m}"


# The cost model ----------------------------------------------------------------------------

#: Staff roles a default cost rate may be set for (contacts are not the MSP's cost).
COST_ROLES = (Role.OWNER, Role.DISPATCHER, Role.TECHNICIAN, Role.BILLING)
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


class CostModel(TimeStampedModel):
    """The MSP's cost assumptions: one row (pk 1), edited by the owner on the cost page.

    `default_hourly_cost` is the loaded cost of an hour of anyone's time when neither the
    person nor their role has a rate (CostRate). Travel costs the technician's time plus
    `mileage_cost_per_drive_minute` for every minute driven — per minute rather than per
    km because the product knows drive *times* (Site.drive_minutes, a session's
    travel_minutes), not distances; at an assumed 60 km/h a cost of c per km is c per
    drive minute. The outsourced help-desk fees are the partner's rate card, used by the
    price designer and by the outsourcing feature when it records what a partner charged
    (OutsourcedHelpdeskCost).
    """

    default_hourly_cost = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("45.00"), validators=NOT_NEGATIVE,
        help_text="Loaded cost of an hour of staff time when no rate is set for the person "
                  "or the role.")
    mileage_cost_per_drive_minute = models.DecimalField(
        max_digits=8, decimal_places=4, default=Decimal("0.4000"), validators=NOT_NEGATIVE,
        help_text="Vehicle cost of one minute of driving (per km × 1 at 60 km/h).")
    outsourced_fee_per_ticket = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE,
        help_text="What an outsourced help-desk partner charges per ticket; empty = none.")
    outsourced_fee_per_month = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE,
        help_text="What an outsourced help-desk partner charges per client a month; "
                  "empty = none.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "cost model"

    def __str__(self) -> str:
        return "Cost model"


class CostRate(TimeStampedModel):
    """The loaded hourly cost (wage, taxes, benefits, tools, overhead) of one role — the
    default for everyone in it — or of one person, which overrides their role's. Exactly
    one of `role` and `technician` is set."""

    role = models.CharField(max_length=20, blank=True,
                            choices=[(r.value, r.label) for r in COST_ROLES])
    technician = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.CASCADE, related_name="cost_rate")
    hourly_cost = models.DecimalField(max_digits=10, decimal_places=2,
                                      validators=NOT_NEGATIVE)

    class Meta:
        ordering = ["role", "technician__username"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(technician__isnull=True) & ~Q(role=""))
                | (Q(technician__isnull=False) & Q(role="")),
                name="cost_rate_role_or_person"),
            models.UniqueConstraint(fields=["role"], condition=~Q(role=""),
                                    name="cost_rate_once_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.technician or self.get_role_display()}: {self.hourly_cost}/h"

    def clean(self):
        if bool(self.role) == bool(self.technician_id):
            raise ValidationError({"role": "a rate is for a role or for one person, not both"})


class ToolCost(TimeStampedModel):
    """A per-device monthly cost of running a client: a monitoring agent, an anti-virus
    licence, a backup seat. It applies to an agreement when its tier is one of `plans`
    (none = every tier) and, when `services` are given, the tier covers at least one of
    them (the anti-virus licence only where anti-virus is covered)."""

    name = models.CharField(max_length=100, unique=True)
    monthly_cost_per_device = models.DecimalField(max_digits=10, decimal_places=2,
                                                  validators=NOT_NEGATIVE)
    plans = models.ManyToManyField(Plan, blank=True, related_name="+",
                                   help_text="Tiers it applies to; none = every tier.")
    services = models.ManyToManyField(Service, blank=True, related_name="+",
                                      help_text="Applies only when the tier covers one of "
                                                "these; none = whatever the tier covers.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.monthly_cost_per_device}/device/month)"


class OutsourcedHelpdeskCost(TimeStampedModel):
    """What an outsourced help-desk partner charged for one client in one month (`month`
    is the first day). Written by the outsourcing feature (or by hand); profitability
    counts `amount` as a cost of that client's month."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE,
                               related_name="outsourced_costs")
    month = models.DateField(help_text="The first day of the month charged.")
    partner = models.CharField(max_length=100, blank=True)
    tickets = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=NOT_NEGATIVE)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-month", "client_id"]
        constraints = [models.UniqueConstraint(fields=["client", "month", "partner"],
                                               name="outsourced_cost_once_per_month")]
        indexes = [models.Index(fields=["month", "client"])]

    def __str__(self) -> str:
        return f"{self.client} {self.month:%Y-%m}: {self.amount}"

    def clean(self):
        if isinstance(self.month, dt.date) and self.month.day != 1:
            raise ValidationError({"month": "must be the first day of a month"})


class MarginFloor(TimeStampedModel):
    """The lowest trailing margin the owner accepts from a client of one tier, in percent
    of revenue. Under it, covered-but-costly work warns before it starts and the renewal
    screen proposes a price. A tier with no row uses TIERDESK_MARGIN_FLOOR_PERCENT."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="margin_floor")
    floor_percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["plan__rank"]

    def __str__(self) -> str:
        return f"{self.plan}: {self.floor_percent}%"

    def clean(self):
        if self.floor_percent is not None and not 0 <= self.floor_percent < 100:
            raise ValidationError({"floor_percent": "must be at least 0% and below 100%"})


# Capacity and SLA feasibility (insights/roster.py, capacity.py, scenarios.py) -------------

def default_technician_hours() -> dict:
    """A technician works the MSP's hours until told otherwise (a fresh copy each time)."""
    import copy

    return copy.deepcopy(settings.TIERDESK_MSP_HOURS)


class TechnicianProfile(TimeStampedModel):
    """How one staff member counts in the capacity roster: working hours (a tierdesk.sla
    calendar dict, the MSP's hours by default), skills (remote work, on-site visits) and
    whether they take tickets at all (`is_active`). On-call duty is not here: it comes from
    the desk's on-call rotations. A staff member without a profile counts with the defaults
    when their role is technician (insights/roster.py)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="technician_profile")
    hours = models.JSONField(default=default_technician_hours,
                             help_text="Working hours as a tierdesk.sla calendar.")
    remote = models.BooleanField(default=True, help_text="Takes tickets worked remotely.")
    onsite = models.BooleanField(default=True, help_text="Goes on site.")
    is_active = models.BooleanField(default=True, help_text="Counts in the roster.")

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} (roster)"

    def clean(self):
        errors = {}
        if self.user_id and self.user.role not in (Role.OWNER, Role.DISPATCHER,
                                                   Role.TECHNICIAN):
            errors["user"] = "only staff who work tickets are on the roster"
        if self.is_active and not (self.remote or self.onsite):
            errors["remote"] = "a technician on the roster needs a skill: remote, on-site or both"
        from tierdesk.sla import Calendar, CalendarError

        try:
            Calendar.from_dict(self.hours)
        except (CalendarError, TypeError, KeyError, AttributeError) as exc:
            errors["hours"] = str(exc)
        if errors:
            raise ValidationError(errors)

    @property
    def skills(self) -> tuple[str, ...]:
        return tuple(s for s, on in (("remote", self.remote), ("onsite", self.onsite)) if on)


class ScenarioRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ScenarioRun(TimeStampedModel):
    """One request to simulate capacity scenarios side by side.

    `inputs` is everything the run needs, fixed when it is queued: the learned (or assumed)
    demand, the roster, the tiers' targets and hours, the scenario start, horizon, seeds,
    margin and the presets picked (insights/scenarios.py), so a run is reproducible and the
    task never re-reads history. `results` holds the figures (means with 95% confidence
    intervals) and the answer in words. Status moves queued -> running -> done | failed,
    each step a conditional UPDATE, so two workers never run the same row.
    """

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=ScenarioRunStatus.choices,
                              default=ScenarioRunStatus.QUEUED)
    weeks = models.PositiveSmallIntegerField()
    seeds = models.PositiveSmallIntegerField()
    margin_percent = models.PositiveSmallIntegerField()
    inputs = models.JSONField()
    results = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Scenario run {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ScenarioRunStatus.DONE, ScenarioRunStatus.FAILED)

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
