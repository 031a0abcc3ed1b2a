"""Shared set-up of the intake triage and recovery tests: stored calls and alerts."""

import datetime as dt
import json
from urllib.parse import urlencode

import pytest

from tierdesk.clients.factories import AgreementFactory, ContactFactory
from tierdesk.core import clock
from tierdesk.desk.intake.webhooks import inbound_store
from tierdesk.desk.models import InboundStatus
from tierdesk.desk.tests.desk_fixtures import make_version

HOTLINE = "+12075550199"
ATTENDANT = "+12075550100"


@pytest.fixture(autouse=True)
def intake_settings(settings):
    settings.TWILIO_AUTH_TOKEN = "twilio-test-token"
    settings.TIERDESK_HOTLINE = HOTLINE
    settings.TIERDESK_ATTENDANT_NUMBER = ATTENDANT
    settings.TIERDESK_PHONE_REGION = "US"
    settings.TIERDESK_RMM_SECRET = "rmm-test-secret"
    return settings


@pytest.fixture
def acme_platinum(acme):
    """acme on a tier with the hotline; Dana is its contact at +1 207 555 0123."""
    version = make_version(name="Platinum", rank=3,
                           channels=("email", "portal", "phone_attendant", "hotline"))
    AgreementFactory(client=acme, plan_version=version, status="active",
                     start_date=dt.date(2025, 1, 1))
    return ContactFactory(client=acme, name="Dana Dentist", phone="+12075550123",
                          email="dana@acme.example")


def stored_call(*, sid="CA0001", frm="+15555550000", to=HOTLINE, status=InboundStatus.RECEIVED,
                reason="", seconds_ago=300):
    """A voice request as the webhook stores it, left `status` (RECEIVED: a crash halfway)."""
    body = urlencode({"CallSid": sid, "From": frm, "To": to, "CallStatus": "ringing"}).encode()
    row, _ = inbound_store(source="voice", dedupe_key=sid, raw=body,
                           at=clock.now() - dt.timedelta(seconds=seconds_ago), sender=frm,
                           summary=f"call from {frm} to {to}", status=status, reason=reason)
    return row


def stored_alert(*, status=InboundStatus.RECEIVED, reason="", seconds_ago=300, **fields):
    """A generic alert as the webhook stores it."""
    payload = {"client": "Nobody Ltd", "device": "NB-SRV01", "check": "Disk C: free space",
               "severity": "error", "status": "triggered", "alert_id": "a-1", **fields}
    row, _ = inbound_store(source="rmm", dedupe_key=f"id:{payload['alert_id']}|triggered|",
                           raw=json.dumps(payload).encode(),
                           at=clock.now() - dt.timedelta(seconds=seconds_ago),
                           sender=payload["device"], summary="triggered error: NB-SRV01",
                           status=status, reason=reason)
    return row
