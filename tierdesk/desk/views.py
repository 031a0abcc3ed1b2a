"""Staff pages of the desk: the queue, a ticket, logging a call, the dispatcher view and
the SLA attainment report.

All staff read; owners, dispatchers and technicians reply, note, log calls and change
status; owners and dispatchers assign and change priority (a technician may take an
unassigned ticket). Client contacts get 403 (the portal is theirs). Tickets are fetched
only through desk/access.py; every write is one call to desk/services.py.
"""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Select
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierdesk.clients.forms import add_service_errors
from tierdesk.core import clock
from tierdesk.core.permissions import ALL_STAFF, MANAGERS, staff_view
from tierdesk.desk import access, clocks, reports, selectors, services
from tierdesk.desk.filtersets import TicketFilterSet
from tierdesk.desk.forms import (
    AssignForm,
    PriorityForm,
    TextForm,
    TicketCreateForm,
    TransitionForm,
)
from tierdesk.desk.models import SlaNotice, Ticket, TicketStatus
from tierdesk.desk.statuses import allowed_transitions

WORKERS = tuple(sorted(access.WORKER_ROLES))
PAGE_SIZE = 50


def _style_filters(filterset):
    for field in filterset.form.fields.values():
        # By widget: the yes/no/any filters are selects on fields without `choices`.
        field.widget.attrs.setdefault(
            "class", "form-select form-select-sm" if isinstance(field.widget, Select)
            else "form-control form-control-sm")
    return filterset


# The queue --------------------------------------------------------------------------------

@staff_view(*ALL_STAFF)
def queue(request):
    filterset = _style_filters(TicketFilterSet(request.GET, queryset=Ticket.objects.all()))
    page = selectors.queue_page(filterset.qs, request.GET.get("page"), size=PAGE_SIZE)
    context = {"filter": filterset, "page": page,
               "rows": selectors.queue_rows(page.tickets, clock.now())}
    # htmx polls every 60 s for fresh countdowns: send the table only.
    template = "desk/_queue_table.html" if request.htmx else "desk/queue.html"
    return render(request, template, context)


# A ticket ---------------------------------------------------------------------------------

def _sla_panel(ticket) -> list[dict]:
    tz = ZoneInfo(ticket.client.timezone)
    now = clock.now()
    rows = []
    for name in clocks.TARGETS:
        spec = (ticket.sla_targets or {}).get(name)
        if not spec:
            continue
        due = getattr(ticket, f"{name}_due_at")
        done = {"first_response": ticket.first_responded_at, "onsite": ticket.onsite_arrived_at,
                "resolution": ticket.resolved_at}[name]
        paused = name == "resolution" and ticket.paused_at is not None
        rows.append({
            "label": clocks.TARGET_LABELS[name], "spec": spec, "due": due,
            "due_local": due.astimezone(tz) if due else None, "done": done,
            "budget": _duration_text(spec.get("minutes")),
            "breached": getattr(ticket, f"{name}_breached"),
            "countdown": "" if done or not ticket.is_open else clocks.countdown(
                calendar=ticket.sla_calendar, spec=spec, due=due, now=now, paused=paused),
        })
    return rows


def _duration_text(minutes) -> str:
    """480 -> "8 h", 90 -> "1 h 30 min": how people state a response target."""
    if not minutes:
        return ""
    hours, rest = divmod(int(minutes), 60)
    return " ".join(part for part in (f"{hours} h" if hours else "",
                                      f"{rest} min" if rest else "") if part)


def _notice_label(notice) -> str:
    target = clocks.TARGET_LABELS.get(notice.target, notice.target)
    if notice.threshold == "breach":
        return f"{target}: breached"
    if notice.threshold == "drive":
        return f"{target}: drive too long"
    try:
        return f"{target}: {float(notice.threshold):.0%} warning"
    except ValueError:
        return f"{target}: {notice.threshold}"


def _timeline(ticket) -> list:
    entries = list(selectors.ticket_timeline(ticket))
    for e in entries:
        if e.kind == "status":  # stored as codes; shown as the labels the buttons use
            old, new = (e.data or {}).get("from", ""), (e.data or {}).get("to", "")
            e.status_change = " → ".join(
                TicketStatus(v).label if v in TicketStatus.values else v for v in (old, new))
    return entries


def _ticket_context(request, ticket, **forms) -> dict:
    user = request.user
    pauses = list(ticket.pauses.all())
    paused_minutes = sum((p.ended_at - p.started_at).total_seconds() for p in pauses) // 60
    return {
        "ticket": ticket,
        "entries": _timeline(ticket),
        "sla": _sla_panel(ticket),
        "pauses": pauses,
        "paused_minutes": int(paused_minutes),
        "notices": [{"label": _notice_label(n)} for n in
                    SlaNotice.objects.filter(ticket=ticket).order_by("created_at")],
        "transitions": [(s, TicketStatus(s).label) for s in allowed_transitions(ticket.status)],
        "can_work": access.can_work(user),
        "can_manage": access.can_manage(user),
        "can_take": access.can_take(user, ticket) and not access.can_manage(user),
        "reply_form": forms.get("reply_form") or TextForm(prefix="reply"),
        "note_form": forms.get("note_form") or TextForm(prefix="note"),
        "call_form": forms.get("call_form") or TextForm(prefix="call"),
        "assign_form": AssignForm(initial={"assignee": ticket.assignee_id}),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
    }


