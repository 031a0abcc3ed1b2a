# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""A client contact logs in to the portal, opens last month's value report from the menu and
reads its figures — maintenance done, tickets, what was billed and why, and what the next
tier would have included — then downloads the PDF; another client's report is a 404."""

import pytest

from tierdesk.insights.models import ValueReport
from tierdesk.insights.services import value_reports_generate
from tierdesk.insights.tests.value_report_fixtures import (  # noqa: F401
    MARCH,
    acme_on_silver,
    gold,
    march,
    services,
    silver,
)

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def test_a_client_opens_the_value_report_and_sees_the_figures(page, march, personas, globex):
    from tierdesk.clients.factories import AgreementFactory

    AgreementFactory(client=globex, plan_version=march.plan_version, status="active",
                     start_date=MARCH)
    value_reports_generate(month=MARCH)
    ours = ValueReport.objects.get(client=march.client)
    theirs = ValueReport.objects.get(client=globex)

    page.goto("/login/")
    page.get_by_label("User name").fill(personas.contact.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/portal/")

    page.get_by_role("link", name="Monthly reports").click()
    page.wait_for_url("**/portal/reports/")
    page.get_by_role("link", name="March 2026").click()
    page.wait_for_url(f"**/portal/reports/{ours.pk}/")

    page.get_by_role("heading", name="Acme Dental · March 2026").wait_for()
    assert page.locator('[data-figure="maintenance-done"]').inner_text() == "4 of 6"
    assert page.locator('[data-figure="tickets-resolved"]').inner_text() == "2"
    assert page.locator('[data-figure="fee"]').inner_text() == "$259.00"
    main = page.locator("main").inner_text()
    assert "recurring: Silver fee, billed in advance" in main
    assert "You paid $150.00 for break-fix; Gold would have included it." in main
    assert "Globex" not in main
    # The SLA chart is drawn on the server: an SVG with one bar per measured target.
    assert page.locator("svg.sla-chart rect:has(title)").count() == 2

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == f"value-report-2026-03-client-{march.client_id}.pdf"

    response = page.goto(f"/portal/reports/{theirs.pk}/")
    assert response.status == 404
    assert "Globex" not in page.locator("body").inner_text()
