# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""The profitability pages: who sees them, the table and its CSV, the charts, the cost page
and the price designer over HTTP."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from tierdesk.core import clock
from tierdesk.insights.tests.profit_fixtures import (  # noqa: F401
    acme_march,
    acme_silver,
    costs,
    make_tier,
    ny,
    platinum,
    services,
    silver,
)
from tierdesk.plans.models import PlanVersion

NOW = dt.datetime(2026, 4, 20, 16, tzinfo=dt.UTC)
MARGIN_PAGES = ["/insights/profitability/", "/insights/profitability/charts/",
                "/insights/profitability/low/", "/insights/costs/", "/insights/pricing/"]


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.mark.parametrize("path", MARGIN_PAGES)
@pytest.mark.parametrize("persona, status", [
    ("owner", 200), ("billing", 200), ("dispatcher", 403), ("technician", 403),
    ("contact", 403), ("outsider", 403)])
def test_only_owner_and_billing_see_margins(acme_march, costs, login, path, persona, status):
    assert login(getattr(costs, persona)).get(path).status_code == status


def test_the_client_page_of_an_unknown_client_is_404(costs, login):
    assert login(costs.owner).get("/insights/profitability/clients/999999/").status_code == 404


def test_contacts_never_see_a_margin_anywhere_in_the_portal(acme_march, costs, login):
    client = login(costs.contact)
    for path in ("/portal/", f"/insights/profitability/clients/{acme_march.client_id}/",
                 f"/insights/guardrails/client/{acme_march.client_id}/?work=onsite"):
        response = client.get(path)
        assert response.status_code in (200, 403)
        assert "margin" not in response.content.decode().lower()


def test_the_nav_links_profitability_for_owner_and_billing_only(costs, login):
    assert "/insights/profitability/" in login(costs.billing).get("/desk/").content.decode()
    assert "/insights/profitability/" not in (
        login(costs.technician).get("/desk/").content.decode())


def test_the_table_shows_the_month_and_sorts(acme_march, costs, login):
    page = login(costs.owner).get("/insights/profitability/?period=2026-03&sort=-revenue")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Acme Dental" in body and "$690.00" in body and "$540.00" in body
    assert "21.7%" in body


def test_the_tier_filter_keeps_the_tiers_clients(acme_march, costs, login, platinum, globex):
    from tierdesk.clients.factories import AgreementFactory

    AgreementFactory(client=globex, plan_version=platinum, status="active",
                     start_date=dt.date(2026, 1, 1))
    body = login(costs.owner).get(
        f"/insights/profitability/?period=2026-03&tier={platinum.plan_id}").content.decode()
    assert "Globex Finance" in body and "Acme Dental" not in body


