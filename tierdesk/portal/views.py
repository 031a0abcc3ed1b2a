"""The client portal: a contact sees its own client's agreements, reads them and downloads
the signed PDF. Every object is fetched through the access helpers of clients and documents,
so another client's agreement is a 404. (Tickets come later.)"""

from django.shortcuts import render

from tierdesk.clients.access import agreement_for_contact, agreements_for_contact, contact_client
from tierdesk.core.permissions import contact_view
from tierdesk.documents.access import signed_document_for_contact
from tierdesk.documents.agreement_document import agreement_document_context
from tierdesk.documents.selectors import signed_agreement_ids
from tierdesk.documents.views import signed_pdf_response


@contact_view
def home(request):
    client = contact_client(request.user)
    agreements = list(agreements_for_contact(request.user))
    signed_ids = signed_agreement_ids(agreements)
    for agreement in agreements:
        agreement.has_signed_pdf = agreement.pk in signed_ids
    return render(request, "portal/home.html", {"client": client, "agreements": agreements})


@contact_view
def agreement_detail(request, pk: int):
    agreement = agreement_for_contact(request.user, pk)
    context = agreement_document_context(agreement)
    context["has_signed_pdf"] = bool(signed_agreement_ids([agreement]))
    return render(request, "portal/agreement_detail.html", context)


@contact_view
def signed_pdf(request, pk: int):
    return signed_pdf_response(signed_document_for_contact(request.user, pk))
