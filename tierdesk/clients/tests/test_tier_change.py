import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tierdesk.clients import selectors, services
from tierdesk.clients.models import Agreement
from tierdesk.core import clock


def test_change_tier_drafts_a_successor_and_the_old_one_keeps_running(active, gold, today,
                                                                      personas):
    successor = services.agreement_change_tier(
        agreement=active, plan_version=gold, effective_date=today + dt.timedelta(days=10),
        by=personas.owner)
    assert successor.status == "draft"
    assert successor.replaces == active
    assert successor.client == active.client
    assert (successor.users_count, successor.devices_count, successor.billing_cycle) == (
        active.users_count, active.devices_count, active.billing_cycle)
    assert successor.price_per_user == Decimal("20.00")
    assert Agreement.objects.get(pk=active.pk).status == "active"


def test_change_tier_chain_ends_the_old_agreement_the_day_before_the_new_starts(
        active, gold, today, personas):
    start = today + dt.timedelta(days=10)
    successor = services.agreement_change_tier(agreement=active, plan_version=gold,
                                               effective_date=start, by=personas.owner)
    services.agreement_send(agreement=successor, by=personas.owner)
    services.agreement_sign(agreement=successor, signed_at=clock.now())
    assert Agreement.objects.get(pk=active.pk).status == "active"  # not yet started

    assert services.agreement_activate_due(today=start) == 1
    old = Agreement.objects.get(pk=active.pk)
    new = Agreement.objects.get(pk=successor.pk)
    assert new.status == "active"
    assert old.status == "ended"
    assert old.end_date == start - dt.timedelta(days=1)
    assert old.end_reason == "changed tier to Gold"

    history = selectors.agreement_history(active.client)
    assert [a.pk for a in history] == [old.pk, new.pk]
    assert history[1].replaces_id == old.pk
    assert [a.pk for a in selectors.agreement_chain(old)] == [old.pk, new.pk]


def test_only_an_active_agreement_can_change_tier(draft, gold, today):
    with pytest.raises(ValidationError) as exc:
        services.agreement_change_tier(agreement=draft, plan_version=gold,
                                       effective_date=today + dt.timedelta(days=1))
    assert "status" in exc.value.message_dict


def test_a_tier_change_cannot_start_before_the_current_agreement(active, gold):
    with pytest.raises(ValidationError) as exc:
        services.agreement_change_tier(agreement=active, plan_version=gold,
                                       effective_date=active.start_date)
    assert "effective_date" in exc.value.message_dict
    assert Agreement.objects.count() == 1


def test_a_second_tier_change_while_one_is_pending_is_refused(active, gold, today):
    services.agreement_change_tier(agreement=active, plan_version=gold,
                                   effective_date=today + dt.timedelta(days=3))
    with pytest.raises(ValidationError):
        services.agreement_change_tier(agreement=active, plan_version=gold,
                                       effective_date=today + dt.timedelta(days=4))
    assert Agreement.objects.count() == 2


def test_discarding_an_abandoned_tier_change_allows_another(active, gold, today):
    first = services.agreement_change_tier(agreement=active, plan_version=gold,
                                           effective_date=today + dt.timedelta(days=3))
    services.agreement_discard(agreement=first)
    second = services.agreement_change_tier(agreement=active, plan_version=gold,
                                            effective_date=today + dt.timedelta(days=4))
    assert second.replaces == active
