"""/tickets through HTTP, as a contract: listing with filters, detail with SLA fields,
opening as staff and as a contact, replies, notes, transitions, assignment and priority."""

import datetime as dt

import pytest

from tierdesk.api.tests.conftest import fields
from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.clients.factories import AgreementFactory
from tierdesk.desk import services
from tierdesk.desk.models import Ticket
from tierdesk.plans.factories import PlanVersionFactory
from tierdesk.plans.models import PlanVersion
from tierdesk.plans.seed import tiers_load_defaults

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiers(db):
    catalog_load_defaults()
    tiers_load_defaults()
    return {v.plan.slug: v for v in PlanVersion.objects.select_related("plan")}


@pytest.fixture
def gold(acme, tiers):
    return AgreementFactory(client=acme, plan_version=tiers["gold"], status="active",
                            start_date=dt.date.today() - dt.timedelta(days=1))


@pytest.fixture
def ticket(acme, gold, personas):
    return services.ticket_open(client=acme, channel="email", subject="Server down",
                                body="Nothing works.", contact=personas.contact.contact,
                                priority="p2")


def _open(api, **body):
    return api.post("/tickets", {"subject": "New laptop", "body": "Set up please", **body})


# Listing ----------------------------------------------------------------------------------

def test_staff_list_every_ticket_paginated(personas, bearer, ticket, globex):
    other = services.ticket_open(client=globex, channel="walk_in", subject="Globex thing")
    listing = bearer(personas.billing, "read").get("/tickets", {"limit": 1}).json()
    assert listing["count"] == 2 and len(listing["items"]) == 1
    ids = {row["id"] for row in bearer(personas.owner).get("/tickets").json()["items"]}
    assert ids == {ticket.pk, other.pk}


def test_contacts_list_only_their_clients_tickets(personas, bearer, ticket, globex):
    services.ticket_open(client=globex, channel="walk_in", subject="Globex thing")
    rows = bearer(personas.contact, "read").get("/tickets").json()["items"]
    assert [row["id"] for row in rows] == [ticket.pk]
    assert rows[0]["assignee_id"] is None and rows[0]["requester"] is None


def test_filters_client_status_priority_assignee_breached_and_entitlement(
        personas, bearer, acme, globex, ticket):
    other = services.ticket_open(client=globex, channel="walk_in", subject="Globex",
                                 priority="p4")
    services.ticket_assign(ticket=ticket, assignee=personas.technician, by=personas.dispatcher)
    Ticket.objects.filter(pk=other.pk).update(resolution_breached=True,
                                              outside_entitlement=True)
    api = bearer(personas.dispatcher, "read")

    def ids(**params):
        return [row["id"] for row in api.get("/tickets", params).json()["items"]]

    assert ids(client=acme.pk) == [ticket.pk]
    assert set(ids(status="new,open")) == {ticket.pk, other.pk}
    assert ids(priority="p4") == [other.pk]
    assert ids(assignee=str(personas.technician.pk)) == [ticket.pk]
    assert ids(assignee="none") == [other.pk]
    assert ids(breached="true") == [other.pk]
    assert ids(breached="false") == [ticket.pk]
    assert ids(outside_entitlement="true") == [other.pk]
    assert fields(api.get("/tickets", {"assignee": "bob"}))["assignee"]


def test_the_default_order_is_the_queues_earliest_due_first(personas, bearer, acme, gold):
    later = services.ticket_open(client=acme, channel="email", subject="later", priority="p4")
    sooner = services.ticket_open(client=acme, channel="email", subject="sooner",
                                  priority="p1")
    rows = bearer(personas.dispatcher).get("/tickets").json()["items"]
    assert [row["id"] for row in rows] == [sooner.pk, later.pk]
    newest = bearer(personas.dispatcher).get("/tickets", {"ordering": "-opened"}).json()
    assert newest["items"][0]["id"] == sooner.pk


# Detail -----------------------------------------------------------------------------------

def test_detail_has_the_sla_snapshot_due_times_and_the_timeline(personas, bearer, ticket):
    services.ticket_note(ticket=ticket, body="internal", by=personas.technician)
    body = bearer(personas.technician, "read").get(f"/tickets/{ticket.pk}").json()

    assert body["reference"] == ticket.reference and body["status"] == "new"
    assert body["sla_targets"]["first_response"]
    assert body["first_response_due_at"] is not None and "resolution_due_at" in body
    assert body["first_response_breached"] is False and body["paused_at"] is None
    assert body["sla_calendar"]["tz"] == "America/New_York"
    kinds = [entry["kind"] for entry in body["entries"]]
    assert "inbound" in kinds and "note" in kinds


