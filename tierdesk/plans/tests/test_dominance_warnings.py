"""tier_dominance_warnings: a higher tier offering less than a lower one, on any dimension."""

import pytest

from tierdesk.plans.ladder import hours_per_week, target_key, tier_dominance_warnings
from tierdesk.plans.models import CoveredService, ResponseTarget
from tierdesk.plans.selectors import current_versions
from tierdesk.plans.tests.conftest import ALWAYS, BUSINESS_HOURS

pytestmark = pytest.mark.django_db


def warnings():
    return tier_dominance_warnings(current_versions())


def test_a_proper_ladder_gets_no_warning(ladder):
    assert warnings() == []


def test_missing_channel_is_warned(ladder):
    gold = ladder[1]
    gold.channels = ["email", "phone_attendant"]
    gold.save()
    assert warnings() == [
        "Gold does not offer the channel(s) Web portal that Silver offers"]


def test_missing_or_lower_coverage_is_warned(ladder, services):
    CoveredService.objects.filter(version=ladder[2], service=services["patch"]).delete()
    CoveredService.objects.filter(version=ladder[1], service=services["backup"]).update(
        level="monitored")
    assert warnings() == [
        "Platinum does not cover Patch management, which Gold covers (Maintained)"]
    CoveredService.objects.filter(version=ladder[0], service=services["backup"]).update(
        level="supported")
    assert ("Gold covers Backups and disaster recovery at a lower level (Monitored only) "
            "than Silver (Fully supported)") in warnings()


def test_slower_response_target_is_warned(ladder):
    ResponseTarget.objects.filter(version=ladder[1], priority="p1").update(
        first_response_minutes=300)
    assert warnings() == [
        "Gold has a slower P1 first response target (5 h business) than Silver (4 h business)"]


def test_same_day_is_slower_than_a_day_but_faster_than_two():
    class T:
        def __init__(self, kind, minutes=None):
            self.kind, self.first_response_minutes = kind, minutes

    step = "first_response_minutes"
    same_day = target_key(T("same_day"), step)
    assert target_key(T("business", 480), step) < same_day < target_key(T("business", 481), step)
    assert target_key(T("wall", 240), step) < target_key(T("business", 240), step)
    assert target_key(None, step) > target_key(T("business", 10_000), step)


def test_fewer_coverage_hours_are_warned(ladder):
    platinum = ladder[2]
    platinum.hours = BUSINESS_HOURS | {"hours": {"mon": [["09:00", "12:00"]]}}
    platinum.save()
    assert ("Platinum has fewer coverage hours per week (3) than Gold (50)") in warnings()


def test_hours_per_week_counts_24x7_overlaps_and_overnight():
    assert hours_per_week(ALWAYS) == 168
    assert hours_per_week(BUSINESS_HOURS) == 50
    overlapping = {"tz": "UTC", "hours": {"mon": [["08:00", "12:00"], ["10:00", "14:00"]]}}
    assert hours_per_week(overlapping) == 6
    assert hours_per_week({"tz": "UTC", "hours": {"sun": [["22:00", "02:00"]]}}) == 4


def test_smaller_help_desk_allowance_is_warned(ladder):
    gold = ladder[1]
    gold.helpdesk_sessions = 1
    gold.save()
    assert warnings() == ["Gold offers fewer help-desk sessions (1) than Silver (2)"]


def test_unlimited_help_desk_on_a_lower_tier_is_warned(ladder):
    silver = ladder[0]
    silver.helpdesk_sessions = None
    silver.save()
    assert "Gold offers fewer help-desk sessions (10) than Silver (unlimited)" in warnings()


def test_work_billed_on_a_higher_tier_but_included_below_is_warned(ladder):
    ladder[2].billing.filter(work_type="break_fix").update(billable=True)
    assert warnings() == ["Platinum bills break-fix, which Gold includes"]


def test_dropping_maintenance_or_audits_is_warned(ladder):
    platinum = ladder[2]
    platinum.scheduled_maintenance = False
    platinum.network_audits = "none"
    platinum.save()
    assert warnings() == [
        "Platinum does not include scheduled maintenance, which Gold includes",
        "Platinum includes fewer network audits (Not included) than Gold (Yearly)",
    ]
