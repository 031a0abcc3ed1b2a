"""The price designer page: what-if inputs in the query string (GET recomputes), and "save
as new tier version" (POST, the owner). Thin: parse, call pricing.py, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tierdesk.catalog.models import Segment
from tierdesk.core.permissions import staff_view
from tierdesk.insights.costs import margin_floor_for
from tierdesk.insights.pricing import DESIGN_FIELDS, design_inputs, price_design, price_design_save
from tierdesk.insights.profit_access import (
    MARGIN_READERS,
    MARGIN_WRITERS,
    plan_version_for_designer,
    segment_for_designer,
)
from tierdesk.insights.profit_forms import PriceDesignForm, errors_into
from tierdesk.plans.selectors import current_versions


def _choices(user, data):
    """The tier version and segment asked for, or the lowest active tier's current version
    and the first segment."""
    raw_version, raw_segment = data.get("plan_version"), data.get("segment")
    version = plan_version_for_designer(user, raw_version) if raw_version else None
    segment = segment_for_designer(user, raw_segment) if raw_segment else None
    if version is None:
        ladder = current_versions(active_only=True)
        version = ladder[0] if ladder else None
    if segment is None:
        segment = Segment.objects.order_by("position", "name").first()
    return version, segment


def _design(request, data):
    version, segment = _choices(request.user, data)
    values = {name: data.get(name) for name in DESIGN_FIELDS}
    if version is not None and not data.get("margin_target"):
        values["margin_target"] = str(margin_floor_for(version.plan_id))
    initial = {**{k: v for k, v in values.items() if v not in (None, "")},
               "plan_version": version, "segment": segment,
               "use_assumptions": bool(data.get("use_assumptions"))}
    form = PriceDesignForm(initial=initial)
    if version is None or segment is None:
        return form, None, ("Add a tier and a segment first: the designer prices a tier for "
                            "a segment.")
    try:
        inputs = design_inputs(plan_version=version, segment=segment,
                               use_assumptions=bool(data.get("use_assumptions")), **values)
    except ValidationError as exc:
        form = PriceDesignForm(data={**initial, "plan_version": version.pk,
                                     "segment": segment.pk, **{k: v or "" for k, v in
                                                               values.items()}})
        form.is_valid()
        errors_into(form, exc)
        return form, None, ""
    design = price_design(inputs)
    return form, design, ""


def _render(request, form, design, problem, status=200, saved=None):
    latest = None
    if design is not None:
        version = design.inputs.plan_version
        latest = (version.plan.versions.order_by("-number").values_list("number", flat=True)
                  .first())
    return render(request, "insights/pricing_designer.html", {
        "form": form, "design": design, "problem": problem, "saved": saved,
        "latest_number": latest, "can_save": request.user.has_role(*MARGIN_WRITERS),
        "query": request.GET.urlencode(),
    }, status=status)


@staff_view(*MARGIN_READERS)
def price_designer(request):
    form, design, problem = _design(request, request.GET)
    status = 400 if design is None and form.errors else 200
    return _render(request, form, design, problem, status=status)


@staff_view(*MARGIN_WRITERS)
@require_POST
def price_design_save_view(request):
    """Save the design posted (the same inputs as the page) as the tier's next version."""
    form, design, problem = _design(request, request.POST)
    if design is None:
        return _render(request, form, design, problem, status=400)
    try:
        version = price_design_save(design=design, by=request.user,
                                    change_note=request.POST.get("change_note", ""))
    except ValidationError as exc:
        errors_into(form, exc)
        for message in exc.messages:
            messages.error(request, message)
        return _render(request, form, design, problem, status=400)
    messages.success(request, f"Saved: {version.plan.name} is now at version {version.number} "
                              f"(base {version.base_fee}, per user {version.price_per_user}, "
                              f"per device {version.price_per_device}).")
    query = request.POST.copy()
    query["plan_version"] = str(version.pk)
    for name in ("csrfmiddlewaretoken", "change_note"):
        query.pop(name, None)
    return redirect(f"{reverse('insights:price_designer')}?{query.urlencode()}")