def test_contacts_see_the_public_timeline_without_internal_fields(personas, bearer, ticket):
    services.ticket_note(ticket=ticket, body="internal", by=personas.technician)
    services.ticket_reply(ticket=ticket, body="On our way", by=personas.technician)
    body = bearer(personas.contact, "read").get(f"/tickets/{ticket.pk}").json()

    assert {entry["kind"] for entry in body["entries"]} <= {"inbound", "reply", "call"}
    assert "internal" not in [entry["body"] for entry in body["entries"]]
    assert body["sla_calendar"] is None and body["assignee_name"] is None
    assert body["first_response_due_at"] is not None


# Opening ----------------------------------------------------------------------------------

def test_staff_open_a_ticket_for_any_client_through_any_channel(personas, bearer, acme, gold):
    contact = personas.contact.contact
    response = _open(bearer(personas.dispatcher), client_id=acme.pk, channel="phone_attendant",
                     priority="p1", contact_id=contact.pk, site_id=acme.sites.first().pk)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["channel"], body["priority"], body["contact_id"]) == (
        "phone_attendant", "p1", contact.pk)
    assert body["first_response_due_at"] is not None
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.entries.get(kind="inbound").data == {"logged_by": personas.dispatcher.pk}


def test_staff_must_name_the_client_and_the_channel(personas, bearer):
    errors = fields(_open(bearer(personas.dispatcher)))
    assert {"client_id", "channel"} <= set(errors)


def test_bad_ids_and_choices_are_422_naming_the_field(personas, bearer, acme, globex, gold):
    api = bearer(personas.dispatcher)
    assert "client_id" in fields(_open(api, client_id=999999, channel="email"))
    assert "site_id" in fields(_open(api, client_id=acme.pk, channel="email",
                                     site_id=globex.sites.first().pk))
    assert "channel" in fields(_open(api, client_id=acme.pk, channel="carrier_pigeon"))
    assert "subject" in fields(_open(api, client_id=acme.pk, channel="email", subject=""))


def test_billing_staff_cannot_open_tickets(personas, bearer, acme):
    assert _open(bearer(personas.billing), client_id=acme.pk, channel="email"
                 ).status_code == 403


def test_a_contact_opens_through_the_portal_for_its_own_client(personas, bearer, acme, gold):
    response = _open(bearer(personas.contact), priority="p4")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["client_id"], body["channel"], body["contact_id"]) == (
        acme.pk, "portal", personas.contact.contact.pk)
    assert body["outside_entitlement"] is False


def test_a_contact_is_held_to_its_client_the_portal_and_p3_p4(personas, bearer, globex, gold):
    api = bearer(personas.contact)
    errors = fields(_open(api, client_id=globex.pk, channel="hotline", priority="p1"))
    assert set(errors) >= {"client_id", "channel", "priority"}
    assert "no such client" in errors["client_id"]
    assert "site_id" in fields(_open(api, site_id=globex.sites.first().pk))
    assert not Ticket.objects.exists()


def test_a_tier_without_the_portal_still_tickets_and_flags(personas, bearer, acme):
    AgreementFactory(client=acme, plan_version=PlanVersionFactory(channels=["email"]),
                     status="active", start_date=dt.date.today() - dt.timedelta(days=1))
    body = _open(bearer(personas.contact)).json()
    assert body["outside_entitlement"] is True and body["channel"] == "portal"


