"""Reads of maintenance for the staff pages: the technicians' board (today / this week,
grouped by client and site), a work order's checklist by section, the services its time is
logged against, and an agreement's schedules.

"Today" is the client's today: a London client's work orders move to the next day five
hours before a New York client's do. Each client zone present is asked once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from itertools import groupby
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q, QuerySet

from tierdesk.catalog.models import MaintenanceTask, Service
from tierdesk.clients.models import Client
from tierdesk.core import clock
from tierdesk.core.models import User
from tierdesk.maintenance.models import Schedule, WorkOrder, WorkOrderStatus

OPEN_STATUSES = (WorkOrderStatus.SCHEDULED, WorkOrderStatus.MISSED)
PERIODS = ("today", "week")
#: The board shows at most this many work orders; filters narrow it.
BOARD_LIMIT = 500


def overdue_q(now: dt.datetime) -> Q:
    """Open work orders past the close of their due day."""
    return Q(status__in=OPEN_STATUSES, due_at__lt=now)


def period_window(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The local dates of "today" or "this week" (Monday to Sunday) around `today`."""
    if period == "week":
        monday = today - dt.timedelta(days=today.weekday())
        return monday, monday + dt.timedelta(days=6)
    return today, today


def _window_q(period: str, now: dt.datetime) -> Q:
    zones = Client.objects.order_by().values_list("timezone", flat=True).distinct()
    window = Q(pk__in=[])
    for zone in zones:
        first, last = period_window(period, now.astimezone(ZoneInfo(zone)).date())
        window |= Q(client__timezone=zone, due_on__range=(first, last))
    return window


@dataclass
class BoardGroup:
    """The work orders of one client site on the board."""

    client: Client
    site: object
    orders: list[WorkOrder] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for o in self.orders if o.overdue)


@dataclass
class Board:
    groups: list[BoardGroup]
    total: int
    overdue: int
    truncated: bool


def workorder_board(*, user, period: str, now: dt.datetime, who: str = "all",
                    kind: str = "", overdue_only: bool = False) -> Board:
    """The work orders due in the period (the client's today or this week), plus every
    open one that is overdue, grouped by client · site; cancelled ones are left out.
    `who`: "mine", "unassigned" or "all"."""
    late = overdue_q(now)
    orders = WorkOrder.objects.exclude(status=WorkOrderStatus.CANCELLED)
    orders = orders.filter(late if overdue_only else (_window_q(period, now) | late))
    if who == "mine":
        orders = orders.filter(assigned_to=user)
    elif who == "unassigned":
        orders = orders.filter(assigned_to__isnull=True)
    if kind:
        orders = orders.filter(kind=kind)
    rows = list(orders.select_related("client", "site", "assigned_to")
                .order_by("client__name", "client_id", "site__name", "site_id",
                          "scheduled_at", "id")[:BOARD_LIMIT + 1])
    truncated = len(rows) > BOARD_LIMIT
    rows = rows[:BOARD_LIMIT]
    groups = []
    for _key, members in groupby(rows, key=lambda o: (o.client_id, o.site_id)):
        members = list(members)
        for order in members:
            order.overdue = order.is_overdue(now)
        groups.append(BoardGroup(client=members[0].client, site=members[0].site,
                                 orders=members))
    return Board(groups=groups, total=len(rows),
                 overdue=sum(g.overdue for g in groups), truncated=truncated)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    done: bool
    done_at: dt.datetime | None
    done_by: str
    note: str


def checklist_sections(work_order: WorkOrder) -> list[tuple[str, list[ChecklistItem]]]:
    """The checklist grouped by section, in the stored order; `done_at` is in the client's
    zone and `done_by` a name."""
    zone = ZoneInfo(work_order.client.timezone)
    user_ids = {i.get("done_by") for i in work_order.checklist if i.get("done_by")}
    names = {u.pk: (u.get_full_name() or u.username)
             for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    sections: dict[str, list[ChecklistItem]] = {}
    for item in work_order.checklist:
        done_at = item.get("done_at")
        sections.setdefault(item.get("section") or work_order.title, []).append(ChecklistItem(
            key=item["key"], label=item["label"], done=bool(item.get("done")),
            done_at=(dt.datetime.fromisoformat(done_at).astimezone(zone) if done_at
                     else None),
            done_by=names.get(item.get("done_by"), ""), note=item.get("note") or ""))
    return list(sections.items())


#: Checklist item keys name the catalog task they came from: "t<task id>-<n>" (audit items
#: are "audit-<n>"; their sections are the audit tasks' titles).
_ITEM_TASK = re.compile(r"^t(\d+)-\d+$")


def workorder_services(work_order: WorkOrder) -> list[Service]:
    """The catalog services the work order's time is spent on: each task's service for
    maintenance and daily checklists (items say which task they came from), the audit
    tasks' services for an audit. Time logged on the work order is classified by these."""
    task_ids = {int(m.group(1)) for item in work_order.checklist
                if (m := _ITEM_TASK.match(item.get("key", "")))}
    if work_order.schedule_id and work_order.schedule.task_id:
        task_ids.add(work_order.schedule.task_id)
    tasks = MaintenanceTask.objects.filter(pk__in=task_ids)
    if not task_ids:
        # An audit's checklist gathers the segment's audit tasks, one section each.
        sections = {item.get("section") for item in work_order.checklist}
        tasks = MaintenanceTask.objects.filter(is_audit=True, title__in=sections)
    services = {t.service_id: t.service for t in tasks.select_related("service")}
    return sorted(services.values(), key=lambda s: s.name)


def schedule_list_for_agreement(agreement) -> QuerySet[Schedule]:
    """The agreement's schedules (active first) with the next open work order's date and
    how many open ones are planned."""
    today = clock.now().astimezone(ZoneInfo(agreement.client.timezone)).date()
    upcoming = Q(work_orders__status=WorkOrderStatus.SCHEDULED,
                 work_orders__due_on__gte=today)
    return (Schedule.objects.filter(agreement=agreement).select_related("task__service")
            .annotate(next_due=Min("work_orders__due_on", filter=upcoming),
                      planned=Count("work_orders", filter=upcoming))
            .order_by("-is_active", "kind", "title"))


def workorder_list_for_agreement(agreement, *, limit: int = 20) -> list[WorkOrder]:
    """The agreement's coming open work orders (daily checklists included)."""
    today = clock.now().astimezone(ZoneInfo(agreement.client.timezone)).date()
    return list(WorkOrder.objects.filter(agreement=agreement, due_on__gte=today,
                                         status=WorkOrderStatus.SCHEDULED)
                .order_by("due_on", "scheduled_at")[:limit])
