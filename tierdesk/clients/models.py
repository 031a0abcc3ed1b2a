"""Clients, their sites and contacts, and the agreements that sign them onto a tier."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from tierdesk.catalog.models import Segment
from tierdesk.core.clock import validate_timezone
from tierdesk.core.models import TimeStampedModel
from tierdesk.plans.models import PlanVersion
from tierdesk.sla import Calendar, CalendarError


class Client(TimeStampedModel):
    """An organisation (or household) the MSP supports. Its segment brings specialised
    requirements and a price factor; its time zone is where its SLA clocks and maintenance
    run; `users_count` and `devices_count` price its agreements."""

    name = models.CharField(max_length=150, unique=True)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="clients")
    timezone = models.CharField(max_length=64, default="America/New_York",
                                validators=[validate_timezone])
    users_count = models.PositiveIntegerField(default=1)
    devices_count = models.PositiveIntegerField(default=1)
    billing_email = models.EmailField(blank=True)
    tax_rate_percent = models.DecimalField(
        max_digits=6, decimal_places=3, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Sales tax charged on this client's invoices, in percent.",
    )
    phone = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    # The client's own business days (a tierdesk.sla calendar dict); empty = the MSP's
    # working week and holidays in the client's time zone. Maintenance lands on open days.
    business_hours = models.JSONField(
        null=True, blank=True,
        help_text="The client's business hours as a calendar; empty = the MSP's week "
                  "and holidays in the client's time zone.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.business_hours:
            try:
                Calendar.from_dict(self.business_hours)
            except (CalendarError, ValueError, TypeError, KeyError) as exc:
                raise ValidationError({"business_hours": str(exc)}) from None


class Site(TimeStampedModel):
    """A location of a client: where on-site work happens. `drive_minutes` from the MSP's
    office and whether a remote-management agent runs there decide which promises can be
    kept (see clients/feasibility.py)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=100)
    address = models.TextField()
    drive_minutes = models.PositiveIntegerField(
        help_text="One-way drive time from the MSP's office, in minutes."
    )
    has_rmm_agent = models.BooleanField(
        default=False, help_text="A remote-management agent is installed at this site."
    )

    class Meta:
        ordering = ["client", "name"]
        constraints = [models.UniqueConstraint(fields=["client", "name"], name="site_unique_name")]

    def __str__(self) -> str:
        return f"{self.client.name} — {self.name}"


class Contact(TimeStampedModel):
    """A person at a client who may ask for help, sign agreements (`can_sign`) and, with a
    linked user, use the portal."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=100, blank=True)
    can_sign = models.BooleanField(default=False)
    is_billing = models.BooleanField(default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="contact",
    )

    class Meta:
        ordering = ["client", "name"]
        indexes = [models.Index(fields=["email"]), models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.client.name})"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent for signature"
    SIGNED = "signed", "Signed"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


BILLING_CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}


class Agreement(TimeStampedModel):
    """A client signed onto one version of a tier for a term.

    Prices are copied from the plan version (times the segment factor) when the agreement is
    drafted; a negotiated price differs from the tier's and the difference is explained in
    `override_reason`. Status moves only through clients/lifecycle.py. A tier change ends
    this agreement and starts the next one (`replaces`), so the history is the chain.
    Feasibility warnings found when sending are stored here with who acknowledged them.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="agreements")
    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, related_name="agreements"
    )
    status = models.CharField(
        max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT,
        db_index=True,
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    auto_renew = models.BooleanField(default=True)
    term_months = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1)],
        help_text="Length of the term, and of each renewal when it auto-renews.",
    )
    billing_cycle = models.CharField(
        max_length=10, choices=BillingCycle.choices, default=BillingCycle.MONTHLY
    )
    users_count = models.PositiveIntegerField()
    devices_count = models.PositiveIntegerField()
    base_fee = models.DecimalField(max_digits=10, decimal_places=2,
                                   validators=[MinValueValidator(Decimal("0"))])
    price_per_user = models.DecimalField(max_digits=10, decimal_places=2,
                                         validators=[MinValueValidator(Decimal("0"))])
    price_per_device = models.DecimalField(max_digits=10, decimal_places=2,
                                           validators=[MinValueValidator(Decimal("0"))])
    override_reason = models.CharField(max_length=300, blank=True)

    feasibility_warnings = models.JSONField(default=list, blank=True)
    feasibility_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    feasibility_acknowledged_at = models.DateTimeField(null=True, blank=True)
    feasibility_note = models.TextField(blank=True)

    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"{self.client.name} · {self.plan_version}"

    @property
    def monthly_fee(self) -> Decimal:
        """The recurring fee per month before tax, unrounded (round once on the line)."""
        return (
            self.base_fee
            + self.price_per_user * self.users_count
            + self.price_per_device * self.devices_count
        )

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "the agreement cannot end before it starts"})
