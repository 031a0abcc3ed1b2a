"""The on-call roster page (staff). Mounted by tierdesk/desk/urls.py under namespace "desk":
`path("oncall/", include("tierdesk.desk.oncall_urls"))` -> desk:oncall, desk:oncall_rotation.

Every staff member sees who is on call (the hotline forwards there); owners and
dispatchers change the roster. Each POST calls one service of desk/oncall.py.
"""

from datetime import UTC

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from tierdesk.core import clock
from tierdesk.core.models import STAFF_ROLES, User
from tierdesk.core.permissions import ALL_STAFF, staff_view
from tierdesk.desk import oncall as roster
from tierdesk.desk.models import OnCallMember, OnCallRotation


class RotationCreateForm(forms.Form):
    name = forms.CharField(max_length=100)
    starts_at = forms.DateTimeField(
        help_text="When the first shift starts (UTC), e.g. 2026-05-04 08:00",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    shift_days = forms.IntegerField(min_value=1, max_value=365, initial=7,
                                    help_text="Length of each member's turn, in days.")


class MemberAddForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none())
    phone = forms.CharField(max_length=40, help_text="The number the hotline forwards to, "
                                                     "e.g. +1 207 555 0123.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (User.objects.filter(role__in=STAFF_ROLES, is_active=True)
                                        .order_by("username"))


class MemberPhoneForm(forms.Form):
    phone = forms.CharField(max_length=40)


def _require_manager(user) -> None:
    if not user.has_role("owner", "dispatcher"):
        raise PermissionDenied("only owners and dispatchers change the on-call roster")


def _errors_to_messages(request, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            messages.error(request, f"{field}: {error}")


@staff_view(*ALL_STAFF)
def oncall(request):
    """The rotations, who is on call now, and (owners, dispatchers) a new rotation."""
    form = RotationCreateForm(request.POST or None)
    if request.method == "POST":
        _require_manager(request.user)
        if form.is_valid():
            starts_at = form.cleaned_data["starts_at"].astimezone(UTC)
            try:
                rotation = roster.rotation_create(
                    name=form.cleaned_data["name"], starts_at=starts_at,
                    shift_days=form.cleaned_data["shift_days"], by=request.user)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f'Rotation "{rotation.name}" created.')
                return redirect("desk:oncall_rotation", rotation_id=rotation.pk)
    now = clock.now()
    rotations = list(OnCallRotation.objects.order_by("-is_active", "name")
                     .prefetch_related("members__user"))
    return render(request, "desk/oncall.html", {
        "rotations": rotations, "shift": roster.on_call_now(now), "now": now, "form": form,
        "can_edit": request.user.has_role("owner", "dispatcher"),
    })


def _member(rotation: OnCallRotation, member_id) -> OnCallMember:
    try:
        return rotation.members.select_related("user").get(pk=int(member_id))
    except (OnCallMember.DoesNotExist, TypeError, ValueError):
        raise Http404("No such member.") from None


@staff_view(*ALL_STAFF)
def oncall_rotation(request, rotation_id: int):
    """One rotation: its members in order, the coming shifts; owners and dispatchers add,
    remove, reorder members and change their phone numbers."""
    rotation = OnCallRotation.objects.filter(pk=rotation_id).first()
    if rotation is None:
        raise Http404("No such rotation.")
    add_form = MemberAddForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        _require_manager(request.user)
        action, by = request.POST.get("action", ""), request.user
        try:
            if action == "add":
                if add_form.is_valid():
                    roster.oncall_member_add(rotation=rotation, by=by, **add_form.cleaned_data)
                    messages.success(request, "Member added.")
                    return redirect("desk:oncall_rotation", rotation_id=rotation.pk)
            elif action in ("up", "down", "remove", "phone"):
                member = _member(rotation, request.POST.get("member"))
                if action == "remove":
                    roster.oncall_member_remove(member=member, by=by)
                elif action == "phone":
                    phone_form = MemberPhoneForm(request.POST)
                    roster.oncall_member_update(
                        member=member, by=by,
                        phone=phone_form.data.get("phone", ""))
                else:
                    roster.oncall_member_move(member=member, up=action == "up", by=by)
                return redirect("desk:oncall_rotation", rotation_id=rotation.pk)
            elif action in ("activate", "deactivate"):
                roster.rotation_update(rotation=rotation, by=by,
                                       is_active=action == "activate")
                return redirect("desk:oncall_rotation", rotation_id=rotation.pk)
        except ValidationError as exc:
            if action == "add":
                for field, errors in exc.message_dict.items():
                    add_form.add_error(field if field in add_form.fields else None, errors)
            else:
                _errors_to_messages(request, exc)
                return redirect("desk:oncall_rotation", rotation_id=rotation.pk)
    now = clock.now()
    return render(request, "desk/oncall_rotation.html", {
        "rotation": rotation,
        "members": list(rotation.members.select_related("user").order_by("position")),
        "schedule": roster.rotation_schedule(rotation, start=now, shifts=8),
        "add_form": add_form, "now": now,
        "can_edit": request.user.has_role("owner", "dispatcher"),
    })
