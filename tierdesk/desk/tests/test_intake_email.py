"""E-mail intake: a stored message becomes a ticket, a threaded reply, a held or a recorded
message — each with its reason; nothing is dropped, nothing is answered twice."""
# ruff: noqa: F811

import hashlib

import pytest
from django.core import mail as outbox
from django.core.files.storage import default_storage
from django.db import OperationalError

from tierdesk.clients.factories import ContactFactory
from tierdesk.desk.intake import email as intake
from tierdesk.desk.intake.email import email_receive, email_retry_pending
from tierdesk.desk.models import Attachment, EntryKind, InboundMessage, Ticket, TicketEntry
from tierdesk.desk.services import ticket_reply, ticket_transition
from tierdesk.desk.tests.intake_email_samples import (  # noqa: F401
    ACME_CONTACT,
    GLOBEX_CONTACT,
    acme_on_gold,
    desk,
    gold,
    mail,
)

pytestmark = pytest.mark.django_db


def _open(subject="Printer is jammed", **kwargs) -> Ticket:
    row = email_receive(raw=mail(subject=subject, **kwargs), envelope_from=ACME_CONTACT)
    assert row.status == "ticketed", row.reason
    return row.ticket


def _ack_id(ticket: Ticket) -> str:
    return ticket.entries.get(kind=EntryKind.SYSTEM, data__notice="acknowledgement").message_id


# --- new tickets and redelivery ---------------------------------------------------------

def test_mail_from_a_known_contact_opens_an_email_ticket_with_an_acknowledgement(desk, acme):
    row = email_receive(raw=mail(subject="Printer is jammed"), envelope_from=ACME_CONTACT)
    assert row.status == "ticketed", row.reason
    ticket = row.ticket
    assert (ticket.client, ticket.channel, ticket.subject) == (acme, "email",
                                                              "Printer is jammed")
    assert ticket.contact.email == ACME_CONTACT and not ticket.outside_entitlement
    first = ticket.entries.get(kind=EntryKind.INBOUND)
    assert first.inbound == row and "floor 2" in first.body
    assert first.message_id.startswith("<") and first.message_id == row.dedupe_key
    assert _ack_id(ticket).startswith("<")  # the desk acknowledges by mail
    assert row.reason == f"opened {ticket.reference}"


def test_the_sender_address_is_matched_case_insensitively(desk):
    row = email_receive(raw=mail(sender="Contact@ACME.Example"))
    assert row.status == "ticketed" and row.ticket.contact.user == desk.contact


def test_a_redelivered_message_returns_the_stored_row_and_creates_nothing(desk):
    raw = mail(message_id="<same-1@client.example>")
    first = email_receive(raw=raw, envelope_from=ACME_CONTACT)
    again = email_receive(raw=raw, envelope_from=ACME_CONTACT)
    assert again.pk == first.pk and again.ticket_id == first.ticket_id
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1
    assert first.dedupe_key == "<same-1@client.example>"


def test_a_message_without_message_id_is_deduplicated_by_the_hash_of_its_bytes(desk):
    raw = mail(message_id="")
    first = email_receive(raw=raw, envelope_from=ACME_CONTACT)
    again = email_receive(raw=raw, envelope_from=ACME_CONTACT)
    assert first.dedupe_key == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert again.pk == first.pk and Ticket.objects.count() == 1


def test_the_envelope_is_kept_as_trace_headers_on_the_stored_message(desk):
    raw = mail()
    row = email_receive(raw=raw, envelope_from=ACME_CONTACT,
                        recipients=["support@msp.example"])
    stored = bytes(row.raw)
    assert stored.startswith(b"Return-Path: <contact@acme.example>\r\n"
                             b"Delivered-To: support@msp.example\r\n")
    assert stored.endswith(raw) and row.size == len(raw)


# --- threading --------------------------------------------------------------------------

def test_a_reply_to_the_acknowledgement_is_threaded_by_in_reply_to(desk):
    ticket = _open()
    reply = mail(subject="Re: something else entirely",
                 body="Still jammed.\n\nOn Mon, 2 Mar 2026 at 09:00, Desk <desk@msp> wrote:\n"
                      "> We have opened a ticket.\n",
                 headers={"In-Reply-To": _ack_id(ticket)})
    row = email_receive(raw=reply, envelope_from=ACME_CONTACT)
    assert row.status == "threaded", row.reason
    assert row.ticket == ticket and "In-Reply-To" in row.reason
    entry = ticket.entries.filter(kind=EntryKind.INBOUND).last()
    assert entry.body == "Still jammed."  # quoted history stripped from the entry
    assert b"We have opened a ticket." in bytes(row.raw)  # but kept in the raw message
    assert Ticket.objects.count() == 1


