"""Staff pages for clients, sites, contacts and agreements.

Every staff member reads; owners and dispatchers create and change. Client contacts get 403
here (the portal is theirs). Objects are fetched only through clients/access.py; writes go
through clients/services.py, whose field-named errors are put back on the form.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tierdesk.clients import access, lifecycle, selectors, services
from tierdesk.clients.feasibility import agreement_feasibility_check
from tierdesk.clients.filtersets import AgreementFilterSet, ClientFilterSet
from tierdesk.clients.forms import (
    AgreementActionForm,
    AgreementCreateForm,
    AgreementTermsForm,
    ChangeTierForm,
    ClientEditForm,
    ClientForm,
    ContactForm,
    SiteForm,
    add_service_errors,
)
from tierdesk.clients.models import AgreementStatus
from tierdesk.clients.pricing import tier_price
from tierdesk.core.permissions import ALL_STAFF, MANAGERS, staff_view
from tierdesk.core.selectors import audit_event_list

S = AgreementStatus
PAGE_SIZE = 50


def _can_manage(user) -> bool:
    return user.has_role(*MANAGERS)


def _style_filters(filterset):
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault(
            "class", "form-select form-select-sm" if hasattr(field, "choices")
            else "form-control form-control-sm")
    return filterset


def _write(request, form, write, *, success: str):
    """On a valid POST run `write(cleaned_data)`; return the object written, or None with
    the service's errors on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = write(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, success)
    return obj


def _form_page(request, form, *, title: str, back: str, submit: str = "Save", extra=None):
    return render(request, "clients/form.html",
                  {"form": form, "title": title, "back": back, "submit": submit} | (extra or {}))


def _no_blanks(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None and v != ""}


# Dashboard and lists ------------------------------------------------------------------------

@staff_view(*ALL_STAFF)
def dashboard(request):
    return render(request, "clients/dashboard.html", selectors.dashboard())


@staff_view(*ALL_STAFF)
def client_list(request):
    filterset = _style_filters(ClientFilterSet(request.GET, queryset=selectors.client_list()))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.clients_attach_current(page.object_list)
    return render(request, "clients/client_list.html",
                  {"filter": filterset, "page": page, "can_manage": _can_manage(request.user)})


@staff_view(*ALL_STAFF)
def agreement_list(request):
    filterset = _style_filters(AgreementFilterSet(request.GET,
                                                  queryset=selectors.agreement_list()))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clients/agreement_list.html",
                  {"filter": filterset, "page": page, "can_manage": _can_manage(request.user)})


# Clients ------------------------------------------------------------------------------------

@staff_view(*ALL_STAFF)
def client_detail(request, pk):
    client = access.client_for_staff(request.user, pk)
    history = selectors.agreement_history(client)
    return render(request, "clients/client_detail.html", {
        "client": client,
        "sites": client.sites.all(),
        "contacts": client.contacts.select_related("user"),
        "history": list(reversed(history)),
        "can_manage": _can_manage(request.user),
    })


@staff_view(*MANAGERS)
def client_create(request):
    form = ClientForm(request.POST or None)
    client = _write(request, form,
                    lambda data: services.client_create(by=request.user, **data),
                    success="Client created.")
    if client:
        return redirect("clients:client_detail", client.pk)
    return _form_page(request, form, title="New client", back=reverse("clients:client_list"))


@staff_view(*MANAGERS)
def client_edit(request, pk):
    client = access.client_for_staff(request.user, pk)
    initial = {name: getattr(client, name) for name in ClientEditForm.base_fields}
    form = ClientEditForm(request.POST or None, initial=initial)
    saved = _write(request, form,
                   lambda data: services.client_update(client=client, by=request.user, **data),
                   success="Client saved.")
    if saved:
        return redirect("clients:client_detail", client.pk)
    return _form_page(request, form, title=f"Edit {client.name}",
                      back=reverse("clients:client_detail", args=[client.pk]))


# Sites and contacts -------------------------------------------------------------------------

@staff_view(*MANAGERS)
def site_create(request, client_pk):
    client = access.client_for_staff(request.user, client_pk)
    form = SiteForm(request.POST or None)
    if _write(request, form,
              lambda data: services.site_create(client=client, by=request.user, **data),
              success="Site added."):
        return redirect("clients:client_detail", client.pk)
    return _form_page(request, form, title=f"New site of {client.name}",
                      back=reverse("clients:client_detail", args=[client.pk]))


