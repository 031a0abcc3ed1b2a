"""The phone: Twilio's voice webhook over HTTP, answered with TwiML."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.core import mail

from tierdesk.clients.factories import AgreementFactory, ClientFactory, ContactFactory
from tierdesk.core.factories import UserFactory
from tierdesk.desk.intake.signatures import twilio_signature
from tierdesk.desk.models import InboundMessage, Ticket, TicketEntry
from tierdesk.desk.oncall import oncall_member_add, rotation_create
from tierdesk.desk.tests.desk_fixtures import make_version

TOKEN = "twilio-test-token"
HOTLINE = "+1 207 555 0199"
ATTENDANT = "+1 207 555 0100"
URL = "/api/intake/voice"
DIAL_URL = "/api/intake/voice/dial"


@pytest.fixture(autouse=True)
def voice_settings(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TIERDESK_HOTLINE = HOTLINE
    settings.TIERDESK_ATTENDANT_NUMBER = ATTENDANT
    settings.TIERDESK_PHONE_REGION = "US"
    return settings


@pytest.fixture
def platinum(db):
    return make_version(name="Platinum", rank=3,
                        channels=("email", "portal", "phone_attendant", "hotline"),
                        instructions="Call the hotline at +1 207 555 0199.")


@pytest.fixture
def silver(db):
    return make_version(name="Silver", rank=1,
                        instructions="Silver: e-mail help@msp.example or use the portal.")


@pytest.fixture
def caller(acme, platinum):
    """A contact of acme (Platinum, hotline included), phone stored as typed by a person."""
    AgreementFactory(client=acme, plan_version=platinum, status="active",
                     start_date=dt.date(2025, 1, 1))
    return ContactFactory(client=acme, name="Dana Dentist", phone="(207) 555-0123",
                          email="dana@acme.example")


@pytest.fixture
def silver_caller(silver):
    client = ClientFactory(name="Initech")
    AgreementFactory(client=client, plan_version=silver, status="active",
                     start_date=dt.date(2025, 1, 1))
    return ContactFactory(client=client, name="Peter", phone="+1 312-555-0187",
                          email="peter@initech.example")


@pytest.fixture
def on_call(personas):
    rotation = rotation_create(name="Hotline", starts_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
                               shift_days=7)
    return oncall_member_add(rotation=rotation, user=personas.technician,
                             phone="207 555 0142")


def call(client, *, sid="CA0001", frm="+12075550123", to=HOTLINE, token=TOKEN, path=URL,
         signature=None, **extra):
    params = {"CallSid": sid, "From": frm, "To": to.replace(" ", ""),
              "CallStatus": "ringing", "AccountSid": "AC123", **extra}
    if signature is None:
        signature = twilio_signature(url="http://testserver" + path, params=params.items(),
                                     token=token)
    return client.post(path, data=urlencode(params),
                       content_type="application/x-www-form-urlencoded",
                       HTTP_X_TWILIO_SIGNATURE=signature)


def test_signature_matches_twilios_documented_example():
    # The worked example of Twilio's security documentation (URL, params, token, result).
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030",
              "Digits": "1234", "From": "+12349013030", "To": "+18005551212"}
    signature = twilio_signature(url="https://mycompany.com/myapp.php?foo=1&bar=2",
                                 params=params.items(), token="12345")
    assert signature == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_entitled_hotline_caller_is_dialled_through_to_the_on_call_technician(
        client, caller, on_call, personas):
    response = call(client)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    body = response.content.decode()
    assert "<Dial" in body and "<Number>+12075550142</Number>" in body
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.priority, ticket.contact) == ("hotline", "p2", caller)
    assert not ticket.outside_entitlement
    assert ticket.assignee == personas.technician
    assert f"ticket={ticket.reference}" in body
    inbound = InboundMessage.objects.get(source="voice")
    assert (inbound.status, inbound.ticket) == ("ticketed", ticket)
    assert bytes(inbound.raw).startswith(b"CallSid=CA0001")


def test_answered_forward_is_logged_as_the_first_response(client, caller, on_call, personas):
    call(client)
    ticket = Ticket.objects.get()

    response = call(client, path=f"{DIAL_URL}?ticket={ticket.reference}",
                    DialCallStatus="completed", DialCallDuration="95")

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    entry = TicketEntry.objects.get(ticket=ticket, kind="call")
    assert entry.author_user == personas.technician and "95 s" in entry.body


def test_unanswered_forward_tells_the_caller_and_the_dispatchers(client, caller, on_call,
                                                                  personas):
    personas.dispatcher.email = "dispatch@msp.example"
    personas.dispatcher.save()
    call(client)
    ticket = Ticket.objects.get()
    mail.outbox.clear()

    with_callbacks = call(client, path=f"{DIAL_URL}?ticket={ticket.reference}",
                          DialCallStatus="no-answer")

    assert "call you back" in with_callbacks.content.decode()
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None


def test_nobody_on_call_gets_a_clear_message_a_ticket_and_the_dispatcher_notified(
        client, caller, personas, django_capture_on_commit_callbacks):
    personas.dispatcher.email = "dispatch@msp.example"
    personas.dispatcher.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = call(client)

    body = response.content.decode()
    assert "<Dial" not in body and "no technician can take your call" in body
    ticket = Ticket.objects.get()
    assert ticket.channel == "hotline"
    assert any("dispatch@msp.example" in m.to for m in mail.outbox)
    assert ticket.entries.filter(kind="note", body__contains="nobody is on call").exists()


def test_silver_caller_hears_the_tiers_instructions_and_gets_a_callback_ticket(
        client, silver_caller, on_call):
    response = call(client, frm="+13125550187")

    body = response.content.decode()
    assert "Silver: e-mail help@msp.example or use the portal." in body
    assert "<Dial" not in body
    ticket = Ticket.objects.get()
    assert (ticket.type, ticket.channel, ticket.client) == ("callback", "hotline",
                                                            silver_caller.client)
    assert ticket.outside_entitlement
    assert " ".join(ticket.reference.partition("-")[2]) in body  # read out to the caller


def test_attendant_line_opens_a_callback_ticket_and_promises_a_call_back(client, caller):
    response = call(client, to=ATTENDANT)

    assert "we will call you back" in response.content.decode()
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.type) == ("phone_attendant", "callback")


def test_client_main_number_is_recognised_when_no_contact_matches(client, silver):
    company = ClientFactory(name="Hooli", phone="+1 (415) 555-0111")
    AgreementFactory(client=company, plan_version=silver, status="active",
                     start_date=dt.date(2025, 1, 1))

    call(client, frm="+14155550111", to=ATTENDANT)

    assert Ticket.objects.get().client == company


def test_unknown_number_is_recorded_and_held_without_a_ticket(client, caller):
    response = call(client, frm="+16175550000")

    assert response.status_code == 200
    assert "could not match your number" in response.content.decode()
    inbound = InboundMessage.objects.get()
    assert (inbound.status, inbound.reason) == ("held", "unknown caller")
    assert inbound.sender == "+16175550000"
    assert not Ticket.objects.exists()


def test_replayed_call_sid_gets_the_same_answer_and_creates_nothing(client, caller, on_call):
    first = call(client)
    second = call(client)

    assert second.status_code == 200
    assert second.content == first.content
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_bad_signature_is_refused_and_recorded_as_rejected(client, caller):
    response = call(client, signature="AAAAAAAAAAAAAAAAAAAAAAAAAAA=")

    assert response.status_code == 403
    inbound = InboundMessage.objects.get()
    assert (inbound.status, inbound.reason) == ("rejected", "bad X-Twilio-Signature")
    assert not Ticket.objects.exists()


def test_signature_with_another_token_is_refused(client, caller):
    assert call(client, token="someone-elses-token").status_code == 403


def test_forged_request_does_not_use_up_the_real_call_sid(client, caller, on_call):
    call(client, signature="forged")

    response = call(client)

    assert response.status_code == 200 and "<Dial" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_missing_auth_token_refuses_every_call(client, caller, settings):
    settings.TWILIO_AUTH_TOKEN = ""

    response = call(client)

    assert response.status_code == 403
    assert InboundMessage.objects.get().reason == "TWILIO_AUTH_TOKEN is not configured"


def test_signature_over_the_public_site_url_is_accepted(client, caller, settings):
    settings.SITE_URL = "https://desk.msp.example"
    params = {"CallSid": "CA9", "From": "+12075550123", "To": "+12075550100"}
    signature = twilio_signature(url="https://desk.msp.example" + URL, params=params.items(),
                                 token=TOKEN)

    response = client.post(URL, data=urlencode(params),
                           content_type="application/x-www-form-urlencoded",
                           HTTP_X_TWILIO_SIGNATURE=signature)

    assert response.status_code == 200


def test_processing_failure_is_held_and_the_caller_still_hears_something(
        client, caller, monkeypatch):
    from tierdesk.desk import services

    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "ticket_open", broken)

    response = call(client, to=ATTENDANT)

    assert response.status_code == 200 and "<Say>" in response.content.decode()
    inbound = InboundMessage.objects.get()
    assert inbound.status == "held" and "database on fire" in inbound.reason


def test_inactive_technician_on_call_is_still_dialled_but_not_assigned(client, caller, on_call):
    # The roster decides who is dialled; assignment needs someone who can work tickets.
    billing = UserFactory(username="bill", role="billing")
    on_call.user = billing
    on_call.save()

    response = call(client)

    assert "<Dial" in response.content.decode()
    assert Ticket.objects.get().assignee is None


def test_webhooks_are_described_in_the_openapi_document(client):
    schema = client.get("/api/openapi.json").json()

    assert {"/api/intake/voice", "/api/intake/voice/dial", "/api/intake/rmm",
            "/api/intake/rmm/tactical"} <= set(schema["paths"])
    voice = schema["paths"]["/api/intake/voice"]["post"]
    assert "application/x-www-form-urlencoded" in voice["requestBody"]["content"]
    assert "text/xml" in voice["responses"]["200"]["content"]
    assert "security" not in voice or voice["security"] == []
