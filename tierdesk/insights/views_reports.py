"""Staff pages of the monthly value reports: a month's reports, one client's report with a
month picker, its PDF, and the actions (generate, e-mail). Thin: parse, call one service,
render. Reports are read by owners, dispatchers and billing; generated and sent by owners
and billing."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tierdesk.clients.access import client_for_staff
from tierdesk.core import clock
from tierdesk.core.pdf import PdfRenderError
from tierdesk.core.permissions import staff_view
from tierdesk.insights import services
from tierdesk.insights.access import (
    REPORT_READERS,
    REPORT_WRITERS,
    value_report_for_staff,
    value_reports_for_staff,
)
from tierdesk.insights.report_document import (
    value_report_context,
    value_report_filename,
    value_report_pdf,
)

PAGE_SIZE = 50


def parse_month(raw, default: dt.date) -> dt.date:
    """`YYYY-MM` (an <input type="month">) as the first day of the month, else `default`."""
    try:
        year, month = str(raw).split("-")[:2]
        return dt.date(int(year), int(month), 1)
    except (TypeError, ValueError):
        return default


def last_month() -> dt.date:
    return services.previous_month(clock.now().date())


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_view(*REPORT_READERS)
def value_report_month(request):
    """Every client's report of one month, with the action that generates the month."""
    month = parse_month(request.GET.get("month"), last_month())
    reports = value_reports_for_staff(request.user).filter(month=month).order_by("client__name")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "insights/value_report_month.html", {
        "month": month, "page_obj": page, "reports": page.object_list,
        "can_write": request.user.has_role(*REPORT_WRITERS),
    })


@staff_view(*REPORT_READERS)
def value_report_client(request, client_id: int):
    """One client's report of the month picked (last month by default)."""
    client = client_for_staff(request.user, client_id)
    month = parse_month(request.GET.get("month"), last_month())
    reports = value_reports_for_staff(request.user).filter(client=client)
    report = reports.filter(month=month).first()
    context = value_report_context(report) if report else {"client": client, "month": month}
    context.update({
        "month": month, "client": client, "report": report,
        "months": list(reports.order_by("-month").values_list("month", flat=True)[:24]),
        "can_write": request.user.has_role(*REPORT_WRITERS),
    })
    return render(request, "insights/value_report_client.html", context)


@staff_view(*REPORT_READERS)
def value_report_pdf_view(request, pk: int):
    report = value_report_for_staff(request.user, pk)
    try:
        data = value_report_pdf(report)
    except PdfRenderError as exc:
        return render(request, "documents/message.html",
                      {"title": "The PDF could not be made", "message": str(exc)}, status=503)
    return pdf_response(data, value_report_filename(report))


@staff_view(*REPORT_WRITERS)
@require_POST
def value_report_generate(request):
    """Generate one client's report now, or queue the whole month's in the background."""
    month = parse_month(request.POST.get("month"), last_month())
    client_id = request.POST.get("client")
    if client_id:
        client = client_for_staff(request.user, client_id)
        target = reverse("insights:value_report_client", args=[client.pk])
        try:
            result = services.value_reports_generate(
                month=month, client_ids=[client.pk], force=bool(request.POST.get("force")),
                by=request.user)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            if result.clients == 0:
                messages.warning(request, f"{client.name} had no agreement in force in "
                                          f"{month:%B %Y}: there is nothing to report.")
            elif result.kept:
                messages.warning(request, "This report was already e-mailed; it was kept as "
                                          "sent. Tick “replace” to regenerate it anyway.")
            else:
                messages.success(request, f"The {month:%B %Y} report was generated.")
        return redirect(f"{target}?month={month:%Y-%m}")
    try:
        month = services.month_validate(month)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        from tierdesk.insights.tasks import generate_value_reports_task

        transaction.on_commit(lambda: generate_value_reports_task(month.isoformat(),
                                                                  request.user.pk))
        messages.success(request, f"The {month:%B %Y} reports are being generated.")
    return redirect(f"{reverse('insights:value_report_month')}?month={month:%Y-%m}")


@staff_view(*REPORT_WRITERS)
@require_POST
def value_report_send(request, pk: int):
    """E-mail the report now (again, when it was already sent and "again" is posted)."""
    report = value_report_for_staff(request.user, pk)
    try:
        sent = services.value_report_send(report=report, by=request.user,
                                          force=bool(request.POST.get("again")))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        if sent:
            messages.success(request, "The report was e-mailed to "
                                      + ", ".join(report.emailed_to) + ".")
        else:
            messages.info(request, "The report had already been e-mailed.")
    target = reverse("insights:value_report_client", args=[report.client_id])
    return redirect(f"{target}?month={report.month:%Y-%m}")
