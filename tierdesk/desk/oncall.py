"""The on-call roster: who answers the hotline now.

A rotation's members take turns of `shift_days` days each, in position order, counted from
the rotation's `starts_at`: the member on call at `at` is number
`floor((at - starts_at) / shift_days) mod len(members)`. When several rotations are active,
the one that started most recently (and has started) decides — a new rotation replaces the
old one without deleting it. Before any rotation starts, nobody is on call.

Writes are services (one transaction each, audited); `on_call_now(at)` is the read the
voice webhook uses (two indexed queries, whatever the size of the roster).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from tierdesk.core import events
from tierdesk.core.clock import require_aware
from tierdesk.core.models import STAFF_ROLES
from tierdesk.desk.models import OnCallMember, OnCallRotation
from tierdesk.desk.phones import phone_validate


@dataclass(frozen=True)
class OnCallShift:
    """Who is on call at one instant, and until when."""

    member: OnCallMember
    rotation: OnCallRotation
    starts_at: datetime
    ends_at: datetime

    @property
    def phone(self) -> str:
        return self.member.phone

    @property
    def user(self):
        return self.member.user


def shift_at(rotation: OnCallRotation, members: list[OnCallMember],
             at: datetime) -> OnCallShift | None:
    """The shift of `rotation` covering `at` (pure: no queries)."""
    if not members or at < rotation.starts_at:
        return None
    length = timedelta(days=rotation.shift_days)
    index = int((at - rotation.starts_at) // length)
    starts_at = rotation.starts_at + index * length
    return OnCallShift(member=members[index % len(members)], rotation=rotation,
                       starts_at=starts_at, ends_at=starts_at + length)


def on_call_now(at: datetime) -> OnCallShift | None:
    """The shift (member, phone, rotation) covering `at`, or None when nobody is on call."""
    at = require_aware(at, "at")
    rotation = (OnCallRotation.objects.filter(is_active=True, starts_at__lte=at,
                                              members__isnull=False)
                .order_by("-starts_at", "-id").first())
    if rotation is None:
        return None
    members = list(rotation.members.select_related("user").order_by("position"))
    return shift_at(rotation, members, at)


def rotation_schedule(rotation: OnCallRotation, *, start: datetime,
                      shifts: int = 6) -> list[OnCallShift]:
    """The next `shifts` shifts of `rotation` from the one covering `start` (for the page)."""
    members = list(rotation.members.select_related("user").order_by("position"))
    if not members:
        return []
    at = max(require_aware(start, "start"), rotation.starts_at)
    out = []
    for _ in range(shifts):
        shift = shift_at(rotation, members, at)
        out.append(shift)
        at = shift.ends_at
    return out


# --- writes ----------------------------------------------------------------------------------


def _check_rotation_fields(*, name: str, starts_at: datetime, shift_days: int) -> None:
    errors = {}
    if not (name or "").strip():
        errors["name"] = "a rotation needs a name"
    if starts_at is None or starts_at.tzinfo is None:
        errors["starts_at"] = "a timezone-aware start is required"
    if not isinstance(shift_days, int) or isinstance(shift_days, bool) or not (
            1 <= shift_days <= 365):
        errors["shift_days"] = "a shift lasts between 1 and 365 days"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rotation_create(*, name: str, starts_at: datetime, shift_days: int = 7,
                    by=None) -> OnCallRotation:
    """Create an active rotation; members are added with `oncall_member_add`."""
    _check_rotation_fields(name=name, starts_at=starts_at, shift_days=shift_days)
    name = name.strip()
    if OnCallRotation.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f'a rotation named "{name}" exists already'})
    rotation = OnCallRotation.objects.create(name=name, starts_at=starts_at,
                                             shift_days=shift_days)
    events.record(action="oncall.rotation_created", obj=rotation, by=by,
                  message=f"shifts of {shift_days} day(s) from {starts_at.isoformat()}")
    return rotation


@transaction.atomic
def rotation_update(*, rotation: OnCallRotation, by=None, name: str | None = None,
                    starts_at: datetime | None = None, shift_days: int | None = None,
                    is_active: bool | None = None) -> OnCallRotation:
    """Change a rotation's name, start, shift length or whether it is active."""
    before = {"name": rotation.name, "starts_at": rotation.starts_at,
              "shift_days": rotation.shift_days, "is_active": rotation.is_active}
    after = {
        "name": before["name"] if name is None else name.strip(),
        "starts_at": before["starts_at"] if starts_at is None else starts_at,
        "shift_days": before["shift_days"] if shift_days is None else shift_days,
        "is_active": before["is_active"] if is_active is None else bool(is_active),
    }
    _check_rotation_fields(name=after["name"], starts_at=after["starts_at"],
                           shift_days=after["shift_days"])
    if (after["name"].lower() != before["name"].lower() and OnCallRotation.objects.filter(
            name__iexact=after["name"]).exclude(pk=rotation.pk).exists()):
        raise ValidationError({"name": f'a rotation named "{after["name"]}" exists already'})
    changes = events.diff(before, after)
    if changes:
        for field, value in after.items():
            setattr(rotation, field, value)
        rotation.save()
        events.record(action="oncall.rotation_updated", obj=rotation, by=by, changes=changes)
    return rotation


