"""Outsourcing pages. Mounted by tierdesk/desk/urls.py under namespace "desk":
`path("outsourcing/", include("tierdesk.desk.outsourcing_urls"))`.

Owners and dispatchers see the partners and which tiers route their end-user help desk to
one; only the owner adds or changes partners and routes (they are contracts and money).
The ticket page loads the partner panel (partner's targets next to the MSP's SLA) with
htmx; anyone who works tickets records the partner's steps there.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierdesk.clients.forms import BootstrapMixin, DateInput, add_service_errors
from tierdesk.core import clock
from tierdesk.core.models import Role
from tierdesk.core.permissions import ALL_STAFF, MANAGERS, staff_view
from tierdesk.desk import access, outsourcing
from tierdesk.desk.models import (
    OutsourcedTicket,
    OutsourcingPartner,
    PartnerTargetKind,
    PartnerWebhook,
    TicketEntry,
)
from tierdesk.desk.models.outsourcing import default_partner_hours
from tierdesk.plans.models import Plan

WORKERS = tuple(sorted(access.WORKER_ROLES))


class PartnerForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=100)
    email = forms.EmailField(required=False, help_text="New tickets are e-mailed here.")
    webhook_url = forms.URLField(required=False, max_length=500, assume_scheme="https",
                                 help_text="New tickets are POSTed here, signed (HMAC-SHA256).")
    hours = forms.JSONField(help_text="The partner's working hours (a calendar, as a tier's).",
                            widget=forms.Textarea(attrs={"rows": 3}))
    target_kind = forms.ChoiceField(choices=PartnerTargetKind.choices)
    first_response_minutes = forms.IntegerField(required=False, min_value=1)
    resolution_minutes = forms.IntegerField(required=False, min_value=1)
    fee_per_ticket = forms.DecimalField(min_value=0, decimal_places=2, initial="0.00")
    fee_per_month = forms.DecimalField(min_value=0, decimal_places=2, initial="0.00")
    contract_start = forms.DateField(widget=DateInput, required=False,
                                     help_text="Empty: today.")
    contract_end = forms.DateField(widget=DateInput, required=False,
                                   help_text="Empty: open-ended.")
    is_active = forms.BooleanField(required=False, initial=True)


def _require_owner(user) -> None:
    if not user.has_role(Role.OWNER):
        raise PermissionDenied("only the owner changes outsourcing partners and routes")


def _partner(pk) -> OutsourcingPartner:
    partner = OutsourcingPartner.objects.filter(pk=pk).first()
    if partner is None:
        raise Http404("No such partner.")
    return partner


@staff_view(*MANAGERS)
def outsourcing_page(request):
    """Partners, each tier's help-desk routing, and (owner) a new partner."""
    form = PartnerForm(request.POST if request.POST.get("action") == "create" else None,
                       initial={"hours": default_partner_hours()})
    if request.method == "POST":
        _require_owner(request.user)
        action = request.POST.get("action")
        if action == "create" and form.is_valid():
            data = dict(form.cleaned_data)
            is_active = data.pop("is_active")
            try:
                partner = outsourcing.partner_create(by=request.user, **data)
                if not is_active:
                    outsourcing.partner_update(partner=partner, by=request.user, is_active=False)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f'Partner "{partner.name}" added.')
                return redirect("desk:outsourcing_partner", pk=partner.pk)
        elif action == "route":
            plan = Plan.objects.filter(pk=request.POST.get("plan") or 0).first()
            if plan is None:
                raise Http404("No such tier.")
            raw = request.POST.get("partner") or ""
            partner = _partner(raw) if raw else None
            try:
                outsourcing.helpdesk_route_set(plan=plan, partner=partner, by=request.user)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        messages.error(request, f"{field}: {error}")
            else:
                messages.success(request, f"{plan.name}: end-user help desk "
                                          + (f"outsourced to {partner}." if partner
                                             else "back in house."))
            return redirect("desk:outsourcing")
    routes = outsourcing.routes_by_plan()
    plans = [(plan, routes.get(plan.pk)) for plan in Plan.objects.filter(is_active=True)]
    return render(request, "desk/outsourcing.html", {
        "partners": list(outsourcing.partner_list()), "plans": plans, "form": form,
        "can_edit": request.user.has_role(Role.OWNER),
        "active_partners": [p for p in outsourcing.partner_list() if p.is_active],
    })


