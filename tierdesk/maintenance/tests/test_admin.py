"""Every maintenance model is registered in the admin and its pages render."""

from django.contrib import admin

from tierdesk.core.factories import UserFactory
from tierdesk.maintenance.models import CalendarFeed, Schedule, WorkOrder, WorkOrderEvidence


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
