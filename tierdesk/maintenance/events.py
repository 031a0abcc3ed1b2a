"""Audit events of maintenance: explicit calls from services, inside their transaction."""

from tierdesk.core.events import record


def schedule_updated_event(*, schedule, by, changes: dict):
    return record(action="schedule.updated", obj=schedule, by=by, changes=changes)


def workorder_item_event(*, work_order, by, item: dict):
    state = "ticked" if item["done"] else "unticked"
    return record(action="workorder.item", obj=work_order, by=by,
                  message=f'{state} "{item["label"]}"')


def workorder_completed_event(*, work_order, by):
    return record(action="workorder.completed", obj=work_order, by=by,
                  message=work_order.completion_note[:200])


def workorder_status_event(*, work_order, by, old: str, new: str, reason: str = ""):
    return record(action=f"workorder.{new}", obj=work_order, by=by, message=reason,
                  changes={"status": (old, new)})


def workorder_assigned_event(*, work_order, by, old, new):
    return record(action="workorder.assigned", obj=work_order, by=by,
                  changes={"assigned_to": (str(old or ""), str(new or ""))})


def workorder_evidence_event(*, work_order, by, evidence):
    return record(action="workorder.evidence", obj=work_order, by=by,
                  message=f"{evidence.original_name} ({evidence.size} bytes, "
                          f"sha256 {evidence.sha256[:12]}…)")


def calendar_feed_rotated_event(*, feed, by):
    return record(action="calendar_feed.rotated", obj=feed, by=by)


def workorder_overdue_event(*, work_order):
    return record(action="workorder.overdue", obj=work_order,
                  message="past its due time; the dispatchers were told")
