"""Tickets in the client portal: a contact opens tickets, sees its own client's tickets with
the time we promised to respond by (in the client's time zone), replies, reads the public
timeline only, and is told which channels its tier includes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import dateformat

from tierdesk.clients.factories import AgreementFactory, SiteFactory
from tierdesk.desk import services
from tierdesk.desk.models import Ticket, TicketEntry, TicketPause
from tierdesk.plans.factories import PlanVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def silver(acme, tiers):
    return AgreementFactory(client=acme, plan_version=tiers["silver"], status="active",
                            start_date=dt.date.today() - dt.timedelta(days=1))


@pytest.fixture
def ticket(acme, silver, personas):
    return services.ticket_open(client=acme, channel="portal", subject="Printer jams",
                                body="The front desk printer jams on every page.",
                                contact=personas.contact.contact, site=acme.sites.first())


def _local(value, client) -> str:
    return dateformat.format(value.astimezone(ZoneInfo(client.timezone)), "D j M, g:i A T")


def _new(client, **data):
    return client.post(reverse("portal:ticket_new"), {
        "subject": "VPN drops", "description": "Every hour since Monday.", "priority": "p3",
        **data,
    })


def test_contact_opens_a_ticket_through_the_portal_channel(login, personas, acme, silver):
    site = acme.sites.first()
    response = _new(login(personas.contact), site=site.pk, priority="p4")

    ticket = Ticket.objects.get(subject="VPN drops")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket_detail", args=[ticket.pk])
    assert (ticket.client, ticket.channel, ticket.priority) == (acme, "portal", "p4")
    assert ticket.contact == personas.contact.contact and ticket.site == site
    assert not ticket.outside_entitlement
    assert ticket.first_response_due_at is not None
    assert ticket.entries.get(kind="inbound").body == "Every hour since Monday."


def test_the_new_ticket_page_preselects_the_only_site_and_offers_p3_and_p4(
        login, personas, acme, silver):
    page = login(personas.contact).get(reverse("portal:ticket_new"))
    form = page.context["form"]
    assert page.status_code == 200
    assert [value for value, _ in form.fields["priority"].choices] == ["p3", "p4"]
    assert form.fields["site"].initial == acme.sites.first().pk


@pytest.mark.parametrize("priority", ["p1", "p2"])
def test_a_contact_cannot_choose_p1_or_p2(login, personas, silver, priority):
    response = _new(login(personas.contact), priority=priority)
    assert response.status_code == 200
    assert "priority" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_a_site_of_another_client_is_refused(login, personas, globex, silver):
    response = _new(login(personas.contact), site=globex.sites.first().pk)
    assert "site" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_the_list_shows_status_priority_and_the_response_promise_in_the_clients_zone(
        login, personas, acme, ticket):
    page = login(personas.contact).get(reverse("portal:ticket_list"))
    body = page.content.decode()

    assert page.status_code == 200
    assert ticket.reference in body and "Printer jams" in body
    assert "Received" in body and "P3 Normal" in body
    assert "We will respond by" in body
    assert _local(ticket.first_response_due_at, acme) in body


def test_the_promise_follows_the_clients_time_zone(login, personas, acme, ticket):
    acme.timezone = "Asia/Tokyo"
    acme.save()
    body = login(personas.contact).get(reverse("portal:ticket_list")).content.decode()
    assert _local(ticket.first_response_due_at, acme) in body
    assert "JST" in body


def test_after_the_first_response_the_page_shows_the_resolution_promise(
        login, personas, acme, ticket):
    services.ticket_reply(ticket=ticket, body="We are on it.", by=personas.technician)
    ticket.refresh_from_db()
    body = login(personas.contact).get(
        reverse("portal:ticket_detail", args=[ticket.pk])).content.decode()
    assert "We will respond by" not in body
    if ticket.resolution_due_at:
        assert _local(ticket.resolution_due_at, acme) in body


def test_closed_and_resolved_tickets_are_listed_only_under_all(login, personas, ticket):
    services.ticket_transition(ticket=ticket, to="resolved", by=personas.dispatcher)
    client = login(personas.contact)
    assert ticket.reference not in client.get(reverse("portal:ticket_list")).content.decode()
    everything = client.get(reverse("portal:ticket_list"), {"show": "all"}).content.decode()
    assert ticket.reference in everything and "Resolved" in everything


def test_the_timeline_shows_public_entries_and_never_internal_notes(login, personas, ticket):
    services.ticket_note(ticket=ticket, body="Client is on an old driver — secret",
                         by=personas.technician)
    services.ticket_reply(ticket=ticket, body="Please try the new driver.", by=personas.technician)
    services.ticket_transition(ticket=ticket, to="waiting_client", by=personas.technician,
                               reason="internal: waiting for them to reboot")

    body = login(personas.contact).get(
        reverse("portal:ticket_detail", args=[ticket.pk])).content.decode()

    assert "The front desk printer jams on every page." in body
    assert "Please try the new driver." in body
    assert "secret" not in body
    assert "internal: waiting" not in body
    assert "Waiting on you" in body


def test_a_reply_adds_the_contacts_message(login, personas, ticket):
    response = login(personas.contact).post(
        reverse("portal:ticket_reply", args=[ticket.pk]), {"body": "Still jamming."})

    assert response.status_code == 302
    entry = ticket.entries.filter(kind="inbound").latest("created_at")
    assert entry.body == "Still jamming."
    assert entry.author_contact == personas.contact.contact and entry.channel == "portal"


def test_a_reply_to_a_ticket_waiting_on_the_client_resumes_it(login, personas, ticket):
    services.ticket_reply(ticket=ticket, body="Which model?", by=personas.technician)
    services.ticket_transition(ticket=ticket, to="waiting_client", by=personas.technician)
    ticket.refresh_from_db()
    assert ticket.paused_at is not None

    login(personas.contact).post(reverse("portal:ticket_reply", args=[ticket.pk]),
                                 {"body": "An HP LaserJet 4."})

    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.paused_at is None
    assert TicketPause.objects.filter(ticket=ticket).count() == 1


def test_an_empty_reply_is_refused_naming_the_field(login, personas, ticket):
    response = login(personas.contact).post(
        reverse("portal:ticket_reply", args=[ticket.pk]), {"body": ""})
    assert response.status_code == 400
    assert "body" in response.context["form"].errors
    assert ticket.entries.filter(kind="inbound").count() == 1


def test_the_reply_url_takes_only_post(login, personas, ticket):
    response = login(personas.contact).get(reverse("portal:ticket_reply", args=[ticket.pk]))
    assert response.status_code == 405


def test_a_closed_ticket_offers_a_new_ticket_instead_of_a_reply(login, personas, ticket):
    services.ticket_transition(ticket=ticket, to="closed", by=personas.dispatcher)
    page = login(personas.contact).get(reverse("portal:ticket_detail", args=[ticket.pk]))
    assert page.context["can_reply"] is False
    assert reverse("portal:ticket_reply", args=[ticket.pk]) not in page.content.decode()


def test_home_lists_open_tickets_and_the_channels_of_the_tier(login, personas, ticket):
    body = login(personas.contact).get(reverse("portal:home")).content.decode()
    assert ticket.reference in body
    assert "Your Silver tier includes E-mail, Web portal, Phone (automated attendant)." in body
    assert "hotline" not in body.lower()


def test_without_an_agreement_the_portal_says_so_and_still_takes_requests(
        login, personas, acme):
    client = login(personas.contact)
    assert "no support agreement in force" in client.get(reverse("portal:home")).content.decode()
    assert _new(client).status_code == 302
    assert Ticket.objects.get().plan_version is None


def test_a_tier_without_the_portal_still_tickets_flags_and_tells_the_channels(
        login, personas, acme, tiers):
    version = PlanVersionFactory(channels=["email"], channel_instructions=(
        "Your tier is reached by e-mail at help@northwind.example only."))
    AgreementFactory(client=acme, plan_version=version, status="active",
                     start_date=dt.date.today() - dt.timedelta(days=1))
    client = login(personas.contact)

    form_page = client.get(reverse("portal:ticket_new")).content.decode()
    response = _new(client)
    detail = client.get(response["Location"]).content.decode()

    assert "does not include the portal" in form_page
    ticket = Ticket.objects.get()
    assert ticket.outside_entitlement and ticket.channel == "portal"
    assert "help@northwind.example only" in detail
    # ticket_open tells the contact too (the acknowledgement carries the instructions).
    notice = ticket.entries.get(kind="system")
    assert notice.data["notice"] == "outside_entitlement"
    assert "help@northwind.example only" in notice.body


def test_the_outsider_gets_404_for_acmes_ticket_page_and_reply(login, personas, ticket):
    client = login(personas.outsider)
    before = TicketEntry.objects.count()

    assert client.get(reverse("portal:ticket_detail", args=[ticket.pk])).status_code == 404
    reply = client.post(reverse("portal:ticket_reply", args=[ticket.pk]), {"body": "hi"})

    assert reply.status_code == 404
    assert TicketEntry.objects.count() == before
    assert ticket.reference not in client.get(reverse("portal:ticket_list"), {"show": "all"}
                                              ).content.decode()
    assert ticket.reference not in client.get(reverse("portal:home")).content.decode()


def test_an_unknown_ticket_is_404(login, personas, silver):
    assert login(personas.contact).get(
        reverse("portal:ticket_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", ["owner", "dispatcher", "technician", "billing"])
@pytest.mark.parametrize("name", ["ticket_list", "ticket_new"])
def test_staff_are_refused_the_portal_ticket_pages(login, personas, role, name):
    assert login(getattr(personas, role)).get(reverse(f"portal:{name}")).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, ticket):
    response = client.get(reverse("portal:ticket_detail", args=[ticket.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_sites_are_offered_from_the_contacts_client_only(login, personas, acme, globex,
                                                         silver):
    SiteFactory(client=acme, name="Branch")
    form = login(personas.contact).get(reverse("portal:ticket_new")).context["form"]
    assert set(form.fields["site"].queryset) == set(acme.sites.all())
    assert form.fields["site"].initial is None  # two sites: the contact chooses
