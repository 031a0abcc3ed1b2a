"""A client contact logs in to the portal, opens a ticket, and sees it listed with the time
we promised to respond by, in the client's time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat

from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.clients.factories import AgreementFactory, ClientFactory, ContactFactory, SiteFactory
from tierdesk.core.factories import UserFactory
from tierdesk.core.models import Role
from tierdesk.desk.models import Ticket
from tierdesk.plans.models import PlanVersion
from tierdesk.plans.seed import tiers_load_defaults

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_contact_opens_a_ticket_and_sees_it_listed_with_its_due_time(page):
    catalog_load_defaults()
    tiers_load_defaults()
    acme = ClientFactory(name="Acme Dental", timezone="America/Chicago")
    site = SiteFactory(client=acme, name="Main office", drive_minutes=20, has_rmm_agent=True)
    AgreementFactory(client=acme, plan_version=PlanVersion.objects.get(plan__slug="silver"),
                     status="active", start_date=dt.date.today() - dt.timedelta(days=1))
    user = UserFactory(username="carla", role=Role.CONTACT, must_change_password=False)
    ContactFactory(client=acme, user=user, name="Carla Reyes", email="carla@acme.example")

    log_in(page, "carla")
    page.goto("/portal/")
    page.get_by_text("Your Silver tier includes E-mail, Web portal").wait_for()
    page.get_by_role("link", name="Open a ticket").first.click()
    page.wait_for_url("**/portal/tickets/new/")
    page.get_by_label("Subject").fill("Reception PC will not start")
    page.get_by_label("Description").fill("Black screen since this morning.")
    page.get_by_label("Priority").select_option("p3")
    page.get_by_label("Site").select_option(str(site.pk))
    page.get_by_role("button", name="Open the ticket").click()

    page.get_by_text("We received your request").wait_for()
    ticket = Ticket.objects.get(subject="Reception PC will not start")
    assert ticket.channel == "portal" and ticket.site == site and not ticket.outside_entitlement
    assert ticket.reference in page.locator("main").inner_text()

    page.get_by_role("link", name="Your tickets").click()
    row = page.locator("tr", has_text=ticket.reference)
    row.wait_for()
    due_local = ticket.first_response_due_at.astimezone(ZoneInfo("America/Chicago"))
    expected = dateformat.format(due_local, "D j M, g:i A T")
    text = row.inner_text()
    assert "Reception PC will not start" in text and "Received" in text
    assert f"We will respond by {expected}" in text
    assert due_local.strftime("%Z") in ("CST", "CDT")
