# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""The value report's pages: staff (per client, month picker, actions) and the portal (own
client only), the PDF rendered from the snapshot; permissions per persona."""

import pytest
from django.core import mail

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


def _client_page(report):
    return f"/insights/value-reports/clients/{report.client_id}/?month=2026-03"


@pytest.mark.parametrize("persona,status", [
    ("owner", 200), ("dispatcher", 200), ("billing", 200), ("technician", 403),
    ("contact", 403), ("outsider", 403),
])
def test_the_staff_page_is_for_owners_dispatchers_and_billing(report, personas, login,
                                                              persona, status):
    response = login(getattr(personas, persona)).get(_client_page(report))
    assert response.status_code == status


def test_the_staff_page_shows_the_figures_of_the_month_picked(report, personas, login):
    page = login(personas.owner).get(_client_page(report)).content.decode()
    assert "Acme Dental · March 2026" in page
    assert "You paid $150.00 for break-fix; Gold would have included it." in page
    assert 'data-figure="maintenance-done">4 of 6<' in page
    assert "<svg" in page  # the SLA chart
    other = login(personas.owner).get(
        f"/insights/value-reports/clients/{report.client_id}/?month=2026-02").content.decode()
    assert "No value report for February 2026" in other


def test_the_month_list_links_each_clients_report(report, personas, login):
    page = login(personas.billing).get("/insights/value-reports/?month=2026-03")
    assert page.status_code == 200
    assert f"/insights/value-reports/clients/{report.client_id}/?month=2026-03" in (
        page.content.decode())


def test_billing_generates_one_clients_report_and_a_dispatcher_may_not(march, personas,
                                                                       login):
    denied = login(personas.dispatcher).post("/insights/value-reports/generate/",
                                             {"month": "2026-03", "client": march.client_id})
    assert denied.status_code == 403
    response = login(personas.billing).post("/insights/value-reports/generate/",
                                            {"month": "2026-03", "client": march.client_id})
    assert response.status_code == 302
    assert ValueReport.objects.filter(client=march.client, month=MARCH).count() == 1


def test_staff_email_the_report_from_its_page(report, personas, login):
    response = login(personas.owner).post(f"/insights/value-reports/{report.pk}/send/")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["contact@acme.example"]]
    report.refresh_from_db()
    assert report.emailed_at is not None


def test_the_contact_reads_its_report_in_the_portal(report, personas, login):
    client = login(personas.contact)
    listing = client.get("/portal/reports/").content.decode()
    assert f"/portal/reports/{report.pk}/" in listing
    page = client.get(f"/portal/reports/{report.pk}/").content.decode()
    assert "Acme Dental · March 2026" in page
    assert "You paid $35.00 for help desk; Gold would have included it." in page
    assert "recurring: Silver fee, billed in advance" in page


def test_the_pdf_is_rendered_from_the_snapshot(report, personas, login, monkeypatch):
    from tierdesk.core import pdf

    seen = {}

    def fake_render(template, context):
        seen["data"] = context["data"]
        return b"%PDF-1.7 fake"

    monkeypatch.setattr(pdf, "render_pdf", fake_render)
    response = login(personas.contact).get(f"/portal/reports/{report.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert seen["data"] == report.data


def test_the_pdf_renders_with_weasyprint(report):
    from tierdesk.insights.report_document import value_report_pdf

    data = value_report_pdf(report)
    assert data.startswith(b"%PDF")


@pytest.mark.parametrize("path", ["/portal/reports/{pk}/", "/portal/reports/{pk}/pdf/"])
def test_an_outsider_gets_404_for_another_clients_report(report, personas, login, path):
    response = login(personas.outsider).get(path.format(pk=report.pk))
    assert response.status_code == 404
    assert "Acme" not in response.content.decode()


def test_an_outsider_lists_no_report_of_another_client(report, personas, login):
    page = login(personas.outsider).get("/portal/reports/").content.decode()
    assert f"/portal/reports/{report.pk}/" not in page


@pytest.mark.parametrize("persona", ["owner", "technician"])
def test_staff_do_not_use_the_portal_pages(report, personas, login, persona):
    response = login(getattr(personas, persona)).get(f"/portal/reports/{report.pk}/")
    assert response.status_code == 403
