import datetime as dt

import pytest

from tierdesk.catalog.factories import SegmentFactory, SegmentRequirementFactory, ServiceFactory
from tierdesk.clients.factories import AgreementFactory, ClientFactory, SiteFactory
from tierdesk.clients.feasibility import agreement_feasibility_check, same_day_minutes
from tierdesk.plans.factories import CoveredServiceFactory, PlanFactory, PlanVersionFactory
from tierdesk.plans.models import ResponseTarget


@pytest.fixture
def platinum(db):
    version = PlanVersionFactory(plan=PlanFactory(slug="platinum", name="Platinum", rank=3),
                                 with_targets=False)
    ResponseTarget.objects.create(version=version, priority="p1", kind="wall",
                                  first_response_minutes=300, onsite_minutes=240)
    ResponseTarget.objects.create(version=version, priority="p2", kind="business",
                                  first_response_minutes=480, onsite_minutes=600)
    return version


def agreement_for(version, *, drive_minutes=30, has_rmm_agent=True, segment=None):
    client = ClientFactory(segment=segment or SegmentFactory())
    SiteFactory(client=client, name="Harbour Clinic", drive_minutes=drive_minutes,
                has_rmm_agent=has_rmm_agent)
    return AgreementFactory(client=client, plan_version=version)


def codes(agreement):
    return [w.code for w in agreement_feasibility_check(agreement)]


def test_onsite_promise_shorter_than_the_drive_warns(platinum):
    warnings = agreement_feasibility_check(agreement_for(platinum, drive_minutes=270))
    assert [w.code for w in warnings] == ["onsite_too_far"]
    assert warnings[0].message == (
        "Platinum promises on-site within 240 min for P1 but Harbour Clinic is 270 min away")
    assert warnings[0].site.name == "Harbour Clinic"


def test_onsite_promise_equal_to_the_drive_does_not_warn(platinum):
    assert codes(agreement_for(platinum, drive_minutes=240)) == []


def test_same_day_onsite_counts_the_rest_of_the_business_day(db):
    version = PlanVersionFactory(with_targets=False)  # Mon–Fri 08:00–18:00
    ResponseTarget.objects.create(version=version, priority="p1", kind="same_day",
                                  same_day_cutoff=dt.time(14, 0), onsite_minutes=1)
    assert same_day_minutes(version, dt.time(14, 0)) == 240
    assert codes(agreement_for(version, drive_minutes=240)) == []
    assert codes(agreement_for(version, drive_minutes=241)) == ["onsite_too_far"]


def test_fast_first_response_at_a_site_without_agent_warns(platinum):
    ResponseTarget.objects.filter(version=platinum, priority="p1").update(
        first_response_minutes=240)
    warnings = agreement_feasibility_check(agreement_for(platinum, has_rmm_agent=False))
    assert [w.code for w in warnings] == ["no_remote_agent"]
    assert "every fix is a drive" in warnings[0].message


def test_first_response_just_over_the_fast_limit_does_not_warn(platinum):
    ResponseTarget.objects.filter(version=platinum, priority="p1").update(
        first_response_minutes=241)
    assert codes(agreement_for(platinum, has_rmm_agent=False)) == []


def test_fast_first_response_with_an_agent_does_not_warn(platinum):
    ResponseTarget.objects.filter(version=platinum, priority="p1").update(
        first_response_minutes=60)
    assert codes(agreement_for(platinum, has_rmm_agent=True)) == []


@pytest.fixture
def medical(db):
    segment = SegmentFactory(slug="medical", name="Medical office")
    SegmentRequirementFactory(
        segment=segment, title="HIPAA risk assessment", minimum_level="maintained",
        service=ServiceFactory(slug="security-monitoring", name="Security monitoring"))
    return segment


def test_segment_requirement_covered_below_the_minimum_level_warns(medical, platinum):
    platinum.plan.name = "Silver"
    platinum.plan.save()
    service = medical.requirements.get().service
    CoveredServiceFactory(version=platinum, service=service, level="monitored")
    warnings = agreement_feasibility_check(agreement_for(platinum, segment=medical))
    assert [w.code for w in warnings] == ["segment_requirement"]
    assert warnings[0].message == (
        "Medical office requires HIPAA risk assessment (Security monitoring, maintained); "
        "Silver covers it monitored only")
    assert warnings[0].site is None


def test_segment_requirement_not_covered_at_all_warns(medical, platinum):
    warnings = agreement_feasibility_check(agreement_for(platinum, segment=medical))
    assert "does not cover it" in warnings[0].message


@pytest.mark.parametrize("level", ["maintained", "supported"])
def test_segment_requirement_met_at_or_above_the_level_does_not_warn(medical, platinum, level):
    CoveredServiceFactory(version=platinum, service=medical.requirements.get().service,
                          level=level)
    assert codes(agreement_for(platinum, segment=medical)) == []


def test_each_site_is_checked(platinum):
    agreement = agreement_for(platinum, drive_minutes=30)
    SiteFactory(client=agreement.client, name="Far branch", drive_minutes=300,
                has_rmm_agent=True)
    warnings = agreement_feasibility_check(agreement)
    assert [(w.code, w.site.name) for w in warnings] == [("onsite_too_far", "Far branch")]
