"""Staff pages of invoices and invoice runs.

Every staff member reads; owners and billing staff start runs and move invoices through
their lifecycle. Client contacts get 403 here (the portal shows them their own invoices).
Views parse input, call one service of billing.invoicing or invoice_lifecycle.py, and render.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tierdesk.billing import access
from tierdesk.billing.forms_invoices import PeriodForm, TransitionForm
from tierdesk.billing.invoice_lifecycle import TRANSITIONS, invoice_transition
from tierdesk.billing.invoicing import invoice_preview, invoice_run_start, totals_for
from tierdesk.billing.models import Invoice, InvoiceRun, InvoiceStatus
from tierdesk.clients.access import agreement_for_staff
from tierdesk.core.permissions import ALL_STAFF, BILLING, staff_view

PAGE_SIZE = 50


def _can_bill(user) -> bool:
    return user.has_role(*BILLING)


def _invoice(request, pk) -> Invoice:
    return access.invoice_for_staff(request.user, pk)


@staff_view(*ALL_STAFF)
def invoice_list(request):
    invoices = Invoice.objects.select_related("client").order_by("-period_start", "-id")
    status = request.GET.get("status", "")
    if status in InvoiceStatus.values:
        invoices = invoices.filter(status=status)
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "billing/invoices/invoice_list.html", {
        "page": page, "status": status, "statuses": InvoiceStatus.choices})


@staff_view(*ALL_STAFF)
def invoice_detail(request, pk):
    invoice = _invoice(request, pk)
    return render(request, "billing/invoices/invoice_detail.html", {
        "invoice": invoice, "lines": invoice.lines.all(),
        "credit_notes": invoice.credit_notes.all(),
        "can_bill": _can_bill(request.user),
        "targets": TRANSITIONS[invoice.status]})


@require_POST
@staff_view(*BILLING)
def invoice_transition_view(request, pk):
    invoice = _invoice(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what the invoice becomes.")
        return redirect("billing:invoice_detail", pk=invoice.pk)
    try:
        invoice_transition(invoice=invoice, to=form.cleaned_data["to"], by=request.user,
                           reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, f"{invoice.number} is now {form.cleaned_data['to']}.")
    return redirect("billing:invoice_detail", pk=invoice.pk)


@staff_view(*ALL_STAFF)
def invoice_preview_view(request, agreement_pk):
    agreement = agreement_for_staff(request.user, agreement_pk)
    this_month = timezone.localdate().replace(day=1)
    form = PeriodForm(request.GET or {"period": f"{this_month:%Y-%m}"})
    lines, totals = [], None
    if form.is_valid():
        try:
            lines = invoice_preview(agreement=agreement, period_start=form.cleaned_data["period"])
        except ValidationError as exc:
            form.add_error("period", "; ".join(exc.messages))
        else:
            totals = totals_for(lines, agreement.client.tax_rate_percent)
    return render(request, "billing/invoices/invoice_preview.html", {
        "agreement": agreement, "form": form, "lines": lines, "totals": totals})


@staff_view(*ALL_STAFF)
def invoice_run(request):
    """The run page: start a run for a month (billing staff), and the recent runs."""
    form = PeriodForm(request.POST or None)
    if request.method == "POST":
        if not _can_bill(request.user):
            raise PermissionDenied  # reading the page is for all staff, starting a run is not
        if form.is_valid():
            try:
                run = invoice_run_start(period_start=form.cleaned_data["period"],
                                        by=request.user)
            except ValidationError as exc:
                form.add_error("period", "; ".join(exc.messages))
            else:
                from tierdesk.billing.tasks import invoice_run_task

                transaction.on_commit(lambda: invoice_run_task(run.pk))
                return redirect("billing:invoice_run_detail", pk=run.pk)
    runs = InvoiceRun.objects.order_by("-started_at")[:20]
    return render(request, "billing/invoices/run_list.html", {
        "form": form, "runs": runs, "can_bill": _can_bill(request.user)})


@staff_view(*ALL_STAFF)
def invoice_run_detail(request, pk):
    run = access.invoice_run_for_staff(request.user, pk)
    invoices = run.invoices.select_related("client").order_by("number")
    template = ("billing/invoices/_run_progress.html" if request.htmx
                else "billing/invoices/run_detail.html")
    return render(request, template, {"run": run, "invoices": invoices[:500],
                                      "invoice_count": invoices.count()})
