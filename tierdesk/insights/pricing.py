"""The price designer: what a tier costs the MSP to deliver to a client of a segment, and
the price that earns a target margin on it — and saving that price as the tier's next
version (through the tier designer's own write path, plans.services.plan_version_save).

Expected monthly cost, each line at the technicians' average loaded rate (costs.py)
unless the owner types an hourly cost:

* **Maintenance** (from the catalog): every task the tier schedules for the segment —
  the rule maintenance generation uses: active non-audit tasks of the services the tier
  covers at "maintained" or better when it includes scheduled maintenance, and its network
  audit — × its minutes × its occurrences a month (its RRULE counted over a year / 12).
  On-site tasks add a round trip each time: 2 × drive minutes × (rate + mileage).
* **Help desk**: users × sessions per user a month × minutes per session.
* **Break-fix**: devices × break-fix minutes per device a month.
* **Travel**: on-site visits a month × a round trip.
* **Tools**: devices × the tier's tool costs per device.

Help-desk sessions per user, minutes per session, break-fix minutes per device and visits
a month come from the last 90 days of the tier and segment when they hold at least
MIN_HISTORY_MONTHS client-months of service (sessions ÷ user-months, and so on); otherwise
— or when the owner asks — from the assumptions typed in, and the page says which.

Price at margin m: P = cost / (1 − m), rounded to the cent, so P × (1 − m) is within half a
cent of the cost. The proposed tier prices split P by what drives the cost: per-client
lines (maintenance, travel) make the base fee, per-user lines (help desk) the price per
user, per-device lines (break-fix, tools) the price per device — each marked up by the
margin, the per-unit prices divided by the segment's price factor (the tier stores prices
before the factor, clients/pricing.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache

from dateutil.rrule import rrulestr
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.expressions import RawSQL

from tierdesk.billing.models import Classification, SessionMode, SessionWorkType, WorkSession
from tierdesk.catalog.models import Delivery, MaintenanceTask, Segment
from tierdesk.clients.models import Agreement
from tierdesk.clients.pricing import TierPrice, tier_price
from tierdesk.core.money import format_money, round_money
from tierdesk.insights import profit_events as events
from tierdesk.insights.costs import cost_rates_load, tools_by_version
from tierdesk.insights.profit_figures import Period
from tierdesk.insights.profit_sources import minutes_sql, msp_bounds
from tierdesk.insights.profitability import msp_today
from tierdesk.plans.entitlements import Entitlements
from tierdesk.plans.models import CoveredService, PlanVersion
from tierdesk.plans.services import plan_version_save

MIN_HISTORY_MONTHS = Decimal(3)
SIXTY = Decimal(60)
MONTH_DAYS = Decimal("365.25") / 12
REFERENCE_YEAR = 2025
AUDIT_PER_MONTH = {"yearly": Fraction(1, 12), "quarterly": Fraction(1, 3)}
MAINTAINED = ("maintained", "supported")

#: The what-if assumptions' defaults (a small business with a light load).
DEFAULTS = {
    "users": 10, "devices": 20, "drive_minutes": 30, "margin_target": Decimal("25"),
    "helpdesk_sessions_per_user": Decimal("0.5"), "breakfix_minutes_per_device": Decimal("5"),
    "onsite_visits_per_month": Decimal("0.5"),
}


#: The what-if inputs a page passes to `design_inputs` by name.
DESIGN_FIELDS = ("users", "devices", "drive_minutes", "margin_target",
                 "helpdesk_sessions_per_user", "breakfix_minutes_per_device",
                 "onsite_visits_per_month", "hourly_cost")


@dataclass(frozen=True)
class DesignInputs:
    """What the owner asks: a tier version, a segment, a client's size and distance, the
    margin to earn, and the load to assume when history is short."""

    plan_version: PlanVersion
    segment: Segment
    users: int
    devices: int
    drive_minutes: int
    margin_target: Decimal
    helpdesk_sessions_per_user: Decimal
    breakfix_minutes_per_device: Decimal
    onsite_visits_per_month: Decimal
    hourly_cost: Decimal | None = None
    use_assumptions: bool = False


def _number(raw, name: str, errors: dict, *, whole: bool = False, optional: bool = False):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if optional:
            return None
        errors[name] = ["enter a number"]
        return None
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        errors[name] = [f"{raw!r} is not a number"]
        return None
    if not value.is_finite():
        errors[name] = [f"{raw!r} is not a number"]
        return None
    if whole:
        if value != value.to_integral_value():
            errors[name] = ["must be a whole number"]
            return None
        value = int(value)
    return value


def design_inputs(*, plan_version, segment, users=None, devices=None, drive_minutes=None,
                  margin_target=None, helpdesk_sessions_per_user=None,
                  breakfix_minutes_per_device=None, onsite_visits_per_month=None,
                  hourly_cost=None, use_assumptions: bool = False) -> DesignInputs:
    """Validated inputs; ValidationError naming each bad field (blank = the default)."""
    errors: dict[str, list[str]] = {}

    def given(name, raw, **kw):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raw = DEFAULTS[name]
        return _number(raw, name, errors, **kw)

    users = given("users", users, whole=True)
    devices = given("devices", devices, whole=True)
    drive = given("drive_minutes", drive_minutes, whole=True)
    margin = given("margin_target", margin_target)
    per_user = given("helpdesk_sessions_per_user", helpdesk_sessions_per_user)
    per_device = given("breakfix_minutes_per_device", breakfix_minutes_per_device)
    visits = given("onsite_visits_per_month", onsite_visits_per_month)
    rate = _number(hourly_cost, "hourly_cost", errors, optional=True)
    for name, value in (("users", users), ("devices", devices), ("drive_minutes", drive),
                        ("helpdesk_sessions_per_user", per_user),
                        ("breakfix_minutes_per_device", per_device),
                        ("onsite_visits_per_month", visits), ("hourly_cost", rate)):
        if value is not None and value < 0:
            errors[name] = ["must not be negative"]
    if margin is not None:
        if margin >= 100:
            errors["margin_target"] = ["must be below 100%: a margin is a share of the price, "
                                       "and no price leaves all of itself as margin"]
        elif margin < 0:
            errors["margin_target"] = ["must be 0% or more (a negative margin is a loss)"]
    if users is not None and users > 100_000:
        errors["users"] = ["at most 100,000"]
    if devices is not None and devices > 100_000:
        errors["devices"] = ["at most 100,000"]
    if drive is not None and drive > 24 * 60:
        errors["drive_minutes"] = ["at most 1,440 minutes (a day's drive)"]
    if not isinstance(plan_version, PlanVersion):
        errors["plan_version"] = ["choose a tier"]
    if not isinstance(segment, Segment):
        errors["segment"] = ["choose a segment"]
    if errors:
        raise ValidationError(errors)
    return DesignInputs(plan_version=plan_version, segment=segment, users=users,
                        devices=devices, drive_minutes=drive, margin_target=margin,
                        helpdesk_sessions_per_user=per_user,
                        breakfix_minutes_per_device=per_device,
                        onsite_visits_per_month=visits, hourly_cost=rate,
                        use_assumptions=bool(use_assumptions))


# What the tier schedules ------------------------------------------------------------------

@lru_cache(maxsize=512)
def occurrences_per_month(rrule: str) -> Fraction:
    """How often an RRULE fires a month: its occurrences in a reference year / 12."""
    start = dt.datetime(REFERENCE_YEAR, 1, 1)
    rule = rrulestr(rrule, dtstart=start, ignoretz=True)
    last = dt.datetime(REFERENCE_YEAR + 1, 1, 1) - dt.timedelta(seconds=1)
    return Fraction(len(rule.between(start, last, inc=True)), 12)


@dataclass(frozen=True)
class TaskLine:
    title: str
    minutes: int
    per_month: Fraction
    onsite: bool
    cost: Decimal

    @property
    def per_month_text(self) -> str:
        return f"{Decimal(self.per_month.numerator) / self.per_month.denominator:.2f}"


def tier_tasks(version: PlanVersion, segment: Segment) -> list[tuple[str, int, Fraction, bool]]:
    """(title, minutes, occurrences a month, on-site) of every task the tier schedules for
    a client of `segment` (the rule of maintenance/generation.py)."""
    tasks = list(MaintenanceTask.objects.filter(is_active=True).prefetch_related("segments")
                 .order_by("service_id", "title"))

    def applies(task):
        segments = {s.pk for s in task.segments.all()}
        return not segments or segment.pk in segments

    result = []
    if version.scheduled_maintenance:
        maintained = set(CoveredService.objects.filter(version=version, level__in=MAINTAINED)
                         .values_list("service_id", flat=True))
        for task in tasks:
            if not task.is_audit and task.service_id in maintained and applies(task):
                result.append((task.title, task.estimated_minutes,
                               occurrences_per_month(task.rrule),
                               task.delivery == Delivery.ONSITE))
    audit = [t for t in tasks if t.is_audit and applies(t)]
    if version.network_audits in AUDIT_PER_MONTH and audit:
        result.append((f"Network audit ({version.get_network_audits_display().lower()})",
                       sum(t.estimated_minutes for t in audit),
                       AUDIT_PER_MONTH[version.network_audits],
                       any(t.delivery == Delivery.ONSITE for t in audit)))
    return result


# History -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class History:
    """The tier and segment's last 90 days: months of service and the work done."""

    tier: str
    segment: str
    period: Period
    client_months: Decimal = Decimal(0)
    user_months: Decimal = Decimal(0)
    device_months: Decimal = Decimal(0)
    helpdesk_sessions: int = 0
    helpdesk_minutes: int = 0
    breakfix_minutes: int = 0
    onsite_visits: int = 0

    @property
    def enough(self) -> bool:
        return self.client_months >= MIN_HISTORY_MONTHS


