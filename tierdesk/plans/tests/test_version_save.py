"""plan_version_save: edit in place while unused, new version once an agreement uses it,
nothing on a no-op, nothing on bad input."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tierdesk.clients.factories import AgreementFactory
from tierdesk.core.models import AuditEvent
from tierdesk.plans.entitlements import Billing, Entitlements, Target
from tierdesk.plans.factories import PlanVersionFactory
from tierdesk.plans.models import BillingRule, CoveredService, PlanVersion, ResponseTarget
from tierdesk.plans.services import plan_create, plan_version_save
from tierdesk.plans.tests.conftest import entitlements

pytestmark = pytest.mark.django_db


def row_counts():
    return (PlanVersion.objects.count(), CoveredService.objects.count(),
            ResponseTarget.objects.count(), BillingRule.objects.count(), AuditEvent.objects.count())


def test_editing_an_unused_version_updates_it_in_place(personas, services):
    version = PlanVersionFactory()
    saved = plan_version_save(
        plan=version.plan, by=personas.owner,
        entitlements=entitlements(version, base_fee=Decimal("149.00"),
                                  coverage={services["backup"].pk: "maintained"}),
    )
    assert saved.pk == version.pk and saved.number == 1
    version.refresh_from_db()
    assert version.base_fee == Decimal("149.00")
    assert list(version.coverage.values_list("service__slug", "level")) == [
        ("backup", "maintained")]
    assert PlanVersion.objects.filter(plan=version.plan).count() == 1
    event = AuditEvent.objects.get(action="plan.version_updated")
    assert event.changes["base_fee"] == ["99.00", "149.00"]


def test_editing_a_version_an_agreement_uses_creates_the_next_version(personas, acme):
    v1 = PlanVersionFactory()
    agreement = AgreementFactory(client=acme, plan_version=v1)
    before = Entitlements.from_version(v1)

    v2 = plan_version_save(plan=v1.plan, by=personas.owner, change_note="add hotline",
                           entitlements=entitlements(v1, channels=[*v1.channels, "hotline"],
                                                     helpdesk_sessions=5))

    assert (v2.number, v2.pk != v1.pk) == (2, True)
    assert v2.channels == ["email", "portal", "phone_attendant", "hotline"]
    assert v2.targets.count() == 4 and v2.created_by == personas.owner
    v1.refresh_from_db()
    assert Entitlements.from_version(v1) == before
    agreement.refresh_from_db()
    assert agreement.plan_version_id == v1.pk
    assert AuditEvent.objects.filter(action="plan.version_created").count() == 1


def test_a_save_that_changes_nothing_writes_nothing(personas, acme):
    version = PlanVersionFactory()
    AgreementFactory(client=acme, plan_version=version)
    counts = row_counts()
    same = Entitlements.from_version(version)
    # Order of channels and the spelling of amounts are not changes.
    same = replace(same, channels=list(reversed(same.channels)), base_fee=Decimal("99"))
    assert plan_version_save(plan=version.plan, entitlements=same, by=personas.owner) == version
    assert row_counts() == counts


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channels": []}, "channels"),
        ({"channels": ["pigeon"]}, "channels"),
        ({"base_fee": Decimal("-1")}, "base_fee"),
        ({"overage_session_price": Decimal("-5")}, "overage_session_price"),
        ({"hours": {"tz": "Mars/Base", "hours": {"mon": [["08:00", "18:00"]]}}}, "hours"),
        ({"hours": {"tz": "UTC", "hours": {"mon": [["18:00", "08:00"]]}}}, "hours"),
        ({"targets": {"p1": Target(kind="business", first_response_minutes=-5)}},
         "targets.p1.first_response_minutes"),
        ({"targets": {"p1": Target(kind="business")}}, "targets.p1.first_response_minutes"),
        ({"billing": {"break_fix": Billing(billable=True, hourly_rate=Decimal("-1"))}},
         "billing.break_fix.hourly_rate"),
        ({"coverage": {999999: "maintained"}}, "coverage.999999"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(personas, acme, changes, field):
    used = PlanVersionFactory()
    AgreementFactory(client=acme, plan_version=used)
    unused = PlanVersionFactory()
    for version in (used, unused):
        counts, before = row_counts(), Entitlements.from_version(version)
        with pytest.raises(ValidationError) as exc:
            plan_version_save(plan=version.plan, by=personas.owner,
                              entitlements=entitlements(version, **changes))
        assert field in exc.value.message_dict
        assert row_counts() == counts
        version.refresh_from_db()
        assert Entitlements.from_version(version) == before


def test_unknown_time_zone_error_says_which_part_of_the_hours(personas):
    version = PlanVersionFactory()
    with pytest.raises(ValidationError) as exc:
        plan_version_save(plan=version.plan, by=personas.owner, entitlements=entitlements(
            version, hours={"tz": "Mars/Base", "hours": {"mon": [["08:00", "18:00"]]}}))
    assert "Mars/Base" in exc.value.message_dict["hours"][0]
    assert exc.value.message_dict["hours"][0].startswith("tz")


def test_a_stale_designer_form_is_refused(personas, acme):
    v1 = PlanVersionFactory()
    AgreementFactory(client=acme, plan_version=v1)
    plan_version_save(plan=v1.plan, by=personas.owner,
                      entitlements=entitlements(v1, base_fee=Decimal("120")))
    with pytest.raises(ValidationError, match="changed meanwhile"):
        plan_version_save(plan=v1.plan, by=personas.owner, expected_number=1,
                          entitlements=entitlements(v1, base_fee=Decimal("130")))


def test_creating_a_tier_makes_version_one(personas, services):
    template = PlanVersionFactory()
    version = plan_create(name="Bronze", rank=0, by=personas.owner, entitlements=entitlements(
        template, coverage={services["av"].pk: "monitored"},
        targets={"p1": {"kind": "wall", "first_response_minutes": "60"}}))
    assert (version.plan.slug, version.number, version.plan.rank) == ("bronze", 1, 0)
    assert version.targets.get().first_response_minutes == 60
    assert AuditEvent.objects.filter(action="plan.created").exists()


def test_creating_a_tier_with_a_taken_name_names_the_field(personas):
    template = PlanVersionFactory()
    counts = row_counts()
    with pytest.raises(ValidationError) as exc:
        plan_create(name=template.plan.name, rank=50, by=personas.owner,
                    entitlements=entitlements(template, base_fee=Decimal("-1")))
    assert {"name", "base_fee"} <= set(exc.value.message_dict)
    assert row_counts() == counts


def test_changing_the_hours_but_not_their_label_rewrites_the_label(personas):
    version = PlanVersionFactory(hours_label="Mon–Fri 8:00–18:00")
    hours = dict(version.hours, hours={"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]})
    plan_version_save(plan=version.plan, by=personas.owner,
                      entitlements=entitlements(version, hours=hours))
    version.refresh_from_db()
    assert version.hours_label == "Mon–Tue 09:00–17:00"
    plan_version_save(plan=version.plan, by=personas.owner, entitlements=entitlements(
        version, hours=dict(hours, tz="Europe/London"), hours_label="Office hours (UK)"))
    version.refresh_from_db()
    assert version.hours_label == "Office hours (UK)"
