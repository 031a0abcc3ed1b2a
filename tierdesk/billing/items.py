"""Billable items: the charges outside a tier — hardware, software, project work and
recurring add-ons — and the only functions that write them.

Pricing (`item_price`):
  * a direct `unit_price` wins;
  * otherwise `unit_cost` × (1 + markup/100), rounded once to cents half-up; the markup
    defaults to the agreement's plan version `hardware_markup_percent` for hardware and
    software, and to 0 for anything else.

Kinds and how the invoice engine (billing/invoicing/periods.py, `_item_filter`) bills them:
  * hardware / software / other / fixed-price project: billed once, in arrears, on the
    first invoice after `starts_on` (then `invoiced_line` is set and the item is locked);
  * a time-and-materials project (`is_time_and_materials`): the item itself is never an
    invoice line — the project's work sessions are billed; its `unit_price` × `quantity`
    is only the estimate the client approves;
  * a recurring add-on (kind "recurring", e.g. per-device licences): quantity × unit_price
    every period from `starts_on` until `ends_on` (inclusive; open-ended when empty),
    in advance like the tier's fee;
  * an adjustment (kind "adjustment"): the money difference of a correction of an invoiced
    work session, quantity 1, `unit_price` the difference — negative for a credit. Made
    only by `adjustment_create` (called by sessions.session_correct), never by the item
    form, and billed once like hardware on the next invoice.

Approval: when the client's tier sets an approval threshold
(`PlanVersion.approval_threshold`, None = never) and the item's estimate
(quantity × unit price) is above it, the item is created PENDING and an approval request
is raised through billing/approvals.py. Only approved or not-needed items are billed.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from tierdesk.billing.models import ApprovalState, BillableItem, ItemKind
from tierdesk.clients.models import Agreement, Client
from tierdesk.core import events
from tierdesk.core.clock import now
from tierdesk.core.money import round_money, to_decimal
from tierdesk.desk.services import current_agreement

GOODS = (ItemKind.HARDWARE, ItemKind.SOFTWARE)
EDITABLE_FIELDS = ("kind", "description", "quantity", "unit_cost", "markup_percent",
                   "unit_price", "is_time_and_materials", "starts_on", "ends_on", "ticket")


@dataclass(frozen=True)
class ItemPrice:
    unit_price: Decimal
    markup_percent: Decimal | None
    unit_cost: Decimal | None


def _decimal(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return to_decimal(value)
    except (ValueError, TypeError):
        raise ValidationError({field: "enter a number"}) from None


def item_price(*, kind: str, unit_cost=None, markup_percent=None, unit_price=None,
               agreement: Agreement | None = None) -> ItemPrice:
    """The unit price of an item from a direct price, or from cost and markup (see the
    module docstring). Raises ValidationError naming the field on a negative or missing
    amount."""
    errors = {}
    cost = _decimal(unit_cost, "unit_cost")
    markup = _decimal(markup_percent, "markup_percent")
    price = _decimal(unit_price, "unit_price")
    for name, value in (("unit_cost", cost), ("markup_percent", markup), ("unit_price", price)):
        if value is not None and value < 0:
            errors[name] = "must not be negative"
    if errors:
        raise ValidationError(errors)
    if price is not None:
        return ItemPrice(unit_price=round_money(price), markup_percent=markup, unit_cost=cost)
    if cost is None:
        raise ValidationError({"unit_price": "give a unit price, or a unit cost to mark up"})
    if markup is None:
        markup = Decimal("0")
        if kind in GOODS and agreement is not None:
            markup = agreement.plan_version.hardware_markup_percent or Decimal("0")
    return ItemPrice(unit_price=round_money(cost * (1 + markup / 100)),
                     markup_percent=markup, unit_cost=cost)


def approval_threshold(agreement: Agreement | None) -> Decimal | None:
    """The tier's amount above which the client must approve a charge (None = never).
    The field is added to PlanVersion by the sessions work; read it defensively."""
    if agreement is None:
        return None
    return getattr(agreement.plan_version, "approval_threshold", None)


def item_estimate(item: BillableItem) -> Decimal:
    return round_money(item.quantity * item.unit_price)


def _validate(item: BillableItem) -> None:
    errors = {}
    if item.quantity is None or item.quantity <= 0:
        errors["quantity"] = "must be more than zero"
    if item.kind not in ItemKind.values:
        errors["kind"] = f"must be one of {', '.join(ItemKind.values)}"
    if not (item.description or "").strip():
        errors["description"] = "describe the item"
    if item.ends_on and item.starts_on and item.ends_on < item.starts_on:
        errors["ends_on"] = "must not be before the start"
    if item.is_time_and_materials and item.kind != ItemKind.PROJECT:
        errors["is_time_and_materials"] = "only a project can be time and materials"
    if item.agreement_id and item.agreement.client_id != item.client_id:
        errors["agreement"] = "must be an agreement of the item's client"
    if item.ticket_id and item.ticket.client_id != item.client_id:
        errors["ticket"] = "must be a ticket of the item's client"
    if errors:
        raise ValidationError(errors)
    item.full_clean(exclude=["invoiced_line", "created_by", "agreement", "ticket", "client"])


def _request_approval(*, item: BillableItem, by) -> None:
    """Raise the client's approval request through approvals.py when it exists (it is the
    sessions engineer's module; until it lands the item simply waits PENDING)."""
    try:
        from tierdesk.billing import approvals
    except ImportError:
        return
    create = getattr(approvals, "approval_request_create", None) or getattr(
        approvals, "approval_request", None)
    if create is None:
        return
    create(client=item.client, item=item, ticket=item.ticket,
           description=f"{item.get_kind_display()}: {item.description}",
           estimate_amount=item_estimate(item), by=by)


