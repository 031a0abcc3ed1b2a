"""The only ways to fetch signing links and signed documents for someone.

Staff reach any document; a client contact reaches only its own client's, through the
clients app's `agreement_for_contact`; a signing link is reached only by its token, and
every reason it cannot be used has its own message and HTTP status (404 for a token that
matches nothing, 410 for one that did exist but is spent).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from tierdesk.clients.access import agreement_for_contact
from tierdesk.clients.models import AgreementStatus
from tierdesk.core.clock import now
from tierdesk.documents.models import SignedDocument, SigningLink
from tierdesk.documents.tokens import token_sha256


class SigningLinkUnavailable(Exception):
    """A signing link cannot be used; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def signing_link_check(link: SigningLink) -> None:
    """Raise SigningLinkUnavailable unless `link` can sign now."""
    if link.revoked_at is not None:
        raise SigningLinkUnavailable(
            "This signing link has been withdrawn; a newer link may have been sent to you.",
            status=410)
    if link.used_at is not None:
        raise SigningLinkUnavailable(
            "This agreement has already been signed with this link.", status=410)
    if link.expires_at <= now():
        raise SigningLinkUnavailable(
            "This signing link has expired. Please ask us to send a new one.", status=410)
    sent_at = link.agreement.sent_at
    if sent_at is not None and link.created_at < sent_at:
        # Issued before the agreement was last sent (it was recalled and sent again,
        # perhaps changed): only links of the current sending may sign.
        raise SigningLinkUnavailable(
            "This signing link has been withdrawn; a newer link may have been sent to you.",
            status=410)
    if link.agreement.status != AgreementStatus.SENT:
        raise SigningLinkUnavailable(
            "This agreement is no longer waiting for a signature.", status=410)


def signing_link_for_token(token: str, *, for_update: bool = False) -> SigningLink:
    """The usable link whose token is `token`, or SigningLinkUnavailable (404 forged,
    410 revoked / used / expired / agreement no longer sent)."""
    links = SigningLink.objects.select_related("agreement__client", "agreement__plan_version",
                                               "contact")
    if for_update:
        links = links.select_for_update(of=("self",))
    link = links.filter(token_sha256=token_sha256(token or "")).first()
    if link is None:
        raise SigningLinkUnavailable(
            "This signing link is not valid. Check that you copied the whole address.",
            status=404)
    signing_link_check(link)
    return link


def signed_document_for_staff(user, pk: int) -> SignedDocument:
    if not user.is_msp_staff:
        raise Http404
    return get_object_or_404(
        SignedDocument.objects.select_related("agreement__client", "signer"), pk=pk)


def signed_document_for_contact(user, agreement_pk: int) -> SignedDocument:
    """The signed document of one of the contact's own agreements, else 404."""
    agreement = agreement_for_contact(user, agreement_pk)
    document = SignedDocument.objects.select_related("agreement__client", "signer").filter(
        agreement=agreement).first()
    if document is None:
        raise Http404("this agreement has not been signed yet")
    return document


def signed_document_for_hash(sha256: str) -> SignedDocument:
    """Public lookup by the hash printed on the document; reveals nothing else."""
    return get_object_or_404(SignedDocument.objects.select_related("agreement__client"),
                             sha256=(sha256 or "").lower())
