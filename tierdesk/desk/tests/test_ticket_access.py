"""Fetching tickets: staff see all, a contact only its own client's, everyone else 404."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tierdesk.desk.access import ticket_for_contact, ticket_for_staff, tickets_for_contact
from tierdesk.desk.services import ticket_open
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, open_ticket  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def globex_ticket(globex):
    return ticket_open(client=globex, channel="email", subject="globex's own")


def test_staff_fetch_any_ticket(personas, open_ticket, globex_ticket):
    for user in (personas.owner, personas.dispatcher, personas.technician, personas.billing):
        assert ticket_for_staff(user, open_ticket.pk) == open_ticket
        assert ticket_for_staff(user, globex_ticket.pk) == globex_ticket


@pytest.mark.parametrize("role", ["contact", "outsider"])
def test_contacts_cannot_use_the_staff_fetch(personas, open_ticket, role):
    with pytest.raises(Http404):
        ticket_for_staff(getattr(personas, role), open_ticket.pk)


def test_a_contact_fetches_its_own_clients_ticket(personas, open_ticket, globex_ticket):
    assert ticket_for_contact(personas.contact, open_ticket.pk) == open_ticket
    assert list(tickets_for_contact(personas.contact)) == [open_ticket]


def test_the_outsider_gets_404_for_acmes_ticket(personas, open_ticket, globex_ticket):
    with pytest.raises(Http404):
        ticket_for_contact(personas.outsider, open_ticket.pk)
    assert list(tickets_for_contact(personas.outsider)) == [globex_ticket]


@pytest.mark.parametrize("pk", [999999, "abc", None])
def test_unknown_or_malformed_ids_are_404(personas, pk):
    with pytest.raises(Http404):
        ticket_for_staff(personas.owner, pk)
    with pytest.raises(Http404):
        ticket_for_contact(personas.contact, pk)


def test_staff_and_anonymous_users_get_404_from_the_contact_fetch(personas, open_ticket):
    with pytest.raises(Http404):
        ticket_for_contact(personas.owner, open_ticket.pk)
    with pytest.raises(Http404):
        ticket_for_contact(AnonymousUser(), open_ticket.pk)
