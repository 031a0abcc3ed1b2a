"""Working on work orders and schedules: bad input gets a clear error and changes nothing."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError

from tierdesk.maintenance.generation import workorders_generate
from tierdesk.maintenance.models import Schedule, WorkOrder, WorkOrderKind, WorkOrderStatus
from tierdesk.maintenance.services import (
    schedule_update,
    workorder_attach,
    workorder_complete,
    workorder_item_set,
    workorder_transition,
)


@pytest.fixture
def daily(platinum_acme, settings):
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7)
    return WorkOrder.objects.filter(kind=WorkOrderKind.DAILY).order_by("due_on").first()


def _tick_all(order, by):
    for item in order.checklist:
        order = workorder_item_set(work_order=order, item_key=item["key"], done=True, by=by)
    return order


def test_ticking_an_item_records_who_and_when(daily, personas):
    key = daily.checklist[0]["key"]
    order = workorder_item_set(work_order=daily, item_key=key, done=True,
                               by=personas.technician, note="all green")
    item = next(i for i in order.checklist if i["key"] == key)
    assert item["done"] and item["done_by"] == personas.technician.pk
    assert item["note"] == "all green" and item["done_at"]
    assert WorkOrder.objects.get(pk=daily.pk).done_count == 1


def test_an_item_that_no_longer_exists_is_refused_naming_it(daily, personas):
    before = WorkOrder.objects.get(pk=daily.pk).checklist
    with pytest.raises(ValidationError) as exc:
        workorder_item_set(work_order=daily, item_key="t999-7", done=True,
                           by=personas.technician)
    assert "t999-7" in exc.value.message_dict["item"][0]
    assert WorkOrder.objects.get(pk=daily.pk).checklist == before


def test_completing_with_unticked_items_needs_a_note(daily, personas):
    with pytest.raises(ValidationError) as exc:
        workorder_complete(work_order=daily, by=personas.technician)
    assert "note" in exc.value.message_dict
    assert WorkOrder.objects.get(pk=daily.pk).status == WorkOrderStatus.SCHEDULED
    order = workorder_complete(work_order=daily, by=personas.technician,
                               note="Backups portal down; checked by phone")
    assert order.status == WorkOrderStatus.DONE


def test_completing_twice_is_refused_with_who_did_it(daily, personas):
    _tick_all(daily, personas.technician)
    workorder_complete(work_order=daily, by=personas.technician)
    with pytest.raises(ValidationError) as exc:
        workorder_complete(work_order=daily, by=personas.dispatcher)
    message = exc.value.message_dict["status"][0]
    assert "already done" in message and "technician" in message
    order = WorkOrder.objects.get(pk=daily.pk)
    assert order.completed_by == personas.technician


def test_a_missed_work_order_can_still_be_done_but_not_cancelled(daily, personas):
    workorder_transition(work_order=daily, to=WorkOrderStatus.MISSED, by=personas.dispatcher)
    with pytest.raises(ValidationError):
        workorder_transition(work_order=daily, to=WorkOrderStatus.CANCELLED,
                             by=personas.dispatcher)
    _tick_all(WorkOrder.objects.get(pk=daily.pk), personas.technician)
    order = workorder_complete(work_order=daily, by=personas.technician)
    assert order.status == WorkOrderStatus.DONE


def test_evidence_is_stored_with_its_hash_and_a_size_limit(daily, personas, settings):
    evidence = workorder_attach(work_order=daily, name="backup-report.txt",
                                content=b"all jobs ok", by=personas.technician)
    assert evidence.sha256 == hashlib.sha256(b"all jobs ok").hexdigest()
    assert evidence.size == 11
    assert evidence.file.read() == b"all jobs ok"
    settings.TIERDESK_EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        workorder_attach(work_order=daily, name="big.bin", content=b"x" * 11,
                         by=personas.technician)
    assert "limit" in exc.value.message_dict["file"][0]
    assert daily.evidence.count() == 1


@pytest.mark.parametrize("rrule, message", [
    ("FREQ=SECONDLY", "FREQ=DAILY"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never fires"),
    ("FREQ=WEEKLY;BYDAY=XX", "not a valid RRULE"),
])
def test_a_rule_that_never_fires_or_fires_too_often_is_refused(platinum_acme, personas,
                                                               rrule, message):
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7)
    schedule = Schedule.objects.filter(agreement=platinum_acme, is_daily=False).first()
    before = (schedule.rrule, WorkOrder.objects.count())
    with pytest.raises(ValidationError) as exc:
        schedule_update(schedule=schedule, by=personas.dispatcher, rrule=rrule)
    assert message in " ".join(exc.value.message_dict["rrule"])
    schedule.refresh_from_db()
    assert (schedule.rrule, WorkOrder.objects.count()) == before


@pytest.mark.parametrize("minutes", [0, -15])
def test_zero_or_negative_minutes_are_refused(platinum_acme, personas, minutes):
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7)
    schedule = Schedule.objects.filter(agreement=platinum_acme).first()
    with pytest.raises(ValidationError) as exc:
        schedule_update(schedule=schedule, by=personas.dispatcher, estimated_minutes=minutes)
    assert "at least 1" in exc.value.message_dict["estimated_minutes"][0]
    assert Schedule.objects.get(pk=schedule.pk).estimated_minutes == schedule.estimated_minutes


def test_changing_a_rule_replans_the_future_and_keeps_done_work(platinum_acme, personas):
    today = dt.date.today()
    workorders_generate(today=today, horizon_days=30)
    schedule = Schedule.objects.get(agreement=platinum_acme,
                                    title="Verify offsite backup replication")
    done = WorkOrder.objects.filter(schedule=schedule).order_by("due_on").first()
    _tick_all(done, personas.technician)
    workorder_complete(work_order=done, by=personas.technician)

    schedule_update(schedule=schedule, by=personas.dispatcher, rrule="FREQ=WEEKLY;BYDAY=WE")
    open_orders = WorkOrder.objects.filter(schedule=schedule, status=WorkOrderStatus.SCHEDULED)
    assert open_orders.exists()
    assert {o.occurrence_on.weekday() for o in open_orders} == {2}
    assert WorkOrder.objects.get(pk=done.pk).status == WorkOrderStatus.DONE
