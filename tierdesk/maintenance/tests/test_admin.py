"""Every maintenance model is registered in the admin and its pages render."""

import datetime as dt

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


def test_a_schedule_edited_in_the_admin_is_planned_again_by_the_next_run(client, tiers, acme):
    # The generation mark cannot see schedule edits: saving in the admin drops it.
    agreement = active_agreement(client=acme, version=tiers["platinum"],
                                 start=dt.date(2026, 1, 5))
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7)
    schedule = Schedule.objects.get(agreement=agreement, title="Verify offsite backup replication")
    superuser = UserFactory(username="root", role="owner", is_staff=True, is_superuser=True)
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/admin/maintenance/schedule/{schedule.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update(local_time="11:00:00", is_active="on" if schedule.is_active else "")
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = client.post(f"/admin/maintenance/schedule/{schedule.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not GenerationMark.objects.filter(agreement=agreement).exists()
    assert workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7).skipped == 0


def test_a_schedule_deleted_in_the_admin_is_made_again_by_the_next_run(client, tiers, acme):
    agreement = active_agreement(client=acme, version=tiers["platinum"],
                                 start=dt.date(2026, 1, 5))
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7)
    schedule = Schedule.objects.get(agreement=agreement, title="Verify offsite backup replication")
    superuser = UserFactory(username="root", role="owner", is_staff=True, is_superuser=True)
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(f"/admin/maintenance/schedule/{schedule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not GenerationMark.objects.filter(agreement=agreement).exists()
    result = workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7)
    assert result.schedules_created == 1
    assert Schedule.objects.filter(agreement=agreement,
                                   title="Verify offsite backup replication").exists()
