"""Audit events of signing links and signed documents: explicit calls, never signals.

Called by documents/services.py inside the service's transaction, so the trail never records
a signature that was rolled back.
"""

from tierdesk.core.events import record


def signing_link_sent_event(*, link, by):
    return record(action="signing_link.sent", obj=link.agreement, by=by,
                  message=f"to {link.contact.name} <{link.contact.email}>, "
                          f"expires {link.expires_at:%Y-%m-%d %H:%M} UTC")


def signing_link_revoked_event(*, link, by, reason: str):
    return record(action="signing_link.revoked", obj=link.agreement, by=by,
                  message=f"link to {link.contact.name} revoked: {reason}")


def agreement_signed_electronically_event(*, document):
    return record(
        action="agreement.signed_electronically", obj=document.agreement, by=None,
        message=(f"typed name {document.signer_name!r} ({document.signer.name}), "
                 f"IP {document.ip_address or 'unknown'}, SHA-256 {document.sha256}"),
        changes={"signed_document": (None, document.pdf.name)},
    )
