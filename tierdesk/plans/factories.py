"""factory_boy factories for tiers. `PlanVersionFactory` builds a Silver-like version with
business hours, P1–P4 targets and no coverage; add CoveredServiceFactory rows as needed."""

from decimal import Decimal

import factory

from tierdesk.plans.models import (
    BillingRule,
    CoveredService,
    Plan,
    PlanVersion,
    ResponseTarget,
)

BUSINESS_HOURS = {
    "tz": "America/New_York",
    "hours": {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    | {"sat": [], "sun": []},
    "holidays": [],
}


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"tier-{n}")
    name = factory.Sequence(lambda n: f"Tier {n}")
    rank = factory.Sequence(lambda n: 100 + n)


class PlanVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanVersion
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    number = 1
    channels = factory.LazyFunction(lambda: ["email", "portal", "phone_attendant"])
    channel_instructions = "E-mail help@example.com or use the portal."
    hours = factory.LazyFunction(lambda: dict(BUSINESS_HOURS))
    hours_label = "Mon–Fri 8:00–18:00"
    helpdesk_sessions = 2
    helpdesk_session_minutes = 15
    overage_session_price = Decimal("35.00")
    hourly_rate = Decimal("125.00")
    base_fee = Decimal("99.00")
    price_per_user = Decimal("10.00")
    price_per_device = Decimal("5.00")

    @factory.post_generation
    def with_targets(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        for priority, minutes in (("p1", 240), ("p2", 480), ("p3", None), ("p4", None)):
            ResponseTarget.objects.create(
                version=obj, priority=priority,
                kind="business" if minutes else "same_day",
                first_response_minutes=minutes,
                onsite_minutes=480 if priority == "p1" else None,
            )


class CoveredServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoveredService

    version = factory.SubFactory(PlanVersionFactory)
    service = factory.SubFactory("tierdesk.catalog.factories.ServiceFactory")
    level = "monitored"


class BillingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingRule

    version = factory.SubFactory(PlanVersionFactory)
    work_type = "break_fix"
    billable = True
