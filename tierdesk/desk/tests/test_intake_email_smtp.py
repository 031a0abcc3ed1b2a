"""E-mail intake through a real SMTP/LMTP connection to the listener, and through the MTA
pipe command. The listener stores and processes in worker threads, so these tests use a
transactional database (committed rows are visible to those threads)."""
# ruff: noqa: F811

import io
import smtplib
import socket

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from tierdesk.desk.intake import email as intake
from tierdesk.desk.intake.smtpd import MailListener
from tierdesk.desk.models import Attachment, EntryKind, InboundMessage, Ticket
from tierdesk.desk.tests.intake_email_samples import (  # noqa: F401
    ACME_CONTACT,
    acme_on_gold,
    desk,
    gold,
    mail,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def listener_factory():
    started = []

    def start(**kwargs):
        listener = MailListener(host="127.0.0.1", port=_free_port(), workers=2, **kwargs)
        started.append(listener.start())
        return listener

    yield start
    for listener in started:
        listener.stop()


@pytest.fixture
def listener(listener_factory):
    return listener_factory()


def _smtp(listener) -> smtplib.SMTP:
    return smtplib.SMTP(listener.host, listener.port, timeout=30)


def test_a_message_sent_over_smtp_is_stored_and_ticketed(desk, listener):
    with _smtp(listener) as smtp:
        refused = smtp.sendmail(ACME_CONTACT, ["support@msp.example"],
                                mail(subject="Over SMTP"))
    assert refused == {}
    row = InboundMessage.objects.get()
    assert row.status == "ticketed", row.reason
    assert row.ticket.subject == "Over SMTP" and row.ticket.channel == "email"
    assert bytes(row.raw).startswith(b"Return-Path: <contact@acme.example>\r\n"
                                     b"Delivered-To: support@msp.example\r\n")


def test_several_messages_on_one_connection_each_make_a_ticket(desk, listener):
    with _smtp(listener) as smtp:
        for n in range(5):
            smtp.sendmail(ACME_CONTACT, ["support@msp.example"], mail(subject=f"Issue {n}"))
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        f"Issue {n}" for n in range(5)]


def test_a_redelivery_over_smtp_is_accepted_and_creates_nothing(desk, listener):
    raw = mail(message_id="<twice@client.example>")
    with _smtp(listener) as smtp:
        smtp.sendmail(ACME_CONTACT, ["support@msp.example"], raw)
        smtp.sendmail(ACME_CONTACT, ["support@msp.example"], raw)
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1


def test_a_bounce_with_the_null_reverse_path_is_recorded_not_answered(desk, listener):
    with _smtp(listener) as smtp:
        smtp.sendmail("", ["support@msp.example"], mail(subject="Delivery failure"))
    row = InboundMessage.objects.get()
    assert row.status == "recorded" and "empty return path" in row.reason
    assert Ticket.objects.count() == 0
    assert bytes(row.raw).startswith(b"Return-Path: <>\r\n")


def test_a_reply_over_smtp_threads_into_the_ticket(desk, listener):
    with _smtp(listener) as smtp:
        smtp.sendmail(ACME_CONTACT, ["support@msp.example"], mail(subject="First"))
        ticket = Ticket.objects.get()
        smtp.sendmail(ACME_CONTACT, ["support@msp.example"],
                      mail(subject=f"Re: [{ticket.reference}] First", body="More detail."))
    assert Ticket.objects.count() == 1
    assert ticket.entries.filter(kind=EntryKind.INBOUND).last().body == "More detail."


def test_a_message_over_the_size_limit_gets_552_and_is_not_stored(desk, listener_factory):
    listener = listener_factory(max_bytes=20_000)
    too_big_mail = mail(body=("y" * 70 + "\n") * 430)  # 30 kB in lines of legal length
    with _smtp(listener) as smtp:
        assert "size" in smtp.ehlo()[1].decode().lower()
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:  # SIZE= announced
            smtp.sendmail(ACME_CONTACT, ["support@msp.example"], too_big_mail)
    assert refused.value.smtp_code == 552
    with _smtp(listener) as smtp:  # a client that does not announce the size
        smtp.ehlo_or_helo_if_needed()
        smtp.does_esmtp = False
        with pytest.raises(smtplib.SMTPDataError) as too_big:
            smtp.sendmail(ACME_CONTACT, ["support@msp.example"], too_big_mail)
    assert too_big.value.smtp_code == 552
    assert InboundMessage.objects.count() == 0


