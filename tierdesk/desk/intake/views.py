"""Staff pages of the e-mail intake: the triage list of held messages. Thin: parse, call
one service (intake/email.py), render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tierdesk.clients.models import Client
from tierdesk.core.permissions import MANAGERS, staff_view
from tierdesk.desk.intake.email import email_triage_assign, email_triage_reject
from tierdesk.desk.intake.forms import EmailTriageAssignForm, EmailTriageRejectForm
from tierdesk.desk.models import InboundMessage, InboundSource, InboundStatus


def _held(pk: int) -> InboundMessage:
    # Staff-only, not client data: any held e-mail is visible to the dispatchers.
    return get_object_or_404(InboundMessage, pk=pk, source=InboundSource.EMAIL,
                             status=InboundStatus.HELD)


@staff_view(*MANAGERS)
def email_triage(request):
    rows = (InboundMessage.objects.filter(source=InboundSource.EMAIL,
                                          status=InboundStatus.HELD)
            .defer("raw").order_by("-received_at", "-id"))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "desk/intake/email_triage.html", {
        "page": page,
        # Read once for every row's picker (a form field would query once per row).
        "clients": list(Client.objects.filter(is_active=True).order_by("name")
                        .values_list("pk", "name")),
    })


def _errors(form) -> str:
    return "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())


@staff_view(*MANAGERS)
@require_POST
def email_triage_assign_view(request, pk):
    inbound = _held(pk)
    form = EmailTriageAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not assigned — {_errors(form)}")
        return redirect("desk:email_triage")
    try:
        row = email_triage_assign(inbound=inbound, client=form.cleaned_data["client"],
                                  contact=form.cleaned_data["contact"], by=request.user)
    except ValidationError as exc:
        messages.error(request, f"Not assigned — {'; '.join(exc.messages)}")
        return redirect("desk:email_triage")
    messages.success(request, f"Opened {row.ticket.reference} for "
                              f"{form.cleaned_data['client'].name}.")
    return redirect("desk:ticket_detail", pk=row.ticket_id)


@staff_view(*MANAGERS)
@require_POST
def email_triage_reject_view(request, pk):
    inbound = _held(pk)
    form = EmailTriageRejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not rejected — {_errors(form)}")
        return redirect("desk:email_triage")
    email_triage_reject(inbound=inbound, by=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, "Message rejected; it stays stored with your reason.")
    return redirect("desk:email_triage")