def history(version: PlanVersion, segment: Segment, *, today: dt.date | None = None) -> History:
    """Two queries: the tier and segment's agreements in force over the trailing window
    (for months of service) and their sessions' totals."""
    period = Period.trailing(today or msp_today())
    client_months = user_months = device_months = Decimal(0)
    for start, end, users, devices in (
            Agreement.objects.filter(plan_version__plan_id=version.plan_id,
                                     client__segment=segment,
                                     status__in=("active", "suspended", "ended"),
                                     start_date__lte=period.end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
            .values_list("start_date", "end_date", "users_count", "devices_count")):
        first, last = max(start, period.start), min(end or period.end, period.end)
        days = (last - first).days + 1
        if days <= 0:
            continue
        months = Decimal(days) / MONTH_DAYS
        client_months += months
        user_months += months * users
        device_months += months * devices
    lo, hi = msp_bounds(period)
    minutes = RawSQL(minutes_sql(WorkSession._meta.db_table), (), output_field=IntegerField())
    helpdesk = Q(work_type=SessionWorkType.HELPDESK)
    totals = (WorkSession.objects.filter(
        agreement__plan_version__plan_id=version.plan_id, client__segment=segment,
        started_at__gte=lo, started_at__lt=hi, ended_at__isnull=False)
        .exclude(classification=Classification.INTERNAL)
        .aggregate(helpdesk=Count("id", filter=helpdesk),
                   helpdesk_minutes=Sum(minutes, filter=helpdesk),
                   breakfix_minutes=Sum(minutes, filter=Q(work_type__in=(
                       SessionWorkType.BREAK_FIX, SessionWorkType.MONITORING))),
                   onsite=Count("id", filter=Q(mode=SessionMode.ONSITE))))
    return History(tier=version.plan.name, segment=segment.name, period=period,
                   client_months=client_months, user_months=user_months,
                   device_months=device_months, helpdesk_sessions=totals["helpdesk"] or 0,
                   helpdesk_minutes=int(totals["helpdesk_minutes"] or 0),
                   breakfix_minutes=int(totals["breakfix_minutes"] or 0),
                   onsite_visits=totals["onsite"] or 0)


# The design ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CostLine:
    key: str
    label: str
    detail: str
    amount: Decimal  # a month, unrounded
    per: str  # "client", "user" or "device": which price it goes into
    basis: str  # "catalog", "history", "assumption", "cost model"


@dataclass
class Design:
    inputs: DesignInputs
    hourly_cost: Decimal
    history: History
    used_history: bool
    lines: list[CostLine]
    tasks: list[TaskLine]
    cost: Decimal
    price: Decimal
    current: TierPrice
    current_price: Decimal
    proposed: TierPrice  # as the tier stores it (per-unit prices before the factor)
    proposed_for_client: Decimal
    notes: list[str] = field(default_factory=list)

    @property
    def margin_at_price(self) -> Decimal | None:
        return _pct(self.price - self.cost, self.price)

    @property
    def current_margin(self) -> Decimal | None:
        return _pct(self.current_price - self.cost, self.current_price)

    @property
    def difference(self) -> Decimal:
        """How much more the designed price is than today's (negative: less)."""
        return self.price - self.current_price

    @property
    def difference_abs(self) -> Decimal:
        return abs(self.difference)


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"))


def _fmt(value: Decimal, places: str = "0.01") -> str:
    return f"{value.quantize(Decimal(places)).normalize():f}"


def price_design(inputs: DesignInputs, *, today: dt.date | None = None) -> Design:
    """The expected monthly cost and the price reaching the target margin (module doc)."""
    version, segment = inputs.plan_version, inputs.segment
    rates = cost_rates_load()
    hourly = inputs.hourly_cost if inputs.hourly_cost is not None else rates.average_hourly
    per_minute = hourly / SIXTY
    trip = Decimal(2 * inputs.drive_minutes) * (per_minute + rates.mileage_per_minute)
    past = history(version, segment, today=today)
    used_history = past.enough and not inputs.use_assumptions
    notes = []
    basis = "history" if used_history else "assumption"
    if used_history:
        per_user = (Decimal(past.helpdesk_sessions) / past.user_months
                    if past.user_months else Decimal(0))
        session_minutes = (Decimal(past.helpdesk_minutes) / past.helpdesk_sessions
                           if past.helpdesk_sessions else
                           Decimal(version.helpdesk_session_minutes))
        per_device = (Decimal(past.breakfix_minutes) / past.device_months
                      if past.device_months else Decimal(0))
        visits = Decimal(past.onsite_visits) / past.client_months
        notes.append(f"Help-desk, break-fix and visit loads come from {past.tier} · "
                     f"{past.segment}'s last 90 days ({past.client_months:.2f} "
                     "client-months of service).")
    else:
        per_user = inputs.helpdesk_sessions_per_user
        session_minutes = Decimal(version.helpdesk_session_minutes)
        per_device = inputs.breakfix_minutes_per_device
        visits = inputs.onsite_visits_per_month
        if inputs.use_assumptions:
            notes.append("Using your assumptions, as asked.")
        else:
            notes.append(f"Not enough history for {past.tier} · {past.segment}: "
                         f"{past.client_months:.2f} client-months of service in the last 90 "
                         f"days, {MIN_HISTORY_MONTHS:.0f} needed — using your assumptions.")

    tasks = []
    for title, minutes, per_month, onsite in tier_tasks(version, segment):
        times = Decimal(per_month.numerator) / per_month.denominator
        cost = Decimal(minutes) * times * per_minute + (trip * times if onsite else 0)
        tasks.append(TaskLine(title, minutes, per_month, onsite, cost))
    maintenance = sum((t.cost for t in tasks), Decimal(0))
    tools = tools_by_version([version.pk]).get(version.pk, [])
    tool_rate = sum((amount for _, amount in tools), Decimal(0))
    helpdesk_sessions = Decimal(inputs.users) * per_user
    lines = [
        CostLine("maintenance", "Scheduled maintenance and audits",
                 f"{len(tasks)} task(s) from the catalog, on-site ones with a "
                 f"{inputs.drive_minutes}-minute drive each way", maintenance, "client",
                 "catalog"),
        CostLine("helpdesk", "Help desk",
                 f"{inputs.users} users × {_fmt(per_user, '0.001')} sessions a month × "
                 f"{_fmt(session_minutes, '0.1')} min",
                 helpdesk_sessions * session_minutes * per_minute, "user", basis),
        CostLine("break_fix", "Break-fix",
                 f"{inputs.devices} devices × {_fmt(per_device, '0.01')} min a month",
                 Decimal(inputs.devices) * per_device * per_minute, "device", basis),
        CostLine("travel", "On-site visits (travel)",
                 f"{_fmt(visits, '0.01')} visits a month × {2 * inputs.drive_minutes} min "
                 "round trip, time and mileage", visits * trip, "client", basis),
        CostLine("tools", "Tools per device",
                 f"{inputs.devices} devices × {format_money(tool_rate, settings.CURRENCY)} ("
                 + (", ".join(name for name, _ in tools) or "no tool costs") + ")",
                 Decimal(inputs.devices) * tool_rate, "device", "cost model"),
    ]
    cost = round_money(sum((line.amount for line in lines), Decimal(0)))
    keep = 1 - inputs.margin_target / 100
    price = round_money(cost / keep)
    current = tier_price(plan_version=version, segment=segment)
    current_price = round_money(current.monthly_fee(users_count=inputs.users,
                                                    devices_count=inputs.devices))
    proposed = _split(lines, inputs, keep)
    factor = Decimal(segment.price_factor)
    for_client = round_money(
        proposed.base_fee + round_money(proposed.price_per_user * factor) * inputs.users
        + round_money(proposed.price_per_device * factor) * inputs.devices)
    return Design(inputs=inputs, hourly_cost=round_money(hourly), history=past,
                  used_history=used_history, lines=lines, tasks=tasks, cost=cost, price=price,
                  current=current, current_price=current_price, proposed=proposed,
                  proposed_for_client=for_client, notes=notes)


def _split(lines: list[CostLine], inputs: DesignInputs, keep: Decimal) -> TierPrice:
    """The tier's prices (before the segment factor) that charge each cost where it
    arises, marked up by the margin."""
    factor = Decimal(inputs.segment.price_factor)
    per = {"client": Decimal(0), "user": Decimal(0), "device": Decimal(0)}
    for line in lines:
        per[line.per] += line.amount
    per_user = per["user"] / inputs.users / keep / factor if inputs.users else Decimal(0)
    per_device = per["device"] / inputs.devices / keep / factor if inputs.devices else Decimal(0)
    return TierPrice(base_fee=round_money(per["client"] / keep),
                     price_per_user=round_money(per_user),
                     price_per_device=round_money(per_device))


def price_design_save(*, design: Design, by, change_note: str = "") -> PlanVersion:
    """Save the proposed prices as the tier's next version, everything else unchanged,
    through the tier designer's write path (a new version when agreements use the current
    one, else the current one edited in place). Errors name "plan_version" (not the
    tier's current version any more) or "change_note"."""
    version = design.inputs.plan_version
    current = (PlanVersion.objects.filter(plan_id=version.plan_id).order_by("-number")
               .prefetch_related("coverage", "targets", "billing").first())
    if current.pk != version.pk:
        raise ValidationError({"plan_version": f"{version} is not {version.plan.name}'s "
                                               f"current version (v{current.number}): "
                                               "design on the current version to save"})
    margin = _fmt(design.inputs.margin_target, "0.1")
    note = (change_note or "").strip() or (
        f"Price designer: {margin}% margin on {design.inputs.segment.name} costs")
    if len(note) > 200:
        raise ValidationError({"change_note": "at most 200 characters"})
    entitlements = replace(Entitlements.from_version(current),
                           base_fee=design.proposed.base_fee,
                           price_per_user=design.proposed.price_per_user,
                           price_per_device=design.proposed.price_per_device)
    with transaction.atomic():
        saved = plan_version_save(plan=current.plan, entitlements=entitlements, by=by,
                                  change_note=note, expected_number=current.number)
        events.price_design_saved_event(
            version=saved, by=by,
            message=(f"base {design.proposed.base_fee}, per user "
                     f"{design.proposed.price_per_user}, per device "
                     f"{design.proposed.price_per_device} ({note})"))
    return saved
