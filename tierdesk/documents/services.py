"""Writes of the documents app: sending an agreement for signature, and capturing the
electronic signature.

Sending goes through clients' `agreement_send` (feasibility checks and the draft → sent
transition); signing goes through clients' `agreement_sign` (sent → signed, and active when
the term has started). This module adds the single-use link, the e-mail, and the signed
PDF with its hash stamped on it (see stamping.py and verification.py).
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from tierdesk.clients import services as client_services
from tierdesk.clients.models import Agreement, AgreementStatus, Contact
from tierdesk.core.clock import now
from tierdesk.core.msp import msp_identity
from tierdesk.documents import events
from tierdesk.documents.access import SigningLinkUnavailable, signing_link_for_token
from tierdesk.documents.agreement_document import SignatureEvidence, agreement_pdf
from tierdesk.documents.models import SignedDocument, SigningLink
from tierdesk.documents.stamping import pdf_append_hash_stamp
from tierdesk.documents.tokens import token_new

USER_AGENT_MAX = 400
NAME_MAX = 150


def signing_url(token: str) -> str:
    return settings.SITE_URL + reverse("documents:sign", args=[token])


def verify_url(sha256: str) -> str:
    return settings.SITE_URL + reverse("documents:verify_hash", args=[sha256])


def _check_signer(*, agreement: Agreement, contact: Contact) -> None:
    if contact.client_id != agreement.client_id:
        raise ValidationError({"contact": "the contact must belong to the agreement's client"})
    if not contact.can_sign:
        raise ValidationError({"contact": f"{contact.name} is not allowed to sign for the client"})
    if not contact.email:
        raise ValidationError({"contact": f"{contact.name} has no e-mail address to send the "
                                          "link to"})


def _send_signing_mail(*, link: SigningLink, url: str) -> None:
    context = {"link": link, "url": url, "agreement": link.agreement,
               "contact": link.contact, "msp": msp_identity()}
    subject = (f"Please sign your {link.agreement.plan_version.plan.name} support agreement "
               f"with {context['msp'].name}")
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("documents/email/signing_link.txt", context),
        to=[link.contact.email],
    )
    message.attach_alternative(render_to_string("documents/email/signing_link.html", context),
                               "text/html")
    message.send()


def signing_links_revoke(*, agreement: Agreement, by, reason: str) -> int:
    """Revoke every unused, unrevoked link of `agreement`; returns how many."""
    with transaction.atomic():
        links = list(SigningLink.objects.select_for_update().select_related("contact").filter(
            agreement=agreement, used_at__isnull=True, revoked_at__isnull=True))
        at = now()
        for link in links:
            # Conditional, so a link used a moment ago is not marked revoked as well.
            if SigningLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
                    revoked_at=at):
                events.signing_link_revoked_event(link=link, by=by, reason=reason)
        return len(links)


def agreement_send_for_signature(*, agreement: Agreement, contact: Contact, by,
                                 acknowledge: bool = False, note: str = "",
                                 expires_in_days: int = 14) -> tuple[SigningLink, str]:
    """Send `agreement` to `contact` for electronic signature; returns (link, signing URL).

    A draft goes through clients' `agreement_send` first (feasibility warnings must be
    acknowledged; nothing is stored when they are not). An agreement already sent can be
    sent again: older unused links are revoked, so only the newest link signs. The e-mail
    is sent inside the transaction: if the mail server refuses it, nothing is stored and the
    caller sees the error, rather than a link nobody received.
    """
    _check_signer(agreement=agreement, contact=contact)
    if not 1 <= expires_in_days <= 90:
        raise ValidationError({"expires_in_days": "a link must expire within 1 to 90 days"})
    with transaction.atomic():
        if agreement.status == AgreementStatus.DRAFT:
            client_services.agreement_send(agreement=agreement, by=by, acknowledge=acknowledge,
                                           note=note)
            agreement.refresh_from_db()
        elif agreement.status != AgreementStatus.SENT:
            raise ValidationError({"agreement": f"a {agreement.get_status_display().lower()} "
                                                "agreement cannot be sent for signature"})
        signing_links_revoke(agreement=agreement, by=by, reason="a new link was sent")
        token, token_hash = token_new()
        link = SigningLink.objects.create(
            agreement=agreement, contact=contact, token_sha256=token_hash, created_by=by,
            expires_at=now() + timedelta(days=expires_in_days),
        )
        url = signing_url(token)
        events.signing_link_sent_event(link=link, by=by)
        _send_signing_mail(link=link, url=url)
    return link, url


def _clean_ip(ip: str | None) -> str | None:
    try:
        validate_ipv46_address(ip or "")
    except ValidationError:
        return None
    return ip


def agreement_signature_capture(*, token: str, typed_name: str, consent: bool,
                                ip: str | None, user_agent: str) -> SignedDocument:
    """Sign the agreement of the link `token` with the evidence given; returns the stored
    SignedDocument.

    Raises SigningLinkUnavailable (forged / revoked / used / expired / agreement no longer
    sent), ValidationError naming `typed_name` or `consent`, or core.pdf.PdfRenderError —
    in each case nothing is changed and the link stays as it was.

    The PDF is rendered before the transaction (rendering takes a while and must not hold
    the database's write lock); inside it the link is re-checked and claimed with a
    conditional UPDATE, so a double submit or two tabs sign exactly once.
    """
    link = signing_link_for_token(token)
    typed_name = " ".join((typed_name or "").split())
    errors = {}
    if not typed_name:
        errors["typed_name"] = "type your full name to sign"
    elif len(typed_name) > NAME_MAX:
        errors["typed_name"] = f"at most {NAME_MAX} characters"
    if not consent:
        errors["consent"] = "tick the box to agree to sign electronically"
    if errors:
        raise ValidationError(errors)

    agreement = link.agreement
    evidence = SignatureEvidence(
        typed_name=typed_name, contact=link.contact, signed_at=now(),
        ip_address=_clean_ip(ip), user_agent=(user_agent or "")[:USER_AGENT_MAX],
    )
    signed_pdf = agreement_pdf(agreement, signature=evidence)
    sha = hashlib.sha256(signed_pdf).hexdigest()
    stored = pdf_append_hash_stamp(signed_pdf, sha256=sha, verify_url=verify_url(sha))

    with transaction.atomic():
        link = signing_link_for_token(token, for_update=True)
        claimed = SigningLink.objects.filter(
            pk=link.pk, used_at__isnull=True, revoked_at__isnull=True,
        ).update(used_at=evidence.signed_at)
        if not claimed:
            raise SigningLinkUnavailable(
                "This agreement has already been signed with this link.", status=410)
        client_services.agreement_sign(agreement=link.agreement, signed_at=evidence.signed_at,
                                       by=None)
        # Storage picks a fresh name if this one exists: a signed file is never overwritten.
        name = default_storage.save(f"agreements/signed/agreement-{agreement.pk}-{sha[:16]}.pdf",
                                    ContentFile(stored))
        try:
            document = SignedDocument.objects.create(
                agreement=link.agreement, link=link, signer=link.contact,
                signer_name=typed_name, signed_at=evidence.signed_at,
                ip_address=evidence.ip_address, user_agent=evidence.user_agent,
                pdf=name, sha256=sha, signed_length=len(signed_pdf),
                file_sha256=hashlib.sha256(stored).hexdigest(),
            )
            events.agreement_signed_electronically_event(document=document)
        except Exception:
            # The row is rolled back with the transaction; do not leave its file behind.
            default_storage.delete(name)
            raise
    return document
