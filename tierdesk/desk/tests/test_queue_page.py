"""The staff queue: urgency order, countdowns, filters, paging and who may see it."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import datetime as dt

import pytest
from django.urls import reverse

from tierdesk.clients.factories import ClientFactory
from tierdesk.desk.models import Ticket
from tierdesk.desk.services import ticket_open, ticket_transition
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, ny  # noqa: F401

pytestmark = pytest.mark.django_db
QUEUE = reverse("desk:queue")


def refs(response):
    return [row.ticket.reference for row in response.context["rows"]]


@pytest.fixture
def three(acme_on_gold):
    client = acme_on_gold.client
    now = dt.datetime.now(dt.UTC)
    later = ticket_open(client=client, channel="email", subject="later", priority="p2",
                        opened_at=now)
    sooner = ticket_open(client=client, channel="email", subject="sooner", priority="p1",
                         opened_at=now)
    none = ticket_open(client=ClientFactory(name="Loose Ends"), channel="email",
                       subject="no agreement")
    return later, sooner, none


@pytest.mark.parametrize("role", ["owner", "dispatcher", "technician", "billing"])
def test_every_staff_role_reads_the_queue(personas, login, role):
    assert login(getattr(personas, role)).get(QUEUE).status_code == 200


@pytest.mark.parametrize("role", ["contact", "outsider"])
def test_client_contacts_are_refused_the_queue(personas, login, role):
    assert login(getattr(personas, role)).get(QUEUE).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get(QUEUE).status_code == 302


def test_the_queue_is_ordered_by_urgency_with_tickets_without_targets_last(
        personas, login, three):
    later, sooner, none = three
    response = login(personas.dispatcher).get(QUEUE)
    assert refs(response) == [sooner.reference, later.reference, none.reference]
    body = response.content.decode()
    assert "business left" in body and "no agreement" in body


def test_resolved_tickets_leave_the_queue_but_a_status_filter_finds_them(
        personas, login, three):
    later, sooner, none = three
    ticket_transition(ticket=sooner, to="resolved", by=personas.technician)
    client = login(personas.owner)
    assert sooner.reference not in refs(client.get(QUEUE))
    assert refs(client.get(QUEUE, {"status": "resolved"})) == [sooner.reference]


def test_filters_narrow_the_queue(personas, login, three, acme):
    later, sooner, none = three
    Ticket.objects.filter(pk=later.pk).update(assignee=personas.technician,
                                              outside_entitlement=True)
    Ticket.objects.filter(pk=sooner.pk).update(first_response_breached=True)
    client = login(personas.owner)
    assert refs(client.get(QUEUE, {"priority": "p2"})) == [later.reference]
    assert refs(client.get(QUEUE, {"client": acme.pk})) == [sooner.reference, later.reference]
    assert refs(client.get(QUEUE, {"tier": sooner.plan_version.plan_id})) == [
        sooner.reference, later.reference]
    assert refs(client.get(QUEUE, {"assignee": personas.technician.pk})) == [later.reference]
    assert refs(client.get(QUEUE, {"assignee": "none"})) == [sooner.reference, none.reference]
    assert refs(client.get(QUEUE, {"breached": "true"})) == [sooner.reference]
    assert refs(client.get(QUEUE, {"outside_entitlement": "true"})) == [later.reference]
    assert refs(client.get(QUEUE, {"no_agreement": "true"})) == [none.reference]


def test_the_queue_shows_50_tickets_a_page(personas, login, acme_on_gold):
    for i in range(51):
        ticket_open(client=acme_on_gold.client, channel="email", subject=str(i))
    client = login(personas.owner)
    assert len(client.get(QUEUE).context["rows"]) == 50
    assert len(client.get(QUEUE, {"page": 2}).context["rows"]) == 1


def test_htmx_polling_gets_only_the_table(personas, login, three):
    response = login(personas.owner).get(QUEUE, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<table" in body and "<nav class=\"navbar" not in body


def test_the_page_polls_every_minute_without_external_scripts(personas, login, three):
    body = login(personas.owner).get(QUEUE).content.decode()
    assert 'hx-trigger="every 60s"' in body
    assert "http://" not in body.split("<body")[0] and "https://" not in body.split("<body")[0]


def test_the_queue_query_count_does_not_grow_with_the_rows(
        personas, login, acme_on_gold, django_assert_max_num_queries):
    for i in range(30):
        ticket_open(client=acme_on_gold.client, channel="email", subject=str(i),
                    opened_at=ny(2026, 3, 2, 9, 0))
    client = login(personas.owner)
    client.get(QUEUE)
    with django_assert_max_num_queries(12):
        client.get(QUEUE)


def test_every_queue_filter_has_a_readable_label(personas, login):
    html = login(personas.dispatcher).get(reverse("desk:queue")).content.decode()
    assert "[invalid name]" not in html
    assert ">Tier<" in html and ">Breached<" in html


def test_a_breached_row_says_which_target_was_missed(personas, login, three):
    later, sooner, none = three
    Ticket.objects.filter(pk=sooner.pk).update(first_response_breached=True)
    html = login(personas.owner).get(QUEUE).content.decode()
    assert html.count("first response breached") == 1
    assert "resolution breached" not in html
