"""Tier pages: the ladder, a tier's history, the tier designer, version compare and the
comparison sheet (HTML and PDF). Every staff role reads; only the owner designs tiers."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierdesk.catalog.models import Service
from tierdesk.core.msp import msp_identity
from tierdesk.core.pdf import render_pdf
from tierdesk.core.permissions import OWNER, staff_view
from tierdesk.plans import access, selectors, services
from tierdesk.plans.comparison import comparison_matrix, plan_version_diff
from tierdesk.plans.entitlements import Entitlements
from tierdesk.plans.forms import PlanCreateForm, PlanRenameForm, TierDesignerForm
from tierdesk.plans.ladder import tier_dominance_warnings
from tierdesk.plans.models import Channel, PlanVersion


@staff_view()
def plan_list(request):
    plans = list(selectors.plan_list())
    versions = selectors.current_versions(active_only=False, plans=plans)
    by_plan = {v.plan_id: v for v in versions}
    for version in versions:
        # The stored codes ("phone_attendant") are not for people to read.
        version.channel_labels = [Channel(c).label if c in Channel.values else c
                                  for c in version.channels]
    active = [v for v in versions if v.plan.is_active]
    return render(request, "plans/plan_list.html", {
        "rows": [(plan, by_plan.get(plan.pk)) for plan in plans],
        "warnings": tier_dominance_warnings(active),
        "can_design": request.user.role in OWNER,
    })


@staff_view()
def plan_detail(request, pk):
    plan = access.plan_for_staff(request.user, pk)
    versions = selectors.plan_versions(plan)
    history = [(v, versions[i + 1] if i + 1 < len(versions) else None)
               for i, v in enumerate(versions)]
    return render(request, "plans/plan_detail.html", {
        "plan": plan, "history": history,
        "rename_form": PlanRenameForm(initial={"name": plan.name, "rank": plan.rank}),
        "can_design": request.user.role in OWNER,
    })


@staff_view(*OWNER)
@require_POST
def plan_rename(request, pk):
    plan = access.plan_for_staff(request.user, pk)
    form = PlanRenameForm(request.POST)
    if form.is_valid():
        try:
            services.plan_rename(plan=plan, name=form.cleaned_data["name"],
                                 rank=form.cleaned_data["rank"], by=request.user)
            messages.success(request, "Tier renamed.")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                messages.error(request, f"{field}: {' '.join(errors)}")
    else:
        messages.error(request, form.errors.as_text())
    return redirect("plans:plan_detail", pk=plan.pk)


@staff_view(*OWNER)
@require_POST
def plan_set_active(request, pk):
    plan = access.plan_for_staff(request.user, pk)
    if request.POST.get("active") == "1":
        services.plan_activate(plan=plan, by=request.user)
        messages.success(request, f"{plan.name} is offered again.")
    else:
        services.plan_deactivate(plan=plan, by=request.user)
        messages.success(request, f"{plan.name} is no longer offered; agreements keep it.")
    return redirect("plans:plan_detail", pk=plan.pk)


def _designer_services(entitlements: Entitlements | None):
    covered = list(entitlements.coverage) if entitlements else []
    return Service.objects.filter(is_active=True) | Service.objects.filter(pk__in=covered)


def _flash_warnings(request) -> None:
    for warning in tier_dominance_warnings(selectors.current_versions()):
        messages.warning(request, warning)


@staff_view(*OWNER)
def plan_create(request):
    start = None
    if request.GET.get("from"):
        start = Entitlements.from_version(access.version_for_staff(request.user,
                                                                   request.GET["from"]))
    else:
        start = Entitlements(
            channels=["email", "portal"], hourly_rate=0, base_fee=0,
            hours={"tz": settings.TIME_ZONE,
                   "hours": {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu",
                                                                "fri")}},
        )
    form = PlanCreateForm(request.POST or None, services=_designer_services(start),
                          entitlements=start)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.plan_create(
                name=form.cleaned_data["name"], rank=form.cleaned_data["rank"],
                by=request.user, entitlements=form.to_entitlements())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"{version.plan.name} created.")
            _flash_warnings(request)
            return redirect("plans:plan_detail", pk=version.plan_id)
    return render(request, "plans/plan_designer.html", {"form": form, "creating": True})


@staff_view(*OWNER)
def plan_edit(request, pk):
    plan = access.plan_for_staff(request.user, pk)
    current = selectors.plan_current_version(plan)
    if current is None:
        raise Http404("this tier has no version")
    start = Entitlements.from_version(current)
    form = TierDesignerForm(request.POST or None, services=_designer_services(start),
                            entitlements=start, expected_number=current.number)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.plan_version_save(
                plan=plan, entitlements=form.to_entitlements(), by=request.user,
                change_note=form.cleaned_data["change_note"],
                expected_number=form.cleaned_data["expected_number"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if saved.number != current.number:
                messages.success(request, f"Saved as version {saved.number}; agreements keep "
                                          f"version {current.number}.")
            elif saved.updated_at != current.updated_at:
                messages.success(request, f"Version {saved.number} updated.")
            else:
                messages.info(request, "Nothing changed; nothing was saved.")
            _flash_warnings(request)
            return redirect("plans:plan_edit", pk=plan.pk)
    in_use = selectors.version_in_use(current)
    return render(request, "plans/plan_designer.html", {
        "form": form, "plan": plan, "current": current, "in_use": in_use,
    })


@staff_view()
def version_compare(request):
    a = access.version_for_staff(request.user, request.GET.get("a"))
    b = access.version_for_staff(request.user, request.GET.get("b"))
    choices = PlanVersion.objects.select_related("plan").order_by("plan__rank", "-number")
    rows = plan_version_diff(a, b)
    return render(request, "plans/version_compare.html", {
        "a": a, "b": b, "rows": rows, "choices": choices,
        "changed_count": sum(row.changed for row in rows),
    })


def _sheet_context():
    versions = selectors.current_versions()
    return {"sheet": comparison_matrix(versions), "msp_name": msp_identity().name}


@staff_view()
def comparison(request):
    return render(request, "plans/comparison.html", _sheet_context())


@staff_view()
def comparison_pdf(request):
    pdf = render_pdf("plans/comparison_pdf.html", _sheet_context())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="tier-comparison.pdf"'
    return response
