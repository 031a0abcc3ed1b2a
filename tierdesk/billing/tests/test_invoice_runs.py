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
    from tierdesk.billing.invoicing import writing

    first = agreement(tier="One")
    second = agreement(tier="Two")
    real = writing._link

    def failing(built, *args):
        if any(b.agreement.pk == first.pk for b in built):
            raise RuntimeError("crash while linking")
        return real(built, *args)

    monkeypatch.setattr(writing, "_link", failing)
    with pytest.raises(RuntimeError):
        invoice_run(period_start=OCT)
    assert InvoiceRun.objects.get().status == "failed"
    monkeypatch.setattr(writing, "_link", real)
    invoice_run_start(period_start=OCT)
    invoice_run(period_start=OCT)
    assert dict(Invoice.objects.values_list("agreement_id", "number")) == {
        first.pk: "INV-000001", second.pk: "INV-000002"}


def test_a_batch_links_each_session_to_its_own_agreements_line():
    from tierdesk.billing.models import WorkSession
    from tierdesk.billing.tests.test_invoicing_fixtures import SEP, session

    a, b = agreement(tier="A", fee="100.00"), agreement(tier="B", fee="100.00")
    for who in (a, b):
        session(who, period_start=SEP, classification="overage", amount="35.00",
                rate="35.00", units=1)
        session(who, period_start=SEP, classification="overage", amount="40.00",
                rate="40.00", units=1)
        session(who, period_start=SEP, classification="overage", amount="20.00", units=1)
        session(who, period_start=SEP, classification="billable", amount="62.50",
                rate="125.00")
        session(who, period_start=SEP, classification="included")
    invoice_run(period_start=OCT)
    for who in (a, b):
        billed = WorkSession.objects.filter(agreement=who, invoiced_line__isnull=False)
        assert billed.count() == 4
        assert {s.invoiced_line.invoice.agreement_id for s in billed} == {who.pk}
        for s in billed:  # each session sits on the line that bills its amount and rate
            line = s.invoiced_line
            assert line.amount == s.amount
            assert line.unit_price == (s.rate or Decimal("0"))
    assert WorkSession.objects.filter(invoiced_line__isnull=True).count() == 2


def test_a_failed_batch_rolls_back_its_numbers_and_is_built_one_by_one(monkeypatch):
    from tierdesk.billing import invoicing
    from tierdesk.billing.invoicing import runs

    agreements = [agreement(tier=f"T{i}") for i in range(5)]
    taken = agreements[2]
    real = runs._period_data
    inside = []

    def stale(*args, **kw):
        # Another run invoices agreement 2 right after this run read the period: the
        # unique constraint fails this run's batch, which is then redone one by one.
        data = real(*args, **kw)
        if not inside:
            inside.append(True)
            invoicing.invoice_build(agreement=taken, period_start=OCT)
        return data

    monkeypatch.setattr(runs, "_period_data", stale)
    run = invoice_run(period_start=OCT)
    assert run.status == "complete" and run.invoices_created == 4
    assert Invoice.objects.count() == 5
    assert _numbers() == [f"INV-{i:06d}" for i in range(1, 6)]
    by_number = list(Invoice.objects.order_by("number").values_list("agreement_id", flat=True))
    assert by_number == [taken.pk] + [a.pk for a in agreements if a != taken]


def test_a_session_changed_while_its_batch_was_written_redoes_the_batch_one_by_one(
        monkeypatch):
    from tierdesk.billing.invoicing import writing
    from tierdesk.billing.models import WorkSession
    from tierdesk.billing.tests.test_invoicing_fixtures import SEP, session

    a, b = agreement(tier="A"), agreement(tier="B")
    for who in (a, b):
        session(who, period_start=SEP, classification="billable", amount="62.50",
                rate="125.00")
    real = writing._link
    calls = []

    def changed(built, period_start):
        calls.append(len(built))
        if len(calls) == 1:  # the batch's link found fewer unbilled sessions than it read
            raise writing._Changed
        return real(built, period_start)

    monkeypatch.setattr(writing, "_link", changed)
    run = invoice_run(period_start=OCT)
    assert run.status == "complete"
    assert calls == [2, 1, 1]  # the batch, then one agreement per transaction
    assert _numbers() == ["INV-000001", "INV-000002"]
    for who in (a, b):
        line = WorkSession.objects.get(agreement=who).invoiced_line
        assert line.invoice.agreement_id == who.pk


def test_a_runs_queries_do_not_grow_with_its_agreements():
    """Set-based reads: no query per agreement, e.g. for a field of the agreement that the
    run's slim load (lines._RUN_FIELDS) left out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tierdesk.billing.tests.test_invoicing_fixtures import SEP, session

    def run_with(n: int, tier: str) -> int:
        for i in range(n):
            who = agreement(tier=f"{tier}{i}", fee="100.00", start=dt.date(2026, 9, 10),
                            override_reason="loyalty")
            session(who, period_start=SEP, classification="overage", amount="35.00",
                    rate="35.00", units=1)
            session(who, period_start=SEP, classification="billable", amount="62.50",
                    rate="125.00")
        invoice_run_start(period_start=OCT)
        with CaptureQueriesContext(connection) as queries:
            run = invoice_run(period_start=OCT)
        assert run.status == "complete" and run.invoices_created == n
        return len(queries)

    # The second run invoices only the six new agreements (the first two are done).
    assert run_with(2, "A") == run_with(6, "B")
