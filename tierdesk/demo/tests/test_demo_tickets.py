"""tierdesk_demo opens realistic demo tickets through the desk services."""

from io import StringIO

from django.core import mail
from django.core.management import call_command

from tierdesk.demo.generate import demo_reset
from tierdesk.desk.models import InboundMessage, SlaNotice, Ticket, TicketEntry


def _demo(*args) -> str:
    out = StringIO()
    call_command("tierdesk_demo", *args, stdout=out)
    return out.getvalue()


def _subjects() -> list[str]:
    return sorted(Ticket.objects.values_list("subject", flat=True))


def test_the_same_seed_gives_the_same_ticket_subjects(db):
    _demo("--clients", "12", "--seed", "42", "--staff")
    first = _subjects()
    _demo("--clients", "12", "--seed", "42", "--reset")
    assert first and _subjects() == first


def test_a_rerun_with_the_same_seed_opens_no_more_tickets(db):
    _demo("--clients", "8", "--seed", "5", "--staff")
    count = Ticket.objects.count()
    _demo("--clients", "8", "--seed", "5", "--staff")
    assert count > 0 and Ticket.objects.count() == count


def test_demo_tickets_show_several_states_breaches_and_outside_entitlement(db):
    output = _demo("--clients", "20", "--seed", "42", "--staff")
    tickets = Ticket.objects.all()
    assert {"new", "open", "waiting_client", "resolved", "closed"} <= set(
        tickets.values_list("status", flat=True))
    assert len(set(tickets.values_list("priority", flat=True))) >= 3
    assert tickets.filter(outside_entitlement=True, channel="hotline").count() in (1, 2)
    assert tickets.filter(channel="monitoring").exclude(alert_key="").exists()
    assert tickets.filter(needs_onsite=True).exists()
    assert tickets.exclude(assignee=None).filter(
        assignee__username__in=["demo-tech1", "demo-tech2"]).exists()
    assert TicketEntry.objects.filter(kind="note").exists()
    assert TicketEntry.objects.filter(kind__in=["reply", "call"]).exists()
    # The sweep ran: breaches are flagged, and opened_at lies in the past.
    assert SlaNotice.objects.filter(threshold="breach").exists()
    assert tickets.filter(first_response_breached=True).exists()
    assert "demo tickets" in output and "breaches" in output


def test_demo_mail_is_marked_handled_and_never_sent(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _demo("--clients", "10", "--seed", "42", "--staff")
    assert callbacks  # the services did queue mail...
    assert mail.outbox == []  # ...which found it already handled
    queued = [e for e in TicketEntry.objects.exclude(message_id="")
              if (e.data.get("mail") or {}).get("to")]
    assert queued and all(e.data.get("demo_not_sent") for e in queued)


def test_reset_removes_demo_tickets_and_keeps_raw_inbound_messages(db):
    _demo("--clients", "6", "--seed", "3", "--staff")
    ticket = Ticket.objects.first()
    raw = InboundMessage.objects.create(source="email", dedupe_key="<x@y>", raw=b"x",
                                        received_at=ticket.opened_at, ticket=ticket)
    counts = demo_reset()
    assert counts["tickets"] > 0
    assert not Ticket.objects.exists() and not TicketEntry.objects.exists()
    raw.refresh_from_db()
    assert raw.ticket_id is None


def test_a_thousand_clients_get_no_tickets_unless_asked(db):
    _demo("--clients", "1000", "--seed", "8")
    assert not Ticket.objects.exists()


def test_tickets_per_client_opens_that_many_for_each_active_client(db):
    _demo("--clients", "4", "--seed", "8", "--tickets-per-client", "2")
    from tierdesk.clients.models import Client

    active = Client.objects.filter(is_active=True).count()
    # An alert drawn twice for one client is opened once (one open ticket per alert).
    assert active * 2 - 2 <= Ticket.objects.count() <= active * 2
