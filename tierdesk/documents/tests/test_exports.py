"""Invoice exports: the CSV of lines and QuickBooks Desktop IIF, in their exact format for
a known invoice and credit note, and the staff export pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tierdesk.billing.models import Invoice
from tierdesk.documents import exports
from tierdesk.documents.tests import invoice_fixtures
from tierdesk.documents.tests.invoice_fixtures import make_invoice

acme_agreement = invoice_fixtures.acme_agreement
issued_invoice = invoice_fixtures.issued_invoice

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 28)


def exported():
    return exports.invoices_exported(date_from=JAN, date_to=FEB)


def test_the_csv_has_one_row_per_line_in_the_documented_columns(issued_invoice):
    assert exports.invoices_csv(exported()).split("\r\n") == [
        "number,kind,status,credits,client,issued_on,due_on,period_start,period_end,currency,"
        "line,line_kind,description,reason,quantity,unit_price,amount,taxable,subtotal,tax,total",
        "INV-000041,invoice,issued,,Acme Dental,2026-02-01,2026-03-03,2026-01-01,2026-01-31,USD,"
        "1,recurring,\"Silver support, January 2026\",,1,399,399.00,yes,2986.48,52.05,3038.53",
        "INV-000041,invoice,issued,,Acme Dental,2026-02-01,2026-03-03,2026-01-01,2026-01-31,USD,"
        "2,labour,\"Break-fix: printer driver, 90 min\",billable: Silver covers monitoring only; "
        "break-fix at $125.00/h,1.5,125,187.50,yes,2986.48,52.05,3038.53",
        "INV-000041,invoice,issued,,Acme Dental,2026-02-01,2026-03-03,2026-01-01,2026-01-31,USD,"
        "3,item,2 × Dell Latitude 5550,hardware: cost $999.99 + 20% markup,2,1199.99,2399.98,no,"
        "2986.48,52.05,3038.53",
        "",
    ]


def test_the_iif_balances_each_invoice_against_receivables(issued_invoice):
    rows = [line.split("\t") for line in exports.invoices_iif(exported()).split("\r\n")]
    assert rows == [
        ["!TRNS", "TRNSID", "TRNSTYPE", "DATE", "ACCNT", "NAME", "AMOUNT", "DOCNUM", "MEMO",
         "DUEDATE"],
        ["!SPL", "SPLID", "TRNSTYPE", "DATE", "ACCNT", "NAME", "AMOUNT", "DOCNUM", "MEMO",
         "QNTY", "PRICE"],
        ["!ENDTRNS"],
        ["TRNS", "", "INVOICE", "02/01/2026", "Accounts Receivable", "Acme Dental", "3038.53",
         "INV-000041", "Period 01/01/2026-01/31/2026", "03/03/2026"],
        ["SPL", "", "INVOICE", "02/01/2026", "Managed Services Income", "Acme Dental",
         "-399.00", "INV-000041", "Silver support, January 2026", "-1", "399"],
        ["SPL", "", "INVOICE", "02/01/2026", "Support Labor Income", "Acme Dental", "-187.50",
         "INV-000041", "Break-fix: printer driver, 90 min", "-1.5", "125"],
        ["SPL", "", "INVOICE", "02/01/2026", "Hardware and Software Sales", "Acme Dental",
         "-2399.98", "INV-000041", "2 × Dell Latitude 5550", "-2", "1199.99"],
        ["SPL", "", "INVOICE", "02/01/2026", "Sales Tax Payable", "Acme Dental", "-52.05",
         "INV-000041", "Sales tax 8.875%", "", ""],
        ["ENDTRNS"],
        [""],
    ]


def test_a_credit_note_is_a_credit_memo_that_reduces_receivables(acme_agreement,
                                                                 issued_invoice, settings):
    settings.TIERDESK_IIF_AR_ACCOUNT = "AR"
    settings.TIERDESK_IIF_INCOME_ACCOUNTS = {"adjustment": "Refunds"}
    make_invoice(acme_agreement, number="INV-000043", kind="credit_note", status="issued",
                 credits=issued_invoice, tax_rate=Decimal("0"),
                 lines=[("adjustment", "Printer time\tnot billable", "goodwill", "1",
                         "-187.50", "-187.50", True)])
    text = exports.invoices_iif(exported())
    assert text.split("\r\n")[-4:] == [
        "TRNS\t\tCREDIT MEMO\t02/01/2026\tAR\tAcme Dental\t-187.50\tINV-000043\t"
        "Credit for invoice INV-000041\t",
        "SPL\t\tCREDIT MEMO\t02/01/2026\tRefunds\tAcme Dental\t187.50\tINV-000043\t"
        "Printer time not billable\t-1\t-187.5",
        "ENDTRNS",
        "",
    ]


def test_drafts_and_invoices_outside_the_range_are_not_exported(acme_agreement,
                                                               issued_invoice):
    make_invoice(acme_agreement, number="INV-000050", status="draft",
                 period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28))
    assert Invoice.objects.count() == 2
    assert [i.number for i in exported()] == ["INV-000041"]
    assert list(exports.invoices_exported(date_from=dt.date(2026, 2, 2),
                                          date_to=dt.date(2026, 3, 1))) == []


@pytest.mark.parametrize("role,status", [("owner", 200), ("billing", 200),
                                         ("dispatcher", 403), ("technician", 403),
                                         ("outsider", 403)])
def test_only_owner_and_billing_export(issued_invoice, personas, login, role, status):
    client = login(getattr(personas, role))
    response = client.get(reverse("documents:invoice_export_csv"),
                          {"date_from": "2026-01-01", "date_to": "2026-02-28"})
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"] == (
            'attachment; filename="invoices-20260101-20260228.csv"')
        assert b"INV-000041" in response.content
        iif = client.get(reverse("documents:invoice_export_iif"),
                         {"date_from": "2026-01-01", "date_to": "2026-02-28"})
        assert iif.content.startswith(b"!TRNS\tTRNSID")


def test_a_backwards_range_is_a_field_error(personas, login):
    response = login(personas.billing).get(reverse("documents:invoice_export_csv"),
                                           {"date_from": "2026-03-01", "date_to": "2026-01-01"})
    assert response.status_code == 400
    assert b"date_to: must not be before the start date" in response.content
