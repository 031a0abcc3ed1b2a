"""The cost model: what an hour of each person costs, what a tier's devices cost in tools,
what a minute of driving costs, what an outsourced partner charged, and each tier's margin
floor — read once per computation (a few queries whatever the number of clients), and
written by the owner on the cost page.

Rules:

* **Loaded rate of a person**: their own CostRate, else their role's, else the cost
  model's `default_hourly_cost`. Hourly costs have cents, so a rate is an exact number of
  cents an hour, which is how SQL multiplies it (integers: exact on SQLite too).
* **Tool costs of a plan version**: the sum per device a month of every active ToolCost
  whose tiers include the version's plan (or name none) and, when it names services, whose
  services include one the version covers (at any level).
* **Margin floor of a tier**: its MarginFloor, else TIERDESK_MARGIN_FLOOR_PERCENT.

The writes below are the cost model's services (keyword-only, one transaction, an audit
event each, ValidationError naming the field and nothing written on bad input); they live
here, next to the reads, as billing keeps its items' writes in items.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from tierdesk.catalog.models import Service
from tierdesk.clients.models import Client
from tierdesk.core.models import STAFF_ROLES, User
from tierdesk.core.money import to_decimal
from tierdesk.insights import profit_events as events
from tierdesk.insights.models import (
    COST_ROLES,
    CostModel,
    CostRate,
    MarginFloor,
    OutsourcedHelpdeskCost,
    ToolCost,
)
from tierdesk.plans.models import CoveredService, Plan, PlanVersion

HUNDRED = Decimal(100)


# Reads ---------------------------------------------------------------------------------------

def cost_model_get() -> CostModel:
    """The stored cost model, or an unsaved one holding the defaults."""
    return CostModel.objects.filter(pk=1).first() or CostModel(pk=1)


@dataclass(frozen=True)
class CostRates:
    """Every staff member's loaded hourly cost, resolved, and the other unit costs."""

    default_hourly: Decimal
    mileage_per_minute: Decimal
    per_person: dict[int, Decimal] = field(default_factory=dict)
    role_rates: dict[str, Decimal] = field(default_factory=dict)
    person_rates: dict[int, Decimal] = field(default_factory=dict)
    technician_ids: tuple[int, ...] = ()
    outsourced_fee_per_ticket: Decimal | None = None
    outsourced_fee_per_month: Decimal | None = None

    def hourly(self, user_id: int | None) -> Decimal:
        return self.per_person.get(user_id, self.default_hourly)

    @property
    def average_hourly(self) -> Decimal:
        """The mean loaded rate of the active technicians (of all staff when there is no
        technician; the default rate when there is nobody) — what an hour of "someone"
        costs in the guardrail estimates and the price designer."""
        rates = ([self.per_person[pk] for pk in self.technician_ids]
                 or list(self.per_person.values()))
        if not rates:
            return self.default_hourly
        return sum(rates, Decimal(0)) / len(rates)

    def cents_case_sql(self, column: str) -> tuple[str, list]:
        """SQL giving the hourly cost, in integer cents, of the person in `column`."""
        default = cents(self.default_hourly)
        differing = [(pk, cents(rate)) for pk, rate in sorted(self.per_person.items())
                     if cents(rate) != default]
        if not differing:
            return str(default), []
        whens = " ".join("WHEN %s THEN %s" for _ in differing)
        params = [value for pair in differing for value in pair]
        return f"(CASE {column} {whens} ELSE {default} END)", params


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def cost_rates_load() -> CostRates:
    """The cost model and every staff member's resolved rate (three queries)."""
    model = cost_model_get()
    role_rates, person_rates = {}, {}
    for role, person_id, hourly in CostRate.objects.values_list("role", "technician_id",
                                                                "hourly_cost"):
        if person_id:
            person_rates[person_id] = hourly
        else:
            role_rates[role] = hourly
    per_person, technicians = {}, []
    for pk, role, active in User.objects.filter(role__in=STAFF_ROLES).values_list(
            "id", "role", "is_active"):
        per_person[pk] = person_rates.get(pk, role_rates.get(role, model.default_hourly_cost))
        if active and role == "technician":
            technicians.append(pk)
    return CostRates(
        default_hourly=model.default_hourly_cost,
        mileage_per_minute=model.mileage_cost_per_drive_minute,
        per_person=per_person, role_rates=role_rates, person_rates=person_rates,
        technician_ids=tuple(technicians),
        outsourced_fee_per_ticket=model.outsourced_fee_per_ticket,
        outsourced_fee_per_month=model.outsourced_fee_per_month)