def test_a_help_desk_ticket_of_a_routed_tier_is_handed_over_through_the_api(
        personas, bearer, acme, gold):
    # The opening's route lookup is hand-written SQL (desk/outsourcing.py): the API still
    # hands a routed tier's help desk over, and answers with the hand-over in the timeline.
    from tierdesk.desk import outsourcing
    from tierdesk.desk.models import OutsourcedTicket

    partner = outsourcing.partner_create(
        by=personas.owner, name="HelpCo", email="desk@helpco.example",
        hours={"tz": "UTC", "hours": {d: [["00:00", "24:00"]] for d in
                                      ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}},
        first_response_minutes=60, contract_start=dt.date(2020, 1, 1))
    outsourcing.helpdesk_route_set(plan=gold.plan_version.plan, partner=partner,
                                   by=personas.owner)
    api = bearer(personas.dispatcher)
    body = _open(api, client_id=acme.pk, channel="email", priority="p3").json()
    assert OutsourcedTicket.objects.get(ticket_id=body["id"]).partner == partner
    assert [e["kind"] for e in body["entries"]] == ["inbound", "system", "system"]
    assert "Handed to HelpCo" in body["entries"][2]["body"]
    # Break-fix stays in house; an inactive partner takes nothing.
    fix = _open(api, client_id=acme.pk, channel="email", type="break_fix").json()
    assert not OutsourcedTicket.objects.filter(ticket_id=fix["id"]).exists()
    outsourcing.partner_update(partner=partner, by=personas.owner, is_active=False)
    later = _open(api, client_id=acme.pk, channel="email").json()
    assert not OutsourcedTicket.objects.filter(ticket_id=later["id"]).exists()
    assert [e["kind"] for e in later["entries"]] == ["inbound", "system"]


# Replies, notes ---------------------------------------------------------------------------

def test_a_staff_reply_is_public_and_records_the_first_response(personas, bearer, ticket):
    response = bearer(personas.technician).post(f"/tickets/{ticket.pk}/replies",
                                                {"body": "Rebooting now"})
    assert response.status_code == 201
    assert response.json()["kind"] == "reply" and response.json()["public"] is True
    detail = bearer(personas.technician).get(f"/tickets/{ticket.pk}").json()
    assert detail["first_responded_at"] is not None and detail["status"] == "open"


def test_a_contact_reply_is_a_message_and_resumes_a_waiting_ticket(personas, bearer, ticket):
    services.ticket_transition(ticket=ticket, to="waiting_client", by=personas.technician)
    response = bearer(personas.contact).post(f"/tickets/{ticket.pk}/replies",
                                             {"body": "Here is the info"})
    assert response.status_code == 201
    assert response.json()["kind"] == "inbound" and response.json()["author_is_staff"] is False
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.paused_at is None


def test_entries_name_their_authors(personas, bearer, ticket):
    user = personas.technician
    staff = bearer(user).post(f"/tickets/{ticket.pk}/replies", {"body": "On it"}).json()
    assert staff["author_name"] == (user.get_full_name() or user.username)
    assert staff["author_is_staff"] is True
    client = bearer(personas.contact).post(f"/tickets/{ticket.pk}/replies",
                                           {"body": "Thanks"}).json()
    assert client["author_name"] == personas.contact.contact.name
    assert client["author_is_staff"] is False
    timeline = bearer(user).get(f"/tickets/{ticket.pk}").json()["entries"]
    system = [e for e in timeline if e["kind"] == "system"]
    assert system and all(e["author_name"] == "" for e in system)


def test_datetimes_come_back_to_the_microsecond(personas, bearer, acme, gold):
    at = dt.datetime(2026, 3, 6, 14, 30, 5, 123456, tzinfo=dt.UTC)
    ticket = services.ticket_open(client=acme, channel="email", subject="Clock",
                                  opened_at=at)
    body = bearer(personas.owner).get(f"/tickets/{ticket.pk}").json()
    assert body["opened_at"] == "2026-03-06T14:30:05.123456Z"


def test_an_empty_reply_is_422_on_body(personas, bearer, ticket):
    assert "body" in fields(bearer(personas.technician).post(f"/tickets/{ticket.pk}/replies",
                                                             {"body": ""}))


def test_a_note_is_internal_and_staff_only(personas, bearer, ticket):
    response = bearer(personas.technician).post(f"/tickets/{ticket.pk}/notes",
                                                {"body": "Check the RAID"})
    assert response.status_code == 201 and response.json()["public"] is False
    assert ticket.entries.filter(kind="note").count() == 1
    # Notes do not exist for contacts, not even on their own ticket.
    contact = bearer(personas.contact).post(f"/tickets/{ticket.pk}/notes", {"body": "x"})
    assert contact.status_code == 404
    # Billing reads tickets but does not work them.
    assert bearer(personas.billing).post(f"/tickets/{ticket.pk}/notes",
                                         {"body": "x"}).status_code == 403
    assert ticket.entries.filter(kind="note").count() == 1


