"""Fetching tiers for a user. Tiers belong to the MSP, not to a client: every staff role may
read them (views decide who may edit); client contacts never reach these views."""

from django.http import Http404

from tierdesk.plans import selectors
from tierdesk.plans.models import Plan, PlanVersion


def plan_for_staff(user, pk) -> Plan:
    """The plan `pk` for a staff member, or Http404."""
    if not getattr(user, "is_msp_staff", False):
        raise Http404("no such tier")
    try:
        return Plan.objects.get(pk=int(pk))
    except (Plan.DoesNotExist, TypeError, ValueError):
        raise Http404("no such tier") from None


def version_for_staff(user, pk) -> PlanVersion:
    """The version `pk` (rows prefetched) for a staff member, or Http404."""
    if not getattr(user, "is_msp_staff", False):
        raise Http404("no such tier version")
    try:
        return selectors.version_get(int(pk))
    except (PlanVersion.DoesNotExist, TypeError, ValueError):
        raise Http404("no such tier version") from None
