"""Schedules from the tier and work orders generated ahead: idempotence, roll-up, business
days, DST, tier change and end."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from tierdesk.catalog.models import MaintenanceTask
from tierdesk.clients.factories import ClientFactory, SiteFactory
from tierdesk.clients.models import AgreementStatus
from tierdesk.maintenance.calendars import client_days
from tierdesk.maintenance.factories import active_agreement
from tierdesk.maintenance.generation import workorders_generate
from tierdesk.maintenance.models import Schedule, WorkOrder, WorkOrderKind, WorkOrderStatus
from tierdesk.maintenance.services import workorder_complete

NY = ZoneInfo("America/New_York")


def test_platinum_gets_schedules_for_maintained_services_and_an_audit(platinum_acme):
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7)
    schedules = Schedule.objects.filter(agreement=platinum_acme, is_active=True)
    titles = set(schedules.values_list("title", flat=True))
    assert "Verify nightly backup job completed" in titles
    assert "Network audit (quarterly)" in titles
    # Mac tasks only for mixed Mac/PC offices; HIPAA items only in medical audits.
    assert "Verify Time Machine backups on Macs" not in titles
    audit = schedules.get(key="audit")
    assert not any("HIPAA" in item["section"] for item in audit.checklist)


def test_silver_has_no_scheduled_maintenance(tiers, acme):
    agreement = active_agreement(client=acme, version=tiers["silver"],
                                 start=dt.date(2026, 1, 5))
    result = workorders_generate(today=dt.date(2026, 2, 2), horizon_days=30)
    assert not Schedule.objects.filter(agreement=agreement).exists()
    assert result.created == 0


def test_segment_decides_mac_and_hipaa_tasks(tiers):
    mac = ClientFactory(name="Mac & PC Studio")
    medical = ClientFactory(name="Smile Dental")
    active_agreement(client=mac, version=tiers["platinum"], start=dt.date(2026, 1, 5),
                     segment_slug="mixed-mac-pc")
    active_agreement(client=medical, version=tiers["platinum"], start=dt.date(2026, 1, 5),
                     segment_slug="medical")
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7)
    assert Schedule.objects.filter(agreement__client=mac,
                                   title="Verify Time Machine backups on Macs").exists()
    audit = Schedule.objects.get(agreement__client=medical, key="audit")
    assert any("HIPAA" in item["section"] for item in audit.checklist)


def test_generating_twice_creates_nothing_new(platinum_acme):
    first = workorders_generate(today=dt.date(2026, 2, 2), horizon_days=30)
    keys = sorted(WorkOrder.objects.values_list("key", flat=True))
    second = workorders_generate(today=dt.date(2026, 2, 2), horizon_days=30)
    assert first.created > 20
    assert second.created == 0 and second.schedules_created == 0
    assert sorted(WorkOrder.objects.values_list("key", flat=True)) == keys


def test_daily_tasks_roll_up_into_one_checklist_per_business_day(platinum_acme):
    # 2026-02-02 is a Monday; the window covers Mon 2 .. Mon 9 February.
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7)
    dailies = WorkOrder.objects.filter(kind=WorkOrderKind.DAILY).order_by("due_on")
    assert [d.due_on for d in dailies] == [dt.date(2026, 2, d) for d in (2, 3, 4, 5, 6, 9)]
    monday, tuesday = dailies[5], dailies[1]
    daily_tasks = Schedule.objects.filter(agreement=platinum_acme, is_daily=True).count()
    # Saturday's and Sunday's occurrences fold into Monday's list without repeating items.
    assert len({i["key"] for i in monday.checklist}) == len(monday.checklist)
    assert {i["section"] for i in monday.checklist} == {i["section"] for i in tuesday.checklist}
    assert len({i["section"] for i in tuesday.checklist}) == daily_tasks


def test_an_occurrence_on_a_holiday_moves_to_the_next_business_day(platinum_acme):
    # "Apply third-party application updates" runs on Saturdays: it lands on Monday.
    # Christmas 2026 is a Friday: the weekly Friday task moves to Monday 28 December.
    workorders_generate(today=dt.date(2026, 12, 21), horizon_days=10)
    friday = WorkOrder.objects.get(title="Verify offsite backup replication",
                                   occurrence_on=dt.date(2026, 12, 25))
    assert friday.due_on == dt.date(2026, 12, 28)
    saturday = WorkOrder.objects.get(title="Apply third-party application updates",
                                     occurrence_on=dt.date(2026, 12, 26))
    assert saturday.due_on == dt.date(2026, 12, 28)
    assert not WorkOrder.objects.filter(due_on=dt.date(2026, 12, 25)).exists()


def test_work_is_planned_at_local_time_across_the_dst_change(platinum_acme):
    # New York falls back on Sunday 1 November 2026.
    workorders_generate(today=dt.date(2026, 10, 26), horizon_days=10)
    for day in (dt.date(2026, 10, 30), dt.date(2026, 11, 2)):
        order = WorkOrder.objects.get(kind=WorkOrderKind.DAILY, due_on=day)
        local = order.scheduled_at.astimezone(NY)
        assert (local.date(), local.hour, local.minute) == (day, 9, 0)
        assert order.due_at.astimezone(NY).hour == 18  # the MSP week closes at 18:00


def test_a_schedule_time_before_opening_starts_at_the_opening(platinum_acme):
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7)
    schedule = Schedule.objects.get(agreement=platinum_acme,
                                    title="Verify offsite backup replication")
    Schedule.objects.filter(pk=schedule.pk).update(local_time=dt.time(6, 0))
    WorkOrder.objects.all().delete()
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7, force=True)
    order = WorkOrder.objects.get(schedule=schedule)
    assert order.scheduled_at.astimezone(NY).time() == dt.time(8, 0)


def test_a_ten_year_horizon_is_refused_naming_the_field(platinum_acme):
    with pytest.raises(ValidationError) as exc:
        workorders_generate(today=dt.date(2026, 2, 2), horizon_days=3650)
    assert "horizon_days" in exc.value.message_dict
    assert not WorkOrder.objects.exists()


def test_ending_the_agreement_cancels_future_open_work_and_keeps_done_work(
        platinum_acme, personas):
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=30)
    done = WorkOrder.objects.filter(kind=WorkOrderKind.DAILY).order_by("due_on").last()
    for item in done.checklist:
        item["done"] = True
    done.save()
    workorder_complete(work_order=done, by=personas.technician)
    platinum_acme.status = AgreementStatus.ENDED
    platinum_acme.end_date = dt.date(2026, 2, 10)
    platinum_acme.save()

    result = workorders_generate(today=dt.date(2026, 2, 3), horizon_days=30)
    assert result.cancelled > 0
    open_after = WorkOrder.objects.filter(status=WorkOrderStatus.SCHEDULED,
                                          due_on__gte=dt.date(2026, 2, 3))
    assert not open_after.exists()
    done.refresh_from_db()
    assert done.status == WorkOrderStatus.DONE


def test_a_tier_change_moves_future_work_to_the_new_agreement(platinum_acme, tiers):
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=30)
    platinum_acme.status = AgreementStatus.ENDED
    platinum_acme.end_date = dt.date(2026, 2, 14)
    platinum_acme.save()
    gold = active_agreement(client=platinum_acme.client, version=tiers["gold"],
                            start=dt.date(2026, 2, 15))
    gold.replaces = platinum_acme
    gold.save()

    workorders_generate(today=dt.date(2026, 2, 3), horizon_days=30)
    old_future = WorkOrder.objects.filter(agreement=platinum_acme,
                                          due_on__gt=dt.date(2026, 2, 14))
    assert old_future.exclude(status=WorkOrderStatus.CANCELLED).count() == 0
    new = WorkOrder.objects.filter(agreement=gold)
    assert new.exists() and new.earliest("due_on").due_on >= dt.date(2026, 2, 16)
    # Gold audits yearly, not quarterly.
    assert Schedule.objects.get(agreement=gold, key="audit").rrule == "FREQ=YEARLY"


def test_work_orders_of_a_client_abroad_follow_its_own_zone(tiers):
    london = ClientFactory(name="Thames Legal", timezone="Europe/London")
    SiteFactory(client=london)
    active_agreement(client=london, version=tiers["platinum"], start=dt.date(2026, 1, 5))
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=3)
    order = WorkOrder.objects.filter(kind=WorkOrderKind.DAILY).first()
    assert order.scheduled_at.astimezone(ZoneInfo("Europe/London")).hour == 9
    assert order.site is not None


def test_every_work_order_is_due_on_an_open_business_day(platinum_acme):
    workorders_generate(today=dt.date(2026, 12, 1), horizon_days=60)
    days = client_days(platinum_acme.client)
    orders = list(WorkOrder.objects.all())
    assert len(orders) > 50
    for order in orders:
        bday = days.get(order.due_on)
        assert bday is not None, order.due_on
        assert days.calendar.is_open(order.scheduled_at)
        assert bday.opens <= order.scheduled_at.timestamp() < bday.closes


def test_a_catalog_task_switched_off_is_seen_by_the_daily_rerun(platinum_acme):
    # The rerun skips agreements by their mark; the catalog is part of what it digests.
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=30)
    schedule = Schedule.objects.get(agreement=platinum_acme,
                                    title="Verify offsite backup replication")
    assert WorkOrder.objects.filter(schedule=schedule, status=WorkOrderStatus.SCHEDULED).exists()
    MaintenanceTask.objects.filter(pk=schedule.task_id).update(is_active=False)

    result = workorders_generate(today=dt.date(2026, 2, 2), horizon_days=30)
    assert result.skipped == 0 and result.schedules_deactivated == 1
    schedule.refresh_from_db()
    assert not schedule.is_active
    assert not WorkOrder.objects.filter(schedule=schedule,
                                        status=WorkOrderStatus.SCHEDULED).exists()
    assert workorders_generate(today=dt.date(2026, 2, 2), horizon_days=30).skipped == 1
