"""Catalog pages: every staff member reads the catalog; only the owner edits it.

The landing page (`catalog:service_list`) has three tabs — services, segments, maintenance
tasks — each its own URL so a filter or a page number can be linked to.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from tierdesk.catalog import access, selectors, services
from tierdesk.catalog.filtersets import MaintenanceTaskFilterSet
from tierdesk.catalog.forms import (
    MaintenanceTaskForm,
    SegmentForm,
    SegmentRequirementForm,
    ServiceForm,
)
from tierdesk.catalog.models import SegmentRequirement
from tierdesk.core.models import Role
from tierdesk.core.permissions import OWNER, staff_view


def _can_edit(user) -> bool:
    return user.has_role(Role.OWNER)


def _tab(request, tab: str, context: dict):
    context |= {"tab": tab, "can_edit": _can_edit(request.user)}
    return render(request, "catalog/index.html", context)


def _save(request, form, write, *, success: str):
    """Run `write(cleaned_data)` when the form parses; put the service's field-named
    ValidationError back on the form. Returns the object written, or None."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = write(form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, success.format(obj=obj))
    return obj


def _form_page(request, form, *, title: str, back: str):
    return render(request, "catalog/form.html", {"form": form, "title": title, "back": back})


# -- tabs -------------------------------------------------------------------------------------

@staff_view()
def service_list(request):
    return _tab(request, "services", {
        "strategic": selectors.service_list(kind="strategic"),
        "tactical": selectors.service_list(kind="tactical"),
    })


@staff_view()
def segment_list(request):
    return _tab(request, "segments", {"segments": selectors.segment_list()})


@staff_view()
def task_list(request):
    filterset = MaintenanceTaskFilterSet(request.GET, queryset=selectors.maintenance_task_list())
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select form-select-sm"
                                      if hasattr(field, "choices") else
                                      "form-control form-control-sm")
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return _tab(request, "tasks", {"filter": filterset, "page": page})


# -- services ---------------------------------------------------------------------------------

@staff_view()
def service_detail(request, pk: int):
    service = access.service_for_staff(request.user, pk)
    return render(request, "catalog/service_detail.html", {
        "service": service,
        "tasks": selectors.maintenance_task_list().filter(service=service),
        "requirements": SegmentRequirement.objects.filter(service=service)
        .select_related("segment"),
        "can_edit": _can_edit(request.user),
    })


@staff_view(*OWNER)
def service_create(request):
    form = ServiceForm(request.POST or None)
    obj = _save(request, form, lambda data: services.service_create(by=request.user, **data),
                success="Service “{obj}” added.")
    if obj:
        return redirect("catalog:service_detail", pk=obj.pk)
    return _form_page(request, form, title="New service", back=reverse("catalog:service_list"))


@staff_view(*OWNER)
def service_edit(request, pk: int):
    service = access.service_for_staff(request.user, pk)
    form = ServiceForm(request.POST or None, instance=service)
    obj = _save(request, form,
                lambda data: services.service_update(service=service, by=request.user, **data),
                success="Service “{obj}” saved.")
    if obj:
        return redirect("catalog:service_detail", pk=obj.pk)
    return _form_page(request, form, title=f"Edit {service}",
                      back=reverse("catalog:service_detail", args=[service.pk]))


# -- segments and requirements ----------------------------------------------------------------

@staff_view()
def segment_detail(request, pk: int):
    segment = access.segment_for_staff(request.user, pk)
    return render(request, "catalog/segment_detail.html", {
        "segment": segment,
        "requirements": segment.requirements.select_related("service"),
        "tasks": selectors.maintenance_tasks_for_segment(segment),
        "can_edit": _can_edit(request.user),
    })


@staff_view(*OWNER)
def segment_create(request):
    form = SegmentForm(request.POST or None)
    obj = _save(request, form, lambda data: services.segment_create(by=request.user, **data),
                success="Segment “{obj}” added.")
    if obj:
        return redirect("catalog:segment_detail", pk=obj.pk)
    return _form_page(request, form, title="New segment", back=reverse("catalog:segment_list"))


@staff_view(*OWNER)
def segment_edit(request, pk: int):
    segment = access.segment_for_staff(request.user, pk)
    form = SegmentForm(request.POST or None, instance=segment)
    obj = _save(request, form,
                lambda data: services.segment_update(segment=segment, by=request.user, **data),
                success="Segment “{obj}” saved.")
    if obj:
        return redirect("catalog:segment_detail", pk=obj.pk)
    return _form_page(request, form, title=f"Edit {segment}",
                      back=reverse("catalog:segment_detail", args=[segment.pk]))


@staff_view(*OWNER)
def requirement_create(request, segment_pk: int):
    segment = access.segment_for_staff(request.user, segment_pk)
    form = SegmentRequirementForm(request.POST or None)
    obj = _save(request, form,
                lambda data: services.segment_requirement_create(
                    by=request.user, segment=segment, **data),
                success="Requirement “{obj.title}” added.")
    if obj:
        return redirect("catalog:segment_detail", pk=segment.pk)
    return _form_page(request, form, title=f"New requirement for {segment}",
                      back=reverse("catalog:segment_detail", args=[segment.pk]))


@staff_view(*OWNER)
def requirement_edit(request, segment_pk: int, pk: int):
    segment = access.segment_for_staff(request.user, segment_pk)
    requirement = access.requirement_for_staff(request.user, segment, pk)
    form = SegmentRequirementForm(request.POST or None, instance=requirement)
    obj = _save(request, form,
                lambda data: services.segment_requirement_update(
                    requirement=requirement, by=request.user, **data),
                success="Requirement “{obj.title}” saved.")
    if obj:
        return redirect("catalog:segment_detail", pk=segment.pk)
    return _form_page(request, form, title=f"Edit requirement of {segment}",
                      back=reverse("catalog:segment_detail", args=[segment.pk]))


@staff_view(*OWNER)
def requirement_delete(request, segment_pk: int, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    segment = access.segment_for_staff(request.user, segment_pk)
    requirement = access.requirement_for_staff(request.user, segment, pk)
    services.segment_requirement_delete(requirement=requirement, by=request.user)
    messages.success(request, f"Requirement “{requirement.title}” removed.")
    return redirect("catalog:segment_detail", pk=segment.pk)


# -- maintenance tasks ------------------------------------------------------------------------

@staff_view()
def task_detail(request, pk: int):
    task = access.task_for_staff(request.user, pk)
    return render(request, "catalog/task_detail.html",
                  {"task": task, "can_edit": _can_edit(request.user)})


@staff_view(*OWNER)
def task_create(request):
    initial = {}
    if service_id := request.GET.get("service"):
        initial["service"] = service_id
    form = MaintenanceTaskForm(request.POST or None, initial=initial)
    obj = _save(request, form,
                lambda data: services.maintenance_task_create(by=request.user, **data),
                success="Task “{obj}” added.")
    if obj:
        return redirect("catalog:task_detail", pk=obj.pk)
    return _form_page(request, form, title="New maintenance task",
                      back=reverse("catalog:task_list"))


@staff_view(*OWNER)
def task_edit(request, pk: int):
    task = access.task_for_staff(request.user, pk)
    form = MaintenanceTaskForm(request.POST or None, instance=task)
    obj = _save(request, form,
                lambda data: services.maintenance_task_update(task=task, by=request.user, **data),
                success="Task “{obj}” saved.")
    if obj:
        return redirect("catalog:task_detail", pk=obj.pk)
    return _form_page(request, form, title=f"Edit {task}",
                      back=reverse("catalog:task_detail", args=[task.pk]))
