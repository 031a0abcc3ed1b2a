"""How much one API ticket creation costs the database: a pinned number of statements, so
a change that adds a query per ticket (the rate target is 500 tickets a second) fails here
rather than only in bench/bench_api_tickets.py."""

import datetime as dt

import pytest

from tierdesk.api.tests.conftest import fields
from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.clients.factories import AgreementFactory
from tierdesk.plans.models import PlanVersion
from tierdesk.plans.seed import tiers_load_defaults

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold(acme, db):
    catalog_load_defaults()
    tiers_load_defaults()
    version = PlanVersion.objects.get(plan__slug="gold")
    return AgreementFactory(client=acme, plan_version=version, status="active",
                            start_date=dt.date.today() - dt.timedelta(days=1))


#: token with its user; the contact with its client and the site (one SELECT); agreement +
#: version stamp; SAVEPOINT (the test's own transaction: BEGIN in production); ticket; the
#: request and acknowledgement entries (one INSERT); audit event; RELEASE (COMMIT). The
#: version's terms are cached; the thread headers and the timeline are not read back. The
#: same agreement query says whether the tier has an outsourcing route (desk/outsourcing.py:
#: routed_sql): only a routed tier reads it (route_for_version).
#: (16 before this was pinned, 9 before the route's existence joined the agreement query.)
STAFF_OPENING_QUERIES = 8


def _body(acme, personas):
    return {"client_id": acme.pk, "channel": "email", "priority": "p2",
            "contact_id": personas.contact.contact.pk, "site_id": acme.sites.first().pk,
            "subject": "Printer", "body": "It jams."}


def test_a_staff_api_ticket_opening_runs_a_fixed_number_of_queries(
        personas, bearer, acme, gold, django_assert_max_num_queries):
    api = bearer(personas.dispatcher)
    body = _body(acme, personas)
    assert api.post("/tickets", body).status_code == 201  # the version's terms now cached
    with django_assert_max_num_queries(STAFF_OPENING_QUERIES):
        response = api.post("/tickets", body)
    assert response.status_code == 201
    assert [e["kind"] for e in response.json()["entries"]] == ["inbound", "system"]


def test_a_contact_api_ticket_opening_runs_no_more_queries_than_staff(
        personas, bearer, acme, gold, django_assert_max_num_queries):
    api = bearer(personas.contact)
    body = {"subject": "Printer", "body": "It jams.", "priority": "p3"}
    assert api.post("/tickets", body).status_code == 201
    with django_assert_max_num_queries(STAFF_OPENING_QUERIES):
        response = api.post("/tickets", body)
    assert response.status_code == 201
    # The contact sees the public part of what was written: its request, not the notice.
    assert [e["kind"] for e in response.json()["entries"]] == ["inbound"]


def test_the_one_query_contact_lookup_still_names_the_field_that_is_wrong(
        personas, bearer, acme, globex, gold):
    api = bearer(personas.dispatcher)
    base = {"channel": "email", "subject": "Printer", "body": "It jams."}
    outsider = personas.outsider.contact.pk  # globex's contact
    response = api.post("/tickets", {**base, "client_id": acme.pk, "contact_id": outsider})
    assert response.status_code == 422 and "contact_id" in fields(response)
    response = api.post("/tickets", {**base, "client_id": 999999, "contact_id": outsider})
    assert "client_id" in fields(response)


def test_the_one_query_site_lookup_still_names_the_site_of_another_client(
        personas, bearer, acme, globex, gold):
    api = bearer(personas.dispatcher)
    body = {**_body(acme, personas), "site_id": globex.sites.first().pk}
    response = api.post("/tickets", body)
    assert response.status_code == 422 and "site_id" in fields(response)
    portal = bearer(personas.contact)
    response = portal.post("/tickets", {"subject": "Printer", "site_id": globex.sites.first().pk})
    assert response.status_code == 422 and "site_id" in fields(response)


def test_ids_beyond_64_bits_are_422_naming_the_field_not_a_server_error(
        personas, bearer, acme, gold):
    api = bearer(personas.dispatcher)
    huge = 2**64
    response = api.post("/tickets", {**_body(acme, personas), "site_id": huge})
    assert response.status_code == 422 and "site_id" in fields(response)
    response = api.post("/tickets", {**_body(acme, personas), "contact_id": huge})
    assert response.status_code == 422 and "contact_id" in fields(response)
    response = bearer(personas.contact).post("/tickets", {"subject": "x", "site_id": huge})
    assert response.status_code == 422 and "site_id" in fields(response)
