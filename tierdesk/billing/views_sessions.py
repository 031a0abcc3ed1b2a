"""Staff views of work sessions on a ticket (an htmx panel on the ticket page), the
before-the-work preview, approval requests, and the public single-use approval link."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierdesk.billing import access, approvals, selectors, sessions
from tierdesk.billing.classification import classification_preview
from tierdesk.billing.forms import (
    ApprovalDecisionForm,
    ApprovalRequestForm,
    SessionKindForm,
    SessionLogForm,
    SessionStopForm,
    apply_errors,
)
from tierdesk.core.permissions import ALL_STAFF, public_view, staff_view
from tierdesk.desk.access import ticket_for_staff

WORKERS = tuple(access.SESSION_WORKERS)


def _panel(request, ticket, *, kind_form=None, log_form=None, approval_form=None,
           error="", status=200):
    context = {
        "ticket": ticket,
        "sessions": selectors.session_list_for_ticket(ticket),
        "running": selectors.session_running(technician=request.user, ticket=ticket),
        "kind_form": kind_form or SessionKindForm(prefix="kind"),
        "log_form": log_form or SessionLogForm(prefix="log", tz=ticket.client.timezone),
        "stop_form": SessionStopForm(prefix="stop"),
        "approval_form": approval_form or ApprovalRequestForm(prefix="approval"),
        "approvals": selectors.approval_list_for_ticket(ticket),
        "allowance": selectors.ledger_summary(client=ticket.client),
        "can_log": access.can_log_time(request.user),
        "error": error,
    }
    return render(request, "billing/sessions/panel.html", context, status=status)


def _done(request, ticket, **kwargs):
    if request.htmx:
        return _panel(request, ticket, **kwargs)
    return redirect("desk:ticket_detail", pk=ticket.pk)


@staff_view(*ALL_STAFF)
def ticket_sessions(request, ticket_pk):
    return _panel(request, ticket_for_staff(request.user, ticket_pk))


@staff_view(*WORKERS)
@require_POST
def session_preview(request, ticket_pk):
    ticket = ticket_for_staff(request.user, ticket_pk)
    form = SessionKindForm(request.POST, prefix="kind")
    if not form.is_valid():
        return render(request, "billing/sessions/preview.html", {"form": form})
    d = form.cleaned_data
    try:
        preview = classification_preview(
            ticket=ticket, technician=request.user, minutes=d["minutes"], mode=d["mode"],
            work_type=d["work_type"], service=d["service"],
            travel_minutes=d["travel_minutes"])
    except ValidationError as exc:
        return render(request, "billing/sessions/preview.html", {"error": exc.messages[0]})
    return render(request, "billing/sessions/preview.html", {"preview": preview})


@staff_view(*WORKERS)
@require_POST
def session_start(request, ticket_pk):
    ticket = ticket_for_staff(request.user, ticket_pk)
    form = SessionKindForm(request.POST, prefix="kind")
    if form.is_valid():
        d = form.cleaned_data
        try:
            sessions.session_start(technician=request.user, ticket=ticket, mode=d["mode"],
                                   work_type=d["work_type"], service=d["service"],
                                   expected_minutes=d["minutes"])
            return _done(request, ticket)
        except ValidationError as exc:
            apply_errors(form, exc)
    return _panel(request, ticket, kind_form=form, status=400)


@staff_view(*WORKERS)
@require_POST
def session_stop(request, pk):
    session = access.session_for_editor(request.user, pk)
    form = SessionStopForm(request.POST, prefix="stop")
    error = ""
    if form.is_valid():
        try:
            sessions.session_stop(session=session, by=request.user,
                                  travel_minutes=form.cleaned_data["travel_minutes"],
                                  notes=form.cleaned_data["notes"] or None)
            return _done(request, session.ticket)
        except ValidationError as exc:
            error = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items())
    return _panel(request, session.ticket, error=error or "check the form", status=400)


@staff_view(*WORKERS)
@require_POST
def session_log(request, ticket_pk):
    ticket = ticket_for_staff(request.user, ticket_pk)
    form = SessionLogForm(request.POST, prefix="log", tz=ticket.client.timezone)
    if form.is_valid():
        d = form.cleaned_data
        try:
            sessions.session_log(technician=request.user, ticket=ticket,
                                 started_at=d["started_at"], ended_at=d["ended_at"],
                                 mode=d["mode"], work_type=d["work_type"],
                                 service=d["service"], travel_minutes=d["travel_minutes"],
                                 notes=d["notes"])
            return _done(request, ticket)
        except ValidationError as exc:
            apply_errors(form, exc)
    return _panel(request, ticket, log_form=form, status=400)


@staff_view(*WORKERS)
@require_POST
def session_delete(request, pk):
    session = access.session_for_editor(request.user, pk)
    try:
        sessions.session_delete(session=session, by=request.user)
    except ValidationError as exc:
        return _panel(request, session.ticket, error=exc.messages[0], status=400)
    return _done(request, session.ticket)


@staff_view(*WORKERS)
@require_POST
def approval_create(request, ticket_pk):
    ticket = ticket_for_staff(request.user, ticket_pk)
    form = ApprovalRequestForm(request.POST, prefix="approval")
    if form.is_valid():
        try:
            approvals.approval_request(ticket=ticket, by=request.user, **form.cleaned_data)
            return _done(request, ticket)
        except ValidationError as exc:
            apply_errors(form, exc)
    return _panel(request, ticket, approval_form=form, status=400)


@public_view
def approval_link(request, token):
    """The e-mailed single-use link: anyone holding it may decide once."""
    request_obj = approvals.approval_for_token(token)
    if request_obj is None:
        raise Http404("This link was used already or does not exist.")
    form = ApprovalDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decided = approvals.approval_decide(
                request=request_obj, approve=form.cleaned_data["decision"] == "approve",
                contact=None, note=form.cleaned_data["note"])
        except ValidationError as exc:
            return HttpResponse(exc.messages[0], status=409)
        return render(request, "billing/approvals/decided.html", {"approval": decided})
    return render(request, "billing/approvals/link.html",
                  {"approval": request_obj, "form": form})
