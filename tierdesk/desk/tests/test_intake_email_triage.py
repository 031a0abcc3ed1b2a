"""The e-mail triage page: dispatchers see held messages with their reason and assign one
to a client (a ticket opens) or reject it; other roles and contacts cannot."""
# ruff: noqa: F811

import pytest
from django.urls import reverse

from tierdesk.desk.intake.email import email_receive
from tierdesk.desk.models import EntryKind, InboundMessage, Ticket
from tierdesk.desk.tests.intake_email_samples import (  # noqa: F401
    acme_on_gold,
    desk,
    gold,
    mail,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(desk):
    row = email_receive(raw=mail(sender="newperson@acme.example", subject="Cannot log in",
                                 attachments=[("shot.png", b"\x89PNG..", "image/png")]))
    assert row.status == "held"
    return row


def test_the_dispatcher_sees_held_messages_with_their_reason(desk, held, login):
    response = login(desk.dispatcher).get(reverse("desk:email_triage"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "newperson@acme.example" in page and "Cannot log in" in page
    assert "unknown sender newperson@acme.example" in page


@pytest.mark.parametrize("role", ["technician", "billing", "contact", "outsider"])
def test_other_roles_cannot_open_the_triage_page(desk, held, login, role):
    response = login(getattr(desk, role)).get(reverse("desk:email_triage"))
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_login(desk, client):
    response = client.get(reverse("desk:email_triage"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_assigning_a_held_message_opens_the_clients_ticket_with_its_files(desk, held, acme,
                                                                          login):
    response = login(desk.dispatcher).post(
        reverse("desk:email_triage_assign", args=[held.pk]), {"client": acme.pk})
    held.refresh_from_db()
    assert held.status == "ticketed" and held.ticket.client == acme
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:ticket_detail", args=[held.ticket_id])
    ticket = held.ticket
    assert ticket.requester == "newperson@acme.example" and ticket.channel == "email"
    assert ticket.entries.get(kind=EntryKind.INBOUND).inbound == held
    assert list(ticket.attachments.values_list("filename", flat=True)) == ["shot.png"]
    assert "was held: unknown sender" in held.reason


def test_a_contact_of_another_client_is_refused_when_assigning(desk, held, acme, login):
    other = desk.outsider.contact
    response = login(desk.dispatcher).post(
        reverse("desk:email_triage_assign", args=[held.pk]),
        {"client": acme.pk, "contact": other.pk})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == "held" and Ticket.objects.count() == 0


def test_rejecting_keeps_the_message_with_the_reason(desk, held, login):
    login(desk.dispatcher).post(reverse("desk:email_triage_reject", args=[held.pk]),
                                {"reason": "spam"})
    held.refresh_from_db()
    assert held.status == "rejected" and held.reason.startswith("rejected by dispatcher: spam")
    assert InboundMessage.objects.count() == 1


def test_a_message_that_is_not_held_is_left_as_it_is_and_the_page_says_so(desk, login):
    row = email_receive(raw=mail())
    assert row.status == "ticketed"
    response = login(desk.dispatcher).post(
        reverse("desk:email_triage_assign", args=[row.pk]), {"client": row.ticket.client_id},
        follow=True)
    assert "Nothing done" in response.content.decode()
    assert Ticket.objects.count() == 1
    row.refresh_from_db()
    assert row.status == "ticketed"


def test_an_unknown_message_gives_404(desk, login):
    response = login(desk.dispatcher).post(reverse("desk:email_triage_assign", args=[999999]),
                                           {"client": 1})
    assert response.status_code == 404


def test_the_technician_cannot_assign(desk, held, acme, login):
    response = login(desk.technician).post(
        reverse("desk:email_triage_assign", args=[held.pk]), {"client": acme.pk})
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.status == "held"
