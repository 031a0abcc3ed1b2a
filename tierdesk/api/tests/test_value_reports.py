# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""/value-reports through HTTP: list, one report's figures, its PDF; who may read which."""

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


@pytest.fixture
def report(march):
    value_reports_generate(month=MARCH)
    return ValueReport.objects.get(client=march.client, month=MARCH)


@pytest.mark.parametrize("persona", ["owner", "dispatcher", "billing", "contact"])
def test_readers_list_acmes_report(report, personas, bearer, persona):
    response = bearer(getattr(personas, persona), "read").get("/value-reports")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["client_name"], item["month"], item["tier"], item["fee"]) == (
        report.pk, "Acme Dental", "2026-03-01", "Silver", "259.00")


def test_one_report_carries_every_figure_of_the_snapshot(report, personas, bearer):
    body = bearer(personas.contact, "read").get(f"/value-reports/{report.pk}").json()
    assert body["data"] == report.data
    assert body["data"]["next_tier"]["lines"][0]["text"] == (
        "You paid $150.00 for break-fix; Gold would have included it.")


def test_the_list_filters_by_month_and_names_a_bad_month(report, personas, bearer):
    api = bearer(personas.owner, "read")
    assert api.get("/value-reports", {"month": "2026-02"}).json()["count"] == 0
    assert api.get("/value-reports", {"month": "2026-03"}).json()["count"] == 1
    bad = api.get("/value-reports", {"month": "March"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "month"


def test_the_pdf_downloads(report, personas, bearer, monkeypatch):
    from tierdesk.core import pdf

    monkeypatch.setattr(pdf, "render_pdf", lambda template, context: b"%PDF-1.7 fake")
    response = bearer(personas.contact, "read").get(f"/value-reports/{report.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("path", ["/value-reports/{pk}", "/value-reports/{pk}/report.pdf"])
@pytest.mark.parametrize("persona", ["outsider", "technician"])
def test_an_outsider_and_a_technician_get_404(report, personas, bearer, path, persona):
    response = bearer(getattr(personas, persona), "read").get(path.format(pk=report.pk))
    assert response.status_code == 404


def test_an_outsider_lists_nothing_of_acme(report, personas, bearer):
    assert bearer(personas.outsider, "read").get("/value-reports").json()["count"] == 0


def test_anonymous_gets_401(report, anonymous):
    assert anonymous.get("/value-reports").status_code == 401
