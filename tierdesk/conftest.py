"""Shared test fixtures: the personas every feature is tested with.

owner, dispatcher, technician, billing — the MSP's staff; `contact` — a portal user of the
client `acme`; `outsider` — a portal user of another client, `globex`, who must get 404 for
anything of acme's.
"""

from types import SimpleNamespace

import pytest

from tierdesk.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tierdesk.core.factories import UserFactory
from tierdesk.core.models import Role

PASSWORD = "correct horse battery"


@pytest.fixture
def acme(db):
    client = ClientFactory(name="Acme Dental", timezone="America/New_York")
    SiteFactory(client=client, name="Main office", drive_minutes=25, has_rmm_agent=True)
    return client


@pytest.fixture
def globex(db):
    client = ClientFactory(name="Globex Finance", timezone="Europe/London")
    SiteFactory(client=client, name="City office", drive_minutes=40, has_rmm_agent=True)
    return client


@pytest.fixture
def personas(db, acme, globex):
    def staff(role):
        return UserFactory(username=role, role=role)

    def portal_user(username, client):
        user = UserFactory(username=username, role=Role.CONTACT)
        ContactFactory(client=client, user=user, name=username.title(),
                       email=f"{username}@{client.name.split()[0].lower()}.example")
        return user

    return SimpleNamespace(
        owner=staff(Role.OWNER),
        dispatcher=staff(Role.DISPATCHER),
        technician=staff(Role.TECHNICIAN),
        billing=staff(Role.BILLING),
        contact=portal_user("contact", acme),
        outsider=portal_user("outsider", globex),
    )


@pytest.fixture
def login(client):
    """login(user) signs the Django test client in as `user` and returns the client."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login
