"""Outgoing ticket mail: stored on the timeline first, sent once on commit, threaded."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import pytest
from django.core import mail

from tierdesk.desk.models import EntryKind
from tierdesk.desk.notify import entry_send
from tierdesk.desk.services import (
    ticket_alert_fold,
    ticket_client_message,
    ticket_open,
    ticket_reply,
)
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, ny, open_ticket  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_reply_threads_to_the_clients_message(acme_on_gold, personas,
                                                django_capture_on_commit_callbacks):
    t = ticket_open(client=acme_on_gold.client, channel="email", subject="VPN",
                    requester="amy@acme.example", message_id="<orig@acme.example>")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=t, body="Try again", by=personas.technician)
    sent = mail.outbox[-1]
    assert sent.subject == f"Re: [{t.reference}] VPN"
    assert "<orig@acme.example>" in sent.extra_headers["References"]
    assert sent.extra_headers["In-Reply-To"].endswith(">")


def test_nothing_is_mailed_when_the_transaction_rolls_back(open_ticket, personas):
    mail.outbox.clear()
    ticket_reply(ticket=open_ticket, body="x", by=personas.owner)  # never committed here
    assert mail.outbox == []


def test_an_entry_is_sent_only_once(open_ticket, personas):
    entry = ticket_reply(ticket=open_ticket, body="x", by=personas.owner)
    mail.outbox.clear()
    assert entry_send(entry.pk) is True
    assert entry_send(entry.pk) is False
    assert len(mail.outbox) == 1


def test_a_phone_caller_without_email_gets_no_mail_but_the_notice_is_recorded(
        acme_on_gold, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        t = ticket_open(client=acme_on_gold.client, channel="hotline", subject="Callback",
                        requester="+12075550123")
    assert mail.outbox == []
    notice = t.entries.get(kind=EntryKind.SYSTEM)
    assert notice.data["notice"] == "outside_entitlement"
    assert "E-mail help@msp.example" in notice.body


def test_monitoring_alerts_are_not_acknowledged(acme_on_gold,
                                                django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        t = ticket_open(client=acme_on_gold.client, channel="monitoring", subject="disk",
                        requester="rmm@msp.example", alert_key="srv/disk")
    assert mail.outbox == [] and not t.entries.filter(kind=EntryKind.SYSTEM).exists()


def test_repeated_alerts_fold_into_a_counter(acme_on_gold):
    t = ticket_open(client=acme_on_gold.client, channel="monitoring", subject="disk",
                    alert_key="srv/disk")
    ticket_alert_fold(ticket=t, at=ny(2026, 3, 2, 9, 0))
    ticket_alert_fold(ticket=t, at=ny(2026, 3, 2, 9, 1), summary="disk 97%")
    assert t.alert_count == 3
    assert t.entries.filter(body="disk 97%").exists()


def test_a_client_message_on_a_resolved_ticket_reopens_it(open_ticket, personas):
    from tierdesk.desk.services import ticket_transition

    ticket_transition(ticket=open_ticket, to="resolved", by=personas.owner,
                      at=ny(2026, 3, 2, 10))
    entry = ticket_client_message(ticket=open_ticket, body="still broken", channel="email",
                                  at=ny(2026, 3, 2, 11), message_id="<again@acme.example>")
    assert open_ticket.status == "open" and entry.kind == EntryKind.INBOUND
    assert entry.message_id == "<again@acme.example>"


def test_a_client_message_on_a_closed_ticket_is_kept_and_the_ticket_stays_closed(
        open_ticket, personas):
    from tierdesk.desk.services import ticket_transition

    ticket_transition(ticket=open_ticket, to="closed", by=personas.owner)
    ticket_client_message(ticket=open_ticket, body="thanks", channel="email")
    assert open_ticket.status == "closed"
    assert open_ticket.entries.filter(body="thanks").exists()
