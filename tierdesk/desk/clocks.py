"""A ticket's SLA clocks: the snapshot taken at opening, due times, warning instants, and
what the sweep must look at next. Everything here is computation on `tierdesk.sla`; the
writes are in services.py and sweeps.py.

Snapshot (Ticket.sla_calendar / Ticket.sla_targets), taken when the ticket opens::

    sla_calendar = plan_version.hours                       # the tier's coverage hours
    sla_targets = {"first_response": {"kind": "business", "minutes": 240, "cutoff": None},
                   "onsite": {...},          # only when the ticket needs on-site work
                   "resolution": {...}}      # a step without a promise is absent

Kinds: "business" counts minutes on the snapshot calendar; "wall" counts plain minutes
(24x7 in the calendar's zone); "same_day" is due at the close of the business day of the
opening (of the next business day after `cutoff`, local time). A same-day ResponseTarget
has no minutes: its first response is "same_day"; its on-site and resolution steps, when
they have minutes, count them as business minutes.

Rules:
* Due time = the target's budget added to `opened_at` on the target's calendar, not counting
  the pauses. Only the resolution clock pauses (pausing statuses, and time spent resolved
  before a reopen); first response and on-site arrival never do.
* A same-day budget is the business time between opening and that close, so pauses and
  warning fractions work on it like on any other budget.
* Warning at fraction f = the instant when f of the budget has elapsed, same calendar,
  same pauses. Thresholds are labelled "0.75", "0.9", "breach" (the due time) and, for
  on-site, "drive" (the due time minus the site's drive minutes: from then on the drive
  alone is longer than what is left).
* `sla_check_at` = the earliest threshold of a pending step the sweep has not been told
  is done; `urgency_due_at` = the earliest pending due time (queue order).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from tierdesk.sla import Calendar

TARGETS = ("first_response", "onsite", "resolution")
TARGET_LABELS = {"first_response": "First response", "onsite": "On-site arrival",
                 "resolution": "Resolution"}
DEFAULT_WARN_FRACTIONS = (0.75, 0.9)


def warn_fractions() -> tuple[float, ...]:
    """Configured warning fractions (TIERDESK_SLA_WARN_FRACTIONS), sorted, each in (0, 1)."""
    raw = getattr(settings, "TIERDESK_SLA_WARN_FRACTIONS", DEFAULT_WARN_FRACTIONS)
    return tuple(sorted(float(f) for f in raw if 0 < float(f) < 1))


def fraction_label(fraction: float) -> str:
    return f"{fraction:g}"


# Calendars ------------------------------------------------------------------------------
# Building a Calendar validates it and lays out two years of open intervals, so calendars
# are cached by their JSON form: the queue shows 50 rows that mostly share a few tiers.

@lru_cache(maxsize=256)
def _calendar_from_json(key: str) -> Calendar:
    return Calendar.from_dict(json.loads(key))


def calendar_from_snapshot(snapshot: dict | None) -> Calendar | None:
    if not snapshot:
        return None
    return _calendar_from_json(json.dumps(snapshot, sort_keys=True))


@lru_cache(maxsize=64)
def _always(tz_key: str) -> Calendar:
    return Calendar.always(tz_key)


def target_calendar(cal: Calendar, spec: dict) -> Calendar:
    """The calendar a target's time counts on: wall-clock targets on 24x7 in cal's zone."""
    return _always(cal.tz.key) if spec.get("kind") == "wall" else cal


# Snapshot -------------------------------------------------------------------------------

def target_snapshot(response_target, *, needs_onsite: bool) -> dict:
    """The `sla_targets` dict for a plans.ResponseTarget (or {} when there is none)."""
    if response_target is None:
        return {}
    rt = response_target
    cutoff = rt.same_day_cutoff.strftime("%H:%M") if rt.same_day_cutoff else None
    step_kind = "business" if rt.kind == "same_day" else rt.kind
    targets: dict[str, dict] = {}
    if rt.kind == "same_day":
        targets["first_response"] = {"kind": "same_day", "minutes": None, "cutoff": cutoff}
    elif rt.first_response_minutes is not None:
        targets["first_response"] = {"kind": rt.kind, "minutes": rt.first_response_minutes,
                                     "cutoff": None}
    if needs_onsite and rt.onsite_minutes is not None:
        targets["onsite"] = {"kind": step_kind, "minutes": rt.onsite_minutes, "cutoff": None}
    if rt.resolution_minutes is not None:
        targets["resolution"] = {"kind": step_kind, "minutes": rt.resolution_minutes,
                                 "cutoff": None}
    return targets


# Due-time math --------------------------------------------------------------------------

def budget(cal: Calendar, opened_at: dt.datetime, spec: dict) -> dt.timedelta:
    """The open time a target allows, on target_calendar(cal, spec)."""
    if spec["kind"] == "same_day":
        cutoff = dt.time.fromisoformat(spec["cutoff"]) if spec.get("cutoff") else None
        return cal.business_time(opened_at, cal.end_of_business_day(opened_at, cutoff))
    return dt.timedelta(minutes=spec["minutes"])


def due_at(cal: Calendar, opened_at: dt.datetime, spec: dict, paused=()) -> dt.datetime:
    return target_calendar(cal, spec).add(opened_at, budget(cal, opened_at, spec), paused)


def fraction_at(cal: Calendar, opened_at: dt.datetime, spec: dict, fraction: float,
                paused=()) -> dt.datetime:
    """When `fraction` of the target's budget has elapsed (same calendar, same pauses)."""
    part = budget(cal, opened_at, spec) * fraction
    return target_calendar(cal, spec).add(opened_at, part, paused)


