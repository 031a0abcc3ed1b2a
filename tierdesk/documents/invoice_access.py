"""The only ways to fetch an invoice (or credit note) for someone.

Staff reach every invoice. A client contact reaches only its own client's invoices once
they have been issued (issued, paid or void): drafts are the MSP's work in progress.
Anything else — another client's invoice, a draft, an unknown id — is Http404.
"""

from django.db.models import QuerySet
from django.http import Http404

from tierdesk.billing.models import Invoice, InvoiceStatus
from tierdesk.clients.access import contact_client

CLIENT_VISIBLE = (InvoiceStatus.ISSUED, InvoiceStatus.PAID, InvoiceStatus.VOID)


def _invoices() -> QuerySet[Invoice]:
    return Invoice.objects.select_related("client", "agreement__plan_version__plan", "credits")


def _get(queryset: QuerySet[Invoice], pk) -> Invoice:
    try:
        return queryset.get(pk=pk)
    except (Invoice.DoesNotExist, ValueError, TypeError):
        raise Http404("No such invoice.") from None


def invoices_for_staff(user) -> QuerySet[Invoice]:
    if not (user.is_authenticated and user.is_msp_staff):
        raise Http404("No such invoice.")
    return _invoices()


def invoice_for_staff(user, pk) -> Invoice:
    return _get(invoices_for_staff(user), pk)


def invoices_for_contact(user) -> QuerySet[Invoice]:
    """The contact's own client's invoices and credit notes, drafts excluded."""
    return _invoices().filter(client=contact_client(user), status__in=CLIENT_VISIBLE)


def invoice_for_contact(user, pk) -> Invoice:
    return _get(invoices_for_contact(user), pk)


def invoice_for_user(user, pk) -> Invoice:
    """Staff see any invoice, a contact its own client's issued ones (the API uses this)."""
    if user.is_authenticated and user.is_msp_staff:
        return invoice_for_staff(user, pk)
    return invoice_for_contact(user, pk)
