from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tierdesk.catalog.factories import SegmentFactory
from tierdesk.clients import services
from tierdesk.clients.factories import ClientFactory
from tierdesk.clients.models import Agreement
from tierdesk.clients.pricing import tier_price
from tierdesk.core.models import AuditEvent


@pytest.fixture
def medical(db):
    return ClientFactory(name="Harbour Clinic", users_count=7, devices_count=9,
                         segment=SegmentFactory(slug="medical", name="Medical office",
                                                price_factor=Decimal("1.35")))


def test_segment_factor_multiplies_unit_prices_but_not_the_base_fee(medical, silver):
    price = tier_price(plan_version=silver, segment=medical.segment)
    assert price.base_fee == Decimal("99.00")
    assert price.price_per_user == Decimal("13.50")
    assert price.price_per_device == Decimal("6.75")


def test_unit_price_is_rounded_half_up_to_cents_once(silver):
    segment = SegmentFactory(price_factor=Decimal("1.15"))
    silver.price_per_user = Decimal("10.10")  # 11.615 → 11.62 half-up (banker's: 11.62 too)
    silver.price_per_device = Decimal("4.50")  # 5.175 → 5.18 half-up, 5.17 half-even
    price = tier_price(plan_version=silver, segment=segment)
    assert price.price_per_user == Decimal("11.62")
    assert price.price_per_device == Decimal("5.18")


def test_draft_takes_prices_and_counts_from_tier_and_client(medical, silver, today, personas):
    agreement = services.agreement_draft(client=medical, plan_version=silver, start_date=today,
                                         by=personas.owner)
    assert (agreement.base_fee, agreement.price_per_user, agreement.price_per_device) == (
        Decimal("99.00"), Decimal("13.50"), Decimal("6.75"))
    assert (agreement.users_count, agreement.devices_count) == (7, 9)
    assert agreement.monthly_fee == Decimal("99.00") + Decimal("94.50") + Decimal("60.75")
    assert agreement.status == "draft"
    assert AuditEvent.objects.filter(action="agreement.drafted", object_id=str(agreement.pk),
                                     actor=personas.owner).exists()


def test_price_override_without_reason_is_an_error_on_override_reason(medical, silver, today):
    with pytest.raises(ValidationError) as exc:
        services.agreement_draft(client=medical, plan_version=silver, start_date=today,
                                 price_per_user=Decimal("12.00"))
    assert "override_reason" in exc.value.message_dict
    assert "12.00" in exc.value.message_dict["override_reason"][0]
    assert not Agreement.objects.exists()


def test_price_override_with_reason_is_kept(medical, silver, today):
    agreement = services.agreement_draft(client=medical, plan_version=silver, start_date=today,
                                         price_per_user="12.00",
                                         override_reason="three-year commitment")
    assert agreement.price_per_user == Decimal("12.00")
    assert agreement.price_per_device == Decimal("6.75")
    assert agreement.override_reason == "three-year commitment"


def test_giving_the_tier_price_explicitly_is_not_an_override(medical, silver, today):
    agreement = services.agreement_draft(client=medical, plan_version=silver, start_date=today,
                                         price_per_user=Decimal("13.5"))
    assert agreement.price_per_user == Decimal("13.50")


def test_negative_price_is_an_error_on_that_price(medical, silver, today):
    with pytest.raises(ValidationError) as exc:
        services.agreement_draft(client=medical, plan_version=silver, start_date=today,
                                 base_fee=Decimal("-1"), override_reason="why not")
    assert "base_fee" in exc.value.message_dict


def test_end_before_start_is_an_error_on_end_date(medical, silver, today):
    import datetime as dt

    with pytest.raises(ValidationError) as exc:
        services.agreement_draft(client=medical, plan_version=silver, start_date=today,
                                 end_date=today - dt.timedelta(days=1))
    assert list(exc.value.message_dict) == ["end_date"]
    assert not Agreement.objects.exists()


def test_update_of_a_draft_to_another_tier_resets_prices(draft, gold, personas):
    updated = services.agreement_update(agreement=draft, plan_version=gold, by=personas.owner)
    assert updated.plan_version == gold
    assert updated.price_per_user == Decimal("20.00")
    assert AuditEvent.objects.filter(action="agreement.updated").exists()


def test_only_a_draft_can_be_updated(active):
    with pytest.raises(ValidationError) as exc:
        services.agreement_update(agreement=active, users_count=3)
    assert "status" in exc.value.message_dict
    active.refresh_from_db()
    assert active.users_count != 3
