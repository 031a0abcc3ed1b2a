# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""The allowance ledger: one row per agreement and month, counted under concurrency."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierdesk.billing.classification import (
    RESULT_FIELDS,
    Row,
    Terms,
    classify_row,
    session_classify,
    session_units,
)
from tierdesk.billing.ledger import ledger_for, period_start_for
from tierdesk.billing.models import AllowanceLedger, WorkSession
from tierdesk.billing.sessions import session_delete, session_log, session_update
from tierdesk.billing.tests.test_sessions_fixtures import (  # noqa: F401
    acme_on_silver,
    ny,
    services,
    silver,
    ticket,
)
from tierdesk.core.factories import UserFactory


def log(ticket, tech, start, minutes, **kw):
    return session_log(ticket=ticket, technician=tech, started_at=start,
                       ended_at=start + timedelta(minutes=minutes), **kw)


def test_the_period_is_the_calendar_month_in_the_clients_time_zone(acme):
    # 2026-04-01 02:00 UTC is still March 31 in New York.
    assert period_start_for(acme, ny(2026, 3, 31, 22, 0)) == date(2026, 3, 1)


def test_ledger_for_creates_one_row_with_the_tiers_allowance(acme_on_silver):
    a = ledger_for(agreement=acme_on_silver, on=date(2026, 3, 17))
    b = ledger_for(agreement=acme_on_silver, on=date(2026, 3, 1))
    assert a.pk == b.pk
    assert (a.period_start, a.period_end, a.sessions_included, a.session_minutes) == (
        date(2026, 3, 1), date(2026, 3, 31), 2, 15)


def test_used_sessions_follow_logs_edits_and_deletes(ticket, personas):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    ledger = AllowanceLedger.objects.get()
    assert (ledger.sessions_used, ledger.sessions_remaining) == (1, 1)
    s = session_update(session=s, by=personas.technician, ended_at=ny(2026, 3, 2, 10, 40))
    ledger.refresh_from_db()
    assert (s.allowance_units, s.overage_units, ledger.sessions_used) == (2, 1, 2)
    session_delete(session=s, by=personas.technician)
    ledger.refresh_from_db()
    assert ledger.sessions_used == 0


def test_moving_a_session_to_another_month_gives_its_units_back(ticket, personas):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    session_update(session=s, by=personas.technician, started_at=ny(2026, 4, 2, 10),
                   ended_at=ny(2026, 4, 2, 10, 10))
    used = dict(AllowanceLedger.objects.values_list("period_start", "sessions_used"))
    assert used == {date(2026, 3, 1): 0, date(2026, 4, 1): 1}


def _stored(session):
    fresh = WorkSession.objects.get(pk=session.pk)
    return {f: getattr(fresh, f) for f in RESULT_FIELDS}


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minutes=st.lists(st.integers(1, 70), min_size=1, max_size=5),
       pick=st.integers(0, 4))
def test_reclassifying_an_unchanged_session_changes_nothing(ticket, personas, minutes, pick):
    WorkSession.objects.all().delete()
    AllowanceLedger.objects.all().delete()
    sessions = [log(ticket, personas.technician, ny(2026, 3, 2, 8) + timedelta(hours=2 * i), m)
                for i, m in enumerate(minutes)]
    target = sessions[pick % len(sessions)]
    before = [_stored(s) for s in sessions]
    used = AllowanceLedger.objects.get().sessions_used
    session_classify(session=WorkSession.objects.get(pk=target.pk))
    assert [_stored(s) for s in sessions] == before
    assert AllowanceLedger.objects.get().sessions_used == used
    assert used == sum(s["allowance_units"] for s in before)


@given(minutes=st.integers(1, 600), block=st.integers(1, 120))
def test_units_are_the_started_blocks_of_the_session_length(minutes, block):
    units = session_units(minutes, block, "blocks")
    assert (units - 1) * block < minutes <= units * block
    terms = Terms(tier="T", sessions_included=None, session_minutes=block, counting="blocks",
                  overage_price=Decimal("1"), hourly_rate=Decimal("1"),
                  after_hours_multiplier=Decimal("1"), trip_fee=Decimal("0"),
                  travel_billing="included", approval_threshold=None)
    result = classify_row(terms, Row(work_type="helpdesk", mode="remote", minutes=minutes))
    assert result.allowance_units == units


@pytest.mark.django_db(transaction=True)
def test_technicians_logging_at_once_never_over_or_under_count(acme_on_silver):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    techs = [UserFactory(username=f"tech{i}", role="technician") for i in range(6)]
    errors = []

    def worker(tech, hour):
        try:
            for i in range(4):
                start = ny(2026, 3, 2 + i, hour)
                session_log(client=acme_on_silver.client, technician=tech, started_at=start,
                            ended_at=start + timedelta(minutes=10 + 7 * i))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(t, 8 + n)) for n, t in enumerate(techs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ledger = AllowanceLedger.objects.get()
    sessions = WorkSession.objects.all()
    assert sessions.count() == 24
    assert ledger.sessions_used == sum(s.allowance_units for s in sessions) == 2
    assert sum(s.allowance_units + s.overage_units for s in sessions) == sum(
        session_units(s.minutes, 15, "blocks") for s in sessions)
