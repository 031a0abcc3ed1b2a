"""Tiers as one versioned object.

A Plan ("Gold") is a name and a rank. Everything it promises lives on a PlanVersion: covered
services and levels, intake channels, coverage hours, response targets, the help-desk
allowance, what is billed and at which rates, and the price. A version that any agreement
refers to is frozen; editing the tier then creates the next version (plans/services.py), so a
signed agreement always keeps the exact promises it was signed with.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from tierdesk.catalog.models import COVERAGE_LEVELS, Service
from tierdesk.core.models import TimeStampedModel


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    PORTAL = "portal", "Web portal"
    PHONE_ATTENDANT = "phone_attendant", "Phone (automated attendant)"
    HOTLINE = "hotline", "24x7 hotline answered live"


class CoverageLevel(models.TextChoices):
    MONITORED = "monitored", "Monitored only"
    MAINTAINED = "maintained", "Maintained"
    SUPPORTED = "supported", "Fully supported"


assert tuple(CoverageLevel.values) == COVERAGE_LEVELS  # same order as the catalog's


class Priority(models.TextChoices):
    CRITICAL = "p1", "P1 Critical"
    HIGH = "p2", "P2 High"
    NORMAL = "p3", "P3 Normal"
    LOW = "p4", "P4 Low"


class TargetKind(models.TextChoices):
    BUSINESS = "business", "Business minutes (coverage hours)"
    WALL = "wall", "Wall-clock minutes (24x7)"
    SAME_DAY = "same_day", "Same business day"


class WorkType(models.TextChoices):
    BREAK_FIX = "break_fix", "Break-fix"
    MAINTENANCE = "maintenance", "Maintenance outside the schedule"
    ONSITE = "onsite", "On-site visit"
    AFTER_HOURS = "after_hours", "After-hours work"
    HARDWARE = "hardware", "Hardware"
    SOFTWARE = "software", "Software"
    PROJECT = "project", "Projects"


class AuditFrequency(models.TextChoices):
    NONE = "none", "Not included"
    YEARLY = "yearly", "Yearly"
    QUARTERLY = "quarterly", "Quarterly"


class SessionCounting(models.TextChoices):
    BLOCKS = "blocks", "Each started block of the session length counts as one session"
    CALLS = "calls", "Each call counts as one session, whatever its length"


class TravelBilling(models.TextChoices):
    INCLUDED = "included", "Travel included"
    TRIP_FEE = "trip_fee", "Trip fee per billable visit"
    HOURLY = "hourly", "Travel minutes at the hourly rate"


class Plan(TimeStampedModel):
    """A tier an MSP sells (Silver, Gold, Platinum). `rank` orders tiers from the lowest;
    the designer warns when a higher-ranked tier offers less than a lower one."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=60, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class PlanVersion(TimeStampedModel):
    """The full, immutable-once-used entitlement set of one version of a tier.

    Price = base fee + users × price per user + devices × price per device, per month, each
    per-unit price multiplied by the client's segment price factor. Hours are a business
    calendar in the `tierdesk.sla` dict shape. A help-desk allowance of None sessions means
    unlimited.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    change_note = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True, help_text="One paragraph for the comparison sheet.")

    # How clients may ask for help.
    channels = models.JSONField(default=list)
    channel_instructions = models.TextField(
        blank=True,
        help_text="Told to a client who asks through a channel the tier does not include.",
    )
    # When the MSP is on the clock for this tier.
    hours = models.JSONField(help_text="Coverage hours as a tierdesk.sla calendar.")
    hours_label = models.CharField(max_length=100, help_text='e.g. "Mon–Fri 8:00–18:00"')

    # Help-desk allowance per month.
    helpdesk_sessions = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Remote help-desk sessions included a month; empty = unlimited.",
    )
    helpdesk_session_minutes = models.PositiveIntegerField(
        default=15, validators=[MinValueValidator(1)]
    )
    session_counting = models.CharField(
        max_length=10, choices=SessionCounting.choices, default=SessionCounting.BLOCKS
    )
    overage_session_price = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    # What is included beyond the covered services.
    scheduled_maintenance = models.BooleanField(default=False)
    network_audits = models.CharField(
        max_length=10, choices=AuditFrequency.choices, default=AuditFrequency.NONE
    )

    # Rates for billable work.
    hourly_rate = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))],
        help_text="Standard rate for billable labour, per hour.",
    )
    after_hours_multiplier = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1.50"),
        validators=[MinValueValidator(Decimal("1"))],
    )
    onsite_trip_fee = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    hardware_markup_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("15.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    travel_billing = models.CharField(
        max_length=10, choices=TravelBilling.choices, default=TravelBilling.TRIP_FEE,
        help_text="How travel bills when on-site work is billable.",
    )
    approval_threshold = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Out-of-scope work expected to cost more than this needs the client's "
                  "approval of an estimate first; empty = never.",
    )

    # Price per month.
    base_fee = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    price_per_user = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    price_per_device = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    exclusions = models.TextField(
        blank=True, help_text="What the tier never covers, printed on the agreement."
    )

    class Meta:
        ordering = ["plan__rank", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan.name} v{self.number}"

    @property
    def helpdesk_unlimited(self) -> bool:
        return self.helpdesk_sessions is None

    @property
    def has_hotline(self) -> bool:
        return Channel.HOTLINE in self.channels

    def clean(self):
        errors = {}
        if not self.channels:
            errors["channels"] = "a tier must offer at least one intake channel"
        elif unknown := [c for c in self.channels if c not in Channel.values]:
            errors["channels"] = f"unknown channel(s): {', '.join(map(str, unknown))}"
        if self.hours is not None:
            from tierdesk.sla import Calendar, CalendarError

            try:
                Calendar.from_dict(self.hours)
            except CalendarError as exc:
                errors["hours"] = str(exc)
        if errors:
            raise ValidationError(errors)


class CoveredService(models.Model):
    """A service a plan version covers, and how far: monitored only, maintained, or fully
    supported. A service with no row is not covered (its work is billable)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="coverage")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=20, choices=CoverageLevel.choices)

    class Meta:
        ordering = ["service__kind", "service__position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "service"], name="coverage_unique_service")
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.get_level_display()}"


