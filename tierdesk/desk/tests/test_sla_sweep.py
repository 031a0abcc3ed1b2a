"""The SLA sweep announces each threshold once, records breaches and is safe to run twice."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import threading

import pytest
from django.core import mail
from django.db import connection

from tierdesk.desk.models import SlaNotice, Ticket
from tierdesk.desk.services import ticket_open, ticket_reply, ticket_transition
from tierdesk.desk.sweeps import sla_sweep
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, ny, open_ticket  # noqa: F401

pytestmark = pytest.mark.django_db


def notices(ticket):
    return set(SlaNotice.objects.filter(ticket=ticket).values_list("target", "threshold"))


def test_nothing_happens_before_the_first_threshold(open_ticket):
    assert sla_sweep(now=ny(2026, 3, 2, 9, 44))["tickets"] == 0
    assert notices(open_ticket) == set()


def test_the_75_percent_warning_goes_to_dispatchers_and_assignee_once(
        open_ticket, personas, django_capture_on_commit_callbacks):
    Ticket.objects.filter(pk=open_ticket.pk).update(assignee=personas.technician)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = sla_sweep(now=ny(2026, 3, 2, 9, 46))
        again = sla_sweep(now=ny(2026, 3, 2, 9, 47))
    assert first["warnings"] == 1 and again["warnings"] == 0
    assert notices(open_ticket) == {("first_response", "0.75")}
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {personas.dispatcher.email, personas.technician.email}
    assert f"[{open_ticket.reference}]" in mail.outbox[0].subject
    open_ticket.refresh_from_db()
    assert open_ticket.sla_check_at == ny(2026, 3, 2, 9, 54)  # the 90% warning is next


def test_a_breach_sets_the_flag_and_escalates(open_ticket, personas,
                                             django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = sla_sweep(now=ny(2026, 3, 2, 10, 1))
    open_ticket.refresh_from_db()
    assert open_ticket.first_response_breached
    assert result["breaches"] == 1
    # Warnings overtaken by the breach are recorded but only the breach is mailed.
    assert notices(open_ticket) == {("first_response", "0.75"), ("first_response", "0.9"),
                                    ("first_response", "breach")}
    assert [m.subject.startswith("SLA BREACH") for m in mail.outbox] == [True]
    from tierdesk.desk.selectors import escalated
    assert list(escalated()) == [open_ticket]


def test_a_reply_before_the_sweep_runs_means_no_breach(open_ticket, personas):
    ticket_reply(ticket=open_ticket, body="hi", by=personas.technician,
                 at=ny(2026, 3, 2, 9, 59))
    sla_sweep(now=ny(2026, 3, 2, 10, 30))
    open_ticket.refresh_from_db()
    assert not open_ticket.first_response_breached
    assert ("first_response", "breach") not in notices(open_ticket)


def test_a_paused_resolution_clock_is_not_breached_by_the_sweep(open_ticket, personas):
    ticket_reply(ticket=open_ticket, body="hi", by=personas.technician,
                 at=ny(2026, 3, 2, 9, 30))
    ticket_transition(ticket=open_ticket, to="waiting_client", by=personas.technician,
                      at=ny(2026, 3, 2, 10, 0))
    sla_sweep(now=ny(2026, 3, 3, 12, 0))
    open_ticket.refresh_from_db()
    assert not open_ticket.resolution_breached


def test_a_breach_is_decided_by_the_stored_due_time_not_by_when_the_sweep_runs(open_ticket):
    # A sweep running days late still records the breach (the ticket is still unanswered),
    # and a ticket whose due time has not come is untouched however often it runs.
    sla_sweep(now=ny(2026, 3, 9, 12, 0))
    open_ticket.refresh_from_db()
    assert open_ticket.first_response_breached and open_ticket.resolution_breached
    assert open_ticket.sla_check_at is None


def test_an_onsite_ticket_whose_drive_exceeds_the_time_left_warns_at_once(
        acme_on_gold, personas, django_capture_on_commit_callbacks):
    site = acme_on_gold.client.sites.get()
    site.drive_minutes = 300  # the on-site target is 240 minutes
    site.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        t = ticket_open(client=acme_on_gold.client, channel="email", subject="Rack on fire",
                        site=site, priority="p1", needs_onsite=True,
                        opened_at=ny(2026, 3, 2, 9, 0))
    assert ("onsite", "drive") in notices(t)
    assert any(m.subject.startswith("SLA DRIVE") for m in mail.outbox)


def test_a_near_site_is_warned_when_the_drive_would_no_longer_fit(acme_on_gold):
    site = acme_on_gold.client.sites.get()  # 25 minutes away
    t = ticket_open(client=acme_on_gold.client, channel="email", subject="x", site=site,
                    priority="p1", needs_onsite=True, opened_at=ny(2026, 3, 2, 9, 0))
    assert notices(t) == set()
    sla_sweep(now=ny(2026, 3, 2, 12, 36))  # on-site due 13:00, 24 minutes left
    assert ("onsite", "drive") in notices(t)


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_notify_each_threshold_once(acme_on_gold, personas):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    tickets = [ticket_open(client=acme_on_gold.client, channel="email", subject=str(i),
                           priority="p1", opened_at=ny(2026, 3, 2, 9, 0)) for i in range(20)]
    results, errors = [], []

    def worker():
        try:
            results.append(sla_sweep(now=ny(2026, 3, 2, 9, 58)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r["warnings"] for r in results) == 40  # 75% and 90% of 20 tickets, once each
    assert SlaNotice.objects.filter(ticket__in=tickets).count() == 40
