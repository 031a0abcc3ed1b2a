"""Invoice runs: one invoice per agreement and period, gapless numbers, resumable."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tierdesk.billing.invoicing import invoice_run, invoice_run_start
from tierdesk.billing.models import Invoice, InvoiceRun, InvoiceSequence
from tierdesk.billing.tests.test_invoicing_fixtures import OCT, agreement

pytestmark = pytest.mark.django_db


def _numbers():
    return sorted(Invoice.objects.values_list("number", flat=True))


def test_a_run_invoices_each_agreement_once_in_id_order_with_gapless_numbers():
    agreements = [agreement(tier=f"T{i}", fee="100.00") for i in range(4)]
    agreement(tier="Later", start=dt.date(2026, 11, 3))  # not billed in October
    run = invoice_run(period_start=OCT)
    assert (run.status, run.agreements_total, run.agreements_done, run.invoices_created) == (
        "complete", 4, 4, 4)
    by_number = list(Invoice.objects.order_by("number").values_list("agreement_id", flat=True))
    assert by_number == [a.pk for a in agreements]
    assert _numbers() == [f"INV-{i:06d}" for i in range(1, 5)]


def test_running_a_period_twice_adds_nothing():
    for i in range(3):
        agreement(tier=f"T{i}")
    invoice_run(period_start=OCT)
    second = invoice_run(period_start=OCT)
    assert Invoice.objects.count() == 3
    assert second.invoices_created == 0
    assert InvoiceSequence.objects.get().next_value == 4


def test_a_killed_run_is_resumed_by_the_next_start():
    agreement(tier="A")
    run = invoice_run_start(period_start=OCT)
    assert invoice_run_start(period_start=OCT) == run  # one running run per period
    finished = invoice_run(period_start=OCT)
    assert finished.pk == run.pk and finished.status == "complete"
    assert InvoiceRun.objects.count() == 1


def test_a_bad_agreement_is_reported_and_the_others_are_invoiced():
    good = agreement(tier="Good")
    bad = agreement(tier="Bad")
    bad.base_fee = Decimal("-1")
    bad.save()
    run = invoice_run(period_start=OCT)
    assert run.status == "failed"
    assert f"agreement #{bad.pk}" in run.error and "negative monthly fee" in run.error
    assert list(Invoice.objects.values_list("agreement_id", flat=True)) == [good.pk]
    assert _numbers() == ["INV-000001"]


def test_a_run_for_a_future_period_is_refused():
    with pytest.raises(ValidationError) as exc:
        invoice_run(period_start=dt.date(2030, 1, 1))
    assert "period_start" in exc.value.message_dict
    assert InvoiceRun.objects.count() == 0


def test_a_rolled_back_invoice_gives_its_number_back(monkeypatch):
    from tierdesk.billing import invoicing

    first = agreement(tier="One")
    second = agreement(tier="Two")
    real = invoicing._link

    def failing(agr, *args):
        if agr.pk == first.pk:
            raise RuntimeError("crash while linking")
        return real(agr, *args)

    monkeypatch.setattr(invoicing, "_link", failing)
    with pytest.raises(RuntimeError):
        invoice_run(period_start=OCT)
    assert InvoiceRun.objects.get().status == "failed"
    monkeypatch.setattr(invoicing, "_link", real)
    invoice_run_start(period_start=OCT)
    invoice_run(period_start=OCT)
    assert dict(Invoice.objects.values_list("agreement_id", "number")) == {
        first.pk: "INV-000001", second.pk: "INV-000002"}