def test_recipients_outside_the_configured_domains_are_refused(desk, listener_factory,
                                                               settings):
    settings.TIERDESK_MAIL_DOMAINS = "msp.example, help.msp.example"
    listener = listener_factory()
    with _smtp(listener) as smtp:
        refused = smtp.sendmail(ACME_CONTACT, ["support@msp.example", "x@elsewhere.example"],
                                mail())
        assert refused["x@elsewhere.example"][0] == 550
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.sendmail(ACME_CONTACT, ["x@elsewhere.example"], mail())
    assert InboundMessage.objects.count() == 1


def test_a_processing_failure_after_storage_still_answers_250(desk, listener, monkeypatch):
    def fail(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(intake, "_decide", fail)
    with _smtp(listener) as smtp:
        assert smtp.sendmail(ACME_CONTACT, ["support@msp.example"], mail()) == {}
    assert InboundMessage.objects.get().status == "received"  # the retry takes it from here


def test_a_storage_failure_answers_451_so_the_sender_retries(desk, listener, monkeypatch):
    def fail(**kwargs):
        raise OperationalError("disk full")

    monkeypatch.setattr(intake, "email_store", fail)
    with _smtp(listener) as smtp:
        with pytest.raises(smtplib.SMTPDataError) as error:
            smtp.sendmail(ACME_CONTACT, ["support@msp.example"], mail())
    assert error.value.smtp_code == 451


def test_lmtp_answers_data_once_per_recipient(desk, listener_factory):
    listener = listener_factory(lmtp=True)
    lmtp = smtplib.LMTP(listener.host, listener.port, timeout=30)
    try:
        lmtp.ehlo_or_helo_if_needed()
        lmtp.mail(ACME_CONTACT)
        lmtp.rcpt("support@msp.example")
        lmtp.rcpt("help@msp.example")
        code, _ = lmtp.data(mail(subject="Via LMTP"))
        assert code == 250
        # The second recipient's reply is waiting on the socket; a NOOP reads past it.
        assert lmtp.getreply()[0] == 250
        assert lmtp.noop()[0] == 250
    finally:
        lmtp.quit()
    assert Ticket.objects.get().subject == "Via LMTP"


def test_a_25_mb_attachment_over_smtp_is_accepted_and_dropped_with_a_note(desk, listener):
    big = b"\x89PNG" + bytes(range(256)) * (25 * 1024 * 4)
    raw = mail(attachments=[("photo.png", big, "image/png")])
    with _smtp(listener) as smtp:
        assert smtp.sendmail(ACME_CONTACT, ["support@msp.example"], raw) == {}
    row = InboundMessage.objects.get()
    assert row.status == "ticketed" and Attachment.objects.count() == 0
    assert "photo.png (25.0 MB) is larger than the 10.0 MB limit" in \
        row.ticket.entries.get(kind=EntryKind.INBOUND).body


# --- the pipe command -------------------------------------------------------------------

def test_the_pipe_command_stores_one_message_from_stdin(desk):
    out = io.StringIO()
    call_command("tierdesk_mail_pipe", "--sender", ACME_CONTACT, "--recipient",
                 "support@msp.example", stdin=io.BytesIO(mail(subject="Piped")), stdout=out)
    row = InboundMessage.objects.get()
    assert row.status == "ticketed" and row.ticket.subject == "Piped"
    assert f"stored as inbound message {row.pk}: ticketed" in out.getvalue()


def test_the_pipe_command_exits_0_for_bad_mail_it_stored(desk):
    out = io.StringIO()
    call_command("tierdesk_mail_pipe", stdin=io.BytesIO(b"\xff\xfe not mail"), stdout=out)
    assert InboundMessage.objects.get().status == "held"


def test_the_pipe_command_uses_the_return_path_header_without_sender(desk):
    call_command("tierdesk_mail_pipe", stdin=io.BytesIO(
        b"Return-Path: <>\r\n" + mail(subject="Out of office")), stdout=io.StringIO())
    assert InboundMessage.objects.get().status == "recorded"


def test_the_pipe_command_exits_75_when_storage_fails(desk, monkeypatch):
    def fail(**kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(intake, "email_store", fail)
    with pytest.raises(CommandError) as error:
        call_command("tierdesk_mail_pipe", stdin=io.BytesIO(mail()), stdout=io.StringIO())
    assert error.value.returncode == 75


def test_the_retry_command_processes_what_a_crash_left_behind(desk, monkeypatch):
    row, _ = intake.email_store(raw=mail(), envelope_from=ACME_CONTACT)  # crash after this
    out = io.StringIO()
    call_command("tierdesk_intake_retry", "--older-than", "0", stdout=out)
    row.refresh_from_db()
    assert row.status == "ticketed" and "processed 1 pending" in out.getvalue()
