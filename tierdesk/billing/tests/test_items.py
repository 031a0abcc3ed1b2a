"""Billable items: pricing from cost and markup, validation, approval above the tier's
threshold, locking once invoiced."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tierdesk.billing import items
from tierdesk.billing.models import ApprovalRequest, ApprovalState, BillableItem, ItemKind
from tierdesk.clients.factories import AgreementFactory
from tierdesk.core.models import AuditEvent
from tierdesk.plans.factories import PlanVersionFactory


@pytest.fixture
def agreement(acme):
    version = PlanVersionFactory(hardware_markup_percent=Decimal("20.00"))
    return AgreementFactory(client=acme, plan_version=version, status="active",
                            start_date=dt.date(2026, 1, 1))


def create(agreement, by, **kw):
    kw.setdefault("kind", ItemKind.HARDWARE)
    kw.setdefault("description", "Laptop")
    kw.setdefault("quantity", "2")
    return items.item_create(client=agreement.client, agreement=agreement, by=by, **kw)


def test_hardware_without_markup_gets_the_tiers_markup(agreement, personas):
    item = create(agreement, personas.billing, unit_cost="999.99")
    assert item.markup_percent == Decimal("20.00")
    assert item.unit_price == Decimal("1199.99")  # 1199.988 rounded half-up once
    assert AuditEvent.objects.filter(action="billable_item.created").count() == 1


def test_an_explicit_markup_and_a_direct_price(agreement, personas):
    marked = create(agreement, personas.billing, unit_cost="100", markup_percent="7.5")
    assert marked.unit_price == Decimal("107.50")
    direct = create(agreement, personas.billing, unit_price="49.995")
    assert direct.unit_price == Decimal("50.00")


def test_project_work_has_no_default_markup(agreement, personas):
    item = create(agreement, personas.billing, kind=ItemKind.PROJECT, unit_cost="1000",
                  quantity="1")
    assert item.unit_price == Decimal("1000.00")


def test_items_default_to_the_clients_current_agreement(agreement, personas):
    item = items.item_create(client=agreement.client, kind="software", description="Office",
                             quantity=1, unit_cost="10", by=personas.billing)
    assert item.agreement == agreement


@pytest.mark.parametrize("field,kw", [
    ("quantity", {"quantity": "-1", "unit_price": "5"}),
    ("quantity", {"quantity": "0", "unit_price": "5"}),
    ("unit_price", {"unit_price": "-5"}),
    ("unit_cost", {"unit_cost": "-5"}),
    ("markup_percent", {"unit_cost": "5", "markup_percent": "-1"}),
    ("unit_price", {}),
    ("description", {"description": " ", "unit_price": "5"}),
])
def test_bad_input_names_the_field_and_stores_nothing(agreement, personas, field, kw):
    with pytest.raises(ValidationError) as exc:
        create(agreement, personas.billing, **kw)
    assert field in exc.value.message_dict
    assert not BillableItem.objects.exists()


def test_an_end_before_the_start_is_refused(agreement, personas):
    with pytest.raises(ValidationError) as exc:
        create(agreement, personas.billing, kind="recurring", unit_price="3",
               starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 2, 1))
    assert "ends_on" in exc.value.message_dict


def test_only_projects_can_be_time_and_materials(agreement, personas):
    with pytest.raises(ValidationError) as exc:
        create(agreement, personas.billing, unit_price="3", is_time_and_materials=True)
    assert "is_time_and_materials" in exc.value.message_dict


def test_items_above_the_tiers_threshold_wait_for_the_client(agreement, personas):
    agreement.plan_version.approval_threshold = Decimal("500.00")
    small = create(agreement, personas.billing, unit_price="250", quantity="2")
    big = create(agreement, personas.billing, unit_price="250.01", quantity="2")
    assert small.approval == ApprovalState.NOT_NEEDED
    assert big.approval == ApprovalState.PENDING
    [request] = ApprovalRequest.objects.all()
    assert (request.item, request.estimate_amount) == (big, Decimal("500.02"))


def test_without_a_threshold_nothing_needs_approval(agreement, personas):
    item = create(agreement, personas.billing, unit_price="100000")
    assert item.approval == ApprovalState.NOT_NEEDED


def test_the_clients_decision_is_recorded_once(agreement, personas):
    agreement.plan_version.approval_threshold = Decimal("1")
    item = create(agreement, personas.billing, unit_price="10")
    items.item_approval_set(item=item, approved=True)
    item.refresh_from_db()
    assert item.approval == ApprovalState.APPROVED
    with pytest.raises(ValidationError):
        items.item_approval_set(item=item, approved=False)


def test_update_reprices_and_a_bigger_estimate_needs_approval_again(agreement, personas,
                                                                   threshold):
    item = create(agreement, personas.billing, unit_cost="100", quantity="1")
    assert item.unit_price == Decimal("120.00")
    threshold(Decimal("500"))
    item = items.item_update(item=item, by=personas.billing, unit_cost=Decimal("1000"))
    assert item.unit_price == Decimal("1200.00")
    assert item.approval == ApprovalState.PENDING
    with pytest.raises(ValidationError) as exc:
        items.item_update(item=item, by=personas.billing, quantity="-3")
    assert "quantity" in exc.value.message_dict
    item.refresh_from_db()
    assert item.quantity == Decimal("1.00")


def test_an_invoiced_item_cannot_change_or_be_deleted(agreement, personas, invoice_line):
    item = create(agreement, personas.billing, unit_price="10")
    BillableItem.objects.filter(pk=item.pk).update(invoiced_line=invoice_line)
    with pytest.raises(ValidationError):
        items.item_update(item=item, by=personas.billing, description="x")
    with pytest.raises(ValidationError):
        items.item_delete(item=item, by=personas.billing)


@pytest.fixture
def threshold(agreement):
    """threshold(amount): the agreement's tier asks for approval above `amount`."""

    def _set(amount):
        agreement.plan_version.approval_threshold = amount
        agreement.plan_version.save(update_fields=["approval_threshold"])

    return _set


@pytest.fixture
def invoice_line(agreement):
    from tierdesk.billing.models import Invoice, InvoiceLine

    invoice = Invoice.objects.create(number="T-1", client=agreement.client, agreement=agreement,
                                     period_start=dt.date(2025, 12, 1),
                                     period_end=dt.date(2025, 12, 31), currency="USD")
    return InvoiceLine.objects.create(invoice=invoice, position=1, kind="item",
                                      description="x", quantity=1, unit_price=1, amount=1)
