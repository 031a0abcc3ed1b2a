"""Network audit reports: what one audit work order found, as the client reads it.

An audit work order (kind "audit", generated from the tier's audit schedule) carries the
audit tasks of the client's segment as checklist sections — access reviews and the HIPAA
risk assessment for a medical office, privileged-access sign-off and log retention for
finance. Completing it needs findings (maintenance/services.py). The report prints the
client, site, tier and period, who performed the audit and when, every section with its
items ticked or not and their notes, the findings, the evidence files with their SHA-256,
and a summary. The technician's completion note stays internal; item notes are part of the
record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.utils import timezone

from tierdesk.core.msp import msp_identity
from tierdesk.core.pdf import render_pdf
from tierdesk.maintenance.models import WorkOrder, WorkOrderStatus
from tierdesk.plans.models import AuditFrequency

TEMPLATE = "maintenance/audit_report.html"
PERIOD_MONTHS = {AuditFrequency.QUARTERLY: 3, AuditFrequency.YEARLY: 12}


@dataclass
class AuditItem:
    label: str
    done: bool
    note: str
    done_at: dt.datetime | None
    done_by: str


@dataclass
class AuditSection:
    title: str
    items: list[AuditItem] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def complete(self) -> bool:
        return self.done == self.total


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def audit_period(order: WorkOrder) -> tuple[dt.date, dt.date]:
    """The period an audit covers: the audit interval of the tier (a quarter or a year)
    up to the occurrence, never before the agreement started."""
    months = PERIOD_MONTHS.get(order.agreement.plan_version.network_audits, 12)
    start = order.occurrence_on - relativedelta(months=months)
    return max(start, order.agreement.start_date), order.occurrence_on


def audit_sections(order: WorkOrder, zone: ZoneInfo) -> list[AuditSection]:
    """The checklist grouped by section (one per audit task), in checklist order."""
    user_ids = {item.get("done_by") for item in order.checklist if item.get("done_by")}
    names = {u.pk: _person(u) for u in get_user_model().objects.filter(pk__in=user_ids)}
    sections: dict[str, AuditSection] = {}
    for item in order.checklist:
        title = item.get("section") or order.title
        section = sections.setdefault(title, AuditSection(title))
        done_at = item.get("done_at")
        section.items.append(AuditItem(
            label=item["label"], done=bool(item.get("done")), note=item.get("note") or "",
            done_at=(dt.datetime.fromisoformat(done_at).astimezone(zone) if done_at else None),
            done_by=names.get(item.get("done_by"), "")))
    return list(sections.values())


def audit_report_context(order: WorkOrder) -> dict:
    """Everything the audit report prints."""
    client = order.client
    zone = ZoneInfo(client.timezone)
    version = order.agreement.plan_version
    sections = audit_sections(order, zone)
    items = [item for section in sections for item in section.items]
    evidence = list(order.evidence.all())
    period_start, period_end = audit_period(order)
    return {
        "msp": msp_identity(),
        "order": order,
        "client": client,
        "segment": client.segment,
        "site": order.site,
        "tier": f"{version.plan.name} (version {version.number})",
        "frequency": version.get_network_audits_display().lower(),
        "period_start": period_start,
        "period_end": period_end,
        "is_final": order.status == WorkOrderStatus.DONE,
        "performed_by": _person(order.completed_by),
        "performed_at": (order.completed_at.astimezone(zone) if order.completed_at else None),
        "zone": client.timezone,
        "sections": sections,
        "findings": order.findings,
        "evidence": evidence,
        "summary": {
            "items_done": sum(1 for item in items if item.done),
            "items_total": len(items),
            "sections_complete": sum(1 for s in sections if s.complete),
            "sections_total": len(sections),
            "not_done": [item.label for item in items if not item.done],
            "evidence_count": len(evidence),
        },
        "generated_at": timezone.now().astimezone(zone),
    }


def audit_report_pdf(order: WorkOrder) -> bytes:
    """The audit report as PDF bytes (PdfRenderError when WeasyPrint fails)."""
    return render_pdf(TEMPLATE, audit_report_context(order))


def audit_report_filename(order: WorkOrder) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in order.client.name).strip("-")
    return f"audit-{slug}-{order.due_on:%Y-%m-%d}.pdf"
