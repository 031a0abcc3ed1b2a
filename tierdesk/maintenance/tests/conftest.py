import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tierdesk.core import clock
from tierdesk.maintenance.factories import (
    active_agreement,
    load_tiers,
    schedule_for,
    work_order_for,
)


@pytest.fixture
def tiers(db):
    return load_tiers()


@pytest.fixture
def platinum_acme(tiers, acme):
    """Acme (New York, small business) on Platinum since 2026-01-05 (a Monday)."""
    return active_agreement(client=acme, version=tiers["platinum"], start=dt.date(2026, 1, 5),
                            segment_slug="small-business")


# -- work orders for the staff pages (relative to the real clock: "today" is the client's) --

@pytest.fixture
def acme_today(acme):
    return clock.now().astimezone(ZoneInfo(acme.timezone)).date()


@pytest.fixture
def backup_schedule(platinum_acme):
    """Acme's weekly "Verify offsite backup replication" (Backups and disaster recovery)."""
    return schedule_for(platinum_acme, task_title="Verify offsite backup replication")


@pytest.fixture
def order_today(backup_schedule, acme_today):
    """Due today (Acme's date), not overdue: due two hours from now whatever the hour."""
    order = work_order_for(backup_schedule, due_on=acme_today)
    order.due_at = clock.now() + dt.timedelta(hours=2)
    order.save(update_fields=["due_at"])
    return order


@pytest.fixture
def order_overdue(backup_schedule, acme_today):
    """Due yesterday (Acme's date) at 18:00 and still open."""
    return work_order_for(backup_schedule, due_on=acme_today - dt.timedelta(days=1))
