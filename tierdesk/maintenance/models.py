"""Maintenance: schedules, work orders, evidence and calendar-feed secrets.

A Schedule is one recurring piece of maintenance for one agreement (a catalog task the
tier covers, or the tier's network audit). The daily job (maintenance/generation.py)
turns schedules into WorkOrders for the coming horizon; each occurrence has one row,
identified by `key` within its agreement, so generating twice creates nothing new.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from tierdesk.catalog.models import Delivery, MaintenanceTask, validate_rrule
from tierdesk.clients.models import Agreement, Client, Site
from tierdesk.core.fields import JSONTextField
from tierdesk.core.models import TimeStampedModel


class ScheduleKind(models.TextChoices):
    MAINTENANCE = "maintenance", "Maintenance"
    AUDIT = "audit", "Network audit"


class Schedule(TimeStampedModel):
    """One recurring task for one agreement, in the client's local time.

    Made by `schedules_sync` from the agreement's plan version: every active catalog task of
    a service the tier covers at "maintained" or better (when the tier includes scheduled
    maintenance), filtered by the client's segment, plus one audit schedule when the tier
    includes network audits. `rrule` is anchored at the agreement's start date (so yearly
    tasks fall on its anniversary); occurrences on a closed day of the client's calendar
    move to the next business day. Staff may change the rule, the local time and the
    estimate; a later sync keeps those edits and only (de)activates schedules.
    """

    # Indexes are only those a query uses: 10,000 agreements have ~200,000 schedules, and
    # each index is written again for every one of them. (agreement, key) serves agreement.
    # No database constraint on agreement: PostgreSQL checks each inserted row's at commit
    # (~200,000 on a first run), and generation only writes schedules of agreements it has
    # just read; Django's on_delete still cascades in the ORM.
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE,
                                  related_name="maintenance_schedules", db_index=False,
                                  db_constraint=False)
    kind = models.CharField(max_length=12, choices=ScheduleKind.choices,
                            default=ScheduleKind.MAINTENANCE)
    # Empty for the audit schedule, whose checklist gathers every audit task of the segment.
    task = models.ForeignKey(MaintenanceTask, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="schedules", db_index=False, db_constraint=False)
    key = models.CharField(max_length=40, help_text='"task:<id>" or "audit"')
    title = models.CharField(max_length=200)
    rrule = models.CharField(max_length=200)
    local_time = models.TimeField(default=dt.time(9, 0),
                                  help_text="When in the client's day the work is planned.")
    estimated_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    delivery = models.CharField(max_length=10, choices=Delivery.choices,
                                default=Delivery.REMOTE)
    #: [{"section": str, "label": str}, ...] for the audit schedule; empty for a task's
    #: schedule, which follows its catalog task's checklist (see `items`). Text, not
    #: jsonb: generation writes ~200,000 schedules at once.
    checklist = JSONTextField(default=list, blank=True)
    is_daily = models.BooleanField(
        default=False, help_text="Rolled up into the client's daily checklist.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)  # no index: no query orders by it

    class Meta:
        ordering = ["agreement", "kind", "title"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "key"], name="schedule_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.agreement.client.name})"

    @property
    def items(self) -> list[dict]:
        """The checklist entries its work orders get: its own, else its task's."""
        if self.checklist or self.task_id is None:
            return self.checklist
        return [{"section": self.task.title, "label": item} for item in self.task.checklist]

    def clean(self):
        errors = {}
        try:
            validate_rrule(self.rrule)
        except ValidationError as exc:
            errors["rrule"] = exc.messages
        if self.estimated_minutes is not None and self.estimated_minutes < 1:
            errors["estimated_minutes"] = "must be at least 1 minute"
        if errors:
            raise ValidationError(errors)


class WorkOrderKind(models.TextChoices):
    MAINTENANCE = "maintenance", "Maintenance"
    DAILY = "daily", "Daily checklist"
    AUDIT = "audit", "Network audit"


class WorkOrderStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    DONE = "done", "Done"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


#: The only status changes; maintenance/services.py enforces them with conditional UPDATEs.
WORK_ORDER_TRANSITIONS = {
    WorkOrderStatus.SCHEDULED: {WorkOrderStatus.DONE, WorkOrderStatus.MISSED,
                                WorkOrderStatus.CANCELLED},
    WorkOrderStatus.MISSED: {WorkOrderStatus.DONE},
    WorkOrderStatus.DONE: set(),
    WorkOrderStatus.CANCELLED: set(),
}