def test_a_reply_naming_the_ticket_only_in_references_is_threaded(desk):
    ticket = _open()
    reply = mail(subject="Re: x", headers={"References": f"<unknown@x> {_ack_id(ticket)}"})
    assert email_receive(raw=reply, envelope_from=ACME_CONTACT).ticket == ticket


def test_a_staff_reply_sent_by_the_desk_threads_the_clients_answer_back(
        desk, django_capture_on_commit_callbacks):
    ticket = _open()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, body="Please power-cycle it.", by=desk.technician)
    sent = outbox.outbox[-1]
    assert sent.to == [ACME_CONTACT]
    answer = mail(subject=f"Re: {sent.subject}", body="Done, works now.",
                  headers={"In-Reply-To": sent.extra_headers["Message-ID"]})
    row = email_receive(raw=answer, envelope_from=ACME_CONTACT)
    assert row.status == "threaded" and row.ticket == ticket


def test_a_ticket_token_in_the_subject_threads_the_message(desk):
    ticket = _open()
    row = email_receive(raw=mail(subject=f"Re: [{ticket.reference.lower()}] more info"),
                        envelope_from=ACME_CONTACT)
    assert row.status == "threaded" and row.ticket == ticket
    assert "subject token" in row.reason


def test_a_contact_of_another_client_cannot_write_into_acmes_ticket_by_subject_token(desk):
    ticket = _open()
    row = email_receive(raw=mail(sender=GLOBEX_CONTACT, subject=f"[{ticket.reference}] hi"),
                        envelope_from=GLOBEX_CONTACT)
    assert row.status == "held" and row.ticket is None
    assert "not a contact of the client" in row.reason
    assert ticket.entries.filter(kind=EntryKind.INBOUND).count() == 1
    assert Ticket.objects.count() == 1


def test_a_contact_of_another_client_cannot_write_into_acmes_ticket_by_in_reply_to(desk):
    ticket = _open()
    row = email_receive(raw=mail(sender=GLOBEX_CONTACT, headers={"In-Reply-To": _ack_id(ticket)}),
                        envelope_from=GLOBEX_CONTACT)
    assert row.status == "held" and ticket.entries.filter(kind=EntryKind.INBOUND).count() == 1


def test_a_reply_to_a_closed_ticket_opens_a_new_ticket_that_says_which_it_follows(desk):
    ticket = _open()
    ticket_transition(ticket=ticket, to="closed", by=desk.dispatcher)
    row = email_receive(raw=mail(subject=f"Re: [{ticket.reference}] it is back"),
                        envelope_from=ACME_CONTACT)
    assert row.status == "ticketed" and row.ticket != ticket
    assert f"follows {ticket.reference}" in row.reason
    assert ticket.reference in row.ticket.entries.get(kind=EntryKind.INBOUND).body


# --- senders ----------------------------------------------------------------------------

def test_mail_from_an_unknown_sender_is_held_for_triage(desk):
    row = email_receive(raw=mail(sender="stranger@nowhere.example"))
    assert row.status == "held" and row.reason.startswith("unknown sender stranger@")
    assert Ticket.objects.count() == 0 and row.sender == "stranger@nowhere.example"


def test_mail_with_no_sender_at_all_is_held_with_that_reason(desk):
    row = email_receive(raw=mail(sender=""))
    assert row.status == "held" and row.reason.startswith("no sender address")


def test_an_address_shared_by_contacts_of_two_clients_is_held(desk, globex):
    ContactFactory(client=globex, email=ACME_CONTACT.upper())
    row = email_receive(raw=mail())
    assert row.status == "held"
    assert "several contacts" in row.reason and "Globex" in row.reason


def test_a_shared_address_replying_in_a_thread_goes_to_the_threads_client(desk, globex):
    ticket = _open()
    ContactFactory(client=globex, email=ACME_CONTACT)
    row = email_receive(raw=mail(headers={"In-Reply-To": _ack_id(ticket)}))
    assert row.status == "threaded" and row.ticket == ticket


@pytest.mark.parametrize("header, value", [
    ("Auto-Submitted", "auto-replied"),
    ("Auto-Submitted", "auto-generated; type=ooo"),
    ("Precedence", "bulk"),
    ("Precedence", "junk"),
    ("Precedence", "list"),
    ("X-Autoreply", "yes"),
    ("X-Autorespond", "Out of office"),
])
def test_auto_replies_are_recorded_never_ticketed_nor_answered(desk, header, value):
    row = email_receive(raw=mail(subject="Out of office", headers={header: value}),
                        envelope_from=ACME_CONTACT)
    assert row.status == "recorded" and "automatic message" in row.reason
    assert Ticket.objects.count() == 0 and TicketEntry.objects.count() == 0
    assert outbox.outbox == []


