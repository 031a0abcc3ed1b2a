"""The overdue sweep: open work orders past their due time are flagged and the dispatchers
told once, however often the sweep runs."""

import datetime as dt

from tierdesk.core import clock
from tierdesk.core.factories import UserFactory
from tierdesk.core.models import AuditEvent, Role
from tierdesk.maintenance.overdue import workorders_overdue_sweep
from tierdesk.maintenance.services import workorder_complete
from tierdesk.schedules import tasks


def test_the_dispatchers_are_told_exactly_once_even_when_the_sweep_runs_twice(
        personas, order_overdue, order_today, mailoutbox, django_capture_on_commit_callbacks):
    personas.dispatcher.email = "dispatch@msp.example"
    personas.dispatcher.save(update_fields=["email"])
    UserFactory(username="night", role=Role.DISPATCHER, email="night@msp.example")
    UserFactory(username="tech2", role=Role.TECHNICIAN, email="tech2@msp.example")
    with django_capture_on_commit_callbacks(execute=True):
        assert workorders_overdue_sweep() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert workorders_overdue_sweep() == 0
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == ["dispatch@msp.example", "night@msp.example"]
    assert "1 maintenance work order is overdue" in message.subject
    assert order_overdue.reference in message.body and order_today.reference not in message.body
    assert "18:00" in message.body and "(America/New_York)" in message.body
    assert f"/maintenance/work-orders/{order_overdue.pk}/" in message.body
    order_overdue.refresh_from_db()
    order_today.refresh_from_db()
    assert order_overdue.overdue_notified_at is not None
    assert order_today.overdue_notified_at is None
    assert AuditEvent.objects.filter(action="workorder.overdue").count() == 1


def test_done_work_orders_are_not_overdue_and_a_later_one_is_told_separately(
        personas, order_overdue, order_today, mailoutbox, django_capture_on_commit_callbacks):
    personas.dispatcher.email = "dispatch@msp.example"
    personas.dispatcher.save(update_fields=["email"])
    workorder_complete(work_order=order_overdue, by=personas.technician, note="late but done")
    with django_capture_on_commit_callbacks(execute=True):
        assert workorders_overdue_sweep() == 0
    assert mailoutbox == []
    # Hours later today's work order is past its due time too: one new mail about it alone.
    with django_capture_on_commit_callbacks(execute=True):
        assert workorders_overdue_sweep(now=clock.now() + dt.timedelta(hours=3)) == 1
    assert len(mailoutbox) == 1 and order_today.reference in mailoutbox[0].body


def test_without_a_dispatcher_address_nothing_is_sent_but_the_flag_is_kept(
        personas, order_overdue, mailoutbox, django_capture_on_commit_callbacks):
    personas.dispatcher.email = ""
    personas.dispatcher.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        assert workorders_overdue_sweep() == 1
    assert mailoutbox == []
    order_overdue.refresh_from_db()
    assert order_overdue.overdue_notified_at is not None


def test_the_periodic_task_runs_the_sweep(personas, order_overdue, mailoutbox,
                                          django_capture_on_commit_callbacks):
    personas.dispatcher.email = "dispatch@msp.example"
    personas.dispatcher.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.maintenance_overdue_periodic.call_local() == 1
        assert tasks.maintenance_overdue_periodic.call_local() == 0
    assert len(mailoutbox) == 1


def test_the_dispatcher_sees_overdue_work_orders_flagged_on_the_board(
        personas, login, order_overdue):
    workorders_overdue_sweep()
    body = login(personas.dispatcher).get("/maintenance/").content.decode()
    assert order_overdue.reference in body and "1 overdue" in body
    page = login(personas.dispatcher).get(
        f"/maintenance/work-orders/{order_overdue.pk}/").content.decode()
    assert "The dispatchers were told" in page
