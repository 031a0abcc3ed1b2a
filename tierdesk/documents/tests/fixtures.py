"""Fixtures shared by the documents and portal tests: the built-in tiers, agreements of
acme's on Silver and Platinum, and a helper that sends one for signature."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.clients.factories import AgreementFactory, ContactFactory
from tierdesk.plans.models import PlanVersion
from tierdesk.plans.seed import tiers_load_defaults

HOTLINE = "+1 555 0100 911"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(autouse=True)
def msp_settings(settings, tmp_path):
    settings.TIERDESK_MSP_NAME = "Northwind IT Services"
    settings.TIERDESK_MSP_ADDRESS = "1 Harbour Road\nSpringfield"
    settings.TIERDESK_MSP_PHONE = "+1 555 0100 000"
    settings.TIERDESK_MSP_EMAIL = "help@northwind.example"
    settings.TIERDESK_HOTLINE = HOTLINE
    settings.SITE_URL = "https://desk.northwind.example"
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings


@pytest.fixture
def tiers(db):
    catalog_load_defaults()
    tiers_load_defaults()
    return {v.plan.slug: v for v in PlanVersion.objects.select_related("plan")}


def _agreement(client, version):
    # Started yesterday, so signing activates it whatever the hour in the client's zone.
    return AgreementFactory(client=client, plan_version=version,
                            start_date=dt.date.today() - dt.timedelta(days=1))


@pytest.fixture
def silver_agreement(acme, tiers):
    return _agreement(acme, tiers["silver"])


@pytest.fixture
def platinum_agreement(acme, tiers):
    return _agreement(acme, tiers["platinum"])


@pytest.fixture
def signer(acme, personas):
    """Acme's contact persona, allowed to sign."""
    contact = personas.contact.contact
    contact.can_sign = True
    contact.title = "Practice manager"
    contact.save()
    return contact


@pytest.fixture
def other_signer(acme):
    return ContactFactory(client=acme, name="Dana Acme", email="dana@acme.example")


@pytest.fixture
def send(personas):
    """send(agreement, contact) → (link, url), as the dispatcher."""
    from tierdesk.documents.services import agreement_send_for_signature

    def _send(agreement, contact, **kwargs):
        kwargs.setdefault("by", personas.dispatcher)
        return agreement_send_for_signature(agreement=agreement, contact=contact, **kwargs)

    return _send


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]