def test_auto_submitted_no_is_an_ordinary_message(desk):
    row = email_receive(raw=mail(headers={"Auto-Submitted": "no"}))
    assert row.status == "ticketed"


def test_an_empty_smtp_return_path_is_recorded_as_automatic(desk):
    row = email_receive(raw=mail(), envelope_from="")
    assert row.status == "recorded" and "empty return path" in row.reason


def test_a_return_path_header_of_angle_brackets_is_recorded_when_the_envelope_is_unknown(desk):
    row = email_receive(raw=mail(headers={"Return-Path": "<>"}), envelope_from=None)
    assert row.status == "recorded" and "empty return path" in row.reason


def test_a_forged_return_path_in_the_body_does_not_override_the_real_envelope(desk):
    row = email_receive(raw=mail(headers={"Return-Path": "<>"}), envelope_from=ACME_CONTACT)
    assert row.status == "ticketed"


BOUNCE = (
    b"From: Mail Delivery System <mailer-daemon@mx.client.example>\r\n"
    b"To: desk@msp.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
    b"Message-ID: <bounce-1@mx.client.example>\r\n"
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n"
    b"--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
    b"--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
    b"Final-Recipient: rfc822; gone@acme.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    b"--b1--\r\n"
)


def test_a_bounce_is_recorded_as_a_delivery_status_report(desk):
    row = email_receive(raw=BOUNCE, envelope_from="")
    assert row.status == "recorded" and row.reason.startswith("bounce (delivery status")
    assert Ticket.objects.count() == 0


def test_a_multipart_report_is_recorded_even_with_a_return_path(desk):
    row = email_receive(raw=BOUNCE.replace(b"mailer-daemon", b"contact").replace(
        b"mx.client.example>", b"acme.example>", 1), envelope_from=ACME_CONTACT)
    assert row.status == "recorded" and "delivery status" in row.reason


def test_more_mail_from_one_sender_than_the_loop_limit_is_held(desk, settings):
    settings.TIERDESK_MAIL_LOOP_LIMIT = 3
    settings.TIERDESK_MAIL_LOOP_MINUTES = 10
    rows = [email_receive(raw=mail(subject=f"ping {n}"), envelope_from=ACME_CONTACT)
            for n in range(5)]
    assert [r.status for r in rows] == ["ticketed"] * 3 + ["held"] * 2
    assert "mail loop suspected" in rows[3].reason and "limit 3" in rows[3].reason


# --- bad input --------------------------------------------------------------------------

def test_broken_mime_is_stored_and_ticketed_with_the_defect_recorded(desk):
    raw = (b"From: contact@acme.example\r\nSubject: broken\r\n"
           b"Message-ID: <broken-1@acme.example>\r\n"
           b"Content-Type: multipart/mixed; boundary=\"never-used\"\r\n\r\n"
           b"There is no boundary in this body at all.\r\n")
    row = email_receive(raw=raw, envelope_from=ACME_CONTACT)
    assert row.status == "ticketed"
    assert "MIME defect: StartBoundaryNotFoundDefect" in row.reason
    assert "no boundary" in row.ticket.entries.get(kind=EntryKind.INBOUND).body


def test_garbage_bytes_are_stored_and_held_not_lost(desk):
    raw = b"\x00\xff\xfe<<<not a message>>>\r\n\x80\x81"
    row = email_receive(raw=raw, envelope_from=None)
    assert row.status == "held" and bytes(row.raw) == raw
    assert row.dedupe_key.startswith("sha256:")


def test_a_malformed_message_id_header_does_not_break_intake(desk):
    # Python's modern e-mail policy raises IndexError on this Message-ID.
    raw = (b"From: contact@acme.example\r\nSubject: odd ids\r\nMessage-ID: <<a b>>\r\n"
           b"In-Reply-To: junk <<<\r\n\r\nhello\r\n")
    row = email_receive(raw=raw, envelope_from=ACME_CONTACT)
    assert row.status == "ticketed" and row.dedupe_key.startswith("sha256:")


def test_an_unknown_charset_is_decoded_with_replacement_and_recorded(desk):
    raw = (b"From: =?x-klingon?q?Jer=F4me?= <contact@acme.example>\r\n"
           b"Subject: =?x-klingon?q?caf=E9_down?=\r\nMessage-ID: <cs-1@acme.example>\r\n"
           b"Content-Type: text/plain; charset=\"x-klingon-9\"\r\n\r\n"
           b"The caf\xe9 wifi is down.\r\n")
    row = email_receive(raw=raw, envelope_from=ACME_CONTACT)
    assert row.status == "ticketed"
    assert "unknown charset 'x-klingon-9'" in row.reason
    body = row.ticket.entries.get(kind=EntryKind.INBOUND).body
    assert body == "The caf\ufffd wifi is down."
    assert row.ticket.subject == "caf\ufffd down"


