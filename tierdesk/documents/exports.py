"""Invoice exports: a CSV of invoices and their lines, and QuickBooks Desktop IIF.

Both take the invoices and credit notes *issued* (issued, paid or void — a void invoice was
still issued and numbered; its status column says so, and IIF leaves it out) whose issue
date, in UTC, lies in [date_from, date_to].

CSV (`invoices_csv`): one row per invoice line, invoice columns repeated on each row:
    number, kind, status, credits, client, issued_on, due_on, period_start, period_end,
    currency, line, line_kind, description, reason, quantity, unit_price, amount, taxable,
    subtotal, tax, total
Dates are ISO (YYYY-MM-DD), amounts plain decimals with a dot ("1234.50"), no currency sign.

QuickBooks Desktop IIF (`invoices_iif`), tab-separated, CRLF line ends, one transaction per
invoice, void invoices left out:
    !TRNS  TRNSID TRNSTYPE DATE ACCNT NAME AMOUNT DOCNUM MEMO DUEDATE
    !SPL   SPLID  TRNSTYPE DATE ACCNT NAME AMOUNT DOCNUM MEMO QNTY PRICE
    !ENDTRNS
    TRNS   ""  INVOICE  MM/DD/YYYY  <AR account>  <client>  <total>   <number> <period> MM/DD/YYYY
    SPL    ""  INVOICE  MM/DD/YYYY  <income account of the line kind> <client> -<amount>
                                    <number> <description> -<quantity> <unit price>
    SPL    ""  INVOICE  ...         <sales tax account> <client> -<tax> <number> "Sales tax n%"
    ENDTRNS
The TRNS amount (the receivable) equals minus the sum of its SPL amounts, so QuickBooks
balances it. A credit note is TRNSTYPE "CREDIT MEMO" with every sign reversed (the TRNS
amount negative). Its memo names the invoice it credits. The tax SPL is written only when
there is tax.
Accounts (settings, with these defaults):
    TIERDESK_IIF_AR_ACCOUNT        "Accounts Receivable"
    TIERDESK_IIF_TAX_ACCOUNT       "Sales Tax Payable"
    TIERDESK_IIF_INCOME_ACCOUNTS   {line kind: account} merged over INCOME_ACCOUNTS below
Tabs, quotes and line breaks inside names and descriptions are replaced by spaces: IIF has
no quoting.
"""

import csv
import io
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet

from tierdesk.billing.models import Invoice, InvoiceKind, InvoiceStatus, LineKind

EXPORTED = (InvoiceStatus.ISSUED, InvoiceStatus.PAID, InvoiceStatus.VOID)
CSV_COLUMNS = [
    "number", "kind", "status", "credits", "client", "issued_on", "due_on", "period_start",
    "period_end", "currency", "line", "line_kind", "description", "reason", "quantity",
    "unit_price", "amount", "taxable", "subtotal", "tax", "total",
]
INCOME_ACCOUNTS = {
    LineKind.RECURRING: "Managed Services Income",
    LineKind.PRORATION: "Managed Services Income",
    LineKind.OVERAGE: "Support Labor Income",
    LineKind.LABOUR: "Support Labor Income",
    LineKind.TRAVEL: "Support Labor Income",
    LineKind.ADJUSTMENT: "Support Labor Income",
    LineKind.ITEM: "Hardware and Software Sales",
    LineKind.DISCOUNT: "Discounts Given",
}
IIF_HEADER = [
    ["!TRNS", "TRNSID", "TRNSTYPE", "DATE", "ACCNT", "NAME", "AMOUNT", "DOCNUM", "MEMO",
     "DUEDATE"],
    ["!SPL", "SPLID", "TRNSTYPE", "DATE", "ACCNT", "NAME", "AMOUNT", "DOCNUM", "MEMO", "QNTY",
     "PRICE"],
    ["!ENDTRNS"],
]


