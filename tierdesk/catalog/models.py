"""The service catalog: what an MSP can do, for which kinds of client, and how often."""

from decimal import Decimal

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from tierdesk.core.models import TimeStampedModel


class ServiceKind(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    TACTICAL = "tactical", "Tactical"


class Delivery(models.TextChoices):
    REMOTE = "remote", "Remote"
    ONSITE = "onsite", "On-site"


class Service(TimeStampedModel):
    """An item of the catalog: a strategic service (sold as projects or consulting) or a
    tactical one (the day-to-day work a support agreement covers)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=ServiceKind.choices)
    description = models.TextField(blank=True)
    default_delivery = models.CharField(
        max_length=10, choices=Delivery.choices, default=Delivery.REMOTE
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "position", "name"]

    def __str__(self) -> str:
        return self.name


class Segment(TimeStampedModel):
    """A type of client (home user, small business, medical office, …) with the specialised
    requirements that come with it and a factor applied to tier prices."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    price_factor = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Multiplies the tier's per-user and per-device prices for this segment.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SegmentRequirement(TimeStampedModel):
    """A specialised need of a segment ("HIPAA risk assessment"), met when a tier covers
    `service` at `minimum_level` or better. Feasibility checks use it when an agreement for
    a client of the segment is sent."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="requirements")
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    # Levels are those of plans.CoverageLevel; kept as text here because catalog is left
    # of plans. Validated against the same values.
    minimum_level = models.CharField(max_length=20, default="maintained")

    class Meta:
        ordering = ["segment", "title"]
        constraints = [
            models.UniqueConstraint(fields=["segment", "title"], name="segment_requirement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.segment}: {self.title}"

    def clean(self):
        if self.minimum_level not in COVERAGE_LEVELS:
            raise ValidationError({"minimum_level": f"must be one of {', '.join(COVERAGE_LEVELS)}"})


#: Coverage levels in increasing order; plans.CoverageLevel uses the same values.
COVERAGE_LEVELS = ("monitored", "maintained", "supported")


class MaintenanceTask(TimeStampedModel):
    """A recurring piece of work for a service ("Verify last night's backup job"), with an
    RFC 5545 recurrence, an estimate, how it is delivered, a checklist and the segments it
    applies to (none = every segment)."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(max_length=150)
    rrule = models.CharField(
        max_length=200, help_text="RFC 5545 recurrence, e.g. FREQ=WEEKLY;BYDAY=MO"
    )
    estimated_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.REMOTE)
    checklist = models.JSONField(default=list, blank=True)
    segments = models.ManyToManyField(Segment, blank=True, related_name="tasks")
    is_audit = models.BooleanField(
        default=False, help_text="Part of a network audit rather than routine maintenance."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["service", "title"]
        constraints = [
            models.UniqueConstraint(fields=["service", "title"], name="task_unique_per_service")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def frequency(self) -> str:
        """DAILY, WEEKLY, MONTHLY, YEARLY (quarterly is MONTHLY;INTERVAL=3)."""
        parts = dict(p.split("=", 1) for p in self.rrule.upper().split(";") if "=" in p)
        freq = parts.get("FREQ", "")
        if freq == "MONTHLY" and parts.get("INTERVAL") == "3":
            return "QUARTERLY"
        return freq

    def clean(self):
        errors = {}
        try:
            validate_rrule(self.rrule)
        except ValidationError as exc:
            errors["rrule"] = exc.messages
        if not isinstance(self.checklist, list) or not all(
            isinstance(item, str) and item.strip() for item in self.checklist
        ):
            errors["checklist"] = "must be a list of non-empty strings"
        if errors:
            raise ValidationError(errors)


ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}


def validate_rrule(value: str) -> None:
    """An RRULE is accepted when it parses and recurs daily at most often."""
    parts = dict(p.split("=", 1) for p in value.upper().split(";") if "=" in p)
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise ValidationError(
            f'"{value}" must have FREQ=DAILY, WEEKLY, MONTHLY or YEARLY '
            "(maintenance recurs at most daily)"
        )
    try:
        rrulestr(value, ignoretz=True)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f'"{value}" is not a valid RRULE: {exc}') from None
