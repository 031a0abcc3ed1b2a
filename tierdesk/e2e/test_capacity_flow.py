# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""An owner with no ticket history yet opens Capacity, enters assumptions, runs "as today"
against "lose one technician" and reads the answer, the side-by-side table and the charts;
then opens Profitability and sees the client's margin."""

import pytest

from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold  # noqa: F401
from tierdesk.insights.tests.capacity_fixtures import techs  # noqa: F401

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def test_the_owner_compares_scenarios_and_opens_profitability(page, acme_on_gold, techs,
                                                              personas):
    page.goto("/login/")
    page.get_by_label("User name").fill(personas.owner.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")

    page.get_by_role("link", name="Capacity").click()
    page.wait_for_url("**/insights/capacity/")
    page.get_by_text("No tickets in the last 12 weeks: enter assumptions.").wait_for()
    page.get_by_label("Weeks").fill("4")
    page.get_by_label("Lose one technician").select_option(label="Bob Builder")
    page.get_by_role("button", name="Run scenarios").click()
    page.wait_for_url("**/insights/capacity/runs/*/")

    answer = page.locator("#answer")
    answer.wait_for(timeout=60_000)
    text = page.locator("main").inner_text()
    assert "As today" in text and "Bob Builder" in text
    assert "Gold" in text
    assert page.locator("main svg").count() >= 2  # attainment and utilisation charts

    page.get_by_role("link", name="Profitability").click()
    page.wait_for_url("**/insights/profitability/**")
    assert "Acme Dental" in page.locator("main").inner_text()