class ResponseTarget(models.Model):
    """How fast the MSP must act on a ticket of one priority under a plan version.

    `kind` says how minutes count: on the coverage hours, on the wall clock, or "same
    business day" (due at close of business; after `same_day_cutoff`, the next day's close).
    Empty minutes mean no promise for that step.
    """

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(max_length=4, choices=Priority.choices)
    kind = models.CharField(max_length=10, choices=TargetKind.choices, default=TargetKind.BUSINESS)
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    same_day_cutoff = models.TimeField(null=True, blank=True)
    onsite_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["priority"]
        constraints = [
            models.UniqueConstraint(fields=["version", "priority"], name="target_unique_priority")
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.get_priority_display()}"

    def clean(self):
        if self.kind != TargetKind.SAME_DAY and self.first_response_minutes is None:
            raise ValidationError(
                {"first_response_minutes": "required unless the target is same business day"}
            )


class BillingRule(models.Model):
    """Whether a type of work is billed on top of the fee under a plan version, at what
    hourly rate (empty = the version's standard rate), and why — the reason is quoted on
    every classification and invoice line it decides."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="billing")
    work_type = models.CharField(max_length=20, choices=WorkType.choices)
    billable = models.BooleanField()
    hourly_rate = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["work_type"]
        constraints = [
            models.UniqueConstraint(fields=["version", "work_type"], name="billing_unique_type")
        ]

    def __str__(self) -> str:
        state = "billed" if self.billable else "included"
        return f"{self.version}: {self.get_work_type_display()} {state}"
