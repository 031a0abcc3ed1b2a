"""A dispatcher works the queue: sees tickets ordered by SLA urgency, opens the most urgent,
replies publicly (the first response is recorded) and sets it waiting on the client; the
contact answers in the portal, and the ticket is back in progress with its clock resumed."""

import datetime as dt

import pytest

from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.clients.factories import AgreementFactory, ClientFactory, ContactFactory, SiteFactory
from tierdesk.core.factories import UserFactory
from tierdesk.core.models import Role
from tierdesk.desk import services
from tierdesk.desk.models import TicketPause
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


def test_dispatcher_replies_waits_on_client_and_the_contacts_reply_resumes(browser,
                                                                           live_server):
    catalog_load_defaults()
    tiers_load_defaults()
    acme = ClientFactory(name="Acme Dental", timezone="America/New_York")
    SiteFactory(client=acme, name="Main office", drive_minutes=20, has_rmm_agent=True)
    AgreementFactory(client=acme, plan_version=PlanVersion.objects.get(plan__slug="platinum"),
                     status="active", start_date=dt.date.today() - dt.timedelta(days=1))
    UserFactory(username="dora", role=Role.DISPATCHER, must_change_password=False)
    user = UserFactory(username="carla", role=Role.CONTACT, must_change_password=False)
    contact = ContactFactory(client=acme, user=user, name="Carla Reyes",
                             email="carla@acme.example")
    low = services.ticket_open(client=acme, channel="portal", subject="New mouse, please",
                               contact=contact, priority="p4")
    urgent = services.ticket_open(client=acme, channel="portal", subject="Server is down",
                                  contact=contact, priority="p1")
    assert urgent.urgency_due_at < low.urgency_due_at

    staff = browser.new_context(base_url=live_server.url)
    staff.set_default_timeout(15_000)
    desk = staff.new_page()
    log_in(desk, "dora")
    desk.goto("/desk/")
    rows = desk.locator("#queue-table tbody tr")
    rows.first.wait_for()
    order = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert urgent.reference in order[0] and low.reference in order[1]

    desk.get_by_role("link", name=urgent.reference).click()
    desk.wait_for_url(f"**/desk/tickets/{urgent.pk}/")
    desk.locator(f"form[action$='/tickets/{urgent.pk}/reply/'] textarea").fill(
        "We are restarting the server now; which office lost access first?")
    desk.get_by_role("button", name="Send reply").click()
    desk.get_by_text("Reply sent.").wait_for()
    urgent.refresh_from_db()
    assert urgent.first_responded_at is not None and urgent.status == "open"
    assert "met" in desk.locator("#sla-panel").inner_text()

    desk.get_by_role("button", name="Waiting on client").click()
    desk.get_by_text("Status changed.").wait_for()
    urgent.refresh_from_db()
    assert urgent.status == "waiting_client" and urgent.paused_at is not None

    client = browser.new_context(base_url=live_server.url)
    client.set_default_timeout(15_000)
    portal = client.new_page()
    log_in(portal, "carla")
    portal.goto(f"/portal/tickets/{urgent.pk}/")
    assert portal.locator("#ticket-status").inner_text() == "Waiting on you"
    assert "which office lost access first?" in portal.locator("main").inner_text()
    portal.get_by_label("Your reply").fill("The front office, at about nine.")
    portal.get_by_role("button", name="Send reply").click()
    portal.get_by_text("Your reply was added.").wait_for()
    assert portal.locator("#ticket-status").inner_text() == "In progress"

    urgent.refresh_from_db()
    assert urgent.status == "open" and urgent.paused_at is None
    assert TicketPause.objects.filter(ticket=urgent, reason="waiting_client").count() == 1
    desk.reload()
    assert "The front office, at about nine." in desk.locator("#timeline").inner_text()
    client.close()
    staff.close()
