"""Every maintenance model is registered in the admin and its pages render."""

import datetime as dt

import pytest
from django.contrib import admin

from tierdesk.core.factories import UserFactory
from tierdesk.maintenance.factories import active_agreement
from tierdesk.maintenance.generation import workorders_generate
from tierdesk.maintenance.models import (
    CalendarFeed,
    GenerationMark,
    Schedule,
    WorkOrder,
    WorkOrderEvidence,
)


def test_every_maintenance_model_is_registered():
    for model in (Schedule, WorkOrder, WorkOrderEvidence, CalendarFeed):
        assert admin.site.is_registered(model), model


def test_the_admin_lists_and_shows_a_work_order(client, order_today):
    superuser = UserFactory(username="root", role="owner", is_staff=True, is_superuser=True)
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    for name in ("schedule", "workorder", "workorderevidence", "calendarfeed"):
        response = client.get(f"/admin/maintenance/{name}/")
        assert response.status_code == 200, name
    page = client.get(f"/admin/maintenance/workorder/{order_today.pk}/change/")
    assert page.status_code == 200 and order_today.title in page.content.decode()


MONDAY = dt.date(2026, 2, 2)


@pytest.fixture
def generated(tiers, acme):
    """Acme on Platinum, generated for a week: its weekly backup schedule."""
    agreement = active_agreement(client=acme, version=tiers["platinum"],
                                 start=dt.date(2026, 1, 5))
    workorders_generate(today=MONDAY, horizon_days=7)
    return Schedule.objects.get(agreement=agreement, title="Verify offsite backup replication")


@pytest.fixture
def superuser_client(db, client):
    superuser = UserFactory(username="root", role="owner", is_staff=True, is_superuser=True)
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    return client


# The generation mark cannot see edits made here: saving or deleting drops it.

def test_a_schedule_edited_in_the_admin_is_planned_again_by_the_next_run(
        superuser_client, generated):
    url = f"/admin/maintenance/schedule/{generated.pk}/change/"
    form = superuser_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update(local_time="11:00:00", is_active="on")
    response = superuser_client.post(url, {k: ("" if v is None else v) for k, v in data.items()})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not GenerationMark.objects.filter(agreement=generated.agreement).exists()
    assert workorders_generate(today=MONDAY, horizon_days=7).skipped == 0


def test_a_schedule_deleted_in_the_admin_is_made_again_by_the_next_run(
        superuser_client, generated):
    response = superuser_client.post(f"/admin/maintenance/schedule/{generated.pk}/delete/",
                                     {"post": "yes"})
    assert response.status_code == 302
    assert not GenerationMark.objects.filter(agreement=generated.agreement).exists()
    assert workorders_generate(today=MONDAY, horizon_days=7).schedules_created == 1
    assert Schedule.objects.filter(agreement=generated.agreement,
                                   title=generated.title).exists()
