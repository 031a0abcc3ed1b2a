"""The portal's billing pages: a contact's own client's invoices and credit notes (issued,
paid or void — never drafts), their PDFs exactly as e-mailed, and the approvals waiting
for the client. Fetched only through billing.access, so another client's
invoice is a 404."""

from django.core.paginator import Paginator
from django.shortcuts import render

from tierdesk.billing.access import invoice_for_contact, invoices_for_contact
from tierdesk.billing.models import ApprovalRequest, ApprovalState
from tierdesk.clients.access import contact_client
from tierdesk.core.pdf import PdfRenderError
from tierdesk.core.permissions import contact_view
from tierdesk.documents import invoice_services
from tierdesk.documents.invoice_document import invoice_document_context, invoice_filename
from tierdesk.documents.views import pdf_response

PAGE_SIZE = 25


@contact_view
def invoice_list(request):
    client = contact_client(request.user)
    page = Paginator(invoices_for_contact(request.user).order_by("-issued_at", "-id"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/invoice_list.html",
                  {"client": client, "page_obj": page, "invoices": page.object_list})


@contact_view
def invoice_detail(request, pk: int):
    invoice = invoice_for_contact(request.user, pk)
    return render(request, "portal/invoice_detail.html", invoice_document_context(invoice))


@contact_view
def invoice_pdf(request, pk: int):
    invoice = invoice_for_contact(request.user, pk)
    try:
        data = invoice_services.invoice_pdf_bytes(invoice)
    except PdfRenderError as exc:
        return render(request, "documents/message.html",
                      {"title": "The PDF could not be made", "message": str(exc)}, status=503)
    return pdf_response(data, invoice_filename(invoice))


@contact_view
def approval_list(request):
    client = contact_client(request.user)
    approvals = (ApprovalRequest.objects.filter(client=client, state=ApprovalState.PENDING)
                 .select_related("ticket", "item").order_by("requested_at"))
    return render(request, "portal/approval_list.html",
                  {"client": client, "approvals": approvals})
