"""What an invoice bills: fee in advance, proration, tier change, arrears, items, tax."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tierdesk.billing.invoicing import invoice_build, invoice_preview
from tierdesk.billing.models import BillableItem, InvoiceLine, WorkSession
from tierdesk.billing.tests.test_invoicing_fixtures import NOV, OCT, SEP, agreement, session

pytestmark = pytest.mark.django_db


def test_a_full_month_bills_the_monthly_fee_in_advance():
    a = agreement(fee="300.00")
    invoice = invoice_build(agreement=a, period_start=OCT)
    line = invoice.lines.get()
    assert (line.kind, line.amount, line.quantity) == ("recurring", Decimal("300.00"), 1)
    assert "in advance" in line.reason
    assert invoice.period_end == dt.date(2026, 10, 31)
    assert invoice.number == "INV-000001"
    assert invoice.total == Decimal("300.00")


def test_a_mid_month_start_is_a_partial_first_period_prorated_by_day():
    a = agreement(fee="310.00", start=dt.date(2026, 10, 15))
    line = invoice_build(agreement=a, period_start=OCT).lines.get()
    assert line.amount == Decimal("170.00")  # 17 of 31 days
    assert "17 of 31 days" in line.description


def test_an_end_mid_month_is_prorated_too():
    a = agreement(fee="310.00", end_date=dt.date(2026, 10, 10))
    assert invoice_build(agreement=a, period_start=OCT).lines.get().amount == Decimal("100.00")


def test_a_quarterly_agreement_bills_three_months_on_its_anchor_month_only():
    a = agreement(fee="100.00", cycle="quarterly", start=dt.date(2026, 4, 1))
    assert invoice_build(agreement=a, period_start=dt.date(2026, 8, 1)) is None
    invoice = invoice_build(agreement=a, period_start=OCT)
    assert invoice.lines.get().amount == Decimal("300.00")
    assert invoice.period_end == dt.date(2026, 12, 31)


def test_a_tier_change_credits_the_old_tier_and_charges_the_new_by_day():
    old = agreement(fee="310.00", tier="Silver")
    invoice_build(agreement=old, period_start=OCT)
    old.end_date = dt.date(2026, 10, 14)
    old.status = "ended"
    old.save()
    new = agreement(fee="620.00", tier="Platinum", client=old.client,
                    start=dt.date(2026, 10, 15), replaces=old)
    old_nov = invoice_build(agreement=old, period_start=NOV)
    credit = old_nov.lines.get()
    assert (credit.kind, credit.amount) == ("proration", Decimal("-170.00"))
    assert "Platinum" in credit.reason
    new_nov = invoice_build(agreement=new, period_start=NOV)
    kinds = {line.kind: line.amount for line in new_nov.lines.all()}
    assert kinds == {"recurring": Decimal("620.00"), "proration": Decimal("340.00")}


def test_overage_and_billable_work_of_the_previous_period_bill_in_arrears_and_link_back():
    a = agreement(fee="100.00")
    o1 = session(a, period_start=SEP, classification="overage", amount="35.00", rate="35.00",
                 units=1, reason="overage: Gold includes 2 sessions")
    session(a, period_start=SEP, classification="overage", amount="70.00", rate="35.00",
            units=2)
    work = session(a, period_start=SEP, classification="billable", amount="125.00",
                   rate="125.00", minutes=60, reason="billable: break-fix at $125/h")
    session(a, period_start=SEP, classification="included")
    session(a, period_start=OCT, classification="billable", amount="50.00", rate="100.00")
    invoice = invoice_build(agreement=a, period_start=OCT)
    lines = {line.kind: line for line in invoice.lines.all()}
    assert lines["overage"].amount == Decimal("105.00")
    assert lines["overage"].quantity == 3
    assert lines["labour"].amount == Decimal("125.00")
    assert lines["labour"].reason == "billable: break-fix at $125/h"
    assert invoice.total == Decimal("330.00")
    o1.refresh_from_db()
    work.refresh_from_db()
    assert o1.invoiced_line == lines["overage"]
    assert work.invoiced_line == lines["labour"]
    assert WorkSession.objects.filter(invoiced_line__isnull=True).count() == 2


def test_items_bill_once_and_recurring_add_ons_every_period():
    a = agreement(fee="100.00")
    laptop = BillableItem.objects.create(
        client=a.client, kind="hardware", description="Laptop", quantity=Decimal("1.5"),
        unit_price=Decimal("33.33"), starts_on=dt.date(2026, 9, 20), approval="approved")
    BillableItem.objects.create(
        client=a.client, agreement=a, kind="software", description="AV licence",
        quantity=Decimal("10"), unit_price=Decimal("3.50"), starts_on=dt.date(2026, 9, 1),
        recurring=True)
    BillableItem.objects.create(
        client=a.client, kind="project", description="Waiting", quantity=Decimal("1"),
        unit_price=Decimal("500"), starts_on=dt.date(2026, 9, 1), approval="pending")
    oct_inv = invoice_build(agreement=a, period_start=OCT)
    amounts = sorted(line.amount for line in oct_inv.lines.filter(kind="item"))
    assert amounts == [Decimal("35.00"), Decimal("50.00")]
    laptop.refresh_from_db()
    assert laptop.invoiced_line.invoice == oct_inv
    nov_inv = invoice_build(agreement=a, period_start=NOV)
    assert [line.amount for line in nov_inv.lines.filter(kind="item")] == [Decimal("35.00")]


def test_tax_is_the_clients_rate_on_taxable_lines_and_lines_sum_to_the_total():
    a = agreement(fee="99.99", tax="8.25")
    invoice = invoice_build(agreement=a, period_start=OCT)
    assert invoice.tax == Decimal("8.25")
    assert invoice.total == invoice.subtotal + invoice.tax
    assert invoice.subtotal == sum(line.amount for line in invoice.lines.all())


def test_a_negotiated_fee_below_list_shows_a_discount_line():
    a = agreement(fee="300.00")
    a.base_fee = Decimal("250.00")
    a.override_reason = "Two-year commitment"
    a.save()
    invoice = invoice_build(agreement=a, period_start=OCT)
    lines = {line.kind: line for line in invoice.lines.all()}
    assert lines["recurring"].amount == Decimal("300.00")
    assert lines["discount"].amount == Decimal("-50.00")
    assert "Two-year commitment" in lines["discount"].reason
    assert invoice.total == Decimal("250.00")


def test_building_twice_gives_one_invoice():
    a = agreement()
    assert invoice_build(agreement=a, period_start=OCT) is not None
    assert invoice_build(agreement=a, period_start=OCT) is None
    assert a.invoices.count() == 1


def test_a_period_in_the_future_is_refused_naming_period_start():
    a = agreement()
    with pytest.raises(ValidationError) as exc:
        invoice_build(agreement=a, period_start=dt.date(2027, 1, 1))
    assert "period_start" in exc.value.message_dict
    with pytest.raises(ValidationError):
        invoice_preview(agreement=a, period_start=dt.date(2026, 10, 2))


def test_a_negative_fee_or_quantity_is_refused_and_nothing_is_stored():
    a = agreement(fee="100.00")
    a.base_fee = Decimal("-5")
    a.save()
    with pytest.raises(ValidationError) as exc:
        invoice_build(agreement=a, period_start=OCT)
    assert "monthly_fee" in exc.value.message_dict
    b = agreement(fee="100.00", tier="Silver")
    BillableItem.objects.create(client=b.client, agreement=b, kind="hardware",
                                description="Bad", quantity=Decimal("-1"),
                                unit_price=Decimal("10"), starts_on=SEP)
    with pytest.raises(ValidationError) as exc:
        invoice_build(agreement=b, period_start=OCT)
    assert "quantity" in exc.value.message_dict
    assert InvoiceLine.objects.count() == 0


def test_the_preview_lists_lines_with_reasons_and_writes_nothing():
    a = agreement(fee="100.00")
    session(a, period_start=SEP, classification="billable", amount="62.50", rate="125.00",
            reason="billable: Silver covers monitoring only")
    lines = invoice_preview(agreement=a, period_start=OCT)
    assert [(line.kind, line.amount) for line in lines] == [
        ("recurring", Decimal("100.00")), ("labour", Decimal("62.50"))]
    assert lines[1].reason == "billable: Silver covers monitoring only"
    assert a.invoices.count() == 0
    assert WorkSession.objects.filter(invoiced_line__isnull=False).count() == 0


def test_a_time_and_materials_project_bills_its_sessions_not_the_item():
    a = agreement(fee="100.00")
    BillableItem.objects.create(
        client=a.client, agreement=a, kind="project", description="Office move (T&M)",
        quantity=Decimal("1"), unit_price=Decimal("2000"), starts_on=dt.date(2026, 9, 1),
        is_time_and_materials=True, approval="approved")
    invoice = invoice_build(agreement=a, period_start=OCT)
    assert not invoice.lines.filter(kind="item").exists()


def test_a_billable_line_names_the_day_the_work_started_in_the_current_time_zone():
    from django.utils import timezone

    a = agreement(fee="100.00")
    # 1 September 02:00 UTC is still 31 August in New York.
    s = session(a, period_start=SEP, classification="billable", amount="62.50",
                rate="125.00", day=1)
    WorkSession.objects.filter(pk=s.pk).update(
        started_at=dt.datetime(2026, 9, 1, 2, tzinfo=dt.UTC),
        ended_at=dt.datetime(2026, 9, 1, 2, 30, tzinfo=dt.UTC))
    with timezone.override("America/New_York"):
        labour = invoice_preview(agreement=a, period_start=OCT)[1]
    assert labour.description == "Help desk (remote), 31 Aug 2026, 30 min"
    with timezone.override("UTC"):
        labour = invoice_preview(agreement=a, period_start=OCT)[1]
    assert labour.description == "Help desk (remote), 1 Sep 2026, 30 min"