@staff_view(*MANAGERS)
def outsourcing_partner(request, pk: int):
    """One partner: terms, secret (owner), the latest tickets handed over; owner edits."""
    partner = _partner(pk)
    initial = {f: getattr(partner, f) for f in outsourcing.PARTNER_FIELDS}
    form = PartnerForm(request.POST if request.POST.get("action") == "save" else None,
                       initial=initial)
    if request.method == "POST":
        _require_owner(request.user)
        action = request.POST.get("action")
        try:
            if action == "rotate":
                outsourcing.partner_update(partner=partner, by=request.user, rotate_secret=True)
                messages.success(request, "A new webhook secret is in force.")
                return redirect("desk:outsourcing_partner", pk=partner.pk)
            if action == "save" and form.is_valid():
                data = dict(form.cleaned_data)
                data["contract_start"] = data["contract_start"] or partner.contract_start
                outsourcing.partner_update(partner=partner, by=request.user, **data)
                messages.success(request, "Partner saved.")
                return redirect("desk:outsourcing_partner", pk=partner.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    handed = (OutsourcedTicket.objects.filter(partner=partner)
              .select_related("ticket__client").order_by("-routed_at")[:25])
    return render(request, "desk/outsourcing_partner.html", {
        "partner": partner, "form": form, "handed": handed,
        "can_edit": request.user.has_role(Role.OWNER),
    })


@staff_view(*ALL_STAFF)
def ticket_partner_panel(request, pk: int):
    """The partner's targets of a handed-over ticket (an htmx fragment of the ticket page;
    empty for a ticket kept in house)."""
    ticket = access.ticket_for_staff(request.user, pk)
    return _panel(request, ticket)


def _panel(request, ticket, status: int = 200):
    outsourced = (OutsourcedTicket.objects.filter(ticket=ticket)
                  .select_related("partner").first())
    context = {"ticket": ticket, "outsourced": outsourced,
               "can_work": access.can_work(request.user)}
    if outsourced is not None:
        context["steps"] = outsourcing.partner_steps(outsourced, now=clock.now())
        context["webhook"] = PartnerWebhook.objects.filter(outsourced=outsourced).first()
        context["mail"] = (TicketEntry.objects.filter(ticket=ticket, data__notice="outsourced")
                           .exclude(message_id="").first())
        context["zone"] = (outsourced.partner_calendar or {}).get("tz", "UTC")
    return render(request, "desk/_partner_panel.html", context, status=status)


@staff_view(*WORKERS)
@require_POST
def ticket_partner_step(request, pk: int):
    """Record the partner's first response or resolution on a handed-over ticket."""
    ticket = access.ticket_for_staff(request.user, pk)
    outsourced = OutsourcedTicket.objects.filter(ticket=ticket).first()
    if outsourced is None:
        raise Http404("This ticket was not handed to a partner.")
    try:
        outsourcing.partner_step_record(outsourced=outsourced, step=request.POST.get("step", ""),
                                        by=request.user)
    except ValidationError as exc:
        return render(request, "desk/_partner_panel.html", {
            "ticket": ticket, "outsourced": outsourced, "errors": exc.messages,
            "steps": outsourcing.partner_steps(outsourced, now=clock.now()),
            "zone": (outsourced.partner_calendar or {}).get("tz", "UTC"),
            "can_work": True}, status=400)
    if request.htmx:
        return _panel(request, ticket)
    return redirect("desk:ticket_detail", pk=ticket.pk)