def tools_by_version(version_ids) -> dict[int, list[tuple[str, Decimal]]]:
    """The tool costs (name, per device a month) applying to each plan version."""
    version_ids = set(version_ids)
    if not version_ids:
        return {}
    tools = list(ToolCost.objects.filter(is_active=True).prefetch_related("plans", "services")
                 .order_by("name"))
    if not tools:
        return {pk: [] for pk in version_ids}
    covered: dict[int, set[int]] = defaultdict(set)
    plans: dict[int, int] = {}
    for version_id, service_id, plan_id in CoveredService.objects.filter(
            version_id__in=version_ids).values_list("version_id", "service_id",
                                                    "version__plan_id"):
        covered[version_id].add(service_id)
        plans[version_id] = plan_id
    for version_id, plan_id in PlanVersion.objects.filter(pk__in=version_ids).values_list(
            "id", "plan_id"):
        plans[version_id] = plan_id
    result: dict[int, list[tuple[str, Decimal]]] = {}
    for version_id in version_ids:
        applying = []
        for tool in tools:
            tool_plans = {p.pk for p in tool.plans.all()}
            tool_services = {s.pk for s in tool.services.all()}
            if tool_plans and plans.get(version_id) not in tool_plans:
                continue
            if tool_services and not tool_services & covered[version_id]:
                continue
            applying.append((tool.name, tool.monthly_cost_per_device))
        result[version_id] = applying
    return result


def tool_cost_per_device(version_ids) -> dict[int, Decimal]:
    """The monthly tool cost per device of each plan version."""
    return {pk: sum((amount for _, amount in tools), Decimal(0))
            for pk, tools in tools_by_version(version_ids).items()}


def default_floor() -> Decimal:
    return Decimal(settings.TIERDESK_MARGIN_FLOOR_PERCENT)


def margin_floors() -> dict[int, Decimal]:
    """The margin floor of every tier that has its own, by plan id."""
    return dict(MarginFloor.objects.values_list("plan_id", "floor_percent"))


def margin_floor_for(plan_id: int | None, floors: dict[int, Decimal] | None = None) -> Decimal:
    floors = margin_floors() if floors is None else floors
    return floors.get(plan_id, default_floor())


# Writes --------------------------------------------------------------------------------------

def _amount(raw, field_name: str, errors: dict, *, optional: bool = False,
            places: int = 2) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if optional:
            return None
        errors[field_name] = ["enter an amount"]
        return None
    try:
        value = to_decimal(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError):
        errors[field_name] = [f"{raw!r} is not an amount"]
        return None
    if not value.is_finite():
        errors[field_name] = [f"{raw!r} is not an amount"]
        return None
    if value < 0:
        errors[field_name] = ["must not be negative"]
        return None
    if value.as_tuple().exponent < -places:
        errors[field_name] = [f"at most {places} decimal places"]
        return None
    return value


COST_MODEL_FIELDS = ("default_hourly_cost", "mileage_cost_per_drive_minute",
                     "outsourced_fee_per_ticket", "outsourced_fee_per_month")


