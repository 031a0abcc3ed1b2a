"""Links from sessions to invoice lines, which no database constraint guards
(WorkSession.invoiced_line, db_constraint=False): the invoicing code keeps them right, and
on PostgreSQL writes them as in-place (HOT) updates. The run bills only open periods."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from tierdesk.billing.invoicing import invoice_build, invoice_run, invoice_run_start
from tierdesk.billing.models import Invoice, InvoiceLine, WorkSession
from tierdesk.billing.tests.test_invoicing_fixtures import NOV, OCT, SEP, agreement, session

AUG = SEP.replace(month=8)

# A link whose line is missing, or whose line is on another agreement's invoice.
_BROKEN_LINKS_SQL = """
SELECT s.id FROM billing_worksession s
LEFT JOIN billing_invoiceline l ON l.id = s.invoiced_line_id
LEFT JOIN billing_invoice i ON i.id = l.invoice_id
WHERE s.invoiced_line_id IS NOT NULL
  AND (l.id IS NULL OR i.agreement_id IS NULL OR i.agreement_id <> s.agreement_id)
"""


def broken_links() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(_BROKEN_LINKS_SQL)
        return [pk for (pk,) in cursor.fetchall()]


def assert_links_consistent() -> None:
    """Every invoiced session points at an existing line of an invoice of its own
    agreement, and each line's amount is what its sessions were charged."""
    assert broken_links() == []
    for line in InvoiceLine.objects.filter(sessions__isnull=False).distinct():
        sessions = list(line.sessions.all())
        assert {s.agreement_id for s in sessions} == {line.invoice.agreement_id}
        assert line.amount == sum((s.amount for s in sessions), Decimal("0"))


def _history(who, period, *, day=5):
    session(who, period_start=period, classification="overage", amount="35.00",
            rate="35.00", units=1, day=day)
    session(who, period_start=period, classification="overage", amount="40.00",
            rate="40.00", units=1, day=day)
    session(who, period_start=period, classification="billable", amount="62.50",
            rate="125.00", day=day)
    session(who, period_start=period, classification="allowance", day=day)


@pytest.mark.django_db
def test_every_invoiced_session_points_at_a_line_of_its_own_agreements_invoice():
    agreements = [agreement(tier=f"T{i}", fee="100.00") for i in range(4)]
    for who in agreements:
        _history(who, SEP)
    invoice_run(period_start=OCT)
    for who in agreements:
        _history(who, OCT, day=9)
    invoice_run_start(period_start=NOV)
    invoice_run(period_start=NOV)
    assert_links_consistent()
    linked = WorkSession.objects.filter(invoiced_line__isnull=False)
    assert linked.count() == 4 * 2 * 3  # overage and billable of two months; allowance never
    assert not WorkSession.objects.filter(classification="allowance",
                                          invoiced_line__isnull=False).exists()
    # September's sessions on the October invoices, October's on November's.
    for s in linked.select_related("invoiced_line__invoice"):
        assert s.invoiced_line.invoice.period_start == (OCT if s.period_start == SEP else NOV)


@pytest.mark.django_db
def test_the_check_finds_a_link_to_a_missing_line_or_another_agreements_invoice():
    # The check itself can fail: it is what the absent constraint no longer does.
    a, b = agreement(tier="A"), agreement(tier="B")
    _history(a, SEP)
    session(b, period_start=SEP, classification="billable", amount="10.00", rate="20.00")
    invoice_run(period_start=OCT)
    assert broken_links() == []
    stray = WorkSession.objects.get(agreement=b)
    line_of_a = InvoiceLine.objects.filter(invoice__agreement=a).first()
    WorkSession.objects.filter(pk=stray.pk).update(invoiced_line_id=line_of_a.pk)
    assert broken_links() == [stray.pk]
    WorkSession.objects.filter(pk=stray.pk).update(invoiced_line_id=10**9)
    assert broken_links() == [stray.pk]


@pytest.mark.django_db
def test_a_crash_after_linking_leaves_no_link_behind(monkeypatch):
    from tierdesk.billing.invoicing import writing

    a = agreement(tier="A")
    _history(a, SEP)
    real = writing._link

    def crash(built, data):
        real(built, data)
        assert WorkSession.objects.filter(invoiced_line__isnull=False).count() == 3
        raise RuntimeError("killed after the links were written")

    monkeypatch.setattr(writing, "_link", crash)
    with pytest.raises(RuntimeError):
        invoice_run(period_start=OCT)
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()
    assert not WorkSession.objects.filter(invoiced_line__isnull=False).exists()
    monkeypatch.setattr(writing, "_link", real)
    invoice_run_start(period_start=OCT)
    invoice_run(period_start=OCT)
    assert WorkSession.objects.filter(invoiced_line__isnull=False).count() == 3
    assert_links_consistent()


