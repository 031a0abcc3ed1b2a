"""Opening a ticket snapshots the agreement's targets and checks the channel."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from tierdesk.clients.factories import AgreementFactory, ClientFactory
from tierdesk.desk.models import EntryKind, Ticket
from tierdesk.desk.services import (
    REFERENCE_ALPHABET,
    channel_entitlement,
    current_agreement,
    ticket_open,
)
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, make_version, ny  # noqa: F401

pytestmark = pytest.mark.django_db


def test_business_target_is_due_after_business_minutes_on_the_snapshot_calendar(acme_on_gold):
    # Friday 17:30 + 60 business minutes = Monday 08:30 (closed over the weekend).
    t = ticket_open(client=acme_on_gold.client, channel="email", subject="x", priority="p1",
                    opened_at=ny(2026, 3, 6, 17, 30))
    assert t.first_response_due_at == ny(2026, 3, 9, 8, 30)
    assert t.resolution_due_at == ny(2026, 3, 9, 15, 30)
    assert t.plan_version == acme_on_gold.plan_version
    assert t.sla_calendar == acme_on_gold.plan_version.hours
    assert t.sla_targets["first_response"] == {"kind": "business", "minutes": 60, "cutoff": None}
    assert "onsite" not in t.sla_targets


def test_onsite_target_is_snapshotted_only_when_onsite_work_is_needed(acme_on_gold):
    t = ticket_open(client=acme_on_gold.client, channel="email", subject="x", priority="p1",
                    needs_onsite=True, opened_at=ny(2026, 3, 2, 9, 0))
    assert t.sla_targets["onsite"]["minutes"] == 240
    assert t.onsite_due_at == ny(2026, 3, 2, 13, 0)


def test_wall_clock_target_counts_plain_minutes_over_the_weekend(acme_on_gold):
    t = ticket_open(client=acme_on_gold.client, channel="email", subject="x", priority="p4",
                    opened_at=ny(2026, 3, 6, 17, 30))
    assert t.first_response_due_at == ny(2026, 3, 7, 17, 30)


def test_same_day_target_is_due_at_close_or_next_close_after_cutoff(acme_on_gold):
    before = ticket_open(client=acme_on_gold.client, channel="email", subject="x",
                         priority="p3", opened_at=ny(2026, 3, 2, 14, 59))
    after = ticket_open(client=acme_on_gold.client, channel="email", subject="x",
                        priority="p3", opened_at=ny(2026, 3, 2, 15, 1))
    assert before.first_response_due_at == ny(2026, 3, 2, 18, 0)
    assert after.first_response_due_at == ny(2026, 3, 3, 18, 0)


def test_a_client_without_agreement_gets_a_ticket_without_targets(db):
    client = ClientFactory(name="No Deal Inc")
    t = ticket_open(client=client, channel="email", subject="help", requester="a@b.example")
    assert t.agreement is None and t.sla_targets == {}
    assert t.first_response_due_at is None and t.urgency_due_at is None
    assert not t.outside_entitlement


def test_a_channel_outside_the_tier_is_flagged_told_and_still_gets_standard_targets(
        acme_on_gold, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        t = ticket_open(client=acme_on_gold.client, channel="hotline", subject="Call me",
                        requester="boss@acme.example", priority="p1",
                        opened_at=ny(2026, 3, 2, 9, 0))
    assert t.outside_entitlement
    assert t.first_response_due_at == ny(2026, 3, 2, 10, 0)
    sent = mail.outbox[-1]
    assert sent.to == ["boss@acme.example"]
    assert f"[{t.reference}]" in sent.subject
    assert "E-mail help@msp.example or use the portal." in sent.body
    entry = t.entries.get(kind=EntryKind.SYSTEM)
    assert entry.message_id and sent.extra_headers["Message-ID"] == entry.message_id


@pytest.mark.parametrize("channel", ["monitoring", "walk_in"])
def test_monitoring_and_walk_in_are_never_gated(acme_on_gold, channel):
    t = ticket_open(client=acme_on_gold.client, channel=channel, subject="x")
    assert not t.outside_entitlement
    assert channel_entitlement(client=acme_on_gold.client, channel=channel)[0]


def test_channel_entitlement_answers_from_the_current_tier(acme_on_gold):
    assert channel_entitlement(client=acme_on_gold.client, channel="email") == (
        True, "E-mail help@msp.example or use the portal.")
    assert channel_entitlement(client=acme_on_gold.client, channel="hotline")[0] is False


def test_the_acknowledgement_lists_the_tiers_targets(acme_on_gold,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        t = ticket_open(client=acme_on_gold.client, channel="email", subject="Printer",
                        requester="amy@acme.example", priority="p1",
                        opened_at=ny(2026, 3, 2, 9, 0))
    body = mail.outbox[-1].body
    assert "First response: by Mon 02 Mar 2026 10:00 EST" in body
    assert "does not include" not in body
    assert t.entries.filter(kind=EntryKind.INBOUND).count() == 1


def test_current_agreement_is_the_latest_active_or_suspended(acme_on_gold):
    client = acme_on_gold.client
    newer = AgreementFactory(client=client, plan_version=make_version("Platinum", 3),
                             status="suspended", start_date=dt.date(2026, 1, 1))
    AgreementFactory(client=client, plan_version=newer.plan_version, status="draft",
                     start_date=dt.date(2026, 6, 1))
    assert current_agreement(client) == newer


def test_references_use_an_unambiguous_alphabet_and_are_unique(acme_on_gold):
    refs = {ticket_open(client=acme_on_gold.client, channel="email", subject=str(i)).reference
            for i in range(30)}
    assert len(refs) == 30
    for ref in refs:
        assert ref.startswith("TD-") and len(ref) == 9
        assert set(ref[3:]) <= set(REFERENCE_ALPHABET)
        assert not set(ref[3:]) & set("01OIL")


def test_a_reference_collision_is_retried(acme_on_gold, monkeypatch):
    first = ticket_open(client=acme_on_gold.client, channel="email", subject="a")
    refs = iter([first.reference, "TD-ZZZZZZ"])
    monkeypatch.setattr("tierdesk.desk.services._new_reference", lambda: next(refs))
    second = ticket_open(client=acme_on_gold.client, channel="email", subject="b")
    assert second.reference == "TD-ZZZZZZ"


def test_bad_input_names_the_field(acme_on_gold, globex):
    with pytest.raises(ValidationError) as exc:
        ticket_open(client=acme_on_gold.client, channel="fax", subject="x", priority="p9")
    assert set(exc.value.message_dict) == {"channel", "priority"}
    with pytest.raises(ValidationError) as exc:
        ticket_open(client=acme_on_gold.client, channel="email", subject="x",
                    site=globex.sites.first())
    assert "site" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ticket_open(client=acme_on_gold.client, channel="email", subject="x",
                    opened_at=dt.datetime(2026, 3, 2, 9, 0))
    assert "opened_at" in exc.value.message_dict
    assert Ticket.objects.count() == 0


def test_a_second_open_ticket_for_the_same_alert_is_refused(acme_on_gold):
    ticket_open(client=acme_on_gold.client, channel="monitoring", subject="disk",
                alert_key="srv1/disk")
    with pytest.raises(ValidationError) as exc:
        ticket_open(client=acme_on_gold.client, channel="monitoring", subject="disk",
                    alert_key="srv1/disk")
    assert "alert_key" in exc.value.message_dict
