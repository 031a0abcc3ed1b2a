"""The per-process cache of plan-version terms that ticket opening reads
(desk/entitlements_cache.py) never serves a version as it was before an edit."""

import datetime as dt
from dataclasses import replace

import pytest

from tierdesk.clients.factories import AgreementFactory
from tierdesk.clients.models import Agreement
from tierdesk.core.models import AuditEvent
from tierdesk.desk.models import Ticket
from tierdesk.desk.services import channel_entitlement, ticket_open
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, ny  # noqa: F401
from tierdesk.plans.entitlements import Entitlements, Target
from tierdesk.plans.services import plan_version_save

pytestmark = pytest.mark.django_db


def _open(client, priority="p1"):
    return ticket_open(client=client, channel="email", subject="Server down",
                       priority=priority, opened_at=ny(2026, 3, 2, 9, 0))


def test_a_designer_edit_of_a_version_no_agreement_uses_is_what_the_next_ticket_gets(
        acme_on_gold, gold, personas):  # noqa: F811
    client = acme_on_gold.client
    assert _open(client).sla_targets["first_response"]["minutes"] == 60  # now cached
    # The version is released (its only agreement and ticket removed), so the designer
    # edits it in place rather than making version 2.
    Ticket.objects.all().delete()
    AuditEvent.objects.filter(object_type="desk.ticket").delete()
    Agreement.objects.all().delete()
    terms = Entitlements.from_version(gold)
    edited = plan_version_save(
        plan=gold.plan, by=personas.owner, entitlements=replace(
            terms, channels=["email"], channel_instructions="Write to help@msp.example only.",
            targets={**terms.targets, "p1": replace(terms.targets["p1"],
                                                    first_response_minutes=15)}))
    assert edited.pk == gold.pk and edited.number == 1  # edited in place, same id
    AgreementFactory(client=client, plan_version=edited, status="active",
                     start_date=dt.date(2025, 1, 1))

    ticket = _open(client)

    assert ticket.sla_targets["first_response"]["minutes"] == 15
    assert ticket.first_response_due_at == ny(2026, 3, 2, 9, 15)
    assert channel_entitlement(client=client, channel="portal") == (
        False, "Write to help@msp.example only.")


def test_a_version_in_use_is_not_edited_so_open_tickets_keep_their_tier(
        acme_on_gold, gold, personas):  # noqa: F811
    client = acme_on_gold.client
    _open(client)
    terms = Entitlements.from_version(gold)
    v2 = plan_version_save(plan=gold.plan, by=personas.owner, entitlements=replace(
        terms, targets={**terms.targets, "p1": Target(kind="wall", first_response_minutes=5)}))
    assert v2.pk != gold.pk
    # acme still signed version 1: its terms, cached or not, are still version 1's.
    assert _open(client).sla_targets["first_response"] == {
        "kind": "business", "minutes": 60, "cutoff": None}


def test_the_hours_each_ticket_gets_are_its_own_copy(acme_on_gold):  # noqa: F811
    first = _open(acme_on_gold.client)
    first.sla_calendar["tz"] = "Europe/Paris"
    second = _open(acme_on_gold.client, priority="p2")
    assert second.sla_calendar["tz"] == "America/New_York"
