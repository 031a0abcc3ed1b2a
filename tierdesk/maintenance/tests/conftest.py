import datetime as dt

import pytest

from tierdesk.maintenance.factories import active_agreement, load_tiers


@pytest.fixture
def tiers(db):
    return load_tiers()


@pytest.fixture
def platinum_acme(tiers, acme):
    """Acme (New York, small business) on Platinum since 2026-01-05 (a Monday)."""
    return active_agreement(client=acme, version=tiers["platinum"], start=dt.date(2026, 1, 5),
                            segment_slug="small-business")
