"""Monitoring alerts: the signed RMM webhook over HTTP."""

import datetime as dt
import json
import time

import pytest
from django.core import mail

from tierdesk.catalog.factories import ServiceFactory
from tierdesk.clients.factories import AgreementFactory
from tierdesk.desk.intake.signatures import rmm_signature
from tierdesk.desk.models import InboundMessage, Ticket, TicketEntry
from tierdesk.desk.tests.desk_fixtures import make_version
from tierdesk.plans.factories import CoveredServiceFactory

SECRET = "rmm-test-secret"
URL = "/api/intake/rmm"


@pytest.fixture(autouse=True)
def rmm_settings(settings):
    settings.TIERDESK_RMM_SECRET = SECRET
    settings.TIERDESK_RMM_AUTO_RESOLVE = True
    return settings


@pytest.fixture
def backup_service(db):
    return ServiceFactory(slug="backup-dr", name="Backups and disaster recovery")


@pytest.fixture
def acme_silver(acme, backup_service):
    """acme on a tier that monitors backups only, billing address set."""
    version = make_version(name="Silver", rank=1)
    CoveredServiceFactory(version=version, service=backup_service, level="monitored")
    acme.billing_email = "accounts@acme.example"
    acme.save()
    return AgreementFactory(client=acme, plan_version=version, status="active",
                            start_date=dt.date(2025, 1, 1))


@pytest.fixture
def acme_platinum(acme, backup_service):
    version = make_version(name="Platinum", rank=3)
    CoveredServiceFactory(version=version, service=backup_service, level="supported")
    return AgreementFactory(client=acme, plan_version=version, status="active",
                            start_date=dt.date(2025, 1, 1))


def alert(acme, **fields):
    return {"client_id": acme.pk, "device": "ACME-DC01", "check": "Backup job",
            "service": "backup-dr", "severity": "error", "status": "triggered",
            "message": "Nightly backup failed", **fields}


def post(client, payload, *, secret=SECRET, timestamp=None, signature=None, path=URL):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = signature or rmm_signature(secret=secret, timestamp=timestamp, body=body)
    return client.post(path, data=body, content_type="application/json",
                       HTTP_X_TIERDESK_TIMESTAMP=timestamp, HTTP_X_TIERDESK_SIGNATURE=signature)


def test_alert_opens_a_monitoring_ticket_and_is_stored_raw(client, acme, acme_platinum):
    payload = alert(acme, alert_id="a-1")

    response = post(client, payload)

    assert response.status_code == 200
    data = response.json()
    ticket = Ticket.objects.get()
    assert data["status"] == "ticketed" and data["ticket"] == ticket.reference
    assert (ticket.channel, ticket.type, ticket.priority) == ("monitoring", "monitoring_alert",
                                                              "p2")
    assert ticket.alert_key == "acme-dc01|backup job" and ticket.alert_count == 1
    inbound = InboundMessage.objects.get()
    assert bytes(inbound.raw) == json.dumps(payload).encode()
    assert inbound.dedupe_key.startswith("id:a-1|triggered")


def test_three_alerts_for_one_device_and_check_fold_into_one_ticket(client, acme, acme_platinum):
    for n in range(3):
        response = post(client, alert(acme, alert_id=f"a-{n}"))

    assert response.json()["status"] == "folded"
    ticket = Ticket.objects.get()
    assert ticket.alert_count == 3
    assert list(InboundMessage.objects.order_by("id").values_list("status", flat=True)) == [
        "ticketed", "folded", "folded"]


def test_another_check_on_the_same_device_opens_its_own_ticket(client, acme, acme_platinum):
    post(client, alert(acme))
    post(client, alert(acme, check="Disk C: free space"))

    assert Ticket.objects.count() == 2


def test_resolved_alert_auto_resolves_the_ticket(client, acme, acme_platinum):
    post(client, alert(acme, alert_id="a-1"))

    response = post(client, alert(acme, alert_id="a-1", status="resolved",
                                  message="Backup succeeded"))

    assert response.json()["status"] == "recorded"
    ticket = Ticket.objects.get()
    assert ticket.status == "resolved"
    assert ticket.entries.filter(kind="status", body__contains="resolved").exists()
    # The next failure is a new incident: a new ticket.
    post(client, alert(acme, alert_id="a-2"))
    assert Ticket.objects.filter(status="new").count() == 1


def test_resolved_alert_only_notes_when_auto_resolve_is_off(client, acme, acme_platinum,
                                                            settings):
    settings.TIERDESK_RMM_AUTO_RESOLVE = False
    post(client, alert(acme))

    post(client, alert(acme, status="resolved"))

    ticket = Ticket.objects.get()
    assert ticket.status == "new"
    assert ticket.entries.filter(kind="note", body__contains="resolved").exists()


def test_monitored_only_tier_marks_remediation_billable_and_notifies_the_client(
        client, acme, acme_silver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, alert(acme))

    ticket = Ticket.objects.get()
    note = TicketEntry.objects.get(ticket=ticket, kind="note")
    assert note.body == ("remediation is billable: Silver covers Backups and disaster recovery "
                         "monitored only")
    assert note.data["billable"] is True and note.data["coverage"] == "monitored"
    assert any("accounts@acme.example" in m.to for m in mail.outbox)