def test_the_csv_export_has_every_part_and_the_totals(acme_march, costs, login):
    response = login(costs.billing).get("/insights/profitability/?period=2026-03&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "profitability-client-2026-03.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    row = rows[0]
    assert (row["name"], row["tier"], row["fees"], row["items"], row["labour"],
            row["tools"], row["revenue"], row["cost"], row["margin"], row["margin_pct"],
            row["hours"], row["effective_hourly"], row["fee_estimated"]) == (
        "Acme Dental", "Silver", "200.00", "230.00", "217.50", "50.00", "690.00", "540.00",
        "150.00", "21.7", "3.75", "184.00", "no")


def test_the_tier_level_csv(acme_march, costs, login):
    response = login(costs.billing).get("/insights/profitability/?period=2026-04&level=tier"
                                        "&format=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["level"], r["name"], r["revenue"], r["fee_estimated"]) for r in rows] == [
        ("tier", "Silver", "200.00", "yes")]


def test_the_charts_are_server_drawn_svg(acme_march, costs, login):
    body = login(costs.owner).get("/insights/profitability/charts/").content.decode()
    assert body.count("<svg") == 2
    assert "Silver Mar 26: 21.7%" in body  # a point of the margin line, with its title
    client = login(costs.owner).get(
        f"/insights/profitability/charts/?client={acme_march.client_id}").content.decode()
    assert client.count("<svg") == 1 and "Acme Dental" in client


def test_the_client_page_shows_its_months(acme_march, costs, login):
    body = login(costs.billing).get(
        f"/insights/profitability/clients/{acme_march.client_id}/").content.decode()
    assert "March 2026" in body and "$690.00" in body and "Trailing 90 days" in body


def test_the_owner_edits_the_cost_model_and_billing_cannot(costs, login):
    data = {"default_hourly_cost": "48.00", "mileage_cost_per_drive_minute": "0.45"}
    assert login(costs.billing).post("/insights/costs/", data).status_code == 403
    response = login(costs.owner).post("/insights/costs/", data)
    assert response.status_code == 302
    from tierdesk.insights.costs import cost_model_get

    assert cost_model_get().default_hourly_cost == Decimal("48.00")


def test_a_bad_rate_is_shown_on_its_field(costs, login):
    response = login(costs.owner).post("/insights/costs/", {
        "default_hourly_cost": "-3", "mileage_cost_per_drive_minute": "0.4"})
    assert response.status_code == 400
    assert "Default loaded cost per hour: must not be negative" in response.content.decode()


def test_the_owner_adds_and_removes_a_tool_cost(costs, login, silver):
    client = login(costs.owner)
    response = client.post("/insights/costs/tools/", {
        "name": "RMM agent", "monthly_cost_per_device": "2.75", "plans": [silver.plan_id]})
    assert response.status_code == 302
    from tierdesk.insights.models import ToolCost

    tool = ToolCost.objects.get(name="RMM agent")
    assert list(tool.plans.values_list("id", flat=True)) == [silver.plan_id]
    assert client.post(f"/insights/costs/tools/{tool.pk}/delete/").status_code == 302
    assert not ToolCost.objects.filter(name="RMM agent").exists()
    assert login(costs.billing).post(f"/insights/costs/tools/{tool.pk}/delete/").status_code \
        == 403


def test_the_owner_sets_a_floor_and_a_bad_one_names_the_tier(costs, login, silver):
    client = login(costs.owner)
    assert client.post("/insights/costs/floors/",
                       {f"floor_{silver.plan_id}": "20"}).status_code == 302
    response = client.post("/insights/costs/floors/", {f"floor_{silver.plan_id}": "120"})
    assert response.status_code == 400 and "Silver floor (%): must be below 100%" in (
        response.content.decode())


def test_the_low_profit_page_lists_the_client_with_reasons(acme_march, costs, login):
    from tierdesk.insights.costs import margin_floors_save

    margin_floors_save(floors={acme_march.plan_version.plan_id: "90"}, by=costs.owner)
    body = login(costs.billing).get("/insights/profitability/low/").content.decode()
    assert "Acme Dental" in body and "Reprice at renewal" in body


def test_the_designer_page_computes_and_reports_bad_input(costs, login, silver):
    client = login(costs.billing)
    page = client.get(f"/insights/pricing/?plan_version={silver.pk}&users=10&devices=20"
                      "&margin_target=20")
    body = page.content.decode()
    assert page.status_code == 200 and 'id="designed-price"' in body
    assert "Not enough history" in body
    assert "Save as new tier version" not in body  # billing reads, the owner saves
    bad = client.get(f"/insights/pricing/?plan_version={silver.pk}&margin_target=100")
    assert bad.status_code == 400
    assert "Margin target (%): must be below 100%" in bad.content.decode()


def test_the_owner_saves_a_design_as_the_next_version(acme_silver, costs, login, silver):
    response = login(costs.owner).post("/insights/pricing/save/", {
        "plan_version": silver.pk, "users": "10", "devices": "20", "margin_target": "20",
        "change_note": "From the designer"})
    assert response.status_code == 302
    new = PlanVersion.objects.get(plan_id=silver.plan_id, number=2)
    assert new.change_note == "From the designer"
    page = login(costs.owner).get(response["Location"]).content.decode()
    assert "Silver is now at version 2" in page
    assert login(costs.billing).post("/insights/pricing/save/", {
        "plan_version": silver.pk}).status_code == 403
