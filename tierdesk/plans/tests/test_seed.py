"""The built-in tiers: complete, valid, idempotent, and each higher tier offers at least as
much as the one below on every dimension."""

import pytest

from tierdesk.catalog.models import COVERAGE_LEVELS, Service
from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.plans.ladder import tier_dominance_warnings
from tierdesk.plans.models import Plan, PlanVersion, ResponseTarget, WorkType
from tierdesk.plans.seed import tiers_load_defaults
from tierdesk.plans.selectors import current_versions
from tierdesk.sla import Calendar

LEVEL_RANK = {level: i for i, level in enumerate(COVERAGE_LEVELS)}


@pytest.fixture
def tiers(db):
    catalog_load_defaults()
    tiers_load_defaults()
    return [PlanVersion.objects.get(plan__slug=slug) for slug in ("silver", "gold", "platinum")]


def _levels(version):
    return {c.service.slug: c.level for c in version.coverage.select_related("service")}


def _billable(version):
    return {r.work_type for r in version.billing.all() if r.billable}


def _target(version, priority):
    return version.targets.get(priority=priority)


def test_tiers_need_the_catalog_first(db):
    with pytest.raises(LookupError, match="catalog_load_defaults"):
        tiers_load_defaults()
    assert not Plan.objects.exists()


def test_loading_twice_creates_each_tier_once_and_keeps_edits(tiers):
    PlanVersion.objects.filter(plan__slug="gold").update(summary="Edited by the MSP")
    assert tiers_load_defaults() == {"plans": 0, "versions": 0}
    assert list(Plan.objects.values_list("slug", flat=True)) == ["silver", "gold", "platinum"]
    assert PlanVersion.objects.count() == 3
    assert PlanVersion.objects.get(plan__slug="gold").summary == "Edited by the MSP"


def test_every_version_is_complete_and_valid(tiers):
    tactical = set(Service.objects.filter(kind="tactical").values_list("slug", flat=True))
    for version in tiers:
        version.full_clean()
        Calendar.from_dict(version.hours)
        assert version.number == 1
        assert set(_levels(version)) == tactical
        assert sorted(version.targets.values_list("priority", flat=True)) == [
            "p1", "p2", "p3", "p4"]
        for target in version.targets.all():
            target.full_clean()
        assert {r.work_type for r in version.billing.all()} == set(WorkType.values)
        assert all(r.note for r in version.billing.all())
        assert version.summary and version.channel_instructions and version.exclusions
        assert version.hours_label


def test_silver_is_monitoring_only_with_two_sessions_and_everything_billed(tiers):
    silver = tiers[0]
    assert silver.channels == ["email", "portal", "phone_attendant"]
    assert silver.hours["tz"] == "America/New_York" and silver.hours["holiday_country"] == "US"
    assert silver.hours["hours"]["mon"] == [["08:00", "18:00"]]
    assert silver.hours["hours"]["sat"] == []
    assert (silver.helpdesk_sessions, silver.helpdesk_session_minutes) == (2, 15)
    assert str(silver.overage_session_price) == "35.00"
    levels = _levels(silver)
    assert levels.pop("help-desk") == "supported"
    assert set(levels.values()) == {"monitored"}
    assert _billable(silver) == set(WorkType.values)
    assert _target(silver, "p3").kind == "same_day"
    assert not silver.scheduled_maintenance and silver.network_audits == "none"


def test_gold_maintains_the_six_core_services_and_includes_break_fix(tiers):
    gold = tiers[1]
    levels = _levels(gold)
    assert {s for s, level in levels.items() if level == "maintained"} == {
        "patch-management", "virus-definitions", "backup-dr", "spam-filtering",
        "spyware-removal", "security-monitoring"}
    assert gold.helpdesk_sessions == 10 and gold.scheduled_maintenance
    assert gold.network_audits == "yearly"
    assert _billable(gold) == {"onsite", "after_hours", "hardware", "software", "project"}
    assert _target(gold, "p1").first_response_minutes == 240
    assert _target(gold, "p2").first_response_minutes == 480
    assert _target(gold, "p1").onsite_minutes is not None


def test_platinum_is_24x7_unlimited_and_bills_only_goods_and_projects(tiers):
    platinum = tiers[2]
    assert platinum.has_hotline and platinum.helpdesk_unlimited
    assert all(day == [["00:00", "24:00"]] for day in platinum.hours["hours"].values())
    assert set(_levels(platinum).values()) == {"supported"}
    assert _billable(platinum) == {"hardware", "software", "project"}
    p1 = _target(platinum, "p1")
    assert (p1.kind, p1.first_response_minutes, p1.onsite_minutes) == ("wall", 120, 240)
    assert platinum.network_audits == "quarterly"


@pytest.mark.parametrize("pair", [(0, 1), (1, 2)])
def test_a_higher_tier_offers_at_least_as_much_on_every_dimension(tiers, pair):
    lower, higher = tiers[pair[0]], tiers[pair[1]]
    assert set(lower.channels) <= set(higher.channels)
    assert higher.helpdesk_sessions is None or (
        lower.helpdesk_sessions is not None
        and higher.helpdesk_sessions >= lower.helpdesk_sessions)
    assert higher.helpdesk_session_minutes >= lower.helpdesk_session_minutes
    assert higher.overage_session_price <= lower.overage_session_price
    low_levels, high_levels = _levels(lower), _levels(higher)
    for service, level in low_levels.items():
        assert LEVEL_RANK[high_levels[service]] >= LEVEL_RANK[level], service
    assert _billable(higher) <= _billable(lower)
    assert higher.scheduled_maintenance >= lower.scheduled_maintenance
    audits = ["none", "yearly", "quarterly"]
    assert audits.index(higher.network_audits) >= audits.index(lower.network_audits)
    for day, spans in lower.hours["hours"].items():
        for start, end in spans:  # every open hour of the lower tier is open in the higher
            assert any(s <= start and end <= e for s, e in higher.hours["hours"][day]), day
    for priority in ("p1", "p2"):
        low, high = _target(lower, priority), _target(higher, priority)
        assert high.first_response_minutes <= low.first_response_minutes
        if low.onsite_minutes is not None:
            assert high.onsite_minutes is not None
            assert high.onsite_minutes <= low.onsite_minutes
    for rate in ("hourly_rate", "after_hours_multiplier", "onsite_trip_fee",
                 "hardware_markup_percent"):
        assert getattr(higher, rate) <= getattr(lower, rate), rate
    for price in ("base_fee", "price_per_user", "price_per_device"):
        assert getattr(higher, price) > getattr(lower, price), price


def test_the_tier_designers_ladder_check_finds_nothing_to_warn_about(tiers):
    assert tier_dominance_warnings(current_versions()) == []


def test_seeded_instructions_print_the_msps_own_contact_details(db, settings):
    settings.TIERDESK_MSP_EMAIL = "help@harbor-it.example"
    settings.TIERDESK_HOTLINE = "+1 207 555 0142"
    catalog_load_defaults()
    tiers_load_defaults()
    platinum = PlanVersion.objects.get(plan__slug="platinum")
    silver = PlanVersion.objects.get(plan__slug="silver")
    assert "help@harbor-it.example" in platinum.channel_instructions
    assert "+1 207 555 0142" in platinum.channel_instructions
    assert "+1 207 555 0142" not in silver.channel_instructions
    assert "{" not in silver.channel_instructions


def test_every_seeded_priority_has_a_resolution_target(db):
    catalog_load_defaults()
    tiers_load_defaults()
    missing = ResponseTarget.objects.filter(resolution_minutes__isnull=True)
    assert list(missing.values_list("version__plan__slug", "priority")) == []