@dataclass(frozen=True)
class Threshold:
    target: str      # first_response / onsite / resolution
    label: str       # "0.75", "0.9", "breach", "drive"
    at: dt.datetime


@dataclass
class ClockState:
    """What a ticket's clocks say now: the values services write onto the ticket."""

    first_response_due_at: dt.datetime | None
    onsite_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    thresholds: list[Threshold]

    def due(self, target: str) -> dt.datetime | None:
        return getattr(self, f"{target}_due_at")


def compute(*, calendar: dict | None, targets: dict, opened_at: dt.datetime,
            paused: list[tuple[dt.datetime, dt.datetime]], drive_minutes: int | None = None
            ) -> ClockState:
    """Due times and every threshold instant of every target in the snapshot."""
    cal = calendar_from_snapshot(calendar)
    state = ClockState(None, None, None, [])
    if cal is None:
        return state
    fractions = warn_fractions()
    for name in TARGETS:
        spec = targets.get(name)
        if not spec:
            continue
        pauses = paused if name == "resolution" else ()
        # due_at and fraction_at, sharing one budget (a same-day target's is a walk over
        # the calendar to the close of business).
        counted, allowed = target_calendar(cal, spec), budget(cal, opened_at, spec)
        due = counted.add(opened_at, allowed, pauses)
        setattr(state, f"{name}_due_at", due)
        for f in fractions:
            state.thresholds.append(
                Threshold(name, fraction_label(f), counted.add(opened_at, allowed * f, pauses))
            )
        state.thresholds.append(Threshold(name, "breach", due))
        if name == "onsite" and drive_minutes:
            state.thresholds.append(
                Threshold(name, "drive", due - dt.timedelta(minutes=drive_minutes))
            )
    return state


def pending_targets(ticket) -> set[str]:
    """The steps still owed on an open ticket. Resolution is not pending while paused."""
    if not ticket.is_open:
        return set()
    pending = set()
    if ticket.first_response_due_at and ticket.first_responded_at is None:
        pending.add("first_response")
    if ticket.onsite_due_at and ticket.onsite_arrived_at is None:
        pending.add("onsite")
    if ticket.resolution_due_at and ticket.paused_at is None:
        pending.add("resolution")
    return pending


def breached(ticket, target: str) -> bool:
    return bool(getattr(ticket, f"{target}_breached"))


def next_check(ticket, thresholds: list[Threshold], *, after: dt.datetime | None = None
               ) -> dt.datetime | None:
    """The next instant the sweep must look at `ticket`: the earliest threshold of a pending,
    not yet breached step (later than `after` when given). A breached step has nothing
    left to announce."""
    pending = {t for t in pending_targets(ticket) if not breached(ticket, t)}
    instants = [th.at for th in thresholds
                if th.target in pending and (after is None or th.at > after)]
    return min(instants, default=None)


def urgency(ticket) -> dt.datetime | None:
    """The earliest due time of a pending step (the queue's ordering key)."""
    dues = [getattr(ticket, f"{t}_due_at") for t in pending_targets(ticket)]
    return min((d for d in dues if d), default=None)


# Display --------------------------------------------------------------------------------

def format_minutes(delta: dt.timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 60 * 24)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


def countdown(*, calendar: dict | None, spec: dict | None, due: dt.datetime | None,
              now: dt.datetime, paused: bool = False) -> str:
    """"2h 14m business left", "overdue 35m", "paused": the queue's countdown text, on the
    snapshot calendar (no database access)."""
    cal = calendar_from_snapshot(calendar)
    if cal is None or due is None or spec is None:
        return ""
    if paused:
        return "paused"
    tcal = target_calendar(cal, spec)
    word = "left" if spec.get("kind") == "wall" else "business left"
    if now < due:
        return f"{format_minutes(tcal.business_time(now, due))} {word}"
    return f"overdue {format_minutes(now - due)}"
