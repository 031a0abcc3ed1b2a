"""Staff views of invoices: the document (HTML and PDF), issuing, and the exports.

Thin: fetch through billing.access, call one service, render.
"""


from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tierdesk.billing.access import invoice_for_staff
from tierdesk.billing.models import InvoiceStatus
from tierdesk.core.pdf import PdfRenderError
from tierdesk.core.permissions import BILLING, staff_view
from tierdesk.documents import exports, invoice_services
from tierdesk.documents.invoice_document import invoice_document_context, invoice_filename
from tierdesk.documents.views import pdf_response


class InvoiceExportForm(forms.Form):
    date_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "must not be before the start date")
        return data


@staff_view(*BILLING)
def invoice_document(request, pk: int):
    invoice = invoice_for_staff(request.user, pk)
    context = invoice_document_context(invoice)
    context["toolbar"] = [{"url": reverse("documents:invoice_pdf", args=[invoice.pk]),
                           "label": "Download PDF"}]
    if invoice.status == InvoiceStatus.DRAFT:
        context["toolbar"].append({"url": reverse("documents:invoice_issue", args=[invoice.pk]),
                                   "label": "Issue and e-mail", "post": True})
    return render(request, "documents/invoice.html", context)


@staff_view(*BILLING)
def invoice_pdf(request, pk: int):
    invoice = invoice_for_staff(request.user, pk)
    try:
        data = invoice_services.invoice_pdf_bytes(invoice)
    except PdfRenderError as exc:
        return render(request, "documents/message.html",
                      {"title": "The PDF could not be made", "message": str(exc)}, status=503)
    return pdf_response(data, invoice_filename(invoice))


@staff_view(*BILLING)
@require_POST
def invoice_issue(request, pk: int):
    invoice = invoice_for_staff(request.user, pk)
    try:
        invoice = invoice_services.invoice_issue(invoice=invoice, by=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except PdfRenderError as exc:
        messages.error(request, f"Not issued: {exc}")
    else:
        messages.success(request, f"{invoice} issued and e-mailed.")
    return redirect("documents:invoice_document", pk=invoice.pk)


def _export(request, *, render_text, content_type: str, extension: str):
    form = InvoiceExportForm(request.GET or None)
    if not form.is_valid():
        return render(request, "documents/invoice_export.html", {"form": form},
                      status=400 if request.GET else 200)
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    text = render_text(exports.invoices_exported(date_from=start, date_to=end))
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="invoices-{start:%Y%m%d}-{end:%Y%m%d}.{extension}"')
    return response


@staff_view(*BILLING)
def invoice_export_csv(request):
    return _export(request, render_text=exports.invoices_csv,
                   content_type="text/csv; charset=utf-8", extension="csv")


@staff_view(*BILLING)
def invoice_export_iif(request):
    return _export(request, render_text=exports.invoices_iif,
                   content_type="text/plain; charset=utf-8", extension="iif")


