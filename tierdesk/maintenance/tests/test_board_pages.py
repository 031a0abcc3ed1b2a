"""The technicians' board: today's and this week's work orders across clients, grouped by
client · site, each client's own date, filters, and overdue ones flagged."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tierdesk.clients.factories import ClientFactory, SiteFactory
from tierdesk.core import clock
from tierdesk.maintenance.factories import active_agreement, schedule_for, work_order_for


def _body(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_technician_sees_todays_work_orders_grouped_by_client_and_site(
        personas, login, order_today, backup_schedule, acme_today):
    later = work_order_for(backup_schedule, due_on=acme_today + dt.timedelta(days=8))
    body = _body(login(personas.technician).get("/maintenance/"))
    assert "Acme Dental · Main office" in body
    assert order_today.reference in body
    assert later.reference not in body  # next week's is not today's
    assert 'data-overdue="1"' not in body and 'data-overdue="0"' in body


def test_this_week_shows_the_other_days_of_the_clients_week(
        personas, login, order_today, backup_schedule, acme_today):
    monday = acme_today - dt.timedelta(days=acme_today.weekday())
    other_day = monday if acme_today != monday else monday + dt.timedelta(days=1)
    other = work_order_for(backup_schedule, due_on=other_day)
    other.due_at = clock.now() + dt.timedelta(days=30)  # not overdue, whatever the day
    other.save(update_fields=["due_at"])
    c = login(personas.technician)
    assert other.reference not in _body(c.get("/maintenance/"))
    week = _body(c.get("/maintenance/week/"))
    assert other.reference in week and order_today.reference in week


def test_today_is_each_clients_own_date(personas, login, tiers):
    # Kiritimati (UTC+14) and Pago Pago (UTC-11) are always on different dates.
    east = ClientFactory(name="Dateline East", timezone="Pacific/Kiritimati")
    SiteFactory(client=east, name="Atoll office")
    agreement = active_agreement(client=east, version=tiers["platinum"],
                                 start=dt.date(2026, 1, 5))
    schedule = schedule_for(agreement, task_title="Verify offsite backup replication")
    now = clock.now()
    east_today = now.astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    west_today = now.astimezone(ZoneInfo("Pacific/Pago_Pago")).date()
    mine = work_order_for(schedule, due_on=east_today)
    not_mine = work_order_for(schedule, due_on=west_today)
    for order in (mine, not_mine):
        order.due_at = now + dt.timedelta(days=3)
        order.save(update_fields=["due_at"])
    body = _body(login(personas.technician).get("/maintenance/"))
    assert "Dateline East · Atoll office" in body
    assert mine.reference in body and not_mine.reference not in body


def test_overdue_work_orders_are_flagged_and_can_be_shown_alone(
        personas, login, order_today, order_overdue):
    c = login(personas.dispatcher)
    body = _body(c.get("/maintenance/"))
    assert order_overdue.reference in body and order_today.reference in body
    assert 'data-overdue="1"' in body and "1 overdue" in body
    only = _body(c.get("/maintenance/?overdue=on"))
    assert order_overdue.reference in only and order_today.reference not in only


def test_filters_mine_unassigned_and_kind(personas, login, order_today, order_overdue):
    order_today.assigned_to = personas.technician
    order_today.save(update_fields=["assigned_to"])
    c = login(personas.technician)
    mine = _body(c.get("/maintenance/?who=mine"))
    assert order_today.reference in mine and order_overdue.reference not in mine
    unassigned = _body(c.get("/maintenance/?who=unassigned"))
    assert order_overdue.reference in unassigned and order_today.reference not in unassigned
    daily = _body(c.get("/maintenance/?kind=daily"))
    assert order_today.reference not in daily and order_overdue.reference not in daily
    assert order_today.reference in _body(c.get("/maintenance/?kind=maintenance"))


def test_cancelled_work_orders_are_left_off(personas, login, order_today):
    order_today.status = "cancelled"
    order_today.save(update_fields=["status"])
    assert order_today.reference not in _body(login(personas.technician).get("/maintenance/"))


@pytest.mark.parametrize("persona", ["owner", "dispatcher", "technician", "billing"])
def test_every_staff_role_reads_the_board(personas, login, order_today, persona):
    for url in ("/maintenance/", "/maintenance/week/"):
        assert order_today.reference in _body(login(getattr(personas, persona)).get(url))


@pytest.mark.parametrize("persona", ["contact", "outsider"])
def test_client_contacts_cannot_open_the_board(personas, login, order_today, persona):
    for url in ("/maintenance/", "/maintenance/week/"):
        response = login(getattr(personas, persona)).get(url)
        assert response.status_code == 403
        assert order_today.reference not in response.content.decode()


def test_the_board_asks_anonymous_visitors_to_log_in(client, order_today):
    response = client.get("/maintenance/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_navigation_links_to_maintenance(personas, login):
    assert 'href="/maintenance/"' in _body(login(personas.technician).get("/maintenance/week/"))