def _needs_approval(item: BillableItem) -> bool:
    threshold = approval_threshold(item.agreement)
    return threshold is not None and item_estimate(item) > threshold


def item_create(*, client: Client, kind: str, description: str, quantity, by,
                unit_cost=None, markup_percent=None, unit_price=None,
                agreement: Agreement | None = None, ticket=None,
                is_time_and_materials: bool = False, starts_on: date | None = None,
                ends_on: date | None = None) -> BillableItem:
    """Create a billable item for `client` (on its current agreement unless one is given),
    priced per the module docstring. PENDING, with an approval request, when its estimate
    is above the tier's approval threshold; raises ValidationError naming the field on bad
    input (nothing is stored)."""
    if kind == ItemKind.ADJUSTMENT:
        raise ValidationError({"kind": "adjustments are made by correcting an invoiced "
                                       "work session"})
    quantity = _decimal(quantity, "quantity")
    if quantity is None:
        raise ValidationError({"quantity": "enter a quantity"})
    if quantity <= 0:
        raise ValidationError({"quantity": "must be more than zero"})
    if agreement is None:
        agreement = current_agreement(client)
    price = item_price(kind=kind, unit_cost=unit_cost, markup_percent=markup_percent,
                       unit_price=unit_price, agreement=agreement)
    item = BillableItem(
        client=client, agreement=agreement, ticket=ticket, kind=kind,
        description=(description or "").strip(), quantity=quantity,
        unit_cost=price.unit_cost, markup_percent=price.markup_percent,
        unit_price=price.unit_price, is_time_and_materials=is_time_and_materials,
        recurring=kind == ItemKind.RECURRING, starts_on=starts_on or now().date(),
        ends_on=ends_on, created_by=by,
    )
    _validate(item)
    with transaction.atomic():
        item.approval = (ApprovalState.PENDING if _needs_approval(item)
                         else ApprovalState.NOT_NEEDED)
        item.save()
        events.record(action="billable_item.created", obj=item, by=by,
                      message=f"{item.quantity} × {item.unit_price} ({item.approval})")
        if item.approval == ApprovalState.PENDING:
            _request_approval(item=item, by=by)
    return item