def invoices_exported(*, date_from: date, date_to: date) -> QuerySet[Invoice]:
    """Invoices and credit notes issued between the two dates (inclusive, UTC)."""
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    end = datetime.combine(date_to, time.max, tzinfo=UTC)
    return (Invoice.objects.filter(status__in=EXPORTED, issued_at__gte=start,
                                   issued_at__lte=end)
            .select_related("client", "credits").prefetch_related("lines")
            .order_by("issued_at", "number"))


def _plain(value: Decimal, places: int = 2) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-places)):f}"


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


def invoices_csv(invoices) -> str:
    """The CSV text of `invoices` (see the module docstring for the columns)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for invoice in invoices:
        head = [invoice.number, invoice.kind, invoice.status,
                invoice.credits.number if invoice.credits_id else "", invoice.client.name,
                invoice.issued_at.date().isoformat() if invoice.issued_at else "",
                invoice.due_on.isoformat() if invoice.due_on else "",
                invoice.period_start.isoformat(), invoice.period_end.isoformat(),
                invoice.currency]
        tail = [_plain(invoice.subtotal), _plain(invoice.tax), _plain(invoice.total)]
        for line in invoice.lines.all():
            writer.writerow(head + [
                line.position, line.kind, line.description, line.reason,
                _quantity(line.quantity), _quantity(line.unit_price), _plain(line.amount),
                "yes" if line.taxable else "no",
            ] + tail)
    return out.getvalue()


def _iif_text(value: str) -> str:
    return " ".join(str(value).replace('"', "'").split())


def _us_date(value: date | None) -> str:
    return f"{value:%m/%d/%Y}" if value else ""


def income_account(kind: str) -> str:
    accounts = INCOME_ACCOUNTS | dict(getattr(settings, "TIERDESK_IIF_INCOME_ACCOUNTS", {}) or {})
    return accounts.get(kind, INCOME_ACCOUNTS[LineKind.LABOUR])


def invoices_iif(invoices) -> str:
    """QuickBooks Desktop IIF of `invoices` (see the module docstring); void ones skipped."""
    ar = getattr(settings, "TIERDESK_IIF_AR_ACCOUNT", None) or "Accounts Receivable"
    tax_account = getattr(settings, "TIERDESK_IIF_TAX_ACCOUNT", None) or "Sales Tax Payable"
    rows = [list(r) for r in IIF_HEADER]
    for invoice in invoices:
        if invoice.status == InvoiceStatus.VOID:
            continue
        credit = invoice.kind == InvoiceKind.CREDIT_NOTE
        trnstype = "CREDIT MEMO" if credit else "INVOICE"
        # Amounts are stored as the document shows them; a credit note's, whatever their
        # stored sign, reduce the receivable.
        sign = Decimal(-1) if credit and invoice.total > 0 else Decimal(1)
        day = _us_date(invoice.issued_at.date() if invoice.issued_at else invoice.period_end)
        name = _iif_text(invoice.client.name)
        memo = (f"Credit for invoice {invoice.credits.number}" if credit and invoice.credits_id
                else f"Period {invoice.period_start:%m/%d/%Y}-{invoice.period_end:%m/%d/%Y}")
        rows.append(["TRNS", "", trnstype, day, ar, name, _plain(sign * invoice.total),
                     invoice.number, memo, "" if credit else _us_date(invoice.due_on)])
        for line in invoice.lines.all():
            rows.append(["SPL", "", trnstype, day, income_account(line.kind), name,
                         _plain(-sign * line.amount), invoice.number,
                         _iif_text(line.description), _quantity(-sign * line.quantity),
                         _quantity(line.unit_price)])
        if invoice.tax:
            rows.append(["SPL", "", trnstype, day, tax_account, name, _plain(-sign * invoice.tax),
                         invoice.number, f"Sales tax {invoice.tax_rate.normalize():f}%", "", ""])
        rows.append(["ENDTRNS"])
    return "".join("\t".join(str(cell) for cell in row) + "\r\n" for row in rows)