@pytest.mark.django_db
def test_the_run_bills_only_the_agreements_open_periods():
    """A period is closed once a later invoice exists: its sessions were billed by that
    invoice, and what is still unlinked there (a correction's session, billed by an
    adjustment) is never billed again in arrears."""
    a = agreement(tier="A", fee="100.00")
    invoice_build(agreement=a, period_start=SEP)  # closes August and before
    closed = session(a, period_start=AUG, classification="overage", amount="35.00",
                     rate="35.00", units=1)
    open_ = session(a, period_start=SEP, classification="overage", amount="35.00",
                    rate="35.00", units=1)
    invoice = invoice_build(agreement=a, period_start=OCT)
    closed.refresh_from_db()
    open_.refresh_from_db()
    assert open_.invoiced_line.invoice == invoice
    assert closed.invoiced_line_id is None
    assert [line.kind for line in invoice.lines.all()] == ["recurring", "overage"]


@pytest.mark.django_db
def test_without_an_invoice_in_the_last_year_every_straggler_of_the_year_is_billed():
    a = agreement(tier="A", fee="100.00")
    old = session(a, period_start=AUG.replace(month=2), classification="billable",
                  amount="62.50", rate="125.00")
    recent = session(a, period_start=SEP, classification="billable", amount="62.50",
                     rate="125.00")
    invoice = invoice_build(agreement=a, period_start=OCT)
    assert {s.invoiced_line.invoice for s in WorkSession.objects.filter(
        pk__in=[old.pk, recent.pk])} == {invoice}


@pytest.mark.django_db
def test_an_agreement_invoiced_for_a_later_period_has_no_arrears_left_for_an_earlier_one(
        monkeypatch):
    import datetime as dt

    from django.utils import timezone

    moment = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    late = agreement(tier="Late", fee="100.00")
    invoice_build(agreement=late, period_start=NOV)  # billed September and October
    stray = session(late, period_start=SEP, classification="overage", amount="35.00",
                    rate="35.00", units=1)
    invoice = invoice_build(agreement=late, period_start=OCT)  # October billed late
    assert [line.kind for line in invoice.lines.all()] == ["recurring"]
    stray.refresh_from_db()
    assert stray.invoiced_line_id is None


def _pg(reason: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL: {reason}")


@pytest.mark.django_db
def test_the_session_table_keeps_room_for_in_place_link_updates_on_postgresql():
    _pg("fillfactor is a PostgreSQL storage parameter")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'billing_worksession'")
        (options,) = cursor.fetchone()
    assert "fillfactor=80" in (options or [])


@pytest.mark.django_db
def test_linking_sessions_rewrites_no_index_on_postgresql():
    """Each link is a HOT update: no indexed column (nor a column in an index's condition)
    changes. An index on invoiced_line would make this fail."""
    _pg("HOT updates are PostgreSQL's")
    a = agreement(tier="A")
    _history(a, SEP)

    def updates():
        with connection.cursor() as cursor:
            cursor.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
                           " WHERE relname = 'billing_worksession'")
            return cursor.fetchone() or (0, 0)

    before = updates()
    invoice_build(agreement=a, period_start=OCT)
    after = updates()
    assert (after[0] - before[0], after[1] - before[1]) == (3, 3)


@pytest.mark.django_db(transaction=True)
def test_a_session_logged_while_its_period_is_being_invoiced_waits_and_is_refused():
    """The invoice transaction holds the agreement's row: a session classified into the
    period it closes waits for it, then sees the period closed — nothing slips in unbilled
    between the run's read and its commit."""
    _pg("SQLite serialises writers, so there is no race to test")
    import datetime as dt

    from django.core.exceptions import ValidationError

    from tierdesk.billing.ledger import agreements_lock
    from tierdesk.billing.sessions import session_log
    from tierdesk.core.factories import UserFactory

    a = agreement(tier="A")
    tech = UserFactory(username="racer", role="technician")
    outcome = {}
    started = threading.Event()

    def log_into_september():
        try:
            started.set()
            start = dt.datetime(2026, 9, 20, 14, tzinfo=dt.UTC)
            session_log(client=a.client, technician=tech, started_at=start,
                        ended_at=start + dt.timedelta(minutes=30))
            outcome["result"] = "logged"
        except ValidationError as exc:
            outcome["result"] = exc.message_dict
        finally:
            connection.close()

    with transaction.atomic():
        agreements_lock(ids=[a.pk])  # what the invoice build holds while it writes
        worker = threading.Thread(target=log_into_september)
        worker.start()
        started.wait(5)
        worker.join(0.5)
        assert worker.is_alive(), "the session did not wait for the invoice"
        Invoice.objects.create(kind="invoice", number="INV-TEST", client=a.client,
                               agreement=a, period_start=OCT, period_end=NOV,
                               currency="USD")
    worker.join(10)
    assert "closed" in outcome["result"]["started_at"][0]
    assert not WorkSession.objects.exists()
