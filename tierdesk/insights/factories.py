"""factory_boy factories for insights. A ValueReportFactory row carries a minimal snapshot;
tests of the figures generate real ones with `value_reports_generate`."""

import datetime as dt

import factory
from django.utils import timezone

from tierdesk.insights.models import TechnicianProfile, ValueReport


class ValueReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValueReport

    client = factory.SubFactory("tierdesk.clients.factories.ClientFactory")
    month = dt.date(2026, 3, 1)
    generated_at = factory.LazyFunction(timezone.now)
    data = factory.LazyAttribute(lambda r: {
        "schema": 1, "month": r.month.isoformat(),
        "client": {"id": r.client.pk, "name": r.client.name, "timezone": r.client.timezone},
        "tier": {"name": "Silver", "version": 1, "rank": 1}, "fee": "0.00",
    })


class TechnicianProfileFactory(factory.django.DjangoModelFactory):
    """A roster profile; `hours` default to the MSP's (the model's default)."""

    class Meta:
        model = TechnicianProfile

    user = factory.SubFactory("tierdesk.core.factories.UserFactory", role="technician")
    remote = True
    onsite = True
    is_active = True
