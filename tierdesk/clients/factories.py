"""factory_boy factories for clients, sites, contacts and agreements."""

import datetime as dt

import factory

from tierdesk.clients.models import Agreement, Client, Contact, Site


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Client {n}")
    segment = factory.SubFactory("tierdesk.catalog.factories.SegmentFactory")
    timezone = "America/New_York"
    users_count = 10
    devices_count = 12


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    client = factory.SubFactory(ClientFactory)
    name = "Main office"
    address = factory.Faker("address")
    drive_minutes = 30
    has_rmm_agent = True


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@client.example")
    can_sign = True


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    client = factory.SubFactory(ClientFactory)
    plan_version = factory.SubFactory("tierdesk.plans.factories.PlanVersionFactory")
    start_date = factory.LazyFunction(lambda: dt.date.today())
    users_count = factory.LazyAttribute(lambda a: a.client.users_count)
    devices_count = factory.LazyAttribute(lambda a: a.client.devices_count)
    base_fee = factory.LazyAttribute(lambda a: a.plan_version.base_fee)
    price_per_user = factory.LazyAttribute(lambda a: a.plan_version.price_per_user)
    price_per_device = factory.LazyAttribute(lambda a: a.plan_version.price_per_device)
