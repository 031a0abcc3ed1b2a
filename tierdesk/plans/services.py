"""Writes to tiers. `plan_version_save` is the one way a tier's entitlements change.

A version that an agreement refers to is frozen: saving then creates the next version and
leaves the old one, and the agreement, untouched. A version nobody uses yet is edited in
place, so drafting a tier does not leave a trail of throwaway versions. A save that changes
nothing writes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from tierdesk.catalog.models import Service
from tierdesk.plans import events
from tierdesk.plans.entitlements import BILLING_FIELDS, TARGET_FIELDS, Entitlements, Target
from tierdesk.plans.models import (
    BillingRule,
    Channel,
    CoveredService,
    Plan,
    PlanVersion,
    Priority,
    ResponseTarget,
    WorkType,
)
from tierdesk.sla import Calendar, CalendarError

_SKIP = {"validate_unique": False, "validate_constraints": False}


def plan_create(*, name: str, rank: int, by, entitlements: Entitlements,
                slug: str = "") -> PlanVersion:
    """Create a tier and its version 1. Raises ValidationError naming the field (name, rank,
    or any entitlement field); nothing is written then."""
    plan = Plan(name=(name or "").strip(), rank=rank, slug=slug or slugify(name or ""))
    errors = {}
    try:
        plan.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
        if "slug" in errors:  # the slug is derived from the name: report it there
            errors.setdefault("name", []).extend(errors.pop("slug"))
    try:
        built = _build(plan, entitlements)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan.save()
        built.version.plan = plan
        version = _insert_version(built, number=1, by=by, change_note="Created")
        events.plan_created_event(version=version, by=by)
    return version


def plan_version_save(*, plan: Plan, entitlements: Entitlements, by, change_note: str = "",
                      expected_number: int | None = None) -> PlanVersion:
    """Save `entitlements` as the tier's current terms and return the resulting version.

    If agreements use the latest version, version N+1 is created; otherwise version N is
    updated in place. No-op when nothing differs (returns the latest version). Raises
    ValidationError naming the field ("channels", "hours", "base_fee",
    "targets.p1.first_response_minutes", "coverage.<service id>", "billing.<type>.<field>")
    and writes nothing on bad input. `expected_number` guards against overwriting a newer
    version saved by someone else since the form was loaded.
    """
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        current = (
            PlanVersion.objects.filter(plan=plan).order_by("-number")
            .prefetch_related("coverage", "targets", "billing").first()
        )
        if expected_number is not None and current and current.number != expected_number:
            raise ValidationError(
                f"{plan.name} was changed meanwhile (now version {current.number}, you edited "
                f"version {expected_number}); reload the designer and apply your change again"
            )
        if current is not None:
            entitlements = _refresh_hours_label(entitlements, current)
        built = _build(plan, entitlements)
        if current is None:
            version = _insert_version(built, number=1, by=by, change_note=change_note)
            events.plan_version_created_event(version=version, by=by, changes={})
            return version
        old = _canonical(Entitlements.from_version(current))
        changes = _changes(old, built.entitlements)
        if not changes:
            return current
        if current.agreements.exists():
            version = _insert_version(built, number=current.number + 1, by=by,
                                      change_note=change_note)
            events.plan_version_created_event(version=version, by=by, changes=changes)
            return version
        _update_in_place(current, built, change_note=change_note)
        events.plan_version_updated_event(version=current, by=by, changes=changes,
                                          change_note=change_note)
        return current


def plan_rename(*, plan: Plan, name: str, by, rank: int | None = None) -> Plan:
    """Rename a tier (and optionally move it on the ladder). Agreements show the new name;
    what they promise is unchanged. Raises ValidationError naming name/rank."""
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        before = {"name": plan.name, "rank": plan.rank}
        plan.name = (name or "").strip()
        if rank is not None:
            plan.rank = rank
        plan.full_clean(exclude=["slug"])
        after = {"name": plan.name, "rank": plan.rank}
        if after == before:
            return plan
        plan.save(update_fields=["name", "rank", "updated_at"])
        events.plan_renamed_event(
            plan=plan, by=by, changes={k: (before[k], after[k]) for k in after
                                       if before[k] != after[k]})
    return plan


def plan_deactivate(*, plan: Plan, by) -> Plan:
    """Stop offering a tier: it leaves the comparison sheet and new-agreement choices;
    existing agreements keep their version."""
    return _set_active(plan=plan, by=by, active=False)


def plan_activate(*, plan: Plan, by) -> Plan:
    """Offer a deactivated tier again."""
    return _set_active(plan=plan, by=by, active=True)


def _set_active(*, plan: Plan, by, active: bool) -> Plan:
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.is_active != active:
            plan.is_active = active
            plan.save(update_fields=["is_active", "updated_at"])
            events.plan_active_changed_event(plan=plan, by=by)
    return plan


# -- validation ---------------------------------------------------------------------------


class _Built:
    """A validated, unsaved version with its rows, and the normalized entitlements."""

    def __init__(self, version, coverage, targets, billing, entitlements):
        self.version = version
        self.coverage = coverage
        self.targets = targets
        self.billing = billing
        self.entitlements = entitlements


def _build(plan: Plan, ent: Entitlements) -> _Built:
    """Validate every field and row of `ent`; raise one ValidationError with all errors."""
    errors: dict[str, list[str]] = {}
    version = PlanVersion(plan=plan if plan.pk else None, number=1)
    for name, value in ent.scalars().items():
        setattr(version, name, value)
    version.channels = _ordered_channels(version.channels)
    if not version.hours_label and isinstance(version.hours, dict):
        version.hours_label = hours_summary(version.hours)
    try:
        version.full_clean(exclude=["plan", "number", "created_by"], **_SKIP)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "hours" not in errors and (problem := _hours_problem(version.hours)):
        errors["hours"] = [problem]

    coverage = []
    ids = [sid for sid in ent.coverage if isinstance(sid, int)]
    services = Service.objects.in_bulk(ids)
    for sid, level in ent.coverage.items():
        service = services.get(sid)
        if service is None:
            errors[f"coverage.{sid}"] = ["unknown service"]
            continue
        row = CoveredService(service=service, level=level)
        _clean_row(row, f"coverage.{sid}", errors, flat=True)
        coverage.append(row)

    targets = []
    for priority, target in ent.targets.items():
        if priority not in Priority.values:
            expected = ", ".join(Priority.values)
            errors[f"targets.{priority}"] = [f"unknown priority (expected {expected})"]
            continue
        row = ResponseTarget(priority=priority, **asdict(target))
        _clean_row(row, f"targets.{priority}", errors)
        targets.append(row)

    billing = []
    for work_type, rule in ent.billing.items():
        if work_type not in WorkType.values:
            errors[f"billing.{work_type}"] = ["unknown work type"]
            continue
        row = BillingRule(work_type=work_type, **asdict(rule))
        _clean_row(row, f"billing.{work_type}", errors)
        billing.append(row)

    if errors:
        raise ValidationError(errors)
    version.hours = Calendar.from_dict(version.hours).to_dict()
    normalized = Entitlements(
        **{name: getattr(version, name) for name in ent.scalars()},
        coverage={row.service_id: row.level for row in coverage},
        targets={row.priority: Target(**{f: getattr(row, f) for f in TARGET_FIELDS})
                 for row in targets},
        billing={row.work_type: {f: getattr(row, f) for f in BILLING_FIELDS} for row in billing},
    )
    return _Built(version, coverage, targets, billing, normalized)


def _clean_row(row, prefix: str, errors: dict, flat: bool = False) -> None:
    try:
        row.full_clean(exclude=["version"], **_SKIP)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            key = prefix if flat or field == "__all__" else f"{prefix}.{field}"
            errors.setdefault(key, []).extend(messages)


def _hours_problem(hours: dict) -> str | None:
    """The designer's rule on top of the calendar's: an interval's end must be after its
    start. The sla calendar reads "18:00-08:00" as overnight, but typed into the designer it
    is nearly always a slip; overnight coverage is entered split at midnight
    ("18:00-24:00" and the next day's "00:00-08:00"), which reads the same on the sheet."""
    for day, intervals in (hours.get("hours") or {}).items():
        for index, (start, end) in enumerate(intervals):
            if end != "24:00" and end < start:
                return (f"hours.{day}[{index}]: ends at {end}, before it starts at {start} "
                        "(enter overnight coverage split at midnight)")
    return None


def hours_summary(hours: dict) -> str:
    """A short label for a calendar dict: "24x7", or "Mon–Fri 08:00–18:00"."""
    from tierdesk.plans.ladder import is_24x7

    if is_24x7(hours):
        return "24x7"
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    groups: list[tuple[list[str], str]] = []
    previous = ""
    for day in days:
        spans = (hours.get("hours") or {}).get(day) or []
        text = ", ".join(f"{a}–{b}" for a, b in spans)
        if text and text == previous:  # consecutive days with the same hours
            groups[-1][0].append(day)
        elif text:
            groups.append(([day], text))
        previous = text
    parts = []
    for group, text in groups:
        first, last = group[0].title(), group[-1].title()
        parts.append(f"{first}–{last} {text}" if len(group) > 1 else f"{first} {text}")
    return "; ".join(parts)[:100] or "closed"


def _refresh_hours_label(ent: Entitlements, current: PlanVersion) -> Entitlements:
    # The label is printed on the sheet and agreements; when the hours change and the label
    # was left as it was, it would describe the old hours. Write it afresh from the new
    # hours then (a label the owner edited along with the hours is kept).
    if ent.hours_label != current.hours_label:
        return ent
    try:
        new, old = Calendar.from_dict(ent.hours), Calendar.from_dict(current.hours)
    except (CalendarError, TypeError):
        return ent
    return ent if new == old else replace(ent, hours_label=hours_summary(new.to_dict()))


def _ordered_channels(channels):
    # Channels are a set; store them in the choices' order so that order never counts as
    # a change.
    if isinstance(channels, (list, tuple)) and all(c in Channel.values for c in channels):
        return sorted(set(channels), key=Channel.values.index)
    return channels


def _canonical(ent: Entitlements) -> Entitlements:
    ent.channels = _ordered_channels(ent.channels)
    try:
        ent.hours = Calendar.from_dict(ent.hours).to_dict()
    except (CalendarError, TypeError):
        pass
    return ent


def _changes(old: Entitlements, new: Entitlements) -> dict:
    """{field: (old, new)} of what differs, JSON-safe, for the no-op check and the audit."""
    a, b = old.to_dict(), new.to_dict()
    return {k: (a[k], b[k]) for k in b if old.__dict__[k] != new.__dict__[k]}


# -- writing ------------------------------------------------------------------------------


def _insert_version(built: _Built, *, number: int, by, change_note: str) -> PlanVersion:
    version = built.version
    version.number = number
    version.created_by = by if getattr(by, "pk", None) else None
    version.change_note = change_note[:200]
    version.save()
    for rows in (built.coverage, built.targets, built.billing):
        for row in rows:
            row.version = version
    CoveredService.objects.bulk_create(built.coverage)
    ResponseTarget.objects.bulk_create(built.targets)
    BillingRule.objects.bulk_create(built.billing)
    return version


def _update_in_place(current: PlanVersion, built: _Built, *, change_note: str) -> None:
    for name in built.entitlements.scalars():
        setattr(current, name, getattr(built.version, name))
    if change_note:
        current.change_note = change_note[:200]
    current.save()
    _sync(current.coverage.all(), built.coverage, "service_id", ("level",), current)
    _sync(current.targets.all(), built.targets, "priority", TARGET_FIELDS, current)
    _sync(current.billing.all(), built.billing, "work_type", BILLING_FIELDS, current)


def _sync(existing_rows, new_rows, key: str, fields, version) -> None:
    """Make the stored rows equal `new_rows`: update matching keys, add and delete others
    (keeps row ids stable for rows that stay)."""
    existing = {getattr(row, key): row for row in existing_rows}
    for row in new_rows:
        old = existing.pop(getattr(row, key), None)
        if old is None:
            row.version = version
            row.save()
        elif any(getattr(old, f) != getattr(row, f) for f in fields):
            for f in fields:
                setattr(old, f, getattr(row, f))
            old.save()
    for row in existing.values():
        row.delete()
