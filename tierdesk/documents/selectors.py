"""Reads of the documents app."""

from collections.abc import Iterable

from tierdesk.clients.models import Agreement
from tierdesk.documents.models import SignedDocument, SigningLink


def signed_agreement_ids(agreements: Iterable[Agreement]) -> set[int]:
    """The ids of those of `agreements` that have a signed document."""
    return set(SignedDocument.objects.filter(agreement__in=list(agreements))
               .values_list("agreement_id", flat=True))


def signing_link_list(*, agreement: Agreement):
    """Every link issued for `agreement`, newest first (tokens are not recoverable)."""
    return SigningLink.objects.filter(agreement=agreement).select_related("contact",
                                                                         "created_by")
