"""Outsourcing end-user help desk: which tickets a tier's route hands to the partner, and
the partner's own targets computed on the partner's calendar."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tierdesk.core.models import AuditEvent
from tierdesk.desk import outsourcing
from tierdesk.desk.models import EntryKind, OutsourcedTicket, PartnerWebhook
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, make_version, ny  # noqa: F401
from tierdesk.desk.tests.outsourcing_fixtures import (  # noqa: F401
    gold_routed,
    make_partner,
    open_helpdesk,
    partner,
)

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def test_a_help_desk_ticket_of_a_routed_tier_is_handed_to_the_partner(
        gold_routed, acme_on_gold, partner, personas):
    ticket = open_helpdesk(acme_on_gold)
    handed = OutsourcedTicket.objects.get(ticket=ticket)
    assert handed.partner == partner
    assert handed.fee == partner.fee_per_ticket
    note = ticket.entries.get(kind=EntryKind.SYSTEM, data__notice="outsourced")
    assert "Handed to HelpCo" in note.body
    assert AuditEvent.objects.filter(action="ticket.outsourced",
                                     object_id=str(ticket.pk)).exists()
    # The opening wrote more than the request and its acknowledgement: read the timeline.
    assert ticket.opening_entries is None


def test_break_fix_and_on_site_tickets_of_a_routed_tier_stay_in_house(gold_routed,
                                                                      acme_on_gold):
    for kind in ("break_fix", "onsite", "monitoring_alert", "maintenance", "project"):
        ticket = open_helpdesk(acme_on_gold, type=kind)
        assert not OutsourcedTicket.objects.filter(ticket=ticket).exists(), kind


def test_a_tier_without_a_route_keeps_its_help_desk(gold, acme_on_gold, partner, personas):
    silver = make_version(name="Silver", rank=1)
    outsourcing.helpdesk_route_set(plan=silver.plan, partner=partner, by=personas.owner)
    ticket = open_helpdesk(acme_on_gold)  # acme is on Gold
    assert not OutsourcedTicket.objects.filter(ticket=ticket).exists()
    assert ticket.opening_entries is not None


def test_a_client_without_agreement_is_never_outsourced(acme, partner):
    from tierdesk.desk.services import ticket_open

    ticket = ticket_open(client=acme, channel="email", subject="Help", type="helpdesk")
    assert not OutsourcedTicket.objects.filter(ticket=ticket).exists()


def test_an_inactive_partner_or_an_ended_contract_sends_nothing(gold_routed, acme_on_gold,
                                                                partner, personas):
    outsourcing.partner_update(partner=partner, by=personas.owner,
                               contract_end=dt.date(2026, 2, 28))
    assert not OutsourcedTicket.objects.filter(ticket=open_helpdesk(acme_on_gold)).exists()
    outsourcing.partner_update(partner=partner, by=personas.owner, contract_end=None,
                               is_active=False)
    assert not OutsourcedTicket.objects.filter(ticket=open_helpdesk(acme_on_gold)).exists()
    outsourcing.partner_update(partner=partner, by=personas.owner, is_active=True)
    assert OutsourcedTicket.objects.filter(ticket=open_helpdesk(acme_on_gold)).exists()


def test_routing_back_in_house_stops_the_hand_over(gold_routed, acme_on_gold, personas):
    outsourcing.helpdesk_route_set(plan=gold_routed.plan, partner=None, by=personas.owner)
    assert not OutsourcedTicket.objects.filter(ticket=open_helpdesk(acme_on_gold)).exists()
    assert AuditEvent.objects.filter(action="outsourcing.route_changed").count() == 2


def test_partner_due_times_count_the_partners_business_hours(gold_routed, acme_on_gold):
    # Monday 09:00 New York is 14:00 in London: three partner hours left that day.
    ticket = open_helpdesk(acme_on_gold, at=ny(2026, 3, 2, 9, 0))
    handed = ticket.outsourcing
    assert handed.first_response_due_at == dt.datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    # 480 business minutes: 3 h on Monday, 5 h from Tuesday 09:00.
    assert handed.resolution_due_at == dt.datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    # The MSP's own SLA is the tier's, untouched (Gold P2: 120 business minutes, New York).
    assert ticket.first_response_due_at == ny(2026, 3, 2, 11, 0)


def test_wall_clock_partner_targets_ignore_the_partners_hours(acme_on_gold, gold, personas):
    partner = make_partner(personas.owner, name="NightDesk", target_kind="wall",
                           first_response_minutes=30, resolution_minutes=240)
    outsourcing.helpdesk_route_set(plan=gold.plan, partner=partner, by=personas.owner)
    # Real minutes: the night US clocks spring forward (adding to a New York wall time
    # would be an hour off).
    saturday_night = ny(2026, 3, 7, 23, 0).astimezone(UTC)
    handed = open_helpdesk(acme_on_gold, at=saturday_night).outsourcing
    assert handed.first_response_due_at == saturday_night + dt.timedelta(minutes=30)
    assert handed.resolution_due_at == saturday_night + dt.timedelta(hours=4)


def test_the_partners_targets_are_a_snapshot(gold_routed, acme_on_gold, partner, personas):
    handed = open_helpdesk(acme_on_gold).outsourcing
    outsourcing.partner_update(partner=partner, by=personas.owner, first_response_minutes=15)
    handed.refresh_from_db()
    assert handed.partner_targets["first_response"]["minutes"] == 120


def test_a_rolled_back_opening_leaves_no_hand_over(gold_routed, acme_on_gold):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        open_helpdesk(acme_on_gold)
        raise RuntimeError("the caller failed after opening")
    assert OutsourcedTicket.objects.count() == 0
    assert PartnerWebhook.objects.count() == 0


def test_recording_the_partners_steps_decides_their_breach(gold_routed, acme_on_gold,
                                                          personas):
    handed = open_helpdesk(acme_on_gold).outsourcing
    outsourcing.partner_step_record(outsourced=handed, step="first_response",
                                    by=personas.technician,
                                    at=dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    outsourcing.partner_step_record(outsourced=handed, step="resolution",
                                    by=personas.technician,
                                    at=dt.datetime(2026, 3, 4, 9, 0, tzinfo=UTC))
    handed.refresh_from_db()
    assert handed.first_response_breached is False
    assert handed.resolution_breached is True
    # Recording again changes nothing.
    outsourcing.partner_step_record(outsourced=handed, step="first_response",
                                    by=personas.technician)
    handed.refresh_from_db()
    assert handed.partner_responded_at == dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_a_bad_step_or_partner_names_the_field(gold_routed, acme_on_gold, personas):
    handed = open_helpdesk(acme_on_gold).outsourcing
    with pytest.raises(ValidationError) as exc:
        outsourcing.partner_step_record(outsourced=handed, step="lunch", by=personas.owner)
    assert "step" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        outsourcing.partner_create(name="Nobody", by=personas.owner)
    assert "email" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_partner(personas.owner, name="Bad hours", hours={"tz": "Mars/Base", "hours": {}})
    assert "hours" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_partner(personas.owner, name="Backwards", contract_start=dt.date(2026, 5, 1),
                     contract_end=dt.date(2026, 4, 1))
    assert "contract_end" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_partner(personas.owner, name="Negative", fee_per_ticket="-1")
    assert "fee_per_ticket" in exc.value.message_dict


# The route lookup every help-desk opening runs is hand-written SQL (outsourcing.py:
# route_for_version): it must answer what the ORM query it replaced answers.

def _orm_route(version_id):
    from tierdesk.desk.models import HelpdeskRoute

    return (HelpdeskRoute.objects.filter(plan__versions__id=version_id,
                                         partner__is_active=True)
            .select_related("partner", "plan").first())


def test_the_route_lookup_reads_the_route_partner_and_tier_the_orm_reads(gold_routed,
                                                                         partner):
    route = outsourcing.route_for_version(gold_routed.pk)
    expected = _orm_route(gold_routed.pk)
    assert route is not None and route.pk == expected.pk
    assert route.partner == partner and route.plan == gold_routed.plan
    for name in ("hours", "fee_per_ticket", "contract_start", "contract_end", "email",
                 "webhook_url", "webhook_secret", "first_response_minutes", "is_active"):
        assert getattr(route.partner, name) == getattr(expected.partner, name), name
    assert route.partner.targets == expected.partner.targets
    assert route.plan.name == expected.plan.name == "Gold"
    # Rows read from the database, as the ORM's: saving one updates it.
    assert not route._state.adding and not route.partner._state.adding


def test_every_version_of_a_routed_tier_is_routed_and_other_tiers_are_not(
        gold_routed, personas):
    from tierdesk.plans.factories import PlanVersionFactory

    newer = PlanVersionFactory(plan=gold_routed.plan, number=gold_routed.number + 1,
                               with_targets=False)
    silver = make_version(name="Silver", rank=1)
    assert outsourcing.route_for_version(newer.pk).plan == gold_routed.plan
    assert outsourcing.route_for_version(silver.pk) is None
    assert _orm_route(silver.pk) is None
    assert outsourcing.route_for_version(None) is None
    assert outsourcing.route_for_version(999_999) is None


def test_the_route_lookup_skips_an_inactive_partner(gold_routed, partner, personas):
    outsourcing.partner_update(partner=partner, by=personas.owner, is_active=False)
    assert outsourcing.route_for_version(gold_routed.pk) is None
    assert _orm_route(gold_routed.pk) is None


def _routed(version_id) -> bool:
    from django.db import connection

    from tierdesk.plans.models import PlanVersion

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {outsourcing.routed_sql('v.plan_id')} "
                       f"FROM {PlanVersion._meta.db_table} v WHERE v.id = %s",
                       [True, version_id])
        return bool(cursor.fetchone()[0])


def test_the_openings_routed_flag_agrees_with_the_route_lookup(gold_routed, partner,
                                                                personas):
    # services._current_terms asks routed_sql in its own query; only a routed tier then
    # reads the route itself.
    silver = make_version(name="Silver", rank=1)
    assert _routed(gold_routed.pk) and outsourcing.route_for_version(gold_routed.pk)
    assert not _routed(silver.pk)
    outsourcing.partner_update(partner=partner, by=personas.owner, is_active=False)
    assert not _routed(gold_routed.pk)
