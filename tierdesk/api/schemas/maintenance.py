"""Maintenance schemas: schedules, work orders with their checklist and evidence, audits.

Contacts get the same shapes as staff, with the MSP's internal fields (`assigned_to_id`,
`completed_by_id`, `completion_note`, `uploaded_by_id`) set to null; an audit's findings
are shown to them once the audit is done (they are what the report is for).
"""

from datetime import date, datetime, time

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator

from tierdesk.maintenance.models import WorkOrderStatus


def _is_staff(context) -> bool:
    request = (context or {}).get("request")
    return bool(request is not None and request.user.is_msp_staff)


class ChecklistEntryOut(Schema):
    section: str
    label: str


class ScheduleOut(Schema):
    id: int
    agreement_id: int
    client_id: int = Field(alias="agreement.client_id")
    kind: str = Field(description='"maintenance" or "audit"')
    key: str = Field(description='"task:<id>" or "audit"; unique within the agreement')
    task_id: int | None
    title: str
    rrule: str = Field(description="RFC 5545 RRULE, anchored at the agreement's start date")
    local_time: time = Field(description="when in the client's day the work is planned")
    estimated_minutes: int
    delivery: str
    is_daily: bool = Field(description="rolled up into the client's daily checklist")
    is_active: bool
    checklist: list[ChecklistEntryOut]

    @staticmethod
    def resolve_checklist(obj):
        return obj.items  # a task's schedule follows its catalog task's checklist


class SchedulePatch(Schema):
    rrule: str | None = Field(None, description='e.g. "FREQ=WEEKLY;BYDAY=MO"')
    local_time: time | None = Field(None, description="the client's local time, e.g. 08:30")
    estimated_minutes: int | None = None

    @field_validator("local_time")
    @classmethod
    def _local(cls, value):
        if value is not None and value.tzinfo is not None:
            raise ValueError("a local time of the client's day such as 08:30, without a "
                             "time zone")
        return value


class GenerateIn(Schema):
    horizon_days: int | None = Field(
        None, description="days ahead to generate (1–366; default the configured horizon)")
    agreement_ids: list[int] | None = Field(
        None, description="only these agreements (default every signed or active one)")


class GenerateOut(Schema):
    agreements: int
    schedules_created: int
    schedules_deactivated: int
    created: int
    cancelled: int
    window_start: date
    window_end: date

    @staticmethod
    def resolve_window_start(obj):
        return obj.window[0]

    @staticmethod
    def resolve_window_end(obj):
        return obj.window[1]


class ChecklistItemOut(Schema):
    key: str = Field(description="use it in POST /work-orders/{id}/items/{key}")
    section: str
    label: str
    done: bool
    done_at: datetime | None
    done_by_id: int | None = Field(None, description="null for client contacts")
    note: str

    @staticmethod
    def resolve_done_by_id(obj, context):
        return obj.get("done_by") if _is_staff(context) else None


class EvidenceOut(Schema):
    id: int
    name: str = Field(alias="original_name")
    content_type: str
    size: int
    sha256: str
    note: str
    uploaded_by_id: int | None = Field(None, description="null for client contacts")
    created_at: datetime

    @staticmethod
    def resolve_uploaded_by_id(obj, context):
        return obj.uploaded_by_id if _is_staff(context) else None


class WorkOrderOut(Schema):
    id: int
    reference: str = Field(description='e.g. "WO-000042"')
    agreement_id: int
    client_id: int
    client_name: str = Field(alias="client.name")
    site_id: int | None
    schedule_id: int | None
    kind: str = Field(description='"maintenance", "daily" (checklist roll-up) or "audit"')
    title: str
    occurrence_on: date = Field(description="the date the recurrence gave")
    due_on: date = Field(description="the client's business day the work is due")
    scheduled_at: datetime
    due_at: datetime = Field(description="the close of that business day")
    estimated_minutes: int
    delivery: str
    status: str
    overdue: bool
    items_done: int
    items_total: int
    assigned_to_id: int | None = Field(None, description="null for client contacts")
    completed_at: datetime | None
    completed_by_id: int | None = Field(None, description="null for client contacts")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue(timezone.now())

    @staticmethod
    def resolve_items_done(obj):
        return obj.done_count

    @staticmethod
    def resolve_items_total(obj):
        return len(obj.checklist)

    @staticmethod
    def resolve_assigned_to_id(obj, context):
        return obj.assigned_to_id if _is_staff(context) else None

    @staticmethod
    def resolve_completed_by_id(obj, context):
        return obj.completed_by_id if _is_staff(context) else None


class WorkOrderDetailOut(WorkOrderOut):
    checklist: list[ChecklistItemOut]
    completion_note: str | None = Field(None, description="internal: null for client contacts")
    findings: str | None = Field(
        None, description="an audit's findings (for client contacts once the audit is done)")
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_completion_note(obj, context):
        return obj.completion_note if _is_staff(context) else None

    @staticmethod
    def resolve_findings(obj, context):
        if _is_staff(context) or obj.status == WorkOrderStatus.DONE:
            return obj.findings
        return None

    @staticmethod
    def resolve_evidence(obj):
        return list(obj.evidence.all())


class AuditOut(WorkOrderOut):
    findings: str | None = Field(None, description="null until done for client contacts")
    report_url: str | None = Field(
        None, description="the report PDF (for client contacts only once the audit is done)")

    @staticmethod
    def resolve_findings(obj, context):
        return WorkOrderDetailOut.resolve_findings(obj, context)

    @staticmethod
    def resolve_report_url(obj, context):
        if _is_staff(context) or obj.status == WorkOrderStatus.DONE:
            return reverse("api:audit_report", args=[obj.pk])
        return None


class ItemIn(Schema):
    done: bool = True
    note: str = Field("", max_length=300)


class CompleteIn(Schema):
    note: str = Field("", description="needed when checklist items are not ticked: why")
    findings: str = Field("", description="required for audits: what was found and what "
                                          "you recommend")
