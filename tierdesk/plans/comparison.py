"""Side-by-side views of tier versions: the version diff (two versions, changes flagged) and
the comparison sheet (current versions of every active tier, for prospects).

Both are built from one list of dimension rows so that a dimension added here appears on
the sheet, in the designer's compare page and in the PDF at once. Pass versions from
`selectors.current_versions()` / `selectors.version_get()` (rows prefetched): building the
rows then runs no query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings

from tierdesk.core.money import format_money
from tierdesk.plans.ladder import TARGET_STEPS, describe_step, hours_per_week, is_24x7
from tierdesk.plans.models import Channel, Priority, WorkType


@dataclass(frozen=True)
class Cell:
    """One value of one version: display text, and a check mark ("yes"/"no") or None."""

    text: str
    mark: str | None = None


@dataclass
class Row:
    """One dimension across versions. `internal` rows (wording meant for staff) appear in
    the diff but not on the sheet handed to prospects."""

    section: str
    label: str
    cells: list[Cell]
    internal: bool = False
    changed: bool = False

    @property
    def a(self) -> Cell:
        return self.cells[0]

    @property
    def b(self) -> Cell:
        return self.cells[-1]


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Column:
    """A tier's column header: its version, a one-line price and its summary."""

    version: object
    price: str


@dataclass
class ComparisonSheet:
    versions: list
    sections: list[Section]
    footnotes: list[str]

    @property
    def columns(self) -> list[Column]:
        return [Column(v, price_line(v)) for v in self.versions]


def price_line(version) -> str:
    """"$99.00/month + $10.00 per user + $5.00 per device" (zero parts left out)."""
    parts = [f"{_money(version.base_fee)}/month"]
    if version.price_per_user:
        parts.append(f"{_money(version.price_per_user)} per user")
    if version.price_per_device:
        parts.append(f"{_money(version.price_per_device)} per device")
    return " + ".join(parts)


YES, NO = "yes", "no"


def _money(value) -> str:
    return format_money(value, settings.CURRENCY)


def _check(flag: bool, yes: str = "Included", no: str = "—") -> Cell:
    return Cell(yes if flag else no, YES if flag else NO)


def dimension_rows(versions: Sequence) -> list[Row]:
    """Every entitlement dimension of `versions`, one Row each, in sheet order."""
    rows: list[Row] = []

    def add(section, label, fn, internal=False):
        rows.append(Row(section, label, [fn(v) for v in versions], internal=internal))

    s = "Price per month"
    add(s, "Base fee", lambda v: Cell(_money(v.base_fee)))
    add(s, "Per user", lambda v: Cell(_money(v.price_per_user)))
    add(s, "Per device", lambda v: Cell(_money(v.price_per_device)))

    s = "How to reach us"
    for channel in Channel:
        add(s, channel.label, lambda v, c=channel: _check(c.value in v.channels, "✓"))
    add(s, "Other channels", lambda v: Cell(v.channel_instructions or "—"), internal=True)

    s = "Coverage hours"
    add(s, "Hours", lambda v: Cell("24x7" if is_24x7(v.hours) else v.hours_label))
    add(s, "Hours per week", lambda v: Cell(f"{hours_per_week(v.hours):g} h"))
    add(s, "Time zone", lambda v: Cell(v.hours.get("tz", "—")))
    add(s, "Holidays", _holidays)

    s = "Response times"
    for priority in Priority:
        for step, step_label in TARGET_STEPS:
            targets = [_target(v, priority) for v in versions]
            cells = [Cell(describe_step(t, step)) for t in targets]
            if all(cell.text == "no promise" for cell in cells):
                continue  # no tier promises this step: leave the row out
            rows.append(Row(s, f"{priority.label} — {step_label}", cells))

    s = "Help desk"
    add(s, "Remote sessions a month", _allowance)
    add(s, "Extra session", lambda v: Cell(
        "—" if v.helpdesk_sessions is None else _money(v.overage_session_price)))
    add(s, "How sessions count", lambda v: Cell(v.get_session_counting_display()),
        internal=True)

    s = "Covered services"
    services = {}
    for v in versions:
        for row in v.coverage.all():
            services[row.service_id] = row.service
    ordered = sorted(services.values(), key=lambda sv: (sv.kind, sv.position, sv.name))
    for service in ordered:
        add(s, service.name, lambda v, sid=service.pk: _coverage(v, sid))

    s = "Maintenance and audits"
    add(s, "Scheduled maintenance", lambda v: _check(v.scheduled_maintenance))
    add(s, "Network audits", lambda v: Cell(
        v.get_network_audits_display(), YES if v.network_audits != "none" else NO))

    s = "Billed on top of the fee"
    for work_type in WorkType:
        add(s, work_type.label, lambda v, w=work_type.value: _billing(v, w))
    add(s, "Standard hourly rate", lambda v: Cell(_money(v.hourly_rate)))
    add(s, "After-hours multiplier", lambda v: Cell(f"× {_num(v.after_hours_multiplier)}"))
    add(s, "On-site trip fee", lambda v: Cell(_money(v.onsite_trip_fee)))
    add(s, "Hardware markup", lambda v: Cell(f"{_num(v.hardware_markup_percent)} %"))
    add(s, "Travel on billable visits", lambda v: Cell(v.get_travel_billing_display()))
    add(s, "Client approval of estimates", lambda v: Cell(
        f"above {_money(v.approval_threshold)}" if v.approval_threshold is not None
        else "not needed"))

    s = "Wording"
    add(s, "Summary", lambda v: Cell(v.summary or "—"), internal=True)
    add(s, "Hours label", lambda v: Cell(v.hours_label), internal=True)
    add(s, "Exclusions", lambda v: Cell(v.exclusions or "—"), internal=True)
    return rows