@staff_view(*MANAGERS)
def site_edit(request, client_pk, pk):
    site = access.site_for_staff(request.user, client_pk, pk)
    form = SiteForm(request.POST or None,
                    initial={name: getattr(site, name) for name in SiteForm.base_fields})
    if _write(request, form,
              lambda data: services.site_update(site=site, by=request.user, **data),
              success="Site saved."):
        return redirect("clients:client_detail", site.client_id)
    return _form_page(request, form, title=f"Edit {site}",
                      back=reverse("clients:client_detail", args=[site.client_id]))


@staff_view(*MANAGERS)
def contact_create(request, client_pk):
    client = access.client_for_staff(request.user, client_pk)
    form = ContactForm(request.POST or None)
    if _write(request, form,
              lambda data: services.contact_create(client=client, by=request.user, **data),
              success="Contact added."):
        return redirect("clients:client_detail", client.pk)
    return _form_page(request, form, title=f"New contact at {client.name}",
                      back=reverse("clients:client_detail", args=[client.pk]))


@staff_view(*MANAGERS)
def contact_edit(request, client_pk, pk):
    contact = access.contact_for_staff(request.user, client_pk, pk)
    form = ContactForm(request.POST or None,
                       initial={name: getattr(contact, name) for name in ContactForm.base_fields})
    if _write(request, form,
              lambda data: services.contact_update(contact=contact, by=request.user, **data),
              success="Contact saved."):
        return redirect("clients:client_detail", contact.client_id)
    return _form_page(request, form, title=f"Edit {contact}",
                      back=reverse("clients:client_detail", args=[contact.client_id]))


@staff_view(*MANAGERS)
def contact_invite(request, client_pk, pk):
    """GET asks for confirmation; POST creates the login and shows its password once (it
    is not stored in clear and cannot be shown again)."""
    contact = access.contact_for_staff(request.user, client_pk, pk)
    context = {"contact": contact}
    if request.method == "POST":
        try:
            user, password = services.contact_portal_invite(contact=contact, by=request.user)
        except ValidationError as exc:
            context["errors"] = exc.messages
        else:
            context |= {"login": user, "password": password}
    response = render(request, "clients/contact_invite.html", context)
    response["Cache-Control"] = "no-store"  # the password must not linger in a cache
    return response


# Agreements ---------------------------------------------------------------------------------

def _price_preview(form) -> dict | None:
    """The tier's price for the chosen client and version, shown before saving."""
    client = form.cleaned_data.get("client") if hasattr(form, "cleaned_data") else None
    version = form.cleaned_data.get("plan_version") if hasattr(form, "cleaned_data") else None
    if not (client and version):
        return None
    price = tier_price(plan_version=version, segment=client.segment)
    users = form.cleaned_data.get("users_count")
    devices = form.cleaned_data.get("devices_count")
    users = client.users_count if users is None else users
    devices = client.devices_count if devices is None else devices
    return {"price": price, "version": version, "segment": client.segment, "users": users,
            "devices": devices, "monthly_fee": price.monthly_fee(users_count=users,
                                                                 devices_count=devices)}


@staff_view(*MANAGERS)
def agreement_create(request):
    """Pick a client and a tier; "Compute price" shows the tier's price for the client's
    segment, "Create draft" saves (a different price needs a reason)."""
    initial = {}
    if request.GET.get("client"):
        initial["client"] = access.client_for_staff(request.user, request.GET["client"])
    form = AgreementCreateForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        form.is_valid()
        preview = _price_preview(form)
    else:
        agreement = _write(
            request, form,
            lambda data: services.agreement_draft(by=request.user, **_no_blanks(data)),
            success="Draft agreement created.")
        if agreement:
            return redirect("clients:agreement_detail", agreement.pk)
        if request.method == "POST":
            preview = _price_preview(form)
    return render(request, "clients/agreement_form.html", {
        "form": form, "title": "New agreement", "preview": preview,
        "back": reverse("clients:agreement_list"),
    })


@staff_view(*MANAGERS)
def agreement_edit(request, pk):
    agreement = access.agreement_for_staff(request.user, pk)
    if agreement.status != S.DRAFT:
        messages.error(request, "Only a draft can be changed; recall it first if it was sent.")
        return redirect("clients:agreement_detail", agreement.pk)
    fields = AgreementTermsForm.base_fields
    form = AgreementTermsForm(request.POST or None,
                              initial={name: getattr(agreement, name) for name in fields})

    def write(data):
        # A blank price means "the tier's": None makes the service recompute it.
        for name in ("users_count", "devices_count"):
            if data.get(name) is None:
                data[name] = getattr(agreement.client, name)
        return services.agreement_update(agreement=agreement, by=request.user, **data)

    if _write(request, form, write, success="Draft saved."):
        return redirect("clients:agreement_detail", agreement.pk)
    return render(request, "clients/agreement_form.html", {
        "form": form, "title": f"Edit draft #{agreement.pk}", "preview": None,
        "back": reverse("clients:agreement_detail", args=[agreement.pk]),
    })