def test_a_read_token_cannot_reply(personas, bearer, ticket):
    response = bearer(personas.technician, "read").post(f"/tickets/{ticket.pk}/replies",
                                                        {"body": "x"})
    assert response.status_code == 403 and "scope" in response.json()["detail"]


# Transitions, assignment, priority ---------------------------------------------------------

def test_a_transition_to_waiting_on_client_pauses_the_clock(personas, bearer, ticket):
    response = bearer(personas.technician).post(f"/tickets/{ticket.pk}/transitions",
                                                {"to": "waiting_client", "reason": "asked"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "waiting_client"
    assert response.json()["paused_at"] is not None


def test_a_transition_the_map_forbids_is_422_on_to(personas, bearer, ticket):
    api = bearer(personas.technician)
    api.post(f"/tickets/{ticket.pk}/transitions", {"to": "closed"})
    errors = fields(api.post(f"/tickets/{ticket.pk}/transitions", {"to": "open"}))
    assert "cannot become" in errors["to"]
    assert "to" in fields(api.post(f"/tickets/{ticket.pk}/transitions", {"to": "limbo"}))


def test_contacts_cannot_transition_assign_or_reprioritise_their_own_ticket(
        personas, bearer, ticket):
    api = bearer(personas.contact)
    assert api.post(f"/tickets/{ticket.pk}/transitions", {"to": "resolved"}).status_code == 403
    assert api.post(f"/tickets/{ticket.pk}/assignment",
                    {"assignee_id": personas.technician.pk}).status_code == 403
    assert api.patch(f"/tickets/{ticket.pk}", {"priority": "p1"}).status_code == 403
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee_id, ticket.priority) == ("new", None, "p2")


def test_a_dispatcher_assigns_and_unassigns(personas, bearer, ticket):
    api = bearer(personas.dispatcher)
    body = api.post(f"/tickets/{ticket.pk}/assignment",
                    {"assignee_id": personas.technician.pk}).json()
    assert body["assignee_id"] == personas.technician.pk
    assert body["assignee_name"]
    assert api.post(f"/tickets/{ticket.pk}/assignment",
                    {"assignee_id": None}).json()["assignee_id"] is None


def test_a_technician_takes_an_unassigned_ticket_but_not_anothers(personas, bearer, ticket):
    api = bearer(personas.technician)
    assert api.post(f"/tickets/{ticket.pk}/assignment",
                    {"assignee_id": personas.dispatcher.pk}).status_code == 403
    assert api.post(f"/tickets/{ticket.pk}/assignment",
                    {"assignee_id": personas.technician.pk}).status_code == 200


def test_assigning_someone_who_does_not_work_tickets_is_422(personas, bearer, ticket):
    api = bearer(personas.dispatcher)
    assert "assignee_id" in fields(api.post(f"/tickets/{ticket.pk}/assignment",
                                            {"assignee_id": personas.billing.pk}))
    assert "assignee_id" in fields(api.post(f"/tickets/{ticket.pk}/assignment",
                                            {"assignee_id": 999999}))


def test_a_priority_change_recomputes_the_due_times(personas, bearer, ticket):
    before = bearer(personas.dispatcher).get(f"/tickets/{ticket.pk}").json()
    after = bearer(personas.dispatcher).patch(f"/tickets/{ticket.pk}", {"priority": "p1"})
    assert after.status_code == 200
    assert after.json()["priority"] == "p1"
    assert after.json()["first_response_due_at"] < before["first_response_due_at"]
    assert after.json()["opened_at"] == before["opened_at"]


def test_only_managers_change_priority(personas, bearer, ticket):
    assert bearer(personas.technician).patch(f"/tickets/{ticket.pk}",
                                             {"priority": "p1"}).status_code == 403
    assert "priority" in fields(bearer(personas.owner).patch(f"/tickets/{ticket.pk}",
                                                              {"priority": "p9"}))


def test_the_ticket_routes_are_in_the_openapi_document(anonymous):
    paths = anonymous.get("/openapi.json").json()["paths"]
    for path in ("/api/tickets", "/api/tickets/{ticket_id}", "/api/tickets/{ticket_id}/replies",
                 "/api/tickets/{ticket_id}/notes", "/api/tickets/{ticket_id}/transitions",
                 "/api/tickets/{ticket_id}/assignment", "/api/calendars/validate",
                 "/api/calendars/due"):
        assert path in paths, path
