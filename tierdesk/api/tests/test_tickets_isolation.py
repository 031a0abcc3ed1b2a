"""A contact of one client gets 404 for another client's ticket by every route — web and
API — and a staff page is 403 for contacts.

The walkers below find the ticket routes themselves (every URL pattern whose route or name
mentions a ticket or an attachment, every API operation with a `ticket_id`), so a route
added later without scoping fails here without anyone remembering to list it.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tierdesk.api.api import api
from tierdesk.clients.factories import AgreementFactory
from tierdesk.desk import services
from tierdesk.desk.models import Ticket, TicketEntry
from tierdesk.plans.factories import PlanVersionFactory

pytestmark = pytest.mark.django_db

#: A body every ticket write endpoint accepts (MessageIn, TransitionIn, AssignmentIn,
#: PriorityPatch; extra keys are ignored), so the access check, not the schema, answers.
#: A new endpoint with another required field must add it here.
ANY_BODY = {"body": "probe", "to": "resolved", "reason": "probe", "assignee_id": None,
            "priority": "p1", "subject": "probe"}
#: The same as form data for the web views.
FORM_BODY = {key: value for key, value in ANY_BODY.items() if value is not None}
TICKET_WORDS = ("ticket", "attachment")


@pytest.fixture
def acme_ticket(acme, personas):
    AgreementFactory(client=acme, plan_version=PlanVersionFactory(), status="active",
                     start_date=dt.date.today() - dt.timedelta(days=1))
    ticket = services.ticket_open(client=acme, channel="portal", subject="Acme secret",
                                  body="acme only", contact=personas.contact.contact)
    services.ticket_note(ticket=ticket, body="note", by=personas.technician)
    return ticket


def _web_routes(patterns=None, prefix="", namespace=""):
    """(name, route, callback, kwarg names) of every named URL pattern, recursively."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from _web_routes(entry.url_patterns, prefix + str(entry.pattern),
                                   f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            route = prefix + str(entry.pattern)
            kwargs = list(entry.pattern.converters) if hasattr(entry.pattern, "converters") \
                else []
            yield f"{namespace}{entry.name}", route, entry.callback, kwargs


def ticket_web_routes():
    routes = []
    for name, route, callback, kwargs in _web_routes():
        if route.startswith(("api/", "admin/")):
            continue  # the API is walked below; the admin is for superusers only
        if any(word in route or word in name for word in TICKET_WORDS) and kwargs:
            routes.append((name, callback, kwargs))
    return routes


def ticket_api_operations():
    """(method, path template) of every API operation that takes a ticket id."""
    ops = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            if "ticket_id" not in path:
                continue
            for operation in path_view.operations:
                for method in operation.methods:
                    ops.append((method, (prefix + path).replace("{int:", "{")))
    return ops


def _fill(kwargs: list[str], ticket: Ticket) -> dict:
    entry = ticket.entries.first()
    return {name: entry.pk if "entry" in name else ticket.pk for name in kwargs}


def test_the_walkers_find_the_known_routes():
    names = {name for name, _, _ in ticket_web_routes()}
    assert {"portal:ticket_detail", "portal:ticket_reply"} <= names
    ops = set(ticket_api_operations())
    assert {("GET", "/tickets/{ticket_id}"), ("POST", "/tickets/{ticket_id}/replies"),
            ("POST", "/tickets/{ticket_id}/notes"), ("POST", "/tickets/{ticket_id}/transitions"),
            ("POST", "/tickets/{ticket_id}/assignment"), ("PATCH", "/tickets/{ticket_id}")
            } <= ops


def test_every_web_ticket_route_is_404_or_403_for_the_outsider(login, personas, acme_ticket):
    client = login(personas.outsider)
    before = (TicketEntry.objects.count(), Ticket.objects.values_list("status", "priority",
                                                                      "assignee_id").get())
    for name, callback, kwargs in ticket_web_routes():
        access = getattr(callback, "tierdesk_access", None)
        assert access is not None, f"{name} declares no access (staff_view/contact_view)"
        expected = 403 if access[0] == "staff" else 404
        if access[0] == "public":
            continue  # signing links and the like carry their own token, not a ticket id
        url = reverse(name, kwargs=_fill(kwargs, acme_ticket))
        statuses = {}
        for method in ("get", "post"):
            response = client.get(url) if method == "get" else client.post(url, FORM_BODY)
            statuses[method] = response.status_code
            assert b"Acme secret" not in response.content, name
        # A view may refuse a method (405) before any lookup; the other must be `expected`.
        assert set(statuses.values()) <= {expected, 405} and expected in statuses.values(), (
            f"{url} ({name}) -> {statuses}, expected {expected}")
    after = (TicketEntry.objects.count(), Ticket.objects.values_list("status", "priority",
                                                                     "assignee_id").get())
    assert after == before


def test_staff_ticket_pages_are_403_for_acmes_own_contact(login, personas, acme_ticket):
    """Every desk page (queue, dispatcher view, report, triage, ticket pages) is
    staff-only."""
    client = login(personas.contact)
    desk_routes = [(name, cb, kw) for name, _, cb, kw in _web_routes() if name.startswith("desk:")]
    staff_routes = [(n, cb, kw) for n, cb, kw in ticket_web_routes()
                    if getattr(cb, "tierdesk_access", ("",))[0] == "staff"]
    assert {"desk:queue", "desk:ticket_detail"} <= {name for name, _, _ in desk_routes}
    for name, callback, kwargs in {(n, cb, tuple(kw)) for n, cb, kw in desk_routes + staff_routes}:
        kind = getattr(callback, "tierdesk_access", ("",))[0]
        if kind == "public":
            continue  # a webhook authenticated by its own signature, not a page
        assert kind == "staff", f"{name} is a desk page for {kind or 'nobody declared'}"
        url = reverse(name, kwargs=_fill(kwargs, acme_ticket))
        statuses = {client.get(url).status_code, client.post(url, FORM_BODY).status_code}
        assert statuses <= {403, 405} and 403 in statuses, (url, statuses)


def test_every_api_ticket_operation_is_404_for_the_outsider(personas, bearer, acme_ticket):
    api_client = bearer(personas.outsider, "write")
    before = TicketEntry.objects.count()
    for method, path in ticket_api_operations():
        url = path.format(ticket_id=acme_ticket.pk)
        if method == "GET":
            response = api_client.get(url)
        else:
            response = api_client._send(method.lower(), url, ANY_BODY)
        assert response.status_code == 404, f"{method} {url} -> {response.status_code} " \
            f"{response.content[:200]!r}"
        assert response.json() == {"detail": "Not found."}
    assert TicketEntry.objects.count() == before
    assert acme_ticket.pk not in [row["id"] for row in
                                  api_client.get("/tickets").json()["items"]]
    assert api_client.get("/tickets", {"client": acme_ticket.client_id}).json()["count"] == 0


def test_acmes_own_contact_reaches_its_ticket_but_not_staff_actions(personas, bearer,
                                                                    acme_ticket):
    api_client = bearer(personas.contact, "write")
    assert api_client.get(f"/tickets/{acme_ticket.pk}").status_code == 200
    assert api_client.post(f"/tickets/{acme_ticket.pk}/notes", ANY_BODY).status_code == 404
    for method, path in (("post", "transitions"), ("post", "assignment")):
        response = api_client._send(method, f"/tickets/{acme_ticket.pk}/{path}", ANY_BODY)
        assert response.status_code == 403, path
    body = api_client.get(f"/tickets/{acme_ticket.pk}").json()
    assert "note" not in [entry["kind"] for entry in body["entries"]]
