"""Factories and builders for maintenance tests: agreements on the built-in tiers."""

import datetime as dt

from tierdesk.catalog.models import Segment
from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.clients.factories import AgreementFactory
from tierdesk.clients.models import AgreementStatus
from tierdesk.plans.models import PlanVersion
from tierdesk.plans.seed import tiers_load_defaults


def load_tiers() -> dict[str, PlanVersion]:
    """The default catalog and Silver/Gold/Platinum; {"silver": version, ...}."""
    catalog_load_defaults()
    tiers_load_defaults()
    return {v.plan.slug: v for v in PlanVersion.objects.select_related("plan")}


def active_agreement(*, client, version: PlanVersion, start: dt.date,
                     end: dt.date | None = None, segment_slug: str | None = None):
    """An active agreement of `client` on `version` from `start` (and the client's segment
    set to `segment_slug` when given)."""
    if segment_slug:
        client.segment = Segment.objects.get(slug=segment_slug)
        client.save(update_fields=["segment"])
    return AgreementFactory(client=client, plan_version=version, start_date=start,
                            end_date=end, status=AgreementStatus.ACTIVE)
