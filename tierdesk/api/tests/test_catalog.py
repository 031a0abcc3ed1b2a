"""The catalog through the API: the owner writes it, through catalog.services."""

import pytest

from tierdesk.api.tests.conftest import fields
from tierdesk.catalog.factories import MaintenanceTaskFactory, SegmentFactory, ServiceFactory
from tierdesk.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_owner_creates_and_updates_a_service_with_an_audit_trail(personas, bearer):
    api = bearer(personas.owner)
    created = api.post("/services", {"name": "Patch management", "kind": "tactical"})
    assert created.status_code == 201
    service_id = created.json()["id"]

    updated = api.patch(f"/services/{service_id}", {"default_delivery": "onsite"})

    assert updated.status_code == 200
    assert updated.json()["default_delivery"] == "onsite"
    assert updated.json()["name"] == "Patch management"
    assert AuditEvent.objects.filter(object_id=str(service_id),
                                     object_type="catalog.service").count() == 2


def test_service_with_unknown_kind_is_422_on_kind(personas, bearer):
    assert "kind" in fields(bearer(personas.owner).post("/services",
                                                        {"name": "X", "kind": "magic"}))


def test_task_with_bad_rrule_is_422_on_rrule(personas, bearer):
    service = ServiceFactory()
    response = bearer(personas.owner).post("/tasks", {
        "service_id": service.pk, "title": "Check backups", "rrule": "FREQ=HOURLY",
        "estimated_minutes": 10,
    })
    assert "rrule" in fields(response)


def test_task_created_with_segments_lists_their_ids(personas, bearer):
    service, medical = ServiceFactory(), SegmentFactory()
    response = bearer(personas.owner).post("/tasks", {
        "service_id": service.pk, "title": "HIPAA log review", "rrule": "FREQ=MONTHLY",
        "estimated_minutes": 30, "checklist": ["Export logs", "Review"],
        "segment_ids": [medical.pk],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["segment_ids"] == [medical.pk]
    assert body["frequency"] == "MONTHLY"


def test_task_with_unknown_segment_is_422_on_segment_ids(personas, bearer):
    task = MaintenanceTaskFactory()
    response = bearer(personas.owner).patch(f"/tasks/{task.pk}", {"segment_ids": [999999]})
    assert "segment_ids" in fields(response)


def test_tasks_filter_by_segment_includes_tasks_for_every_segment(personas, bearer):
    medical, home = SegmentFactory(), SegmentFactory()
    everyone = MaintenanceTaskFactory()
    medical_only = MaintenanceTaskFactory()
    medical_only.segments.set([medical])
    home_only = MaintenanceTaskFactory()
    home_only.segments.set([home])

    items = bearer(personas.technician, "read").get("/tasks", {"segment": medical.pk}).json()

    assert {t["id"] for t in items["items"]} == {everyone.pk, medical_only.pk}


def test_segment_with_requirements(personas, bearer):
    api = bearer(personas.owner)
    service = ServiceFactory()
    segment = api.post("/segments", {"name": "Medical", "price_factor": "1.25"}).json()

    added = api.post(f"/segments/{segment['id']}/requirements",
                     {"title": "HIPAA audit", "service_id": service.pk})

    assert added.status_code == 201
    detail = api.get(f"/segments/{segment['id']}").json()
    assert detail["price_factor"] == "1.25"
    assert [r["title"] for r in detail["requirements"]] == ["HIPAA audit"]
    removed = api.delete(f"/segments/{segment['id']}/requirements/{added.json()['id']}")
    assert removed.status_code == 204
    assert api.get(f"/segments/{segment['id']}").json()["requirements"] == []