def plan_version_diff(a, b) -> list[Row]:
    """Rows of every entitlement dimension for versions `a` and `b` side by side, each
    flagged `changed` when the two values differ."""
    rows = dimension_rows([a, b])
    for row in rows:
        row.changed = row.cells[0] != row.cells[1]
    return rows


def comparison_matrix(versions: Sequence) -> ComparisonSheet:
    """The prospect-facing comparison of `versions` (lowest tier first): sections of rows,
    one cell per tier, and the footnotes printed under the table."""
    versions = list(versions)
    sections: dict[str, Section] = {}
    for row in dimension_rows(versions):
        if not row.internal:
            sections.setdefault(row.section, Section(row.section)).rows.append(row)
    footnotes = [
        f"Prices are per month in {settings.CURRENCY}, before tax; per-user and per-device "
        "prices may vary with the type of organisation.",
        "Response times count coverage hours (business) unless marked wall clock. "
        "Same business day: answered by close of business; requests after the cutoff by "
        "the next business day's close.",
        "Remote help-desk sessions are of the length shown; sessions beyond the allowance "
        "are billed at the extra-session price.",
        "Billable work is charged at the standard hourly rate unless a rate is shown; "
        "after-hours work at that rate times the multiplier; hardware at cost plus markup.",
    ]
    # Tiers usually share one exclusions text: print each distinct text once, not once a tier.
    names_by_text: dict[str, list[str]] = {}
    for v in versions:
        if v.exclusions:
            names_by_text.setdefault(v.exclusions, []).append(v.plan.name)
    for text, names in names_by_text.items():
        if len(names) == len(versions) > 1:
            footnotes.append(text)
        else:
            footnotes.append(f"{' and '.join(names)} {'do' if len(names) > 1 else 'does'} "
                             f"not cover: {text}")
    return ComparisonSheet(versions, list(sections.values()), footnotes)


def _target(version, priority):
    for target in version.targets.all():
        if target.priority == priority:
            return target
    return None


def _holidays(version) -> Cell:
    hours = version.hours
    parts = []
    if hours.get("holiday_country"):
        region = hours["holiday_country"] + (
            f"-{hours['holiday_subdiv']}" if hours.get("holiday_subdiv") else "")
        parts.append(f"{region} public holidays closed")
    if hours.get("holidays"):
        parts.append(f"{len(hours['holidays'])} listed closing days")
    if is_24x7(hours) and not parts:
        return Cell("Open every day")
    return Cell("; ".join(parts) or "None")


def _allowance(version) -> Cell:
    if version.helpdesk_sessions is None:
        return Cell("Unlimited", YES)
    if version.helpdesk_sessions == 0:
        return Cell("Billed per session", NO)
    return Cell(f"{version.helpdesk_sessions} × {version.helpdesk_session_minutes} min", YES)


def _coverage(version, service_id) -> Cell:
    for row in version.coverage.all():
        if row.service_id == service_id:
            return Cell(row.get_level_display(), YES)
    return Cell("—", NO)


def _num(value) -> str:
    """Decimal without trailing zeros: 1.50 -> "1.5", 15.00 -> "15"."""
    return format(value.normalize(), "f")


def _billing(version, work_type) -> Cell:
    """What a work type costs on top of the fee. No rule means billed (the tier bills
    everything it does not cover) at the standard rate."""
    rule = next((r for r in version.billing.all() if r.work_type == work_type), None)
    if rule is not None and not rule.billable:
        return Cell("Included", YES)
    if work_type in (WorkType.HARDWARE, WorkType.SOFTWARE):
        return Cell(f"Billed, cost + {_num(version.hardware_markup_percent)} %", NO)
    rate = version.hourly_rate if rule is None or rule.hourly_rate is None else rule.hourly_rate
    return Cell(f"Billed, {_money(rate)}/h", NO)

