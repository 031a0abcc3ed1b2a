"""Network audits: the staff list and report download, and the client's own list in the
portal (completed audits only have a report a client may download)."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from tierdesk.clients.access import contact_client
from tierdesk.clients.models import Client
from tierdesk.core.permissions import contact_view, staff_view
from tierdesk.maintenance import access, audits
from tierdesk.maintenance.models import WorkOrderStatus

PAGE_SIZE = 50


def _pdf_response(order) -> HttpResponse:
    response = HttpResponse(audits.audit_report_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{audits.audit_report_filename(order)}"')
    return response


@staff_view()
def audit_list(request):
    """Every network audit, latest due first; filters `client` (id) and `status`."""
    orders = access.audits_for_staff(request.user).order_by("-due_on", "-id")
    client_id = request.GET.get("client", "")
    status = request.GET.get("status", "")
    client = None
    if client_id.isdigit():
        client = Client.objects.filter(pk=client_id).first()
        orders = orders.filter(client_id=client_id)
    if status in WorkOrderStatus.values:
        orders = orders.filter(status=status)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "maintenance/audit_list.html", {
        "page": page, "client": client, "status": status,
        "statuses": WorkOrderStatus.choices,
    })


@staff_view()
def audit_report_pdf(request, pk: int):
    """The report of any audit; one not yet completed prints as a draft."""
    return _pdf_response(access.audit_for_staff(request.user, pk))


@contact_view
def portal_audit_list(request):
    """The contact's own client's audits: planned ones, and completed ones with a report."""
    client = contact_client(request.user)
    orders = access.audits_for_contact(request.user).order_by("-due_on", "-id")
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "maintenance/audit_portal_list.html",
                  {"client": client, "page": page})


@contact_view
def portal_audit_report_pdf(request, pk: int):
    return _pdf_response(access.audit_report_for_contact(request.user, pk))
