"""Billing end to end: a technician logs help-desk time on a Silver client's ticket and sees,
before and after the work, what it counts as; billing staff run the invoices in arrears,
issue the invoice (PDF e-mailed); the client's contact reads it in the portal and downloads
the PDF.

Silver: two 15-minute help-desk sessions a month, then $35 a session. A 25-minute session
counts as two (the whole allowance); a 20-minute one after it is two sessions of overage.
The sessions are dated last month and the run is for this month, so they are billed in
arrears beside this month's fee.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from tierdesk.billing.models import Classification, Invoice, WorkSession
from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.clients.factories import AgreementFactory, ClientFactory, ContactFactory
from tierdesk.core.factories import UserFactory
from tierdesk.core.models import Role
from tierdesk.desk import services
from tierdesk.plans.models import PlanVersion
from tierdesk.plans.seed import tiers_load_defaults

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TZ = "America/New_York"


def log_in(browser, live_server, username: str):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return context, page


def log_session(page, *, started: dt.datetime, minutes: int) -> None:
    """Fill the sessions panel's "log time by hand" form (help desk, remote) and submit."""
    panel = page.locator("#sessions-panel")
    if panel.locator("details:has(#id_log-minutes)").get_attribute("open") is None:
        panel.get_by_text("Log time by hand").click()
    panel.locator("#id_log-started_at").fill(started.strftime("%Y-%m-%dT%H:%M"))
    panel.locator("#id_log-minutes").fill(str(minutes))
    with page.expect_response(lambda r: "/sessions/log/" in r.url and r.status == 200):
        panel.get_by_role("button", name="Log session").click()


def test_a_silver_session_beyond_the_allowance_is_billed_in_arrears_and_read_in_the_portal(
        browser, live_server, mailoutbox):
    catalog_load_defaults()
    tiers_load_defaults()
    today = timezone.now().astimezone(ZoneInfo(TZ)).date()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)

    silver = PlanVersion.objects.get(plan__slug="silver")
    acme = ClientFactory(name="Acme Dental", timezone=TZ, tax_rate_percent=0)
    AgreementFactory(client=acme, plan_version=silver, status="active",
                     start_date=last_month)
    carla = UserFactory(username="carla", role=Role.CONTACT, must_change_password=False)
    ContactFactory(client=acme, user=carla, name="Carla Reyes", email="carla@acme.example",
                   is_billing=True)
    UserFactory(username="tom", role=Role.TECHNICIAN, must_change_password=False)
    UserFactory(username="bella", role=Role.BILLING, must_change_password=False)
    ticket = services.ticket_open(client=acme, channel="portal",
                                  subject="Outlook keeps asking for a password")

    # The technician: before the work, the preview says what is left; then two sessions.
    tech_context, tech = log_in(browser, live_server, "tom")
    tech.goto(f"/desk/tickets/{ticket.pk}/")
    preview = tech.locator("#session-preview #preview")
    preview.wait_for()
    assert "2 of 2 sessions left" in preview.inner_text()
    assert "2 of 2 remote sessions left" in tech.locator("#allowance-left").inner_text()

    first_day = dt.datetime.combine(last_month + dt.timedelta(days=9), dt.time(10, 0))
    log_session(tech, started=first_day, minutes=25)
    rows = tech.locator("#sessions-panel tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    first = rows.first.inner_text()
    assert "Counted against the allowance" in first and "25 min counts as 2" in first

    log_session(tech, started=first_day.replace(hour=14), minutes=20)
    tech.wait_for_function(
        "document.querySelectorAll('#sessions-panel tbody tr').length === 2")
    newest = tech.locator("#sessions-panel tbody tr").first.inner_text()  # newest first
    assert "beyond the allowance" in newest and "$35.00 a session" in newest
    assert "70.00" in newest
    sessions = WorkSession.objects.filter(ticket=ticket).order_by("started_at")
    assert [s.classification for s in sessions] == [Classification.ALLOWANCE,
                                                    Classification.OVERAGE]
    tech_context.close()

    # Billing staff run this month: the fee in advance, last month's overage in arrears.
    bill_context, bill = log_in(browser, live_server, "bella")
    bill.get_by_role("link", name="Billing").click()
    bill.get_by_role("link", name="Invoice runs").click()
    bill.get_by_label("Billing month").fill(f"{this_month:%Y-%m}")
    bill.get_by_role("button", name="Start the run").click()
    bill.wait_for_url("**/billing/invoices/runs/*/")
    invoice = Invoice.objects.get(client=acme, period_start=this_month)
    bill.get_by_role("link", name=invoice.number).click()
    bill.wait_for_url(f"**/billing/invoices/{invoice.pk}/")
    overage = bill.locator(".invoice-line[data-kind='overage']")
    assert overage.count() == 1
    assert "70.00" in overage.inner_text() and "overage" in overage.inner_text().lower()

    bill.locator("#issue").click()
    bill.wait_for_url(f"**/documents/invoices/{invoice.pk}/")
    invoice.refresh_from_db()
    assert invoice.status == "issued" and invoice.pdf_sha256
    assert mail.outbox is mailoutbox and len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["carla@acme.example"] and invoice.number in message.subject
    [(filename, data, mimetype)] = message.attachments
    assert mimetype == "application/pdf" and data.startswith(b"%PDF")
    bill_context.close()

    # The contact reads it in the portal and downloads the PDF, as e-mailed.
    portal_context, portal = log_in(browser, live_server, "carla")
    portal.get_by_role("link", name="Invoices").first.click()
    portal.wait_for_url("**/portal/invoices/")
    portal.get_by_role("link", name=invoice.number).click()
    assert "overage" in portal.locator("main").inner_text().lower()
    response = portal.request.get(f"/portal/invoices/{invoice.pk}/pdf/")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == data
    portal_context.close()
