"""factory_boy factories for the catalog."""

from decimal import Decimal

import factory

from tierdesk.catalog.models import MaintenanceTask, Segment, SegmentRequirement, Service


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"service-{n}")
    name = factory.Sequence(lambda n: f"Service {n}")
    kind = "tactical"


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"segment-{n}")
    name = factory.Sequence(lambda n: f"Segment {n}")
    price_factor = Decimal("1.00")


class SegmentRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SegmentRequirement

    segment = factory.SubFactory(SegmentFactory)
    service = factory.SubFactory(ServiceFactory)
    title = factory.Sequence(lambda n: f"Requirement {n}")
    minimum_level = "maintained"


class MaintenanceTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceTask

    service = factory.SubFactory(ServiceFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    rrule = "FREQ=WEEKLY;BYDAY=MO"
    estimated_minutes = 15
    checklist = factory.LazyFunction(lambda: ["Check", "Record"])
