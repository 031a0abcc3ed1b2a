"""The intake triage page: held e-mail, calls and alerts in one list with a source filter;
assigning opens what the source calls for (a callback ticket for a call, the alert ticket
for an alert) exactly once; rejecting keeps the row; only owners and dispatchers act."""
# ruff: noqa: F811

import pytest
from django.urls import reverse

from tierdesk.core.events import AuditEvent
from tierdesk.desk.intake.email import email_receive
from tierdesk.desk.intake.triage import inbound_held_count, inbound_triage_assign
from tierdesk.desk.models import InboundMessage, Ticket
from tierdesk.desk.tests.intake_email_samples import (  # noqa: F401
    acme_on_gold,
    desk,
    gold,
    mail,
)
from tierdesk.desk.tests.intake_triage_samples import (  # noqa: F401
    ATTENDANT,
    HOTLINE,
    intake_settings,
    stored_alert,
    stored_call,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_call(desk):
    return stored_call(status="held", reason="unknown caller", to=HOTLINE)


@pytest.fixture
def held_alert(desk):
    return stored_alert(status="held", reason="unknown client: Nobody Ltd")


@pytest.fixture
def held_mail(desk):
    row = email_receive(raw=mail(sender="newperson@acme.example", subject="Cannot log in"))
    assert row.status == "held"
    return row


def test_held_calls_alerts_and_mail_appear_together_with_source_and_reason(
        desk, held_call, held_alert, held_mail, login):
    page = login(desk.dispatcher).get(reverse("desk:intake_triage")).content.decode()
    assert "Voice webhook" in page and "+15555550000" in page and "unknown caller" in page
    assert "Monitoring webhook" in page and "unknown client: Nobody Ltd" in page
    assert "NB-SRV01" in page
    assert "newperson@acme.example" in page and "Cannot log in" in page
    assert "Call back" in page and "Open alert ticket" in page


def test_the_source_filter_shows_only_that_source(desk, held_call, held_alert, held_mail,
                                                  login):
    page = login(desk.dispatcher).get(reverse("desk:intake_triage"),
                                      {"source": "voice"}).content.decode()
    assert "+15555550000" in page
    assert "NB-SRV01" not in page and "Cannot log in" not in page


def test_the_old_email_triage_name_is_the_same_page(desk):
    assert reverse("desk:email_triage") == reverse("desk:intake_triage")


def test_assigning_a_held_hotline_call_opens_one_callback_ticket_even_when_clicked_twice(
        desk, held_call, acme, login):
    contact = desk.contact.contact
    client = login(desk.dispatcher)
    url = reverse("desk:intake_triage_assign", args=[held_call.pk])

    first = client.post(url, {"client": acme.pk, "contact": contact.pk})
    second = client.post(url, {"client": acme.pk, "contact": contact.pk}, follow=True)

    ticket = Ticket.objects.get()
    assert first["Location"] == reverse("desk:ticket_detail", args=[ticket.pk])
    assert (ticket.client, ticket.contact, ticket.channel, ticket.type) == (
        acme, contact, "hotline", "callback")
    assert ticket.requester == "+15555550000"
    held_call.refresh_from_db()
    assert (held_call.status, held_call.ticket) == ("ticketed", ticket)
    assert "was held: unknown caller" in held_call.reason
    assert "Nothing done" in second.content.decode()
    assert AuditEvent.objects.filter(action="inbound.assigned",
                                     object_id=str(held_call.pk)).count() == 1


def test_a_held_attendant_call_becomes_a_phone_attendant_callback(desk, acme):
    row = stored_call(sid="CA0002", to=ATTENDANT, status="held", reason="unknown caller")
    row, changed = inbound_triage_assign(inbound=row, client=acme, by=desk.dispatcher)
    assert changed
    assert (row.ticket.channel, row.ticket.type) == ("phone_attendant", "callback")
    assert row.ticket.opened_at == row.received_at


def test_assigning_a_held_alert_opens_the_alert_ticket_for_the_chosen_client(
        desk, held_alert, acme, login):
    client = login(desk.owner)
    url = reverse("desk:intake_triage_assign", args=[held_alert.pk])

    client.post(url, {"client": acme.pk})
    client.post(url, {"client": acme.pk})

    ticket = Ticket.objects.get()
    assert (ticket.client, ticket.channel, ticket.type, ticket.priority) == (
        acme, "monitoring", "monitoring_alert", "p2")
    assert ticket.alert_key == "nb-srv01|disk c: free space"
    held_alert.refresh_from_db()
    assert (held_alert.status, held_alert.ticket) == ("ticketed", ticket)
    assert "assigned to Acme Dental" in held_alert.reason
    assert "was held: unknown client" in held_alert.reason


def test_a_held_alert_for_an_already_open_alert_folds_into_it(desk, acme):
    first = stored_alert(status="held", reason="unknown client", alert_id="a-1")
    second = stored_alert(status="held", reason="unknown client", alert_id="a-2")
    inbound_triage_assign(inbound=first, client=acme, by=desk.dispatcher)
    row, _ = inbound_triage_assign(inbound=second, client=acme, by=desk.dispatcher)
    assert row.status == "folded"
    assert Ticket.objects.get().alert_count == 2


@pytest.mark.parametrize("fixture", ["held_call", "held_alert", "held_mail"])
def test_rejecting_keeps_the_row_stored_with_the_reason_and_twice_does_nothing(
        desk, login, request, fixture):
    row = request.getfixturevalue(fixture)
    client = login(desk.dispatcher)
    url = reverse("desk:intake_triage_reject", args=[row.pk])

    client.post(url, {"reason": "wrong number"})
    again = client.post(url, {"reason": "second click"}, follow=True)

    row.refresh_from_db()
    assert row.status == "rejected" and row.reason.startswith("rejected by dispatcher: "
                                                              "wrong number")
    assert InboundMessage.objects.filter(pk=row.pk).exists() and Ticket.objects.count() == 0
    assert "Nothing done" in again.content.decode()
    assert AuditEvent.objects.filter(action="inbound.rejected").count() == 1


@pytest.mark.parametrize("role", ["owner", "dispatcher"])
def test_owners_and_dispatchers_may_act(desk, held_call, acme, login, role):
    client = login(getattr(desk, role))
    assert client.get(reverse("desk:intake_triage")).status_code == 200
    client.post(reverse("desk:intake_triage_assign", args=[held_call.pk]), {"client": acme.pk})
    held_call.refresh_from_db()
    assert held_call.status == "ticketed"


@pytest.mark.parametrize("role", ["technician", "contact", "outsider"])
def test_technicians_and_contacts_get_403_and_change_nothing(desk, held_call, held_alert,
                                                             acme, login, role):
    client = login(getattr(desk, role))
    assert client.get(reverse("desk:intake_triage")).status_code == 403
    for row in (held_call, held_alert):
        assign = client.post(reverse("desk:intake_triage_assign", args=[row.pk]),
                             {"client": acme.pk})
        reject = client.post(reverse("desk:intake_triage_reject", args=[row.pk]),
                             {"reason": "spam"})
        assert (assign.status_code, reject.status_code) == (403, 403)
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {"held"}


def test_an_anonymous_visitor_is_sent_to_login(desk, held_call, client):
    for response in (client.get(reverse("desk:intake_triage")),
                     client.post(reverse("desk:intake_triage_reject", args=[held_call.pk]),
                                 {"reason": "spam"})):
        assert response.status_code == 302 and "/login/" in response["Location"]
    held_call.refresh_from_db()
    assert held_call.status == "held"


def test_the_dispatcher_view_loads_a_badge_with_the_held_count(desk, held_call, held_alert,
                                                              login):
    client = login(desk.dispatcher)
    page = client.get(reverse("desk:dispatch")).content.decode()
    assert reverse("desk:intake_triage_badge") in page
    badge = client.get(reverse("desk:intake_triage_badge")).content.decode()
    assert inbound_held_count() == 2
    assert 'data-held="2"' in badge and reverse("desk:intake_triage") in badge


def test_the_technician_sees_the_count_without_a_link(desk, held_call, login):
    badge = login(desk.technician).get(reverse("desk:intake_triage_badge")).content.decode()
    assert 'data-held="1"' in badge and reverse("desk:intake_triage") not in badge