def test_fully_supported_service_is_not_billable(client, acme, acme_platinum):
    post(client, alert(acme))

    assert not TicketEntry.objects.filter(kind="note").exists()


def test_bad_signature_is_refused_and_recorded(client, acme, acme_platinum):
    response = post(client, alert(acme), signature="sha256=" + "0" * 64)

    assert response.status_code == 403
    inbound = InboundMessage.objects.get()
    assert (inbound.status, inbound.reason) == ("rejected", "bad signature")
    assert not Ticket.objects.exists()


def test_old_timestamp_is_refused_even_when_signed(client, acme, acme_platinum):
    response = post(client, alert(acme), timestamp=int(time.time()) - 301)

    assert response.status_code == 403
    assert "too old" in InboundMessage.objects.get().reason


def test_timestamp_far_in_the_future_is_refused(client, acme, acme_platinum):
    response = post(client, alert(acme), timestamp=int(time.time()) + 600)

    assert response.status_code == 403
    assert "future" in InboundMessage.objects.get().reason


def test_replayed_alert_returns_the_stored_result_and_creates_nothing(client, acme,
                                                                     acme_platinum):
    body = json.dumps(alert(acme, alert_id="a-9")).encode()
    first = post(client, body)

    replay = post(client, body)

    assert replay.status_code == 200
    assert replay.json()["duplicate"] is True
    assert replay.json()["ticket"] == first.json()["ticket"]
    assert Ticket.objects.get().alert_count == 1
    assert InboundMessage.objects.count() == 1


def test_alert_without_an_id_is_deduplicated_by_its_body(client, acme, acme_platinum):
    body = json.dumps(alert(acme)).encode()
    post(client, body)

    assert post(client, body).json()["duplicate"] is True
    assert Ticket.objects.get().alert_count == 1


def test_unknown_client_is_held_for_triage(client, acme_platinum):
    response = post(client, {"client": "Nobody Inc", "device": "X", "check": "Y"})

    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    assert inbound.status == "held" and inbound.reason == "unknown client: Nobody Inc"


def test_invalid_json_and_missing_fields_are_rejected_naming_the_problem(client, acme):
    assert post(client, b"{not json").status_code == 400
    response = post(client, {"client_id": acme.pk, "severity": "apocalyptic"})

    assert response.status_code == 400
    reason = response.json()["reason"]
    assert "severity" in reason and "device: required" in reason and "check: required" in reason
    assert InboundMessage.objects.filter(status="rejected").count() == 2


def test_client_may_be_named_instead_of_numbered(client, acme, acme_platinum):
    post(client, {"client": "Acme Dental", "device": "PC-7", "check": "CPU"})

    assert Ticket.objects.get().client == acme


def test_tactical_rmm_body_template_is_understood(client, acme, acme_platinum):
    payload = {"event": "failure", "agent_id": "AbCdEf", "hostname": "ACME-DC01",
               "client": "Acme Dental", "site": "Main office", "alert_type": "check",
               "check": "Disk Space Drive C: > 10%", "task": "", "severity": "error",
               "message": "ACME-DC01 disk C: 4% free", "alert_time": "2026-03-02T14:00:00Z",
               "service": "backup-dr"}

    post(client, payload, path=URL + "/tactical")
    post(client, {**payload, "event": "resolved", "alert_time": "2026-03-02T14:30:00Z"},
         path=URL + "/tactical")

    ticket = Ticket.objects.get()
    assert ticket.site.name == "Main office"
    assert ticket.subject == "[error] ACME-DC01: Disk Space Drive C: > 10%"
    assert ticket.status == "resolved"


def test_concurrently_opened_ticket_is_folded_into(client, acme, acme_platinum, monkeypatch):
    # Simulate the race: another worker opened the ticket after our read of open tickets.
    from tierdesk.desk.intake import rmm

    post(client, alert(acme, alert_id="a-1"))
    real_filter = rmm.Ticket.objects.filter
    calls = {"n": 0}

    def first_read_sees_nothing(*args, **kwargs):
        calls["n"] += 1
        qs = real_filter(*args, **kwargs)
        return qs.none() if calls["n"] == 1 and "alert_key" in kwargs else qs

    monkeypatch.setattr(rmm.Ticket.objects, "filter", first_read_sees_nothing)

    response = post(client, alert(acme, alert_id="a-2"))

    assert response.json()["status"] == "folded"
    assert Ticket.objects.get().alert_count == 2


def test_two_hundred_alerts_cost_a_constant_number_of_queries_each(
        client, acme, acme_platinum, django_assert_max_num_queries):
    for n in range(10):  # one open ticket per check; what follows are repeats
        post(client, alert(acme, alert_id=f"open-{n}", check=f"check {n}"))
    # A repeat is ~10 queries plus savepoints, whatever the number of tickets or alerts
    # stored before: no query scans.
    with django_assert_max_num_queries(200 * 14):
        for n in range(200):
            post(client, alert(acme, alert_id=f"b-{n}", check=f"check {n % 10}"))

    assert Ticket.objects.count() == 10
    assert sum(Ticket.objects.values_list("alert_count", flat=True)) == 210
