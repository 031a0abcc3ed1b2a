"""Staff pages of the intake: one triage list of everything held (e-mail, calls, alerts)
and the held-count badge of the dispatcher view. Thin: parse, call one service
(intake/triage.py), render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tierdesk.clients.models import Client, Contact
from tierdesk.core.permissions import ALL_STAFF, MANAGERS, staff_view
from tierdesk.desk.intake.forms import (
    InboundTriageAssignForm,
    InboundTriageFilterForm,
    InboundTriageRejectForm,
)
from tierdesk.desk.intake.triage import (
    inbound_held_count,
    inbound_held_list,
    inbound_triage_assign,
    inbound_triage_reject,
)
from tierdesk.desk.models import InboundMessage, InboundSource

#: What assigning does, per source, as the page's button says it.
ASSIGN_LABEL = {InboundSource.EMAIL: "Open ticket", InboundSource.VOICE: "Call back",
                InboundSource.RMM: "Open alert ticket"}


def _inbound(pk: int) -> InboundMessage:
    # Staff-only, not client data: every stored request is visible to the dispatchers. Any
    # status is found, so a second click is answered "already done", not 404.
    return get_object_or_404(InboundMessage.objects.defer("raw"), pk=pk)


def _back(request):
    source = request.POST.get("source", "")
    url = reverse("desk:intake_triage")
    return redirect(f"{url}?source={source}" if source in InboundSource.values else url)


def _errors(form) -> str:
    return "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())


def _already(request, row: InboundMessage) -> None:
    ticket = f" ({row.ticket.reference})" if row.ticket_id else ""
    messages.info(request, f"Nothing done: this {row.get_source_display().lower()} is "
                           f"already {row.status}{ticket} — {row.reason[:200]}")


@staff_view(*MANAGERS)
def intake_triage(request):
    form = InboundTriageFilterForm(request.GET)
    source = form.cleaned_data["source"] if form.is_valid() else ""
    page = Paginator(inbound_held_list(source=source), 50).get_page(request.GET.get("page"))
    rows = list(page)
    for row in rows:
        row.assign_label = ASSIGN_LABEL[row.source]
    has_people = any(r.source != InboundSource.RMM for r in rows)
    return render(request, "desk/intake/triage.html", {
        "page": page, "rows": rows, "source": source, "sources": InboundSource.choices,
        # Read once for every row's picker (a form field would query once per row).
        "clients": list(Client.objects.filter(is_active=True).order_by("name")
                        .values_list("pk", "name")),
        "contacts": (list(Contact.objects.filter(client__is_active=True)
                          .order_by("client__name", "name")
                          .values_list("pk", "name", "client__name"))
                     if has_people else []),
    })


@staff_view(*ALL_STAFF)
def intake_triage_badge(request):
    """The dispatcher view's "held in triage" badge (loaded by htmx); a link to the page
    for those who may act, the bare count for the others."""
    return render(request, "desk/intake/_triage_badge.html", {
        "held": inbound_held_count(), "can_triage": request.user.role in MANAGERS,
    })


@staff_view(*MANAGERS)
@require_POST
def intake_triage_assign_view(request, pk):
    inbound = _inbound(pk)
    form = InboundTriageAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not assigned — {_errors(form)}")
        return _back(request)
    client = form.cleaned_data["client"]
    try:
        row, changed = inbound_triage_assign(inbound=inbound, client=client,
                                             contact=form.cleaned_data["contact"],
                                             by=request.user)
    except ValidationError as exc:
        messages.error(request, f"Not assigned — {'; '.join(exc.messages)}")
        return _back(request)
    if not changed:
        _already(request, row)
        return _back(request)
    if row.ticket_id is None:  # a "resolved" alert with nothing open: recorded only
        messages.success(request, f"Recorded for {client.name}: {row.reason[:200]}")
        return _back(request)
    messages.success(request, f"{row.get_status_display()}: {row.ticket.reference} for "
                              f"{client.name}.")
    return redirect("desk:ticket_detail", pk=row.ticket_id)


@staff_view(*MANAGERS)
@require_POST
def intake_triage_reject_view(request, pk):
    inbound = _inbound(pk)
    form = InboundTriageRejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not rejected — {_errors(form)}")
        return _back(request)
    row, changed = inbound_triage_reject(inbound=inbound, by=request.user,
                                         reason=form.cleaned_data["reason"])
    if not changed:
        _already(request, row)
    else:
        messages.success(request, "Rejected; it stays stored with your reason.")
    return _back(request)

