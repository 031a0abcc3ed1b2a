"""The capacity roster: who counts by default, the owner's profile edits, and the desk's
on-call rotations turned into the simulation's weeks."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from tierdesk.core.models import AuditEvent
from tierdesk.desk import oncall
from tierdesk.insights import roster
from tierdesk.insights.models import TechnicianProfile
from tierdesk.insights.tests.capacity_fixtures import NY, techs  # noqa: F401

pytestmark = pytest.mark.django_db
EVENINGS = {"tz": "America/New_York",
            "hours": {d: [["14:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}}


def test_technicians_count_with_the_msps_hours_and_managers_do_not(techs, personas):
    rows = {r.name: r for r in roster.roster_rows()}
    assert set(rows) == {"owner", "dispatcher", "technician", "bob"}  # billing never
    assert rows["bob"].is_active and rows["bob"].hours == settings.TIERDESK_MSP_HOURS
    assert rows["bob"].skills == ("remote", "onsite")
    assert not rows["owner"].is_active
    snapshot = roster.roster_snapshot()
    assert [t["name"] for t in snapshot["technicians"]] == ["bob", "technician"]


def test_the_owner_sets_hours_and_skills(techs, personas):
    _, bob = techs
    profile = roster.technician_profile_update(user=bob, by=personas.owner, hours=EVENINGS,
                                               onsite=False)
    assert (profile.hours, profile.skills, profile.is_active) == (EVENINGS, ("remote",), True)
    roster.technician_profile_update(user=personas.owner, by=personas.owner, is_active=True)
    names = [t["name"] for t in roster.roster_snapshot()["technicians"]]
    assert names == ["bob", "owner", "technician"]
    assert AuditEvent.objects.filter(action="roster.profile_created").count() == 2


def test_bad_profiles_name_the_field(techs, personas):
    _, bob = techs
    with pytest.raises(ValidationError) as exc:
        roster.technician_profile_update(user=bob, by=personas.owner,
                                         hours={"tz": "Mars/Base", "hours": {}})
    assert "hours" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        roster.technician_profile_update(user=bob, by=personas.owner, remote=False,
                                         onsite=False)
    assert "remote" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        roster.technician_profile_update(user=personas.billing, by=personas.owner,
                                         is_active=True)
    assert "user" in exc.value.message_dict
    assert not TechnicianProfile.objects.exists()


def test_the_rotation_that_started_last_decides_each_week(techs, personas):
    tess, bob = techs
    start = dt.datetime(2026, 4, 6, tzinfo=NY)
    days = oncall.rotation_create(name="Days", starts_at=start - dt.timedelta(days=30),
                                  shift_days=14, by=personas.owner)
    oncall.oncall_member_add(rotation=days, user=tess, phone="+12075550101")
    later = oncall.rotation_create(name="Spring", starts_at=start + dt.timedelta(weeks=2),
                                   shift_days=7, by=personas.owner)
    oncall.oncall_member_add(rotation=later, user=bob, phone="+12075550102")
    oncall.oncall_member_add(rotation=later, user=personas.dispatcher, phone="+12075550103")
    weeks = roster.on_call_weeks(roster.desk_rotations(), start=start, weeks=5)
    assert weeks == ["technician", "technician", "bob", "dispatcher", "bob"]
    # The dispatcher is not on the roster: that week nobody counts as on call.
    built = roster.engine_roster(roster.roster_snapshot(), start=start, weeks=5)
    assert built.on_call[0].weeks == ("technician", "technician", "bob", None, "bob")
    assert roster.uncovered_desk_weeks(roster.roster_snapshot(), start=start, weeks=5) == 1


def test_an_inactive_rotation_puts_nobody_on_call(techs, personas):
    tess, _ = techs
    start = dt.datetime(2026, 4, 6, tzinfo=NY)
    rotation = oncall.rotation_create(name="Old", starts_at=start, shift_days=7,
                                      by=personas.owner)
    oncall.oncall_member_add(rotation=rotation, user=tess, phone="+12075550101")
    oncall.rotation_update(rotation=rotation, is_active=False, by=personas.owner)
    built = roster.engine_roster(roster.roster_snapshot(), start=start, weeks=3)
    assert built.on_call == ()
