"""The portal's value reports: a contact reads its own client's monthly reports and
downloads their PDF (rendered on demand from the stored snapshot, so it shows exactly the
figures of the page and of the e-mail). Fetched only through insights.access, so another
client's report is a 404."""

from django.shortcuts import render

from tierdesk.clients.access import contact_client
from tierdesk.core.pdf import PdfRenderError
from tierdesk.core.permissions import contact_view
from tierdesk.documents.views import pdf_response
from tierdesk.insights.access import value_report_for_contact, value_reports_for_contact
from tierdesk.insights.report_document import (
    value_report_context,
    value_report_filename,
    value_report_pdf,
)


@contact_view
def value_report_list(request):
    client = contact_client(request.user)
    return render(request, "portal/value_report_list.html",
                  {"client": client, "reports": value_reports_for_contact(request.user)[:36]})


@contact_view
def value_report_detail(request, pk: int):
    report = value_report_for_contact(request.user, pk)
    return render(request, "portal/value_report_detail.html", value_report_context(report))


@contact_view
def value_report_pdf_view(request, pk: int):
    report = value_report_for_contact(request.user, pk)
    try:
        data = value_report_pdf(report)
    except PdfRenderError as exc:
        return render(request, "documents/message.html",
                      {"title": "The PDF could not be made", "message": str(exc)}, status=503)
    return pdf_response(data, value_report_filename(report))