def test_html_with_scripts_is_sanitised_and_a_text_version_derived(desk):
    html = ('<html><head><style>p{color:red}</style><script>steal()</script></head><body>'
            '<p onclick="steal()">The <b>VPN</b> drops.</p>'
            '<a href="javascript:steal()">click</a> <a href="https://ok.example/x">ok</a>'
            '<img src="x" onerror="steal()"></body></html>')
    raw = mail(body="", html=html)
    # An HTML-only message: rebuild without the text part.
    raw = raw.replace(b"multipart/alternative", b"multipart/mixed")
    row = email_receive(raw=raw, envelope_from=ACME_CONTACT)
    entry = row.ticket.entries.get(kind=EntryKind.INBOUND)
    for bad in ("<script", "steal()", "onclick", "onerror", "javascript:", "<style"):
        assert bad not in entry.body_html
    assert "<b>VPN</b>" in entry.body_html and 'href="https://ok.example/x"' in entry.body_html
    assert entry.body.startswith("The VPN drops.")  # the empty text part gave way to the HTML


def test_an_html_only_message_gets_a_derived_text_body(desk):
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["Subject"] = ACME_CONTACT, "html only"
    msg.set_content("<p>Line one</p><p>Line <i>two</i><script>x()</script></p>",
                    subtype="html")
    row = email_receive(raw=msg.as_bytes(), envelope_from=ACME_CONTACT)
    entry = row.ticket.entries.get(kind=EntryKind.INBOUND)
    assert entry.body == "Line one\n\nLine two"
    assert "<script" not in entry.body_html and "<p>Line one</p>" in entry.body_html


# --- attachments ------------------------------------------------------------------------

def test_attachments_are_stored_with_their_entry(desk):
    payload = b"%PDF-1.4 fake invoice"
    row = email_receive(raw=mail(attachments=[("invoice.pdf", payload, "application/pdf")]),
                        envelope_from=ACME_CONTACT)
    attachment = Attachment.objects.get()
    assert attachment.ticket == row.ticket and attachment.entry.inbound == row
    assert (attachment.filename, attachment.size) == ("invoice.pdf", len(payload))
    assert attachment.sha256 == hashlib.sha256(payload).hexdigest()
    with default_storage.open(attachment.file.name) as stored:
        assert stored.read() == payload


def test_a_25_mb_attachment_is_not_stored_and_the_entry_says_why(desk):
    big = bytes(range(256)) * (25 * 1024 * 4)  # 25 MiB
    raw = mail(attachments=[("disk-image.bin", big, "application/octet-stream"),
                            ("note.txt", b"small one", "text/plain")])
    row = email_receive(raw=raw, envelope_from=ACME_CONTACT)
    assert row.status == "ticketed"
    assert list(Attachment.objects.values_list("filename", flat=True)) == ["note.txt"]
    body = row.ticket.entries.get(kind=EntryKind.INBOUND).body
    assert "[Attachment not stored: disk-image.bin (25.0 MB) is larger than the 10.0 MB limit]" \
        in body
    assert "disk-image.bin" in row.reason
    assert len(bytes(row.raw)) > 25 * 1024 * 1024  # the raw message keeps it


def test_the_attachment_limit_comes_from_settings(desk, settings):
    settings.TIERDESK_ATTACHMENT_MAX_BYTES = 10
    email_receive(raw=mail(attachments=[("a.txt", b"x" * 11, "text/plain")]))
    assert Attachment.objects.count() == 0


# --- crashes and retries ----------------------------------------------------------------

def test_a_database_error_after_storing_leaves_the_message_for_the_retry(desk, monkeypatch):
    real = intake._decide

    def fail(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(intake, "_decide", fail)
    row = email_receive(raw=mail(), envelope_from=ACME_CONTACT)
    assert row.status == "received" and Ticket.objects.count() == 0
    monkeypatch.setattr(intake, "_decide", real)
    assert email_retry_pending(older_than_seconds=60) == 0  # too young: maybe in progress
    assert email_retry_pending(older_than_seconds=0) == 1
    row.refresh_from_db()
    assert row.status == "ticketed" and Ticket.objects.count() == 1
    assert email_retry_pending(older_than_seconds=0) == 0  # idempotent


def test_an_unexpected_processing_error_holds_the_message_with_the_error(desk, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(intake, "ticket_open", broken)
    row = email_receive(raw=mail(), envelope_from=ACME_CONTACT)
    assert row.status == "held" and row.reason == "processing error: RuntimeError: boom"


def test_processing_a_processed_message_again_changes_nothing(desk):
    row = email_receive(raw=mail(), envelope_from=ACME_CONTACT)
    again = intake.email_process(row)
    assert again.status == "ticketed" and Ticket.objects.count() == 1
