"""Catalog writes: validated by field, audited, one transaction each."""

import pytest
from django.core.exceptions import ValidationError

from tierdesk.catalog import services
from tierdesk.catalog.factories import SegmentFactory, ServiceFactory
from tierdesk.catalog.models import MaintenanceTask
from tierdesk.core.models import AuditEvent


@pytest.fixture
def service(db):
    return ServiceFactory(slug="backup-dr", name="Backups")


def _task(service, **overrides):
    fields = {"service": service, "title": "Verify backup", "rrule": "FREQ=DAILY",
              "estimated_minutes": 10, "checklist": ["Check the job log"]}
    return services.maintenance_task_create(by=None, **(fields | overrides))


@pytest.mark.parametrize("minutes", [0, -5])
def test_a_task_with_zero_or_negative_minutes_is_refused_naming_the_field(service, minutes):
    with pytest.raises(ValidationError) as exc:
        _task(service, estimated_minutes=minutes)
    assert "estimated_minutes" in exc.value.message_dict
    assert not MaintenanceTask.objects.exists()


@pytest.mark.parametrize("rrule", ["every day", "FREQ=HOURLY", "FREQ=WEEKLY;BYDAY=XX"])
def test_a_task_with_an_invalid_rrule_is_refused_naming_the_field(service, rrule):
    with pytest.raises(ValidationError) as exc:
        _task(service, rrule=rrule)
    assert list(exc.value.message_dict) == ["rrule"]


def test_a_task_with_an_empty_checklist_item_is_refused_naming_the_field(service):
    with pytest.raises(ValidationError) as exc:
        _task(service, checklist=["Check the job log", "   "])
    assert list(exc.value.message_dict) == ["checklist"]


def test_a_task_title_is_unique_within_its_service(service):
    _task(service)
    with pytest.raises(ValidationError):
        _task(service)
    assert MaintenanceTask.objects.count() == 1


def test_creating_a_task_records_an_audit_event_with_its_segments(service, personas):
    medical = SegmentFactory(slug="medical", name="Medical")
    task = _task(service, segments=[medical])
    task_ = services.maintenance_task_update(task=task, by=personas.owner, estimated_minutes=15,
                                             segments=[])
    assert list(task_.segments.all()) == []
    created, updated = AuditEvent.objects.order_by("id").filter(
        object_type="catalog.maintenancetask")
    assert created.action == "maintenancetask.created"
    assert created.changes["segments"] == [None, ["medical"]]
    assert updated.actor == personas.owner
    assert updated.changes == {"estimated_minutes": [10, 15], "segments": [["medical"], []]}


def test_an_invalid_update_changes_nothing_stored(service):
    task = _task(service)
    with pytest.raises(ValidationError) as exc:
        services.maintenance_task_update(task=task, by=None, rrule="nonsense")
    assert "rrule" in exc.value.message_dict
    task.refresh_from_db()
    assert task.rrule == "FREQ=DAILY"


def test_an_update_naming_an_uneditable_field_is_refused(service):
    with pytest.raises(ValidationError) as exc:
        services.service_update(service=service, by=None, created_at=None)
    assert "created_at" in exc.value.message_dict


def test_service_update_records_only_the_fields_that_changed(service, personas):
    services.service_update(service=service, by=personas.owner, name="Backups and DR",
                            kind="tactical")
    event = AuditEvent.objects.get(action="service.updated")
    assert event.changes == {"name": ["Backups", "Backups and DR"]}


def test_segment_price_factor_must_be_positive(db):
    with pytest.raises(ValidationError) as exc:
        services.segment_create(by=None, slug="odd", name="Odd", price_factor="0")
    assert "price_factor" in exc.value.message_dict


def test_a_requirement_level_must_be_a_coverage_level(service):
    segment = SegmentFactory()
    with pytest.raises(ValidationError) as exc:
        services.segment_requirement_create(by=None, segment=segment, title="Encrypted",
                                            service=service, minimum_level="gold")
    assert "minimum_level" in exc.value.message_dict
    requirement = services.segment_requirement_create(
        by=None, segment=segment, title="Encrypted", service=service, minimum_level="supported")
    services.segment_requirement_delete(requirement=requirement, by=None)
    assert not segment.requirements.exists()
    assert AuditEvent.objects.filter(action="segmentrequirement.deleted").count() == 1