def cost_model_save(*, by, default_hourly_cost, mileage_cost_per_drive_minute,
                    outsourced_fee_per_ticket=None, outsourced_fee_per_month=None,
                    role_rates: dict | None = None,
                    person_rates: dict | None = None) -> CostModel:
    """Store the cost model, the role rates (`{role: amount or None}`; None or "" removes
    the role's rate) and the personal rates (`{user id: amount or None}`, likewise).
    Errors name the field: the cost model's own, "role_<role>" or "person_<user id>"."""
    errors: dict[str, list[str]] = {}
    values = {
        "default_hourly_cost": _amount(default_hourly_cost, "default_hourly_cost", errors),
        "mileage_cost_per_drive_minute": _amount(
            mileage_cost_per_drive_minute, "mileage_cost_per_drive_minute", errors, places=4),
        "outsourced_fee_per_ticket": _amount(outsourced_fee_per_ticket,
                                             "outsourced_fee_per_ticket", errors, optional=True),
        "outsourced_fee_per_month": _amount(outsourced_fee_per_month,
                                            "outsourced_fee_per_month", errors, optional=True),
    }
    roles = {}
    for role, raw in (role_rates or {}).items():
        if role not in COST_ROLES:
            errors[f"role_{role}"] = ["not a staff role"]
            continue
        roles[role] = _amount(raw, f"role_{role}", errors, optional=True)
    people = {}
    staff = set(User.objects.filter(role__in=STAFF_ROLES).values_list("id", flat=True))
    for person_id, raw in (person_rates or {}).items():
        if int(person_id) not in staff:
            errors[f"person_{person_id}"] = ["not a member of staff"]
            continue
        people[int(person_id)] = _amount(raw, f"person_{person_id}", errors, optional=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        model = CostModel.objects.select_for_update().filter(pk=1).first() or CostModel(pk=1)
        changes = {name: (getattr(model, name), value) for name, value in values.items()
                   if getattr(model, name) != value}
        for name, value in values.items():
            setattr(model, name, value)
        model.updated_by = by if getattr(by, "pk", None) else None
        model.save()
        existing_roles = {r.role: r for r in CostRate.objects.filter(role__in=list(roles))}
        for role, value in roles.items():
            changes.update(_set_rate(existing_roles.get(role), value, f"role_{role}",
                                     role=role))
        existing_people = {r.technician_id: r for r in
                           CostRate.objects.filter(technician_id__in=list(people))}
        for person_id, value in people.items():
            changes.update(_set_rate(existing_people.get(person_id), value,
                                     f"person_{person_id}", technician_id=person_id))
        if changes:
            events.cost_model_changed_event(cost_model=model, by=by, changes=changes)
    return model


def _set_rate(row: CostRate | None, value: Decimal | None, key: str, **owner) -> dict:
    old = row.hourly_cost if row else None
    if old == value:
        return {}
    if value is None:
        row.delete()
    elif row is None:
        CostRate.objects.create(hourly_cost=value, **owner)
    else:
        row.hourly_cost = value
        row.save(update_fields=["hourly_cost", "updated_at"])
    return {key: (old, value)}


def tool_cost_save(*, by, name: str, monthly_cost_per_device, plans=(), services=(),
                   is_active: bool = True, tool: ToolCost | None = None) -> ToolCost:
    """Create a tool cost (or change `tool`). `plans`/`services` are ids or objects; none
    means every tier / whatever the tier covers."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["name the tool, e.g. “Anti-virus licence”"]
    elif ToolCost.objects.filter(name__iexact=name).exclude(pk=getattr(tool, "pk", None)).exists():
        errors["name"] = [f"a tool named “{name}” exists already"]
    amount = _amount(monthly_cost_per_device, "monthly_cost_per_device", errors)
    plan_ids = _ids(plans, "plans", errors)
    service_ids = _ids(services, "services", errors)
    if plan_ids - set(Plan.objects.filter(pk__in=plan_ids).values_list("id", flat=True)):
        errors["plans"] = ["unknown tier"]
    if service_ids - set(Service.objects.filter(pk__in=service_ids).values_list("id",
                                                                                 flat=True)):
        errors["services"] = ["unknown service"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        created = tool is None
        tool = tool or ToolCost()
        before = {"name": tool.name, "monthly_cost_per_device": tool.monthly_cost_per_device,
                  "is_active": tool.is_active}
        tool.name, tool.monthly_cost_per_device, tool.is_active = name, amount, is_active
        tool.save()
        tool.plans.set(plan_ids)
        tool.services.set(service_ids)
        after = {"name": name, "monthly_cost_per_device": amount, "is_active": is_active}
        events.tool_cost_saved_event(
            tool=tool, by=by, created=created,
            changes={k: (before[k], after[k]) for k in after if before[k] != after[k]})
    return tool


def _ids(values, field_name: str, errors: dict) -> set[int]:
    ids = set()
    for value in values:
        try:
            ids.add(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            errors[field_name] = [f"{value!r} is not an id"]
    return ids


def tool_cost_delete(*, tool: ToolCost, by) -> None:
    with transaction.atomic():
        events.tool_cost_deleted_event(tool=tool, by=by)
        tool.delete()


def margin_floors_save(*, floors: dict, by) -> dict[int, Decimal]:
    """Set each tier's margin floor: `{plan id: percent}`; None or "" returns the tier to
    the default. Errors name "floor_<plan id>"."""
    errors: dict[str, list[str]] = {}
    parsed: dict[int, Decimal | None] = {}
    known = set(Plan.objects.values_list("id", flat=True))
    for plan_id, raw in floors.items():
        key = f"floor_{plan_id}"
        if int(plan_id) not in known:
            errors[key] = ["unknown tier"]
            continue
        value = _amount(raw, key, errors, optional=True)
        if value is not None and value >= HUNDRED:
            errors[key] = ["must be below 100% (a margin is a share of the revenue)"]
            continue
        parsed[int(plan_id)] = value
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = {f.plan_id: f for f in
                    MarginFloor.objects.select_related("plan").filter(plan_id__in=list(parsed))}
        for plan_id, value in parsed.items():
            row = existing.get(plan_id)
            old = row.floor_percent if row else None
            if old == value:
                continue
            if value is None:
                events.margin_floor_changed_event(floor=row, by=by, old=old,
                                                  new=f"default {default_floor()}")
                row.delete()
                continue
            if row is None:
                row = MarginFloor.objects.create(plan_id=plan_id, floor_percent=value)
            else:
                row.floor_percent = value
                row.save(update_fields=["floor_percent", "updated_at"])
            events.margin_floor_changed_event(floor=row, by=by, old=old, new=value)
    return margin_floors()


def outsourced_cost_record(*, client: Client, month: dt.date, amount, tickets: int = 0,
                           partner: str = "", note: str = "",
                           by=None) -> OutsourcedHelpdeskCost:
    """Record (or replace) what `partner` charged for `client`'s help desk in `month` —
    the call the outsourcing feature makes; profitability counts it as a cost. Errors
    name "month", "amount" or "tickets"."""
    errors: dict[str, list[str]] = {}
    if not isinstance(month, dt.date) or month.day != 1:
        errors["month"] = ["give the first day of the month charged"]
    value = _amount(amount, "amount", errors)
    if not isinstance(tickets, int) or tickets < 0:
        errors["tickets"] = ["must be a whole number, 0 or more"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, _ = OutsourcedHelpdeskCost.objects.update_or_create(
            client=client, month=month, partner=partner.strip(),
            defaults={"amount": value, "tickets": tickets, "note": note[:200]})
        events.outsourced_cost_recorded_event(cost=row, by=by)
    return row
