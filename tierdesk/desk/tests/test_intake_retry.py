"""Recovery of stored requests whose processing crashed: the periodic retry processes
RECEIVED e-mail, calls and alerts of every source exactly once, and says so on the row."""
# ruff: noqa: F811

import datetime as dt

import pytest
from django.core import mail as outbox

from tierdesk.core import clock
from tierdesk.desk.intake.email import email_store
from tierdesk.desk.intake.triage import inbound_retry_pending
from tierdesk.desk.intake.webhooks import RECOVERED
from tierdesk.desk.models import InboundMessage, Ticket
from tierdesk.desk.tests.intake_email_samples import (  # noqa: F401
    acme_on_gold,
    desk,
    gold,
    mail,
)
from tierdesk.desk.tests.intake_triage_samples import (  # noqa: F401
    ATTENDANT,
    HOTLINE,
    acme_platinum,
    intake_settings,
    stored_alert,
    stored_call,
)

pytestmark = pytest.mark.django_db


def test_a_received_alert_is_processed_exactly_once(desk, acme):
    row = stored_alert(client_id=acme.pk, alert_id="a-9")

    assert inbound_retry_pending() == 1
    assert inbound_retry_pending() == 0

    row.refresh_from_db()
    ticket = Ticket.objects.get()
    assert (row.status, row.ticket) == ("ticketed", ticket)
    assert (ticket.client, ticket.type) == (acme, "monitoring_alert")
    assert ticket.opened_at == row.received_at  # when it arrived, not when it was retried
    assert RECOVERED in row.reason


def test_a_received_attendant_call_opens_one_callback_dated_when_it_rang(acme_platinum):
    row = stored_call(frm="+12075550123", to=ATTENDANT)

    inbound_retry_pending()
    inbound_retry_pending()

    row.refresh_from_db()
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.type, ticket.contact) == ("phone_attendant", "callback",
                                                             acme_platinum)
    assert ticket.opened_at == row.received_at
    assert row.status == "ticketed" and RECOVERED in row.reason
    assert "Recovered after a failure" in ticket.entries.order_by("id").first().body


def test_a_received_hotline_call_is_ticketed_without_dialling_and_the_dispatchers_told(
        acme_platinum, personas, django_capture_on_commit_callbacks):
    personas.dispatcher.email = "dispatch@msp.example"
    personas.dispatcher.save()
    row = stored_call(frm="+12075550123", to=HOTLINE)

    with django_capture_on_commit_callbacks(execute=True):
        assert inbound_retry_pending() == 1

    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.priority) == ("hotline", "p2")
    row.refresh_from_db()
    assert "not connected" in row.reason and RECOVERED in row.reason
    # The dispatchers are told; the caller, who heard no reference, gets the desk's
    # acknowledgement mail with it.
    assert sorted(m.to[0] for m in outbox.outbox if ticket.reference in m.subject) == [
        "dana@acme.example", "dispatch@msp.example"]


def test_a_received_call_from_an_unknown_number_is_held_for_triage(desk):
    row = stored_call()
    inbound_retry_pending()
    row.refresh_from_db()
    assert row.status == "held" and row.reason.startswith("unknown caller")
    assert Ticket.objects.count() == 0


def test_a_received_e_mail_is_processed_by_the_same_retry(desk):
    row, _ = email_store(raw=mail())
    InboundMessage.objects.filter(pk=row.pk).update(
        received_at=clock.now() - dt.timedelta(minutes=5))
    assert inbound_retry_pending() == 1
    row.refresh_from_db()
    assert row.status == "ticketed" and Ticket.objects.count() == 1


def test_young_rows_are_left_to_the_process_handling_them(desk, acme):
    row = stored_alert(client_id=acme.pk, seconds_ago=5)
    assert inbound_retry_pending(older_than_seconds=60) == 0
    row.refresh_from_db()
    assert row.status == "received"


def test_a_row_that_fails_again_is_held_with_the_error_not_lost(desk, acme, monkeypatch):
    from tierdesk.desk.intake import rmm

    def boom(*args, **kwargs):
        raise RuntimeError("still broken")

    monkeypatch.setattr(rmm, "_process", boom)
    row = stored_alert(client_id=acme.pk)
    inbound_retry_pending()
    row.refresh_from_db()
    assert row.status == "held" and "still broken" in row.reason


def test_the_schedule_runs_the_all_sources_retry(desk, acme):
    from tierdesk.schedules import tasks

    assert not hasattr(tasks, "email_retry_pending_periodic")
    row = stored_alert(client_id=acme.pk)
    tasks.inbound_retry_pending_periodic.call_local()
    row.refresh_from_db()
    assert row.status == "ticketed"


def test_a_received_dial_result_is_applied_to_the_ticket_of_its_call(acme_platinum):
    from urllib.parse import urlencode

    from tierdesk.desk.intake.webhooks import inbound_store

    stored_call(sid="CA0042", frm="+12075550123", to=HOTLINE)
    inbound_retry_pending()
    ticket = Ticket.objects.get()
    body = urlencode({"CallSid": "CA0042", "DialCallStatus": "completed",
                      "DialCallDuration": "95"}).encode()
    dial, _ = inbound_store(source="voice", dedupe_key="dial:CA0042", raw=body,
                            at=clock.now() - dt.timedelta(minutes=4))

    assert inbound_retry_pending() == 1
    assert inbound_retry_pending() == 0

    dial.refresh_from_db()
    assert (dial.status, dial.ticket) == ("threaded", ticket)
    assert "answered (95 s)" in dial.reason and RECOVERED in dial.reason
    assert ticket.entries.filter(body__contains="answered (95 s)").count() == 1
