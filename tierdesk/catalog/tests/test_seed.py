"""The default catalog: complete, valid, and safe to load twice."""

from tierdesk.catalog.models import (
    COVERAGE_LEVELS,
    MaintenanceTask,
    Segment,
    SegmentRequirement,
    Service,
)
from tierdesk.catalog.seed import TACTICAL_SERVICES, catalog_load_defaults


def _counts():
    return (Service.objects.count(), Segment.objects.count(),
            SegmentRequirement.objects.count(), MaintenanceTask.objects.count())


def test_loading_twice_creates_nothing_the_second_time(db):
    first = catalog_load_defaults()
    counts = _counts()
    second = catalog_load_defaults()
    assert first["tasks"] >= 30 and first["services"] == 15 and first["segments"] == 6
    assert second == {"services": 0, "segments": 0, "requirements": 0, "tasks": 0}
    assert _counts() == counts


def test_a_rerun_keeps_the_msps_edits_and_recreates_only_what_was_deleted(db):
    catalog_load_defaults()
    Service.objects.filter(slug="backup-dr").update(description="Our own words")
    Segment.objects.filter(slug="medical").update(price_factor="1.40")
    MaintenanceTask.objects.filter(title="Verify nightly backup job completed").delete()

    created = catalog_load_defaults()

    assert Service.objects.get(slug="backup-dr").description == "Our own words"
    assert str(Segment.objects.get(slug="medical").price_factor) == "1.40"
    assert created["tasks"] == 1
    assert MaintenanceTask.objects.filter(title="Verify nightly backup job completed").exists()


def test_a_reslugged_service_is_matched_by_name_and_not_duplicated(db):
    catalog_load_defaults()
    Service.objects.filter(slug="help-desk").update(slug="helpdesk")
    assert catalog_load_defaults()["services"] == 0
    assert not Service.objects.filter(slug="help-desk").exists()


def test_every_seeded_row_passes_model_validation(db):
    catalog_load_defaults()
    checked = 0
    for model in (Service, Segment, SegmentRequirement, MaintenanceTask):
        for row in model.objects.all():
            row.full_clean()  # raises ValidationError naming the bad field
            checked += 1
    assert checked >= 15 + 6 + 30


def test_tasks_use_all_five_frequencies_and_cover_every_tactical_service(db):
    catalog_load_defaults()
    tasks = list(MaintenanceTask.objects.select_related("service"))
    assert len(tasks) >= 30
    assert {t.frequency for t in tasks} == {"DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "YEARLY"}
    covered = {t.service.slug for t in tasks}
    assert {slug for slug, *_ in TACTICAL_SERVICES} <= covered
    assert all(t.service.kind == "tactical" for t in tasks)
    assert any(t.is_audit for t in tasks)
    assert {t.delivery for t in tasks} == {"remote", "onsite"}
    assert all(t.checklist and t.estimated_minutes > 0 for t in tasks)


def test_specialised_tasks_are_limited_to_their_segments(db):
    catalog_load_defaults()
    mac_tasks = MaintenanceTask.objects.filter(title__icontains="mac")
    hipaa_tasks = MaintenanceTask.objects.filter(title__icontains="HIPAA")
    assert mac_tasks.exists() and hipaa_tasks.exists()
    for task in mac_tasks:
        assert [s.slug for s in task.segments.all()] == ["mixed-mac-pc"]
    for task in hipaa_tasks:
        assert [s.slug for s in task.segments.all()] == ["medical"]
    generic = MaintenanceTask.objects.get(title="Test restore of a sample file")
    assert not generic.segments.exists()  # none = every segment


def test_segments_have_price_factors_and_requirements_tied_to_services(db):
    catalog_load_defaults()
    factors = {s.slug: str(s.price_factor) for s in Segment.objects.all()}
    assert factors == {"home": "0.60", "small-business": "1.00", "medical": "1.25",
                       "finance": "1.35", "non-profit": "0.85", "mixed-mac-pc": "1.15"}
    medical = set(SegmentRequirement.objects.filter(segment__slug="medical")
                  .values_list("title", flat=True))
    assert {"HIPAA security risk assessment", "Quarterly access reviews",
            "Encrypted backups"} <= medical
    for requirement in SegmentRequirement.objects.all():
        assert requirement.minimum_level in COVERAGE_LEVELS
        assert requirement.service.kind == "tactical"
    assert all(s.requirements.exists() for s in Segment.objects.all())
