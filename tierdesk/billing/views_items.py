"""Staff pages of billable items per client: the list, create and edit. Owners, billing
and dispatchers write; every staff role reads. Thin: parse, call billing/items.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tierdesk.billing import items
from tierdesk.billing.forms_items import BillableItemForm
from tierdesk.clients.access import client_for_staff
from tierdesk.core.models import Role
from tierdesk.core.permissions import staff_view

ITEM_WRITERS = (Role.OWNER, Role.BILLING, Role.DISPATCHER)
PAGE_SIZE = 50


def _add_errors(form, exc: ValidationError) -> None:
    errors = getattr(exc, "error_dict", None) or {None: exc.error_list}
    for field, messages_ in errors.items():
        form.add_error(field if field in form.fields else None, messages_)


@staff_view()
def item_list(request, client_pk: int):
    client = client_for_staff(request.user, client_pk)
    page = Paginator(items.items_for_client(client).order_by("-created_at", "-id"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "billing/items/list.html", {
        "client": client, "page_obj": page, "items": page.object_list,
        "can_write": request.user.role in ITEM_WRITERS,
    })


@staff_view(*ITEM_WRITERS)
@require_http_methods(["GET", "POST"])
def item_create(request, client_pk: int):
    client = client_for_staff(request.user, client_pk)
    form = BillableItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = items.item_create(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{item} added ({item.get_approval_display().lower()}).")
            return redirect("billing:item_list", client_pk=client.pk)
    return render(request, "billing/items/form.html", {"client": client, "form": form},
                  status=400 if form.errors else 200)


@staff_view(*ITEM_WRITERS)
@require_http_methods(["GET", "POST"])
def item_edit(request, client_pk: int, pk: int):
    client = client_for_staff(request.user, client_pk)
    item = items.item_for_staff(request.user, pk)
    if item.client_id != client.pk:
        raise Http404("No such item.")
    form = BillableItemForm.for_item(item, request.POST or None)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if form.initial.get(k) != v}
        if changes.get("starts_on", True) is None:
            changes.pop("starts_on")
        try:
            items.item_update(item=item, by=request.user, **changes)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{item} saved.")
            return redirect("billing:item_list", client_pk=client.pk)
    return render(request, "billing/items/form.html",
                  {"client": client, "form": form, "item": item},
                  status=400 if form.errors else 200)
