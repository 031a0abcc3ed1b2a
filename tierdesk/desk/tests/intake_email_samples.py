"""Messages and fixtures for the e-mail intake tests.

`mail(...)` builds a raw message; the fixtures put acme on a tier that includes e-mail
(desk_fixtures.acme_on_gold) and name the personas' contacts.
"""
# ruff: noqa: F811

from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest

from tierdesk.core import clock
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold  # noqa: F401

ACME_CONTACT = "contact@acme.example"  # the `contact` persona (conftest)
GLOBEX_CONTACT = "outsider@globex.example"  # the `outsider` persona


def mail(*, sender: str = ACME_CONTACT, subject: str = "Printer is jammed",
         body: str = "The printer on floor 2 is jammed again.", html: str | None = None,
         message_id: str | None = None, headers: dict | None = None,
         attachments=()) -> bytes:
    """A raw RFC 5322 message with CRLF line ends, as on the wire (smtplib sends bytes
    as they are). `message_id=""` leaves the Message-ID out."""
    msg = EmailMessage()
    if sender:
        msg["From"] = f"Sender <{sender}>"
    msg["To"] = "support@msp.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(clock.now())
    if message_id is None:
        message_id = make_msgid(domain="client.example")
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, payload, ctype in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=policy.SMTP)


@pytest.fixture
def desk(acme_on_gold, personas):
    """acme on Gold (e-mail included); `contact` of acme and `outsider` of globex."""
    return personas
