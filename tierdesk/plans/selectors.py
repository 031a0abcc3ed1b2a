"""Reads of tiers. Everything that lists versions prefetches their rows so pages that show
several tiers run a constant number of queries."""

from django.db.models import Prefetch, QuerySet

from tierdesk.plans.models import CoveredService, Plan, PlanVersion


def _versions() -> QuerySet[PlanVersion]:
    return PlanVersion.objects.select_related("plan", "created_by").prefetch_related(
        Prefetch("coverage", queryset=CoveredService.objects.select_related("service")),
        "targets",
        "billing",
    )


def plan_list(*, active_only: bool = False) -> QuerySet[Plan]:
    """Tiers in rank order (lowest first)."""
    plans = Plan.objects.order_by("rank")
    return plans.filter(is_active=True) if active_only else plans


def plan_current_version(plan: Plan) -> PlanVersion | None:
    """The latest version of `plan` (the one new agreements get), rows prefetched."""
    return _versions().filter(plan=plan).order_by("-number").first()


def plan_versions(plan: Plan) -> list[PlanVersion]:
    """Every version of `plan`, newest first, with the number of agreements using each."""
    from django.db.models import Count

    return list(
        PlanVersion.objects.filter(plan=plan).select_related("created_by")
        .annotate(agreement_count=Count("agreements")).order_by("-number")
    )


def current_versions(*, active_only: bool = True, plans=None) -> list[PlanVersion]:
    """The latest version of each (active) plan, lowest tier first, rows prefetched.

    Three to four queries whatever the number of tiers."""
    plans = list(plans) if plans is not None else list(plan_list(active_only=active_only))
    if not plans:
        return []
    from django.db.models import Max

    latest = (
        PlanVersion.objects.filter(plan__in=plans).values("plan_id")
        .annotate(number=Max("number"))
    )
    wanted = {(row["plan_id"], row["number"]) for row in latest}
    versions = [
        v for v in _versions().filter(plan__in=plans)
        .filter(number__in={n for _, n in wanted})
        if (v.plan_id, v.number) in wanted
    ]
    return sorted(versions, key=lambda v: v.plan.rank)


def version_get(pk: int) -> PlanVersion:
    """One version with its rows prefetched; raises PlanVersion.DoesNotExist."""
    return _versions().get(pk=pk)


def version_in_use(version: PlanVersion) -> bool:
    """True when an agreement refers to `version`, which freezes it."""
    return version.agreements.exists()
