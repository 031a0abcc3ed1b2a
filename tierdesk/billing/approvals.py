"""Client approvals of estimates: out-of-scope work above the tier's threshold (and billable
items above it) waits for a contact who can sign to approve.

`approval_request` stores the request with only the SHA-256 of a random single-use token,
and e-mails the link to the client's contacts who can sign; the request is also listed in
the portal. `approval_decide` records the decision once: approved or declined, by whom,
when, with a note. A decided request's link no longer works.
"""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from tierdesk.billing import events
from tierdesk.billing.models import ApprovalRequest, ApprovalState
from tierdesk.core import clock
from tierdesk.core.money import format_money, round_money, to_decimal


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def approval_link(token: str) -> str:
    return settings.SITE_URL + reverse("billing:approval_link", args=[token])


def approval_request(*, description: str, estimate_amount, by, ticket=None, client=None,
                     item=None) -> ApprovalRequest:
    """Ask the client to approve an estimate. The returned request carries the clear
    `token` (never stored) for the caller that mails or shows it; e-mails it to every
    contact of the client who can sign."""
    client = client or (ticket.client if ticket is not None else item.client)
    errors = {}
    if not (description or "").strip():
        errors["description"] = "say what the estimate is for"
    try:
        amount = round_money(to_decimal(estimate_amount))
        if amount <= Decimal("0"):
            errors["estimate_amount"] = "the estimate must be more than zero"
    except (ValueError, TypeError):
        errors["estimate_amount"] = "enter an amount"
    if ticket is not None and ticket.client_id != client.pk:
        errors["ticket"] = "the ticket belongs to another client"
    # With nobody able to sign yet the request still waits in the portal (a billable item
    # must not fail to save for it); the MSP sees it pending on the ticket.
    signers = [c for c in client.contacts.all() if c.can_sign and c.email]
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        request = ApprovalRequest.objects.create(
            client=client, ticket=ticket, item=item, description=description.strip(),
            estimate_amount=amount, token_sha256=token_hash(token), requested_by=by,
            requested_at=clock.now())
        events.approval_requested_event(approval=request, by=by)
        link = approval_link(token)
        money = format_money(amount, getattr(settings, "CURRENCY", "USD"))
        subject = f"Approval needed: {money} estimate" + (
            f" [{ticket.reference}]" if ticket is not None else "")
        body = (f"{request.description}\n\nEstimate: {money}\n\n"
                f"Approve or decline (single-use link):\n{link}\n\n"
                "You can also decide in the client portal.")
        if signers:
            transaction.on_commit(lambda: EmailMessage(
                subject=subject, body=body, to=[c.email for c in signers]).send())
    request.token = token
    return request


def approval_for_token(token: str) -> ApprovalRequest | None:
    """The pending request a link's token opens (None for an unknown or used token)."""
    return (ApprovalRequest.objects.select_related("client", "ticket")
            .filter(token_sha256=token_hash(token or ""), state=ApprovalState.PENDING).first())


def approval_decide(*, request: ApprovalRequest, approve: bool, contact=None,
                    note: str = "") -> ApprovalRequest:
    """Record the client's decision once. A contact must belong to the client and be able
    to sign; `contact=None` is a decision through the e-mailed link. Deciding again is
    refused (ValidationError on `state`)."""
    if contact is not None and (contact.client_id != request.client_id or not contact.can_sign):
        raise ValidationError({"contact": "only a contact of the client who can sign may "
                                          "decide"})
    with transaction.atomic():
        fresh = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        if fresh.state != ApprovalState.PENDING:
            raise ValidationError({"state": f"already {fresh.get_state_display().lower()}"})
        fresh.state = ApprovalState.APPROVED if approve else ApprovalState.DECLINED
        fresh.decided_by = contact
        fresh.decided_at = clock.now()
        fresh.decision_note = (note or "").strip() or (
            "" if contact is not None else "decided through the e-mailed link")
        # The token is single-use: replace its hash so the link never opens again.
        fresh.token_sha256 = token_hash(secrets.token_urlsafe(32))
        fresh.save()
        if fresh.item_id:
            from tierdesk.billing.items import item_approval_set

            item_approval_set(item=fresh.item, approved=approve,
                              by=getattr(contact, "user", None))
        events.approval_decided_event(approval=fresh, contact=contact)
    return fresh
