"""Catalog pages: every staff role reads, only the owner edits, nobody else gets in."""

import pytest
from django.urls import reverse

from tierdesk.catalog.models import MaintenanceTask, Segment, SegmentRequirement, Service
from tierdesk.core.models import AuditEvent

pytestmark = pytest.mark.usefixtures("catalog")


def _read_urls():
    service = Service.objects.get(slug="backup-dr")
    segment = Segment.objects.get(slug="medical")
    task = MaintenanceTask.objects.get(title="Test restore of a sample file")
    return [
        reverse("catalog:service_list"), reverse("catalog:segment_list"),
        reverse("catalog:task_list"), reverse("catalog:service_detail", args=[service.pk]),
        reverse("catalog:segment_detail", args=[segment.pk]),
        reverse("catalog:task_detail", args=[task.pk]),
    ]


def _edit_urls():
    service = Service.objects.get(slug="backup-dr")
    segment = Segment.objects.get(slug="medical")
    requirement = segment.requirements.first()
    task = MaintenanceTask.objects.get(title="Test restore of a sample file")
    return [
        reverse("catalog:service_create"), reverse("catalog:service_edit", args=[service.pk]),
        reverse("catalog:segment_create"), reverse("catalog:segment_edit", args=[segment.pk]),
        reverse("catalog:requirement_create", args=[segment.pk]),
        reverse("catalog:requirement_edit", args=[segment.pk, requirement.pk]),
        reverse("catalog:task_create"), reverse("catalog:task_edit", args=[task.pk]),
    ]


@pytest.mark.parametrize("role", ["owner", "dispatcher", "technician", "billing"])
def test_every_staff_role_can_read_the_catalog(personas, login, role):
    client = login(getattr(personas, role))
    for url in _read_urls():
        assert client.get(url).status_code == 200, url


def test_the_landing_page_shows_services_and_links_the_other_tabs(personas, login):
    body = login(personas.technician).get(reverse("catalog:service_list")).content.decode()
    assert "Backups and disaster recovery" in body
    assert "Business and ROI planning" in body
    assert reverse("catalog:segment_list") in body and reverse("catalog:task_list") in body
    assert "New service" not in body  # technicians get no edit buttons


@pytest.mark.parametrize("role", ["dispatcher", "technician", "billing"])
def test_staff_other_than_the_owner_cannot_edit(personas, login, role):
    client = login(getattr(personas, role))
    for url in _edit_urls():
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x"}).status_code == 403, url


@pytest.mark.parametrize("persona", ["contact", "outsider"])
def test_client_contacts_cannot_see_the_catalog(personas, login, persona):
    client = login(getattr(personas, persona))
    for url in _read_urls() + _edit_urls():
        assert client.get(url).status_code in (403, 404), url


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in _read_urls() + _edit_urls():
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


def test_the_owner_sees_edit_buttons_and_the_edit_form(personas, login):
    client = login(personas.owner)
    assert "New service" in client.get(reverse("catalog:service_list")).content.decode()
    for url in _edit_urls():
        assert client.get(url).status_code == 200, url


def test_an_unknown_id_is_404(personas, login):
    client = login(personas.owner)
    assert client.get(reverse("catalog:service_detail", args=[999999])).status_code == 404
    assert client.get(reverse("catalog:task_edit", args=[999999])).status_code == 404


def test_a_requirement_is_only_reachable_under_its_own_segment(personas, login):
    medical = Segment.objects.get(slug="medical")
    home = Segment.objects.get(slug="home")
    requirement = medical.requirements.first()
    url = reverse("catalog:requirement_edit", args=[home.pk, requirement.pk])
    assert login(personas.owner).get(url).status_code == 404


def test_the_owner_creates_a_task_from_the_form(personas, login):
    service = Service.objects.get(slug="ups-management")
    medical = Segment.objects.get(slug="medical")
    response = login(personas.owner).post(reverse("catalog:task_create"), {
        "service": service.pk, "title": "Clean UPS dust filters", "rrule": "FREQ=YEARLY",
        "estimated_minutes": "20", "delivery": "onsite",
        "checklist": "Power down bypass\n\nClean filters\n", "segments": [medical.pk],
        "is_active": "on",
    })
    task = MaintenanceTask.objects.get(title="Clean UPS dust filters")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:task_detail", args=[task.pk])
    assert task.checklist == ["Power down bypass", "Clean filters"]
    assert list(task.segments.all()) == [medical]
    assert AuditEvent.objects.filter(action="maintenancetask.created",
                                     actor=personas.owner).exists()


def test_a_bad_rrule_in_the_form_is_shown_on_the_field(personas, login):
    service = Service.objects.get(slug="ups-management")
    response = login(personas.owner).post(reverse("catalog:task_create"), {
        "service": service.pk, "title": "Broken", "rrule": "FREQ=SECONDLY",
        "estimated_minutes": "0", "delivery": "remote", "checklist": "Step",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert "rrule" in form.errors and "estimated_minutes" in form.errors
    assert not MaintenanceTask.objects.filter(title="Broken").exists()


def test_the_owner_edits_a_service_and_the_audit_names_the_change(personas, login):
    service = Service.objects.get(slug="backup-dr")
    response = login(personas.owner).post(reverse("catalog:service_edit", args=[service.pk]), {
        "slug": service.slug, "name": service.name, "kind": service.kind,
        "description": "Nightly, offsite and tested.", "default_delivery": "remote",
        "position": service.position, "is_active": "on",
    })
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.description == "Nightly, offsite and tested."
    event = AuditEvent.objects.get(action="service.updated")
    assert list(event.changes) == ["description"]


def test_the_owner_adds_and_removes_a_segment_requirement(personas, login):
    client = login(personas.owner)
    segment = Segment.objects.get(slug="non-profit")
    service = Service.objects.get(slug="policy-development")
    client.post(reverse("catalog:requirement_create", args=[segment.pk]), {
        "title": "Grant-reporting data policy", "service": service.pk,
        "minimum_level": "monitored", "description": "",
    })
    requirement = SegmentRequirement.objects.get(title="Grant-reporting data policy")
    delete_url = reverse("catalog:requirement_delete", args=[segment.pk, requirement.pk])
    assert client.get(delete_url).status_code == 405
    assert client.post(delete_url).status_code == 302
    assert not SegmentRequirement.objects.filter(pk=requirement.pk).exists()


@pytest.mark.parametrize(("query", "expected", "unexpected"), [
    ({"frequency": "QUARTERLY"}, "Review firewall rules", "Test restore of a sample file"),
    ({"frequency": "MONTHLY"}, "Test restore of a sample file", "Review firewall rules"),
    ({"frequency": "DAILY"}, "Verify nightly backup job completed", "Annual disaster"),
    ({"q": "UPS"}, "UPS self-test and battery runtime check", "Review firewall rules"),
])
def test_the_task_list_filters_by_frequency_and_text(personas, login, query, expected,
                                                      unexpected):
    body = login(personas.technician).get(reverse("catalog:task_list"), query).content.decode()
    assert expected in body and unexpected not in body


def test_filtering_by_segment_shows_its_own_and_generic_tasks_only(personas, login):
    medical = Segment.objects.get(slug="medical")
    service = Service.objects.get(slug="backup-dr")
    body = login(personas.technician).get(
        reverse("catalog:task_list"), {"segment": medical.pk, "service": service.pk}
    ).content.decode()
    assert "Verify backup encryption and key escrow" in body  # medical + finance
    assert "Test restore of a sample file" in body  # every segment
    assert "Verify Time Machine backups on Macs" not in body  # mixed Mac/PC only
