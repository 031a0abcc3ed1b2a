"""The dispatcher view and logging a phone call or walk-in on a client's behalf."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import datetime as dt

import pytest
from django.urls import reverse

from tierdesk.desk.models import EntryKind, OnCallMember, OnCallRotation, Ticket
from tierdesk.desk.selectors import on_call_now
from tierdesk.desk.services import ticket_open
from tierdesk.desk.sweeps import sla_sweep
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, ny, open_ticket  # noqa: F401

pytestmark = pytest.mark.django_db
DISPATCH = reverse("desk:dispatch")
CREATE = reverse("desk:ticket_create")


@pytest.mark.parametrize("role,status", [("owner", 200), ("dispatcher", 200),
                                         ("technician", 200), ("billing", 200),
                                         ("contact", 403), ("outsider", 403)])
def test_who_sees_the_dispatcher_view(personas, login, role, status):
    assert login(getattr(personas, role)).get(DISPATCH).status_code == status


def test_breached_tickets_are_escalated_to_the_dispatcher_view(personas, login, open_ticket):
    sla_sweep(now=ny(2026, 3, 2, 10, 5))
    response = login(personas.dispatcher).get(DISPATCH)
    assert [r.ticket for r in response.context["escalated"]] == [open_ticket]
    assert [r.ticket for r in response.context["unassigned"]] == [open_ticket]


def test_warned_tickets_are_listed_until_they_breach(personas, login, open_ticket):
    sla_sweep(now=ny(2026, 3, 2, 9, 50))
    response = login(personas.dispatcher).get(DISPATCH)
    assert [r.ticket for r in response.context["warned"]] == [open_ticket]
    assert response.context["escalated"] == []


def test_who_is_on_call_follows_the_rotation(personas, login):
    rotation = OnCallRotation.objects.create(name="Hotline", shift_days=7,
                                             starts_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    OnCallMember.objects.create(rotation=rotation, user=personas.technician,
                                phone="+12075550101", position=0)
    OnCallMember.objects.create(rotation=rotation, user=personas.owner,
                                phone="+12075550102", position=1)
    week2 = dt.datetime(2026, 1, 13, tzinfo=dt.UTC)
    assert on_call_now(week2)[0]["member"].user == personas.owner
    assert on_call_now(week2 + dt.timedelta(days=7))[0]["member"].user == personas.technician
    assert on_call_now(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)) == []
    body = login(personas.dispatcher).get(DISPATCH).content.decode()
    assert "Hotline" in body and "+1207555010" in body


@pytest.mark.parametrize("role,status", [("owner", 200), ("dispatcher", 200),
                                         ("technician", 200), ("billing", 403),
                                         ("contact", 403)])
def test_who_may_log_a_call(personas, login, role, status):
    assert login(getattr(personas, role)).get(CREATE).status_code == status


def test_a_dispatcher_logs_a_walk_in_for_a_client(personas, login, acme_on_gold):
    acme = acme_on_gold.client
    contact = acme.contacts.get()
    response = login(personas.dispatcher).post(CREATE, {
        "client": acme.pk, "channel": "walk_in", "contact": contact.pk,
        "site": acme.sites.get().pk, "subject": "Laptop will not boot", "body": "Brought it in",
        "priority": "p2", "type": "break_fix",
    })
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("desk:ticket_detail", args=[ticket.pk])
    assert (ticket.channel, ticket.contact, ticket.priority) == ("walk_in", contact, "p2")
    first = ticket.entries.get(kind=EntryKind.INBOUND)
    assert first.body == "Brought it in" and first.data["logged_by"] == personas.dispatcher.pk


def test_a_logged_hotline_call_from_a_client_without_hotline_is_flagged(personas, login,
                                                                         acme_on_gold):
    login(personas.dispatcher).post(CREATE, {
        "client": acme_on_gold.client.pk, "channel": "hotline", "subject": "Help",
        "priority": "p3", "type": "helpdesk"})
    assert Ticket.objects.get().outside_entitlement


def test_another_clients_contact_is_not_offered_or_accepted(personas, login, acme_on_gold,
                                                            globex):
    foreign = globex.contacts.get()
    client = login(personas.dispatcher)
    page = client.get(CREATE, {"client": acme_on_gold.client.pk}).content.decode()
    assert foreign.name not in page
    response = client.post(CREATE, {"client": acme_on_gold.client.pk, "channel": "walk_in",
                                     "contact": foreign.pk, "subject": "x", "priority": "p3",
                                     "type": "helpdesk"})
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert "contact" in response.context["form"].errors


def test_a_missing_subject_names_the_field(personas, login, acme_on_gold):
    response = login(personas.dispatcher).post(CREATE, {
        "client": acme_on_gold.client.pk, "channel": "walk_in", "priority": "p3",
        "type": "helpdesk"})
    assert response.status_code == 400
    assert "Subject: This field is required." in response.content.decode()


def test_ticket_without_targets_has_no_countdown_on_dispatch(personas, login, globex):
    ticket_open(client=globex, channel="email", subject="no deal")
    response = login(personas.owner).get(DISPATCH)
    assert response.context["unassigned"][0].countdown == ""