#: Buttons of the detail page: action → (target status, label, needs a reason).
ACTIONS = {
    "recall": (S.DRAFT, "Recall to draft", False),
    "activate": (S.ACTIVE, "Activate", False),
    "suspend": (S.SUSPENDED, "Suspend", True),
    "resume": (S.ACTIVE, "Resume", False),
    "end": (S.ENDED, "End", True),
}


def _actions_for(agreement) -> list[dict]:
    targets = set(lifecycle.allowed_targets(agreement))
    actions = []
    for name, (target, label, needs_reason) in ACTIONS.items():
        if target not in targets:
            continue
        if name == "activate" and agreement.status != S.SIGNED:
            continue
        if name == "resume" and agreement.status != S.SUSPENDED:
            continue
        actions.append({"name": name, "label": label, "needs_reason": needs_reason})
    return actions


@staff_view(*ALL_STAFF)
def agreement_detail(request, pk):
    agreement = access.agreement_for_staff(request.user, pk)
    tier = tier_price(plan_version=agreement.plan_version, segment=agreement.client.segment)
    prices = [
        {"label": label, "agreed": getattr(agreement, name), "tier": getattr(tier, name),
         "differs": getattr(agreement, name) != getattr(tier, name)}
        for name, label in (("base_fee", "Base fee"), ("price_per_user", "Per user"),
                            ("price_per_device", "Per device"))
    ]
    # A draft shows what sending it would warn about; later, the warnings stored at sending.
    live_warnings = agreement_feasibility_check(agreement) if agreement.status == S.DRAFT else []
    return render(request, "clients/agreement_detail.html", {
        "agreement": agreement,
        "prices": prices,
        "live_warnings": live_warnings,
        "chain": selectors.agreement_chain(agreement),
        "events": audit_event_list(object_type="clients.agreement", object_id=agreement.pk)[:30],
        "actions": _actions_for(agreement) if _can_manage(request.user) else [],
        "can_manage": _can_manage(request.user),
        "can_change_tier": _can_manage(request.user) and agreement.status == S.ACTIVE,
        "today": services.client_today(agreement.client),
    })


@staff_view(*MANAGERS)
@require_POST
def agreement_action(request, pk, action):
    agreement = access.agreement_for_staff(request.user, pk)
    if action not in ACTIONS and action != "discard":
        raise Http404("No such action.")
    form = AgreementActionForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    reason = data.get("reason") or ""
    try:
        if action == "recall":
            services.agreement_recall(agreement=agreement, by=request.user, reason=reason)
        elif action == "activate":
            services.agreement_activate(agreement=agreement, by=request.user)
        elif action == "suspend":
            services.agreement_suspend(agreement=agreement, by=request.user, reason=reason)
        elif action == "resume":
            services.agreement_resume(agreement=agreement, by=request.user, reason=reason)
        elif action == "end":
            end_date = data.get("end_date") or services.client_today(agreement.client)
            services.agreement_end(agreement=agreement, end_date=end_date, reason=reason,
                                   by=request.user)
        else:
            services.agreement_discard(agreement=agreement, by=request.user)
            messages.success(request, "Draft discarded.")
            return redirect("clients:client_detail", agreement.client_id)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Agreement is now {agreement.get_status_display().lower()}.")
    return redirect("clients:agreement_detail", agreement.pk)


@staff_view(*MANAGERS)
def agreement_change_tier(request, pk):
    agreement = access.agreement_for_staff(request.user, pk)
    form = ChangeTierForm(request.POST or None)
    successor = _write(
        request, form,
        lambda data: services.agreement_change_tier(agreement=agreement, by=request.user,
                                                    **_no_blanks(data)),
        success="Tier change drafted; send it for signature. The current agreement runs "
                "until the new one starts.")
    if successor:
        return redirect("clients:agreement_detail", successor.pk)
    return _form_page(request, form, title=f"Change tier of {agreement}",
                      back=reverse("clients:agreement_detail", args=[agreement.pk]),
                      submit="Draft the tier change")

