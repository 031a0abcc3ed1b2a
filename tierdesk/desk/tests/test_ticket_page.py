"""The ticket page: timeline, SLA panel, replies, notes, calls, status, assignment, priority."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import pytest
from django.core import mail
from django.urls import reverse

from tierdesk.desk.models import EntryKind, Ticket
from tierdesk.desk.services import ticket_note, ticket_open
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, ny, open_ticket  # noqa: F401

pytestmark = pytest.mark.django_db


def url(name, ticket):
    return reverse(f"desk:{name}", args=[ticket.pk])


@pytest.mark.parametrize("role", ["owner", "dispatcher", "technician", "billing"])
def test_every_staff_role_reads_a_ticket(personas, login, open_ticket, role):
    response = login(getattr(personas, role)).get(url("ticket_detail", open_ticket))
    assert response.status_code == 200
    assert open_ticket.reference in response.content.decode()


@pytest.mark.parametrize("role", ["contact", "outsider"])
def test_client_contacts_get_403_on_staff_ticket_pages(personas, login, open_ticket, role):
    client = login(getattr(personas, role))
    assert client.get(url("ticket_detail", open_ticket)).status_code == 403
    assert client.post(url("ticket_reply", open_ticket), {"reply-body": "x"}).status_code == 403


def test_an_unknown_ticket_is_404(personas, login):
    response = login(personas.owner).get(reverse("desk:ticket_detail", args=[999999]))
    assert response.status_code == 404


def test_the_sla_panel_shows_due_times_in_the_clients_zone_and_utc(personas, login, open_ticket):
    body = login(personas.owner).get(url("ticket_detail", open_ticket)).content.decode()
    assert "Mon 02 Mar 2026 10:00 EST" in body and "2026-03-02 15:00 UTC" in body
    assert "60 business min" in body


def test_the_outside_entitlement_banner_is_shown(personas, login, acme_on_gold):
    t = ticket_open(client=acme_on_gold.client, channel="hotline", subject="urgent")
    body = login(personas.owner).get(url("ticket_detail", t)).content.decode()
    assert "Outside entitlement" in body


def test_a_technician_replies_and_the_client_gets_mail_with_the_reference(
        personas, login, open_ticket, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    client = login(personas.technician)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("ticket_reply", open_ticket), {"reply-body": "On my way"})
    assert response.status_code == 302
    reply = open_ticket.entries.get(kind=EntryKind.REPLY)
    assert reply.author_user == personas.technician and reply.message_id
    assert mail.outbox[-1].to == ["contact@acme.example"]
    assert f"[{open_ticket.reference}]" in mail.outbox[-1].subject
    assert mail.outbox[-1].extra_headers["Message-ID"] == reply.message_id
    open_ticket.refresh_from_db()
    assert open_ticket.first_responded_at is not None


def test_an_empty_reply_is_refused_with_the_field_named(personas, login, open_ticket):
    response = login(personas.technician).post(url("ticket_reply", open_ticket),
                                               {"reply-body": ""})
    assert response.status_code == 400
    assert "Text: This field is required." in response.content.decode()


def test_a_note_is_internal_and_not_a_response(personas, login, open_ticket):
    login(personas.dispatcher).post(url("ticket_note", open_ticket), {"note-body": "psst"})
    open_ticket.refresh_from_db()
    assert open_ticket.entries.filter(kind=EntryKind.NOTE, body="psst").exists()
    assert open_ticket.first_responded_at is None


def test_a_logged_call_is_a_response(personas, login, open_ticket):
    login(personas.technician).post(url("ticket_log_call", open_ticket),
                                    {"call-body": "talked"})
    open_ticket.refresh_from_db()
    assert open_ticket.first_responded_at is not None


def test_billing_may_read_but_not_write(personas, login, open_ticket):
    client = login(personas.billing)
    assert client.post(url("ticket_note", open_ticket), {"note-body": "x"}).status_code == 403
    assert client.post(url("ticket_transition", open_ticket), {"to": "open"}).status_code == 403


def test_the_status_buttons_follow_the_transition_map(personas, login, open_ticket):
    client = login(personas.technician)
    body = client.get(url("ticket_detail", open_ticket)).content.decode()
    assert 'value="waiting_client"' in body and 'value="new"' not in body
    client.post(url("ticket_transition", open_ticket), {"to": "closed"})
    open_ticket.refresh_from_db()
    assert open_ticket.status == "closed"
    response = client.post(url("ticket_transition", open_ticket), {"to": "open"}, follow=True)
    assert "cannot become" in response.content.decode()


def test_dispatchers_assign_and_change_priority(personas, login, open_ticket):
    client = login(personas.dispatcher)
    client.post(url("ticket_assign", open_ticket), {"assignee": personas.technician.pk})
    client.post(url("ticket_priority", open_ticket), {"priority": "p2"})
    open_ticket.refresh_from_db()
    assert open_ticket.assignee == personas.technician
    assert open_ticket.priority == "p2" and open_ticket.first_response_due_at == ny(2026, 3, 2, 11)


def test_a_technician_may_take_an_unassigned_ticket_but_not_reassign(personas, login,
                                                                      open_ticket):
    client = login(personas.technician)
    assert client.post(url("ticket_priority", open_ticket), {"priority": "p2"}).status_code == 403
    client.post(url("ticket_assign", open_ticket), {"take": "1"})
    open_ticket.refresh_from_db()
    assert open_ticket.assignee == personas.technician
    response = client.post(url("ticket_assign", open_ticket), {"assignee": personas.owner.pk})
    assert response.status_code == 403
    Ticket.objects.filter(pk=open_ticket.pk).update(assignee=personas.dispatcher)
    assert client.post(url("ticket_assign", open_ticket), {"take": "1"}).status_code == 403


def test_the_timeline_shows_every_entry_in_order(personas, login, open_ticket):
    ticket_note(ticket=open_ticket, body="note-number-two", by=personas.owner,
                at=ny(2026, 3, 2, 9, 10))
    body = login(personas.owner).get(url("ticket_detail", open_ticket)).content.decode()
    assert body.index("Nothing works") < body.index("note-number-two")


def test_arrival_on_site_stops_the_onsite_clock(personas, login, acme_on_gold):
    t = ticket_open(client=acme_on_gold.client, channel="email", subject="x", priority="p1",
                    needs_onsite=True, site=acme_on_gold.client.sites.get())
    login(personas.technician).post(url("ticket_onsite", t))
    t.refresh_from_db()
    assert t.onsite_arrived_at is not None and not t.onsite_breached
