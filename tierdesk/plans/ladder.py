"""The tier ladder: measuring what a version offers, and warning when a higher tier offers
less than a lower one on any dimension.

Orders used (documented here because the warnings and the comparison sheet both rely on them):

* Coverage level: not covered < monitored < maintained < supported.
* Coverage hours: open hours per week from the calendar's weekly hours (24x7 = 168);
  holidays are ignored (they are a handful of days a year and would make weeks unequal).
* Help-desk allowance: sessions per month, None (unlimited) above any number; equal session
  counts are then compared by minutes per session.
* Audits: none < yearly < quarterly. Scheduled maintenance: without < with.
* Response targets, per priority and step (first response, on-site, resolution), from
  fastest to slowest: a target is keyed ``(minutes, kind)`` where wall-clock minutes rank
  before business minutes of the same count (business time only runs while the MSP is
  open, so it is never faster). "Same business day" is keyed as one business day
  (`SAME_DAY_MINUTES`, 8 hours) and ranks after every minutes target of up to that length
  and before every longer one. No promise at all is the slowest.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from tierdesk.plans.models import (
    AuditFrequency,
    Channel,
    CoverageLevel,
    Priority,
    TargetKind,
    WorkType,
)
from tierdesk.sla import Calendar, CalendarError

WEEK_MINUTES = 7 * 24 * 60
#: "Same business day" counts as this many business minutes when ranked against minutes.
SAME_DAY_MINUTES = 8 * 60
LEVEL_RANK = {level: i + 1 for i, level in enumerate(CoverageLevel.values)}
AUDIT_RANK = {AuditFrequency.NONE: 0, AuditFrequency.YEARLY: 1, AuditFrequency.QUARTERLY: 2}
KIND_RANK = {TargetKind.WALL: 0, TargetKind.BUSINESS: 1, TargetKind.SAME_DAY: 2}
TARGET_STEPS = (
    ("first_response_minutes", "first response"),
    ("onsite_minutes", "on-site arrival"),
    ("resolution_minutes", "resolution"),
)
NO_PROMISE = (float("inf"), 9)


def hours_per_week(hours: dict) -> float:
    """Open hours in a week of the calendar dict `hours` (overlaps count once; 24x7 = 168).
    An invalid calendar counts as 0."""
    try:
        week = Calendar.from_dict(hours).week
    except (CalendarError, TypeError):
        return 0.0
    # Lay every interval on one circular week of minutes (an overnight interval of Sunday
    # wraps into Monday), then merge.
    intervals = []
    for day_index, spans in enumerate(week):
        for span in spans:
            length = (span.end - span.start) if span.end > span.start else (
                span.end + 1440 - span.start)
            start = day_index * 1440 + span.start
            end = start + length
            if end > WEEK_MINUTES:
                intervals += [(start, WEEK_MINUTES), (0, end - WEEK_MINUTES)]
            else:
                intervals.append((start, end))
    total, current_end = 0, -1
    for start, end in sorted(intervals):
        if start > current_end:
            total += end - start
            current_end = end
        elif end > current_end:
            total += end - current_end
            current_end = end
    return total / 60


def is_24x7(hours: dict) -> bool:
    return hours_per_week(hours) >= 168


def target_key(target, step: str) -> tuple:
    """The sort key of one step of a target (see the module docstring): smaller is faster."""
    if target is None:
        return NO_PROMISE
    if step == "first_response_minutes" and target.kind == TargetKind.SAME_DAY:
        return (SAME_DAY_MINUTES, KIND_RANK[TargetKind.SAME_DAY])
    minutes = getattr(target, step)
    if minutes is None:
        return NO_PROMISE
    # On-site and resolution minutes of a same-day target count as business minutes.
    kind = TargetKind.BUSINESS if target.kind == TargetKind.SAME_DAY else target.kind
    return (minutes, KIND_RANK[kind])


def allowance_key(version) -> tuple:
    if version.helpdesk_sessions is None:
        return (float("inf"), float("inf"))
    return (version.helpdesk_sessions, version.helpdesk_session_minutes)


def tier_dominance_warnings(versions: Sequence) -> list[str]:
    """Warnings for every pair of `versions` (given lowest tier first) where the higher
    tier offers less than the lower one. Versions should be prefetched with coverage,
    targets and billing (see selectors.current_versions)."""
    warnings: list[str] = []
    for lower, higher in combinations(versions, 2):
        warnings += _pair_warnings(lower, higher)
    return warnings


def _pair_warnings(lower, higher) -> list[str]:
    lo, hi = lower.plan.name, higher.plan.name
    out = []

    missing = [c for c in lower.channels if c not in higher.channels]
    if missing:
        names = ", ".join(Channel(c).label for c in missing)
        out.append(f"{hi} does not offer the channel(s) {names} that {lo} offers")

    hi_levels = {row.service_id: row for row in higher.coverage.all()}
    for row in lower.coverage.all():
        other = hi_levels.get(row.service_id)
        if other is None:
            out.append(
                f"{hi} does not cover {row.service.name}, which {lo} covers "
                f"({row.get_level_display()})"
            )
        elif LEVEL_RANK[other.level] < LEVEL_RANK[row.level]:
            out.append(
                f"{hi} covers {row.service.name} at a lower level "
                f"({other.get_level_display()}) than {lo} ({row.get_level_display()})"
            )

    out += _target_warnings(lower, higher)

    lo_hours, hi_hours = hours_per_week(lower.hours), hours_per_week(higher.hours)
    if hi_hours < lo_hours:
        out.append(
            f"{hi} has fewer coverage hours per week ({hi_hours:g}) than {lo} ({lo_hours:g})"
        )

    if allowance_key(higher) < allowance_key(lower):
        if higher.helpdesk_sessions != lower.helpdesk_sessions:
            out.append(
                f"{hi} offers fewer help-desk sessions ({_sessions(higher)}) "
                f"than {lo} ({_sessions(lower)})"
            )
        else:
            out.append(
                f"{hi} offers shorter help-desk sessions ({higher.helpdesk_session_minutes} "
                f"min) than {lo} ({lower.helpdesk_session_minutes} min)"
            )

    hi_billing = {row.work_type: row for row in higher.billing.all()}
    for row in lower.billing.all():
        other = hi_billing.get(row.work_type)
        if not row.billable and other is not None and other.billable:
            out.append(
                f"{hi} bills {WorkType(row.work_type).label.lower()}, which {lo} includes"
            )

    if lower.scheduled_maintenance and not higher.scheduled_maintenance:
        out.append(f"{hi} does not include scheduled maintenance, which {lo} includes")
    if AUDIT_RANK[higher.network_audits] < AUDIT_RANK[lower.network_audits]:
        out.append(
            f"{hi} includes fewer network audits ({higher.get_network_audits_display()}) "
            f"than {lo} ({lower.get_network_audits_display()})"
        )
    return out


def _target_warnings(lower, higher) -> list[str]:
    lo, hi = lower.plan.name, higher.plan.name
    lo_targets = {t.priority: t for t in lower.targets.all()}
    hi_targets = {t.priority: t for t in higher.targets.all()}
    out = []
    for priority in Priority:
        a, b = lo_targets.get(priority), hi_targets.get(priority)
        if a is None:
            continue
        for step, step_label in TARGET_STEPS:
            key_lo, key_hi = target_key(a, step), target_key(b, step)
            if key_lo != NO_PROMISE and key_hi > key_lo:
                out.append(
                    f"{hi} has a slower {priority.value.upper()} {step_label} target "
                    f"({describe_step(b, step)}) than {lo} ({describe_step(a, step)})"
                )
    return out


def _sessions(version) -> str:
    return "unlimited" if version.helpdesk_sessions is None else str(version.helpdesk_sessions)


def format_minutes(minutes: int) -> str:
    """120 -> "2 h", 90 -> "1 h 30 min", 45 -> "45 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


def describe_step(target, step: str) -> str:
    """One step of a target in words: "4 h (business)", "same business day", "no promise"."""
    if target is None:
        return "no promise"
    if step == "first_response_minutes" and target.kind == TargetKind.SAME_DAY:
        if target.same_day_cutoff:
            return f"same business day (cutoff {target.same_day_cutoff:%H:%M})"
        return "same business day"
    minutes = getattr(target, step)
    if minutes is None:
        return "no promise"
    suffix = " wall clock" if target.kind == TargetKind.WALL else " business"
    return format_minutes(minutes) + suffix
