"""When a schedule's recurrence fires, and the work orders a set of schedules asks for in a
window — computation only, no database. generation.py writes what this plans.

Plans are plain tuples in WORK_ORDER_COLUMNS order (core.bulk.flat expands their shared
fragment), because a run plans ~440,000 of them for 10,000 agreements and model instances
would cost more than the database's work.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from dateutil.rrule import rrulestr

from tierdesk.catalog.models import Delivery
from tierdesk.core.bulk import Fragment
from tierdesk.maintenance.calendars import BusinessDays, closes_at

#: Occurrences up to this many days before the window may land inside it (a long closure).
LOOKBEHIND_DAYS = 14

#: The work-order columns generation writes, in the order of a planned row.
WORK_ORDER_COLUMNS = (
    "agreement_id", "client_id", "site_id", "schedule_id", "kind", "key", "title",
    "occurrence_on", "due_on", "scheduled_at", "due_at", "estimated_minutes", "delivery",
    "checklist", "items_total", "items_done", "status", "completion_note", "findings",
    "created_at", "updated_at",
)
KEY_AT = WORK_ORDER_COLUMNS.index("key")  # in a flat row (core.bulk.flat)


@dataclass(frozen=True, eq=False)
class PlannedSchedule:
    """What planning needs of a Schedule row."""

    pk: int
    key: str  # Schedule.key: "task:<id>" or "audit", the same for every agreement
    kind: str
    title: str
    rrule: str
    local_time: dt.time
    estimated_minutes: int
    delivery: str
    checklist_json: str  # the work-order items, dumped once per distinct checklist
    items: tuple
    is_daily: bool

    @property
    def signature(self) -> tuple:
        """Everything planning reads but the row id: equal signatures plan equal rows."""
        return (self.key, self.kind, self.title, self.rrule, self.local_time,
                self.estimated_minutes, self.delivery, self.checklist_json, self.is_daily)


def schedule_items(item_prefix: str, title: str, checklist: list[dict]) -> list[dict]:
    """The work-order checklist items of a schedule, keyed "<prefix>-<n>" where the prefix
    names the catalog task ("t12") or the audit — stable across agreements, so the items
    of a daily list say which task each came from."""
    entries = checklist or [{"section": title, "label": title}]
    return [{"key": f"{item_prefix}-{i}", "section": e["section"], "label": e["label"],
             "done": False, "done_at": None, "done_by": None, "note": ""}
            for i, e in enumerate(entries)]


_items_cache: dict[tuple, tuple[str, tuple]] = {}


def planned_schedule(pk, kind, key, title, rrule, local_time, minutes, delivery, checklist,
                     is_daily) -> PlannedSchedule:
    """`checklist` is the schedule's items as stored JSON text; the dumped work-order items
    are cached by it, as 10,000 agreements share a few hundred distinct checklists."""
    prefix = "audit" if key == "audit" else "t" + key.removeprefix("task:")
    cache_key = (prefix, title, checklist)
    if cache_key not in _items_cache:
        if len(_items_cache) > 20_000:
            _items_cache.clear()
        items = schedule_items(prefix, title, json.loads(checklist) if checklist else [])
        _items_cache[cache_key] = (json.dumps(items), tuple(items))
    dumped, items = _items_cache[cache_key]
    return PlannedSchedule(pk, key, kind, title, rrule, local_time, minutes, delivery, dumped,
                           items, is_daily)


# -- recurrence ------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _anchor_free(rrule: str) -> bool:
    """True when the rule's dates do not depend on its start beyond starting there: no
    COUNT, INTERVAL 1, and the BY-parts pin the day (a bare FREQ=WEEKLY repeats the start's
    weekday; a bare FREQ=YEARLY its anniversary)."""
    parts = dict(p.split("=", 1) for p in rrule.upper().split(";") if "=" in p)
    if "COUNT" in parts or parts.get("INTERVAL", "1") != "1":
        return False
    freq = parts.get("FREQ")
    if freq == "DAILY":
        return True
    if freq == "WEEKLY":
        return "BYDAY" in parts
    if freq == "MONTHLY":
        return "BYMONTHDAY" in parts or "BYDAY" in parts
    if freq == "YEARLY":
        return "BYMONTH" in parts and ("BYMONTHDAY" in parts or "BYDAY" in parts)
    return False


def occurrence_dates(rrule: str, anchor: dt.date, first: dt.date, last: dt.date
                     ) -> tuple[dt.date, ...]:
    """The local dates in [first, last] (and not before `anchor`) on which `rrule`,
    started at `anchor`, fires."""
    lo = max(first, anchor)
    if lo > last:
        return ()
    if _anchor_free(rrule):
        # Every agreement shares the window: one evaluation per rule, whatever the anchor.
        return tuple(d for d in _dates(rrule, first, first, last) if d >= lo)
    return _dates(rrule, anchor, lo, last)


@lru_cache(maxsize=65_536)
def _dates(rrule: str, anchor: dt.date, lo: dt.date, hi: dt.date) -> tuple[dt.date, ...]:
    rule = rrulestr(rrule, dtstart=dt.datetime.combine(anchor, dt.time()), ignoretz=True,
                    cache=False)
    return tuple(d.date() for d in rule.between(dt.datetime.combine(lo, dt.time()),
                                                dt.datetime.combine(hi, dt.time()), inc=True))


# -- planning --------------------------------------------------------------------------------

@dataclass(frozen=True)
class AgreementWindow:
    """One agreement as planning sees it."""

    agreement_id: int
    client_id: int
    site_id: int | None
    start_date: dt.date
    first: dt.date
    last: dt.date


def plan(agreement: AgreementWindow, schedules: list[PlannedSchedule], days: BusinessDays,
         now: dt.datetime) -> list[tuple]:
    """The work-order rows (WORK_ORDER_COLUMNS) the schedules ask for in the window.

    Non-daily occurrences are keyed by schedule and the date the rule gave
    ("task:12:2026-12-07"), so a moved occurrence keeps its identity; daily ones by the
    business day they land on ("daily:2026-12-07"), so Saturday's and Sunday's fold into
    Monday's single list. The rows of rules that do not depend on the agreement's start
    are planned once per (schedules, calendar, window) and shared: 10,000 agreements on a
    handful of tiers, segments and zones need a few dozen plans, not 10,000.
    """
    if agreement.first > agreement.last:
        return []
    free = [s for s in schedules if _anchor_free(s.rrule)]
    bound = [s for s in schedules if not _anchor_free(s.rrule)]
    if any(s.is_daily for s in bound):  # a daily list must be planned as a whole
        free, bound = [], schedules
    since = max(agreement.first - dt.timedelta(days=LOOKBEHIND_DAYS), agreement.start_date)
    planned = list(_shared_plan(tuple(s.signature for s in free), days, since,
                                agreement.first, agreement.last)) if free else []
    if bound:
        planned += _plan(bound, days, agreement.start_date, since, agreement.first,
                         agreement.last)
    ids = {s.key: s.pk for s in schedules}
    head = (agreement.agreement_id, agreement.client_id, agreement.site_id)
    return [(*head, ids.get(schedule_key), values, now, now)
            for schedule_key, values in planned]


def row_key(row: tuple) -> str:
    """The work-order key of a planned row."""
    return row[4][1]


@lru_cache(maxsize=4096)
def _shared_plan(signatures: tuple, days: BusinessDays, since: dt.date, first: dt.date,
                 last: dt.date) -> tuple:
    # Row ids are the agreement's own: plan() maps schedule keys to them.
    schedules = [PlannedSchedule(0, *sig[:8], tuple(json.loads(sig[7])), sig[8])
                 for sig in signatures]
    return tuple(_plan(schedules, days, since, since, first, last))


def _plan(schedules: list[PlannedSchedule], days: BusinessDays, anchor: dt.date,
          since: dt.date, first: dt.date, last: dt.date) -> list[tuple]:
    """(schedule key, Fragment of the columns kind .. findings) per work order in the
    window; the schedule key is None for daily lists. The fragments of shared plans are
    the same objects for every agreement, so the COPY formats each once."""
    rows: list[tuple] = []
    daily: dict[dt.date, list[PlannedSchedule]] = defaultdict(list)
    for s in schedules:
        for occurrence in occurrence_dates(s.rrule, anchor, since, last):
            bday = days.on_or_after(occurrence)
            if not first <= bday.day <= last:
                continue
            if s.is_daily:
                group = daily[bday.day]
                if s not in group:
                    group.append(s)
                continue
            rows.append((s.key, Fragment((
                "audit" if s.kind == "audit" else "maintenance",
                f"{s.key}:{occurrence.isoformat()}", s.title, occurrence, bday.day,
                days.planned_at(bday, s.local_time), closes_at(bday), s.estimated_minutes,
                s.delivery, s.checklist_json, len(s.items), 0, "scheduled", "", ""))))
    for day, group in sorted(daily.items()):
        bday = days.get(day)
        rows.append((None, Fragment((
            "daily", f"daily:{day.isoformat()}", "Daily checklist", day, day,
            days.planned_at(bday, min(s.local_time for s in group)), closes_at(bday),
            sum(s.estimated_minutes for s in group),
            (Delivery.ONSITE if any(s.delivery == Delivery.ONSITE for s in group)
             else Delivery.REMOTE),
            json.dumps([item for s in group for item in s.items]),
            sum(len(s.items) for s in group), 0, "scheduled", "", ""))))
    return rows
