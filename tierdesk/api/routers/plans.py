"""/plans and their versions. Every staff role reads tiers; the owner edits them, and every
edit of what a tier promises goes through plans.services.plan_version_save, which creates
the next version when the current one is frozen by an agreement."""

from django.db.models import Count, Max, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from tierdesk.api.auth import PLAN_WRITERS, require_role, require_staff
from tierdesk.api.schemas.plans import (
    PlanIn,
    PlanOut,
    PlanPatch,
    VersionDetailOut,
    VersionIn,
    VersionSummaryOut,
)
from tierdesk.plans import selectors, services
from tierdesk.plans.access import plan_for_staff, version_for_staff
from tierdesk.plans.models import Plan, PlanVersion

router = Router(tags=["plans"])


def _plans():
    latest = PlanVersion.objects.filter(plan=OuterRef("pk")).order_by("-number")
    return Plan.objects.annotate(
        current_version_id=Subquery(latest.values("pk")[:1]),
        current_version_number=Max("versions__number"),
    ).order_by("rank")


def _version_detail(user, plan: Plan, version_id: int) -> PlanVersion:
    version = version_for_staff(user, version_id)
    if version.plan_id != plan.pk:
        raise Http404
    version.agreement_count = version.agreements.count()
    return version


@router.get("/plans", response=list[PlanOut])
@paginate(LimitOffsetPagination)
def list_plans(request, active: bool | None = None):
    """Tiers, lowest rank first, with their current version."""
    require_staff(request)
    plans = _plans()
    if active is not None:
        plans = plans.filter(is_active=active)
    return plans


@router.post("/plans", response={201: PlanOut})
def create_plan(request, payload: PlanIn):
    """Create a tier with its version 1 (owner)."""
    require_role(request, PLAN_WRITERS, "tiers")
    version = services.plan_create(
        name=payload.name, rank=payload.rank, slug=payload.slug or "", by=request.user,
        entitlements=payload.entitlements.to_entitlements(),
    )
    return Status(201, get_object_or_404(_plans(), pk=version.plan_id))


@router.get("/plans/{int:plan_id}", response=PlanOut)
def get_plan(request, plan_id: int):
    require_staff(request)
    return get_object_or_404(_plans(), pk=plan_id)


@router.patch("/plans/{int:plan_id}", response=PlanOut)
def update_plan(request, plan_id: int, payload: PlanPatch):
    """Rename a tier or move it on the ladder (owner). What it promises is changed by
    posting a new version."""
    require_role(request, PLAN_WRITERS, "tiers")
    plan = plan_for_staff(request.user, plan_id)
    services.plan_rename(plan=plan, by=request.user, name=payload.name or plan.name,
                         rank=payload.rank)
    return get_object_or_404(_plans(), pk=plan.pk)


@router.post("/plans/{int:plan_id}/deactivate", response=PlanOut)
def deactivate_plan(request, plan_id: int):
    """Stop offering the tier; agreements on it are unaffected (owner)."""
    require_role(request, PLAN_WRITERS, "tiers")
    services.plan_deactivate(plan=plan_for_staff(request.user, plan_id), by=request.user)
    return get_object_or_404(_plans(), pk=plan_id)


@router.post("/plans/{int:plan_id}/activate", response=PlanOut)
def activate_plan(request, plan_id: int):
    """Offer a deactivated tier again (owner)."""
    require_role(request, PLAN_WRITERS, "tiers")
    services.plan_activate(plan=plan_for_staff(request.user, plan_id), by=request.user)
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


@router.post("/plans/{int:plan_id}/versions", response={200: VersionDetailOut,
                                                        201: VersionDetailOut})
def save_version(request, plan_id: int, payload: VersionIn):
    """Edit the tier: post its full entitlements (the `entitlements` of a version detail,
    changed). If an agreement uses the current version, version N+1 is created (201);
    otherwise the current version is updated in place (200). Nothing changes when nothing
    differs. `expected_number` (the version you edited) makes a concurrent edit an error
    instead of an overwrite."""
    require_role(request, PLAN_WRITERS, "tiers")
    plan = plan_for_staff(request.user, plan_id)
    before = selectors.plan_current_version(plan)
    version = services.plan_version_save(
        plan=plan, entitlements=payload.entitlements.to_entitlements(), by=request.user,
        change_note=payload.change_note, expected_number=payload.expected_number,
    )
    status = 201 if before is None or version.number > before.number else 200
    return Status(status, _version_detail(request.user, plan, version.pk))


@router.get("/plans/{int:plan_id}/versions/{int:version_id}", response=VersionDetailOut)
def get_version(request, plan_id: int, version_id: int):
    """One version with its full entitlements."""
    plan = plan_for_staff(request.user, plan_id)
    return _version_detail(request.user, plan, version_id)