def item_update(*, item: BillableItem, by, **changes) -> BillableItem:
    """Change an item that has not been invoiced (an invoiced item is history: correct it
    with a credit note). Re-prices it; an approved or not-needed item whose new estimate
    is above the threshold goes back to PENDING with a new approval request."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "cannot be changed" for name in sorted(unknown)})
    with transaction.atomic():
        item = BillableItem.objects.select_for_update(of=("self",)).select_related(
            "agreement__plan_version", "client").get(pk=item.pk)
        if item.invoiced_line_id is not None:
            raise ValidationError({"status": "this item has been invoiced and cannot change"})
        if ItemKind.ADJUSTMENT in (item.kind, changes.get("kind")):
            raise ValidationError({"kind": "an adjustment comes from a session correction; "
                                           "delete it and correct the session again"})
        before = {f: getattr(item, f) for f in EDITABLE_FIELDS if f != "ticket"}
        old_estimate = item_estimate(item)
        if "quantity" in changes:
            quantity = _decimal(changes["quantity"], "quantity")
            if quantity is None or quantity <= 0:
                raise ValidationError({"quantity": "must be more than zero"})
            changes["quantity"] = quantity
        for name, value in changes.items():
            setattr(item, name, value)
        pricing = {"unit_cost", "markup_percent", "unit_price", "kind"} & set(changes)
        if pricing:
            direct = changes.get("unit_price", None if "unit_cost" in changes
                                 else item.unit_price)
            price = item_price(kind=item.kind, unit_cost=item.unit_cost,
                               markup_percent=item.markup_percent, unit_price=direct,
                               agreement=item.agreement)
            item.unit_price = price.unit_price
            item.markup_percent = price.markup_percent
        item.recurring = item.kind == ItemKind.RECURRING
        _validate(item)
        raised = (item.approval != ApprovalState.PENDING and item_estimate(item) > old_estimate
                  and _needs_approval(item))
        if raised:
            item.approval = ApprovalState.PENDING
        item.save()
        after = {f: getattr(item, f) for f in EDITABLE_FIELDS if f != "ticket"}
        events.record(action="billable_item.updated", obj=item, by=by,
                      changes=events.diff(before, after))
        if raised:
            _request_approval(item=item, by=by)
    return item


def adjustment_create(*, client: Client, agreement: Agreement | None, ticket, description: str,
                      amount: Decimal, starts_on: date, by) -> BillableItem:
    """An adjustment item: quantity 1 at `amount` (negative = a credit), needing no approval
    (the client approved, or was billed for, the work itself), billed by the first invoice
    of `agreement` whose period starts after `starts_on`. Call inside the caller's
    transaction; the caller records the audit event that explains it."""
    amount = round_money(amount)
    if amount == 0:
        raise ValidationError({"unit_price": "an adjustment of zero changes nothing"})
    item = BillableItem(client=client, agreement=agreement, ticket=ticket,
                        kind=ItemKind.ADJUSTMENT, description=description[:250],
                        quantity=Decimal("1"), unit_price=amount, starts_on=starts_on,
                        approval=ApprovalState.NOT_NEEDED, created_by=by)
    _validate(item)
    item.save()
    return item


def item_approval_set(*, item: BillableItem, approved: bool, by=None) -> BillableItem:
    """Record the client's decision on a PENDING item (called by approvals.py when the
    client decides). Deciding twice is refused."""
    with transaction.atomic():
        item = BillableItem.objects.select_for_update().get(pk=item.pk)
        if item.approval != ApprovalState.PENDING:
            raise ValidationError({"status": f"the item is {item.get_approval_display().lower()}"
                                             ", not waiting for approval"})
        item.approval = ApprovalState.APPROVED if approved else ApprovalState.DECLINED
        item.save(update_fields=["approval", "updated_at"])
        events.record(action=f"billable_item.{item.approval}", obj=item, by=by)
    return item


def item_delete(*, item: BillableItem, by) -> None:
    """Delete an item that has not been invoiced."""
    with transaction.atomic():
        item = BillableItem.objects.select_for_update().get(pk=item.pk)
        if item.invoiced_line_id is not None:
            raise ValidationError({"status": "this item has been invoiced and cannot be deleted"})
        events.record(action="billable_item.deleted", obj=item.client, by=by,
                      message=str(item))
        item.delete()


# Reads ---------------------------------------------------------------------------------------


def items_for_client(client: Client) -> QuerySet[BillableItem]:
    return BillableItem.objects.filter(client=client).select_related("agreement", "ticket")


def item_for_staff(user, pk) -> BillableItem:
    """The item `pk` for a staff user, else Http404."""
    if not (user.is_authenticated and user.is_msp_staff):
        raise Http404("No such item.")
    try:
        return BillableItem.objects.select_related(
            "client", "agreement__plan_version", "ticket").get(pk=pk)
    except (BillableItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such item.") from None
