"""The value report as a document: the context every rendering shares (the staff page, the
portal page, the PDF and the e-mail read the same stored snapshot), its SLA chart, the PDF
(rendered on demand, never stored: the snapshot is the record) and the e-mail."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from tierdesk.core import pdf
from tierdesk.core.msp import msp_identity
from tierdesk.desk.charts import grouped_bars
from tierdesk.insights.models import ValueReport

PDF_TEMPLATE = "insights/value_report_pdf.html"
CLASS_LABELS = {"included": "Included in your tier", "allowance": "Help-desk allowance",
                "overage": "Help desk beyond the allowance", "billable": "Billable work"}


def sla_chart(data: dict):
    """An SVG bar per SLA target: the share of decided targets met this month."""
    rows = [r for r in data.get("sla", []) if r.get("decided")]
    if not rows:
        return ""
    return grouped_bars(groups=[r["label"] for r in rows], width=480, height=200,
                        title="SLA targets met this month",
                        series={"Met": [r["pct"] for r in rows]})


def _hours(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def value_report_context(report: ValueReport) -> dict:
    """What every rendering of `report` needs, from its snapshot only."""
    data = report.data or {}
    time = data.get("time") or {}
    minutes = time.get("minutes") or {}
    rows = [{"classification": c, "label": CLASS_LABELS[c], "minutes": minutes.get(c, 0),
             "hours": _hours(minutes.get(c, 0)),
             "sessions": (time.get("sessions") or {}).get(c, 0),
             "amount": (time.get("amounts") or {}).get(c, "0.00")}
            for c in CLASS_LABELS]
    maintenance = data.get("maintenance") or {}
    kinds = list((maintenance.get("by_kind") or {}).values())
    return {
        "report": report, "data": data, "client": report.client,
        "month": dt.date.fromisoformat(data["month"]) if data.get("month") else report.month,
        "time_rows": rows, "total_hours": _hours(time.get("total_minutes", 0)),
        "covered_hours": _hours(time.get("covered_minutes", 0)),
        "maintenance_kinds": kinds, "chart": sla_chart(data), "msp": msp_identity(),
        "portal_url": portal_url(report),
    }


def portal_url(report: ValueReport) -> str:
    return settings.SITE_URL + reverse("portal:value_report_detail", args=[report.pk])


def value_report_filename(report: ValueReport) -> str:
    return f"value-report-{report.month:%Y-%m}-client-{report.client_id}.pdf"


def value_report_pdf(report: ValueReport) -> bytes:
    """The report as PDF bytes; raises core.pdf.PdfRenderError when it cannot render."""
    return pdf.render_pdf(PDF_TEMPLATE, value_report_context(report) | {"for_pdf": True})


def value_report_message(report: ValueReport, recipients: list[str]) -> EmailMultiAlternatives:
    """The e-mail of the report: text and HTML, with the link to the portal page."""
    context = value_report_context(report) | {"for_email": True}
    subject = (f"What {context['msp'].name} did for {report.client.name} in "
               f"{context['month']:%B %Y}")
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string("insights/email/value_report.txt", context),
        to=recipients)
    message.attach_alternative(render_to_string("insights/email/value_report.html", context),
                               "text/html")
    return message
