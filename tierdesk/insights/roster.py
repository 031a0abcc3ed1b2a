"""The capacity roster: who takes tickets, when, with which skills, and who is on call.

Who is on it: active staff whose role works tickets (owner, dispatcher, technician). A
TechnicianProfile sets their working hours (a tierdesk.sla calendar dict), skills and
whether they count; without one, a technician counts with the MSP's hours
(settings.TIERDESK_MSP_HOURS) and both skills, and an owner or dispatcher does not count
until the owner says so — most owners do not take a full share of the queue.

On call comes from the desk's rotations (desk/oncall.py): members take turns of
`shift_days` days from `starts_at`, and when several are active the one that started last
decides. The simulation thinks in weeks of the scenario, so week k is given to whoever the
desk has on call in the middle of that week (`on_call_weeks`). A member who is not on the
roster (no longer counts, or left) leaves their weeks uncovered.

`roster_snapshot()` reads all that from the database into plain data (stored in a
scenario run's inputs); `engine_roster()` turns a snapshot into the simulation's Roster
with no database access, so presets can change a snapshot before it is built.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from tierdesk.core.models import Role, User
from tierdesk.desk.models import OnCallRotation as DeskRotation
from tierdesk.insights import capacity_events
from tierdesk.insights.models import TechnicianProfile, default_technician_hours
from tierdesk.insights.simulation import OnCallRotation, Roster, Technician

ROSTER_ROLES = (Role.OWNER, Role.DISPATCHER, Role.TECHNICIAN)
DESK_ROTATION_NAME = "On call (desk roster)"
WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class RosterRow:
    """One staff member as the roster counts them (profile or defaults)."""

    user: User
    profile: TechnicianProfile | None
    hours: dict
    remote: bool
    onsite: bool
    is_active: bool

    @property
    def name(self) -> str:
        return self.user.username

    @property
    def label(self) -> str:
        return self.user.get_full_name() or self.user.username

    @property
    def skills(self) -> tuple[str, ...]:
        return tuple(s for s, on in (("remote", self.remote), ("onsite", self.onsite)) if on)


def roster_rows() -> list[RosterRow]:
    """Every active staff member who could work tickets, with what the roster counts."""
    users = (User.objects.filter(is_active=True, role__in=ROSTER_ROLES)
             .select_related("technician_profile").order_by("username"))
    rows = []
    for user in users:
        profile = getattr(user, "technician_profile", None)
        if profile is not None:
            rows.append(RosterRow(user, profile, profile.hours, profile.remote, profile.onsite,
                                  profile.is_active))
        else:
            rows.append(RosterRow(user, None, default_technician_hours(), True, True,
                                  user.role == Role.TECHNICIAN))
    return rows


@transaction.atomic
def technician_profile_update(*, user: User, by, hours: dict | None = None,
                              remote: bool | None = None, onsite: bool | None = None,
                              is_active: bool | None = None) -> TechnicianProfile:
    """Set a staff member's roster profile (created with the defaults the first time).
    Errors name the field: `user` (not a role that works tickets), `hours` (not a
    calendar), `remote` (counted with no skill)."""
    if user.role not in ROSTER_ROLES or not user.is_active:
        raise ValidationError({"user": f"{user.username} does not work tickets"})
    profile = TechnicianProfile.objects.select_for_update().filter(user=user).first()
    created = profile is None
    if created:
        profile = TechnicianProfile(user=user, is_active=user.role == Role.TECHNICIAN)
    before = {"hours": profile.hours, "remote": profile.remote, "onsite": profile.onsite,
              "is_active": profile.is_active}
    for field, value in (("hours", hours), ("remote", remote), ("onsite", onsite),
                         ("is_active", is_active)):
        if value is not None:
            setattr(profile, field, value)
    profile.full_clean()
    after = {"hours": profile.hours, "remote": profile.remote, "onsite": profile.onsite,
             "is_active": profile.is_active}
    changes = {k: (before[k], v) for k, v in after.items() if before[k] != v or created}
    if changes or created:
        profile.save()
        capacity_events.technician_profile_changed_event(profile=profile, by=by,
                                                         changes=changes, created=created)
    return profile


# Snapshots (plain data) -------------------------------------------------------------------

def desk_rotations() -> list[dict]:
    """The desk's active rotations with their members' usernames, in turn order."""
    out = []
    for rotation in (DeskRotation.objects.filter(is_active=True)
                     .prefetch_related("members__user").order_by("starts_at", "id")):
        members = [m.user.username for m in sorted(rotation.members.all(),
                                                   key=lambda m: m.position)]
        if members:
            out.append({"id": rotation.pk, "name": rotation.name,
                        "starts_at": rotation.starts_at.isoformat(),
                        "shift_days": rotation.shift_days, "members": members})
    return out


def roster_snapshot() -> dict:
    """The roster as plain data: the technicians who count, and the desk's rotations."""
    return {
        "technicians": [{"name": r.name, "label": r.label, "hours": r.hours,
                         "skills": list(r.skills)}
                        for r in roster_rows() if r.is_active and r.skills],
        "rotations": desk_rotations(),
        "added_rotations": [],
    }


def on_call_weeks(rotations: list[dict], *, start: dt.datetime, weeks: int
                  ) -> list[str | None]:
    """Who the desk has on call in the middle of each week from `start` (see the module
    docstring): the latest-started rotation that has started decides."""
    parsed = [(dt.datetime.fromisoformat(r["starts_at"]), r.get("id", 0), r)
              for r in rotations if r["members"]]
    out = []
    for k in range(weeks):
        at = start + k * WEEK + WEEK / 2
        started = [p for p in parsed if p[0] <= at]
        if not started:
            out.append(None)
            continue
        starts_at, _, rotation = max(started, key=lambda p: (p[0], p[1]))
        index = int((at - starts_at) // dt.timedelta(days=rotation["shift_days"]))
        out.append(rotation["members"][index % len(rotation["members"])])
    return out


def engine_roster(snapshot: dict, *, start: dt.datetime, weeks: float) -> Roster:
    """The simulation's Roster of a snapshot for a scenario of `weeks` weeks from `start`
    (drain weeks included). Raises ScenarioError (e.g. an empty roster) naming the field."""
    technicians = [Technician(t["name"], t["hours"], tuple(t["skills"]))
                   for t in snapshot["technicians"]]
    names = {t.name for t in technicians}
    rotations = []
    desk_weeks = [name if name in names else None for name in on_call_weeks(
        snapshot.get("rotations", []), start=start, weeks=max(1, math.ceil(weeks)))]
    if any(desk_weeks):
        rotations.append(OnCallRotation(DESK_ROTATION_NAME, tuple(desk_weeks)))
    for added in snapshot.get("added_rotations", []):
        members = tuple(m for m in added["members"] if m in names)
        if members:
            rotations.append(OnCallRotation(added["name"], members))
    return Roster(tuple(technicians), tuple(rotations))


def uncovered_desk_weeks(snapshot: dict, *, start: dt.datetime, weeks: int) -> int:
    """How many of the first `weeks` weeks nobody on the roster is on call for the desk."""
    names = {t["name"] for t in snapshot["technicians"]}
    return sum(1 for name in on_call_weeks(snapshot.get("rotations", []), start=start,
                                           weeks=weeks) if name not in names)