class WorkOrder(TimeStampedModel):
    """One occurrence of maintenance for one agreement, due on a business day of the client.

    `key` identifies the occurrence within the agreement ("task:<id>:<date>",
    "audit:<date>", "daily:<date>") and is unique, which makes generation idempotent even
    when two runs overlap. The checklist is stored on the row — a list of
    {"key", "section", "label", "done", "done_at", "done_by", "note"}, as JSON text — because
    a daily checklist gathers every daily task of the client and generation writes hundreds
    of thousands of them; `items_total`/`items_done` count it for lists and reports.
    `due_at` is the close of the client's business day `due_on`; after it an open work
    order is overdue.
    """

    # Indexes are only those a query uses (see Meta): generation writes ~440,000 rows for
    # 10,000 agreements, and every index is written for each. (agreement, key) serves
    # agreement; (client, due_on) serves client; the rest are filtered within those.
    # The foreign keys carry no database constraint: PostgreSQL checks each one per
    # inserted row at commit (a tenth of a first run's time), and generation takes all four
    # from rows it has just read — the agreement and its client, site and schedules
    # (Django's on_delete still applies: it works in the ORM).
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT,
                                  related_name="work_orders", db_index=False,
                                  db_constraint=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="work_orders",
                               db_index=False, db_constraint=False)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="work_orders", db_index=False, db_constraint=False)
    schedule = models.ForeignKey(Schedule, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="work_orders", db_index=False,
                                 db_constraint=False)
    kind = models.CharField(max_length=12, choices=WorkOrderKind.choices)
    key = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    occurrence_on = models.DateField(help_text="The date the recurrence gave.")
    due_on = models.DateField(help_text="The client's business day the work is due.")
    scheduled_at = models.DateTimeField()
    due_at = models.DateTimeField()
    estimated_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    delivery = models.CharField(max_length=10, choices=Delivery.choices,
                                default=Delivery.REMOTE)
    checklist = JSONTextField(default=list, blank=True)
    # Kept by save() and by every raw write: lists and value reports count without
    # reading the checklists.
    items_total = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=WorkOrderStatus.choices,
                              default=WorkOrderStatus.SCHEDULED)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="work_orders",
                                    db_index=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     db_index=False)
    completion_note = models.TextField(blank=True)
    # Audit findings, written when an audit work order is completed; printed on its report.
    findings = models.TextField(blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)  # no index: no query orders by it

    class Meta:
        ordering = ["due_on", "scheduled_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "key"], name="work_order_unique_key"),
        ]
        indexes = [
            models.Index(fields=["due_on", "status"]),  # today's and this week's work
            models.Index(fields=["client", "due_on"]),  # a client's work, value reports
            models.Index(fields=["status", "due_at"]),  # the overdue sweep
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.client.name} · {self.due_on:%Y-%m-%d}"

    @property
    def reference(self) -> str:
        return f"WO-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in (WorkOrderStatus.SCHEDULED, WorkOrderStatus.MISSED)

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.is_open and self.due_at < now

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.checklist if item.get("done"))

    def save(self, *args, **kwargs):
        self.items_total = len(self.checklist or [])
        self.items_done = self.done_count
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "checklist" in update_fields:
            kwargs["update_fields"] = {*update_fields, "items_total", "items_done"}
        super().save(*args, **kwargs)


class WorkOrderEvidence(models.Model):
    """A file attached to a work order as proof of the work (a screenshot, a report, a
    signed sheet), with its SHA-256 so the audit report can cite it."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE,
                                   related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class CalendarFeed(TimeStampedModel):
    """The secret iCalendar URL of a technician's or a client's upcoming work orders.

    Only the SHA-256 of the secret is stored; the URL is shown once when the feed is
    created or rotated. Rotating replaces the hash, so the old URL stops working at once.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.CASCADE, related_name="calendar_feed")
    client = models.OneToOneField(Client, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False, client__isnull=True)
                           | models.Q(user__isnull=True, client__isnull=False)),
                name="calendar_feed_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user or self.client}"


class GenerationMark(models.Model):
    """How far an agreement's work orders have been generated, and from what.

    `fingerprint` digests what the agreement's schedules and work orders follow from (its
    term, client, plan version and segment, the client's calendar, the catalog's tasks);
    a run skips an agreement whose mark reaches the window's end with the same
    fingerprint, which is what makes the daily rerun cheap. A staff edit of one of its
    schedules is not in it: the edit regenerates the agreement itself (or, in the admin,
    deletes the mark).
    """

    agreement = models.OneToOneField(Agreement, on_delete=models.CASCADE, primary_key=True,
                                     related_name="maintenance_mark")
    through = models.DateField()
    fingerprint = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.agreement_id} through {self.through}"
