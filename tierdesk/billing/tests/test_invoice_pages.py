"""Invoice pages: who may read and write, the preview, the run page and its progress."""

import pytest
from django.urls import reverse

from tierdesk.billing.invoicing import invoice_build
from tierdesk.billing.models import Invoice, InvoiceRun
from tierdesk.billing.tests.test_invoicing_fixtures import OCT, SEP, agreement, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_invoice(personas, acme):
    return invoice_build(agreement=agreement(fee="120.00", client=acme), period_start=OCT)


@pytest.mark.parametrize("role", ["owner", "billing", "dispatcher", "technician"])
def test_every_staff_role_reads_invoices(personas, login, acme_invoice, role):
    web = login(getattr(personas, role))
    assert web.get(reverse("billing:invoice_list")).status_code == 200
    page = web.get(reverse("billing:invoice_detail", args=[acme_invoice.pk]))
    assert page.status_code == 200
    assert b"in advance" in page.content  # lines show their reasons
    assert (b'id="issue"' in page.content) == (role in ("owner", "billing"))


@pytest.mark.parametrize("role", ["contact", "outsider"])
def test_contacts_get_403_on_every_invoice_page(personas, login, acme_invoice, role):
    web = login(getattr(personas, role))
    for url in (reverse("billing:invoice_list"),
                reverse("billing:invoice_detail", args=[acme_invoice.pk]),
                reverse("billing:invoice_run"),
                reverse("billing:invoice_preview", args=[acme_invoice.agreement_id])):
        assert web.get(url).status_code == 403


def test_an_unknown_invoice_is_404(personas, login):
    assert login(personas.owner).get(
        reverse("billing:invoice_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("role,allowed", [("billing", True), ("owner", True),
                                          ("dispatcher", False), ("technician", False)])
def test_only_owner_and_billing_move_invoices(personas, login, acme_invoice, role, allowed):
    web = login(getattr(personas, role))
    response = web.post(reverse("billing:invoice_transition", args=[acme_invoice.pk]),
                        {"to": "issued"})
    acme_invoice.refresh_from_db()
    assert (acme_invoice.status == "issued") == allowed
    assert response.status_code == (302 if allowed else 403)


def test_a_refused_transition_is_shown_and_changes_nothing(personas, login, acme_invoice):
    web = login(personas.billing)
    response = web.post(reverse("billing:invoice_transition", args=[acme_invoice.pk]),
                        {"to": "paid"}, follow=True)
    assert b"cannot become paid" in response.content
    acme_invoice.refresh_from_db()
    assert acme_invoice.status == "draft"


def test_the_preview_page_shows_lines_with_reasons_and_stores_nothing(personas, login, acme):
    a = agreement(fee="80.00", client=acme)
    session(a, period_start=SEP, classification="billable", amount="62.50", rate="125.00",
            reason="billable: Silver covers monitoring only")
    page = login(personas.technician).get(
        reverse("billing:invoice_preview", args=[a.pk]), {"period": "2026-10"})
    assert b"Silver covers monitoring only" in page.content
    assert b"142.50" in page.content
    assert Invoice.objects.count() == 0
    bad = login(personas.billing).get(reverse("billing:invoice_preview", args=[a.pk]),
                                      {"period": "2031-01"})
    assert b"in the future" in bad.content


def test_billing_starts_a_run_and_sees_its_progress(personas, login, acme,
                                                    django_capture_on_commit_callbacks):
    agreement(fee="80.00", client=acme)
    web = login(personas.billing)
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(reverse("billing:invoice_run"), {"period": "2026-10"})
    run = InvoiceRun.objects.get()
    assert response.status_code == 302
    # Tasks run immediately in tests: the run is complete by now.
    run.refresh_from_db()
    assert (run.status, run.invoices_created) == ("complete", 1)
    partial = web.get(reverse("billing:invoice_run_detail", args=[run.pk]),
                      HTTP_HX_REQUEST="true")
    assert b"1 of 1 agreements" in partial.content
    assert b"<html" not in partial.content
    assert b"INV-000001" in partial.content


def test_staff_without_billing_cannot_start_a_run(personas, login):
    web = login(personas.dispatcher)
    assert web.get(reverse("billing:invoice_run")).status_code == 200
    assert web.post(reverse("billing:invoice_run"), {"period": "2026-10"}).status_code == 403
    assert InvoiceRun.objects.count() == 0


def test_a_future_month_is_refused_on_the_run_form(personas, login):
    page = login(personas.owner).post(reverse("billing:invoice_run"), {"period": "2031-01"})
    assert page.status_code == 200 and b"in the future" in page.content
    assert InvoiceRun.objects.count() == 0
