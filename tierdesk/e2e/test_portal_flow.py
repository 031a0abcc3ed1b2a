"""A client contact invited to the portal logs in (changing the generated password), sees
its own client's agreement, and gets the 404 page for another client's agreement."""

import datetime as dt

import pytest
from django.utils import timezone

from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tierdesk.clients.services import (
    agreement_draft,
    agreement_send,
    agreement_sign,
    contact_portal_invite,
)
from tierdesk.plans.models import PlanVersion
from tierdesk.plans.seed import tiers_load_defaults

pytestmark = pytest.mark.browser


def _signed_agreement(client, slug):
    version = PlanVersion.objects.get(plan__slug=slug, number=1)
    agreement = agreement_draft(client=client, plan_version=version,
                                start_date=dt.date(2024, 1, 1))
    agreement_send(agreement=agreement, acknowledge=True, note="test")
    return agreement_sign(agreement=agreement, signed_at=timezone.now())


def test_contact_sees_own_agreement_and_gets_404_for_another_clients(page):
    catalog_load_defaults()
    tiers_load_defaults()
    acme = ClientFactory(name="Acme Dental", timezone="America/New_York")
    SiteFactory(client=acme, drive_minutes=20, has_rmm_agent=True)
    globex = ClientFactory(name="Globex Finance", timezone="Europe/London")
    SiteFactory(client=globex, drive_minutes=30, has_rmm_agent=True)
    ours = _signed_agreement(acme, "gold")
    theirs = _signed_agreement(globex, "platinum")
    contact = ContactFactory(client=acme, name="Carla Reyes", email="carla@acme.example")
    user, generated = contact_portal_invite(contact=contact)

    page.goto("/login/")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(generated)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/password/")
    page.get_by_label("Old password").fill(generated)
    page.get_by_label("New password", exact=True).fill("Quiet-meadow-copper-88")
    page.get_by_label("New password confirmation").fill("Quiet-meadow-copper-88")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/portal/")

    page.get_by_role("heading", name="Acme Dental").wait_for()
    assert page.get_by_text("Globex").count() == 0
    # The agreement's card: the one that opens the agreement (other cards may name Gold).
    card = page.locator(".card", has_text="Gold").filter(
        has=page.get_by_role("link", name="Read the agreement"))
    assert "Active" in card.inner_text()
    card.get_by_role("link", name="Read the agreement").click()
    page.wait_for_url(f"**/portal/agreements/{ours.pk}/")
    page.get_by_text("Acme Dental").first.wait_for()
    main = page.locator("main").inner_text()
    assert "Gold" in main and "Globex" not in main

    response = page.goto(f"/portal/agreements/{theirs.pk}/")
    assert response.status == 404
    body = page.locator("body").inner_text()
    assert "Globex" not in body and "Platinum" not in body
    # The 404 is the site's page, with the way back.
    assert page.get_by_role("link", name="tierdesk").count() >= 1

    response = page.goto(f"/clients/agreements/{ours.pk}/")
    assert response.status in (403, 404)