@transaction.atomic
def oncall_member_add(*, rotation: OnCallRotation, user, phone: str, by=None,
                      position: int | None = None) -> OnCallMember:
    """Add a staff member to the end of a rotation (or at `position`), with the phone the
    hotline forwards to, normalised to E.164."""
    if getattr(user, "role", None) not in STAFF_ROLES or not user.is_active:
        raise ValidationError({"user": "only active MSP staff can be on call"})
    phone = phone_validate(phone, field="phone")
    members = OnCallMember.objects.select_for_update().filter(rotation=rotation)
    if position is None:
        position = (members.aggregate(m=Max("position"))["m"] or 0) + 1
    elif position < 1:
        raise ValidationError({"position": "positions start at 1"})
    elif members.filter(position=position).exists():
        raise ValidationError({"position": f"position {position} is taken"})
    member = OnCallMember.objects.create(rotation=rotation, user=user, phone=phone,
                                         position=position)
    events.record(action="oncall.member_added", obj=rotation, by=by,
                  message=f"{user} at position {position}, phone {phone}")
    return member


@transaction.atomic
def oncall_member_update(*, member: OnCallMember, phone: str, by=None) -> OnCallMember:
    """Change the number the hotline forwards to for this member."""
    phone = phone_validate(phone, field="phone")
    if phone != member.phone:
        old, member.phone = member.phone, phone
        member.save(update_fields=["phone"])
        events.record(action="oncall.member_updated", obj=member.rotation, by=by,
                      changes={"phone": (old, phone)}, message=str(member.user))
    return member


@transaction.atomic
def oncall_member_move(*, member: OnCallMember, up: bool, by=None) -> OnCallMember:
    """Swap a member with the one before (`up`) or after it in the rotation order."""
    members = list(OnCallMember.objects.select_for_update()
                   .filter(rotation_id=member.rotation_id).order_by("position"))
    index = next(i for i, m in enumerate(members) if m.pk == member.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(members):
        return member
    this, other = members[index], members[other_index]
    # Positions are unique per rotation: park one on a free number while swapping.
    free = max(m.position for m in members) + 1
    this_pos, other_pos = this.position, other.position
    this.position = free
    this.save(update_fields=["position"])
    other.position = this_pos
    other.save(update_fields=["position"])
    this.position = other_pos
    this.save(update_fields=["position"])
    events.record(action="oncall.member_moved", obj=this.rotation, by=by,
                  message=f"{this.user} to position {other_pos}")
    return this


@transaction.atomic
def oncall_member_remove(*, member: OnCallMember, by=None) -> None:
    """Take a member out of the rotation; the others keep their order."""
    rotation = member.rotation
    text = f"{member.user} (position {member.position})"
    member.delete()
    events.record(action="oncall.member_removed", obj=rotation, by=by, message=text)