@staff_view(*ALL_STAFF)
def ticket_detail(request, pk):
    ticket = access.ticket_for_staff(request.user, pk)
    return render(request, "desk/ticket_detail.html", _ticket_context(request, ticket))


def _text_action(request, pk, *, prefix: str, write, success: str):
    ticket = access.ticket_for_staff(request.user, pk)
    form = TextForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            write(ticket=ticket, body=form.cleaned_data["body"], by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("desk:ticket_detail", pk=ticket.pk)
    context = _ticket_context(request, ticket, **{f"{prefix}_form": form})
    return render(request, "desk/ticket_detail.html", context, status=400)


@staff_view(*WORKERS)
@require_POST
def ticket_reply(request, pk):
    return _text_action(request, pk, prefix="reply", write=services.ticket_reply,
                        success="Reply sent.")


@staff_view(*WORKERS)
@require_POST
def ticket_note(request, pk):
    return _text_action(request, pk, prefix="note", write=services.ticket_note,
                        success="Note added.")


@staff_view(*WORKERS)
@require_POST
def ticket_log_call(request, pk):
    return _text_action(request, pk, prefix="call", write=services.ticket_log_call,
                        success="Call logged.")


def _simple_action(request, ticket, write, success: str):
    try:
        write()
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("desk:ticket_detail", pk=ticket.pk)


@staff_view(*WORKERS)
@require_POST
def ticket_transition(request, pk):
    ticket = access.ticket_for_staff(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return redirect("desk:ticket_detail", pk=ticket.pk)
    data = form.cleaned_data
    return _simple_action(request, ticket, lambda: services.ticket_transition(
        ticket=ticket, to=data["to"], by=request.user, reason=data["reason"]),
        "Status changed.")


@staff_view(*WORKERS)
@require_POST
def ticket_assign(request, pk):
    ticket = access.ticket_for_staff(request.user, pk)
    if "take" in request.POST:
        assignee = request.user
    else:
        form = AssignForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose someone who works tickets.")
            return redirect("desk:ticket_detail", pk=ticket.pk)
        assignee = form.cleaned_data["assignee"]
    return _simple_action(request, ticket, lambda: services.ticket_assign(
        ticket=ticket, assignee=assignee, by=request.user), "Assignment saved.")


@staff_view(*MANAGERS)
@require_POST
def ticket_priority(request, pk):
    ticket = access.ticket_for_staff(request.user, pk)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a priority.")
        return redirect("desk:ticket_detail", pk=ticket.pk)
    return _simple_action(request, ticket, lambda: services.ticket_set_priority(
        ticket=ticket, priority=form.cleaned_data["priority"], by=request.user),
        "Priority changed; due times recomputed.")


@staff_view(*WORKERS)
@require_POST
def ticket_onsite(request, pk):
    ticket = access.ticket_for_staff(request.user, pk)
    return _simple_action(request, ticket, lambda: services.ticket_onsite_arrive(
        ticket=ticket, by=request.user), "Arrival on site recorded.")


# Logging a call or walk-in ----------------------------------------------------------------

@staff_view(*WORKERS)
def ticket_create(request):
    data = request.POST if request.method == "POST" else None
    client_id = (data or request.GET).get("client") or None
    form = TicketCreateForm(data, client_id=client_id,
                            initial={"client": client_id} if client_id else None)
    if data is not None and form.is_valid():
        cd = form.cleaned_data
        try:
            ticket = services.ticket_open(
                client=cd["client"], channel=cd["channel"], subject=cd["subject"],
                body=cd["body"], contact=cd["contact"], site=cd["site"],
                priority=cd["priority"], type=cd["type"], needs_onsite=cd["needs_onsite"],
                by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Ticket {ticket.reference} opened.")
            return redirect("desk:ticket_detail", pk=ticket.pk)
    return render(request, "desk/ticket_create.html", {"form": form},
                  status=400 if data is not None else 200)


# Dispatcher view and report ---------------------------------------------------------------

@staff_view(*ALL_STAFF)
def dispatch(request):
    return render(request, "desk/dispatch.html", selectors.dispatch_board(clock.now()))


@staff_view(*ALL_STAFF)
def sla_report(request):
    months = reports.month_range(request.GET.get("months"))
    return render(request, "desk/sla_report.html", reports.sla_attainment(months=months))
