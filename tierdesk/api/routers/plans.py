"""/plans and their versions. Every staff role reads tiers; the owner edits them, and every
edit goes through plans.services.plan_version_save, which creates the next version when the
current one is frozen by a signed agreement."""

from django.db.models import Count, Max, Subquery, OuterRef
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from tierdesk.api.auth import require_staff
from tierdesk.api.schemas.plans import PlanOut, VersionDetailOut, VersionSummaryOut
from tierdesk.plans import selectors
from tierdesk.plans.access import plan_for_staff
from tierdesk.plans.models import Plan, PlanVersion

router = Router(tags=["plans"])


def _plans():
    latest = PlanVersion.objects.filter(plan=OuterRef("pk")).order_by("-number")
    return Plan.objects.annotate(
        current_version_id=Subquery(latest.values("pk")[:1]),
        current_version_number=Max("versions__number"),
    ).order_by("rank")


@router.get("/plans", response=list[PlanOut])
@paginate(LimitOffsetPagination)
def list_plans(request, active: bool | None = None):
    """Tiers, lowest rank first, with their current version."""
    require_staff(request)
    plans = _plans()
    if active is not None:
        plans = plans.filter(is_active=active)
    return plans


@router.get("/plans/{int:plan_id}", response=PlanOut)
def get_plan(request, plan_id: int):
    require_staff(request)
    return get_object_or_404(_plans(), pk=plan_id)


@router.get("/plans/{int:plan_id}/versions", response=list[VersionSummaryOut])
@paginate(LimitOffsetPagination)
def list_versions(request, plan_id: int):
    """Every version of the tier, newest first."""
    plan = plan_for_staff(request.user, plan_id)
    return (
        PlanVersion.objects.filter(plan=plan).select_related("plan", "created_by")
        .annotate(agreement_count=Count("agreements")).order_by("-number")
    )


@router.get("/plans/{int:plan_id}/versions/{int:version_id}", response=VersionDetailOut)
def get_version(request, plan_id: int, version_id: int):
    """One version with its full entitlements."""
    plan = plan_for_staff(request.user, plan_id)
    try:
        version = selectors.version_get(version_id)
    except PlanVersion.DoesNotExist:
        version = None
    if version is None or version.plan_id != plan.pk:
        from django.http import Http404

        raise Http404
    version.agreement_count = version.agreements.count()
    return version
