"""The capacity model: the demand learned from the desk's history (or assumed), the tiers'
promises and the roster, as plain data, and the simulation Scenario built from it.

What is learned, from the tickets opened in the last `weeks` weeks (12 by default):

* **arrivals** per hour of week (the MSP's time zone) for each tier x priority, with
  `simulation.hour_of_week_rates`; the end-user help-desk part separately, so the
  "outsource end-user help desk" preset can take it away;
* **work time** per ticket: the sum of its finished billing WorkSessions (travel apart).
  With 20 tickets or more a stream draws from them (empirical); with fewer, a lognormal of
  their mean and spread; with none, the tier's tickets, then all tickets, then 30 minutes;
* the **on-site share**: tickets flagged as needing a visit;
* **drive times**: the `drive_minutes` of the sites of the tier's clients (one way);
* each tier's **hours and targets** from its newest plan version (the desk's target shape,
  desk/clocks.py target_snapshot), and its number of clients (current agreements).

With no ticket in the window the model has no demand and says so ("no tickets in the last
12 weeks: enter assumptions"); `assumed_streams` then builds it from what the owner enters
per tier (clients, tickets per client a month, mean work minutes, on-site share), spread
over the tier's coverage hours.

The model is JSON (stored in a ScenarioRun's inputs); `scenario_from_model` builds the
simulation's Scenario from it without touching the database.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q

from tierdesk.billing.models import WorkSession
from tierdesk.clients.models import Agreement, AgreementStatus, Site
from tierdesk.core import clock
from tierdesk.desk.clocks import target_snapshot
from tierdesk.desk.models import Ticket, TicketType
from tierdesk.insights import roster
from tierdesk.insights.simulation import (
    DemandModel,
    Distribution,
    Scenario,
    Stream,
    Tier,
    hour_of_week_rates,
)
from tierdesk.plans.models import Plan, PlanVersion, Priority
from tierdesk.sla import Calendar

SCHEMA = 1
DEFAULT_WEEKS = 12
DRAIN_WEEKS = 4
NO_AGREEMENT = "No agreement"
#: From this many tickets on, a stream draws work times from its own history.
EMPIRICAL_MIN = 20
#: Samples kept per distribution (evenly spaced order statistics): keeps inputs small.
MAX_SAMPLES = 400
DEFAULT_WORK_MINUTES = 30.0
DEFAULT_DRIVE_MINUTES = 30.0
PRIORITY_ORDER = [p.value for p in Priority]
PRIORITY_LABELS = dict(Priority.choices)


def msp_tz() -> str:
    return settings.TIERDESK_MSP_HOURS.get("tz", "UTC")


def scenario_start(now: dt.datetime, tz: str) -> dt.datetime:
    """The next Monday 00:00 in the MSP's zone after `now` (a scenario starts on a whole
    week, so week k of the on-call rota is a calendar week)."""
    local = now.astimezone(ZoneInfo(tz))
    days = 7 - local.weekday()
    monday = (local + dt.timedelta(days=days)).date()
    return dt.datetime.combine(monday, dt.time(), ZoneInfo(tz))


# Distributions as data --------------------------------------------------------------------

def _thin(values: list[float]) -> list[float]:
    values = sorted(values)
    if len(values) <= MAX_SAMPLES:
        return [round(v, 2) for v in values]
    idx = np.linspace(0, len(values) - 1, MAX_SAMPLES).round().astype(int)
    return [round(values[i], 2) for i in idx]


def sample_spec(values: list[float]) -> dict | None:
    """A distribution spec of observed minutes (see the module docstring), or None."""
    values = [float(v) for v in values if v is not None and v >= 0]
    n = len(values)
    if n == 0:
        return None
    mean = float(np.mean(values))
    if n >= EMPIRICAL_MIN:
        return {"kind": "empirical", "values": _thin(values), "mean": round(mean, 2), "n": n}
    sd = float(np.std(values, ddof=1)) if n > 1 else 0.0
    if mean > 0 and sd > 0:
        return {"kind": "lognormal", "mean": round(mean, 2), "sd": round(sd, 2), "n": n}
    return {"kind": "fixed", "mean": round(mean, 2), "n": n}


def distribution(spec: dict) -> Distribution:
    """The simulation Distribution of a spec."""
    if spec["kind"] == "empirical":
        return Distribution.empirical(spec["values"])
    if spec["kind"] == "lognormal":
        return Distribution.lognormal(spec["mean"], spec["sd"])
    if spec["kind"] == "exponential":
        return Distribution.exponential(spec["mean"])
    return Distribution.fixed(spec["mean"])


def _default_work() -> dict:
    return {"kind": "lognormal", "mean": DEFAULT_WORK_MINUTES, "sd": DEFAULT_WORK_MINUTES,
            "n": 0}


# Tiers --------------------------------------------------------------------------------

def tier_inputs(*, plan_ids: set[int] = frozenset(), with_no_agreement: bool = False
                ) -> list[dict]:
    """Each active tier (and any in `plan_ids`): its newest version's hours and targets, its
    clients (current agreements) and its clients' sites' drive minutes."""
    clients_by_plan: dict[int, set[int]] = defaultdict(set)
    for plan_id, client_id in (Agreement.objects
                               .filter(status__in=[AgreementStatus.ACTIVE,
                                                   AgreementStatus.SUSPENDED])
                               .values_list("plan_version__plan_id", "client_id")):
        clients_by_plan[plan_id].add(client_id)
    drives_by_client: dict[int, list[float]] = defaultdict(list)
    for client_id, minutes in Site.objects.filter(client__is_active=True).values_list(
            "client_id", "drive_minutes"):
        drives_by_client[client_id].append(float(minutes))
    plans = list(Plan.objects.filter(Q(is_active=True) | Q(pk__in=set(plan_ids)
                                                          | set(clients_by_plan)))
                 .order_by("rank"))
    newest: dict[int, PlanVersion] = {}
    for version in (PlanVersion.objects.filter(plan__in=plans).order_by("plan_id", "-number")
                    .prefetch_related("targets")):
        newest.setdefault(version.plan_id, version)
    tiers = []
    for plan in plans:
        version = newest.get(plan.pk)
        if version is None:
            continue
        targets = {}
        for rt in sorted(version.targets.all(), key=lambda t: PRIORITY_ORDER.index(t.priority)):
            snapshot = target_snapshot(rt, needs_onsite=True)
            if snapshot:
                targets[rt.priority] = snapshot
        clients = clients_by_plan.get(plan.pk, set())
        drives = [d for c in clients for d in drives_by_client.get(c, ())]
        tiers.append({"name": plan.name, "plan_id": plan.pk, "version": version.number,
                      "hours": version.hours, "hours_label": version.hours_label,
                      "targets": targets, "clients": len(clients),
                      "drive": _drive_spec(drives or _all_drives(drives_by_client))})
    if with_no_agreement:
        tiers.append({"name": NO_AGREEMENT, "plan_id": None, "version": None,
                      "hours": settings.TIERDESK_MSP_HOURS, "hours_label": "the MSP's hours",
                      "targets": {}, "clients": 0,
                      "drive": _drive_spec(_all_drives(drives_by_client))})
    return tiers


def _all_drives(drives_by_client: dict[int, list[float]]) -> list[float]:
    return [d for values in drives_by_client.values() for d in values]


def _drive_spec(drives: list[float]) -> dict:
    return sample_spec(drives) if drives else {"kind": "fixed", "mean": DEFAULT_DRIVE_MINUTES,
                                               "n": 0}


# Learning the demand ------------------------------------------------------------------------

def learn_streams(*, start: dt.datetime, end: dt.datetime, tz: str, tiers: list[dict],
                  rows: list[tuple], minutes: dict[int, float]) -> list[dict]:
    """The streams (tier x priority) of the tickets in `rows` (id, plan id, priority, type,
    needs on-site, opened at) opened in [start, end); `minutes`: work per ticket id."""
    tier_of_plan = {t["plan_id"]: t["name"] for t in tiers}
    groups: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for ticket_id, plan_id, priority, kind, onsite, opened_at in rows:
        tier = tier_of_plan.get(plan_id, NO_AGREEMENT)
        groups[(tier, priority)].append(
            (opened_at.timestamp(), kind == TicketType.HELPDESK, onsite, minutes.get(ticket_id)))
    by_tier: dict[str, list[float]] = defaultdict(list)
    for (tier, _), items in groups.items():
        by_tier[tier].extend(m for *_, m in items if m is not None)
    everyone = [m for values in by_tier.values() for m in values]
    drive_of = {t["name"]: t["drive"] for t in tiers}
    order = {t["name"]: i for i, t in enumerate(tiers)}
    streams = []
    for (tier, priority), items in sorted(groups.items(), key=lambda kv: (
            order.get(kv[0][0], len(order)), PRIORITY_ORDER.index(kv[0][1]))):
        epochs = np.array([i[0] for i in items])
        helpdesk = np.array([i[1] for i in items], dtype=bool)
        onsite = np.array([i[2] for i in items], dtype=bool)
        work, source = _work_spec(
            [i[3] for i in items if i[3] is not None], by_tier[tier], everyone, tier, priority)
        other = [i[3] for i in items if i[3] is not None and not i[1]]
        work_other = sample_spec(other) or work
        n_other = int((~helpdesk).sum())
        streams.append({
            "tier": tier, "priority": priority, "tickets": len(items),
            "helpdesk_tickets": int(helpdesk.sum()),
            "rates": _rates(epochs, tz, start, end),
            "helpdesk_rates": _rates(epochs[helpdesk], tz, start, end),
            "work": work, "work_other": work_other, "work_source": source,
            "onsite_share": round(float(onsite.mean()), 4),
            "onsite_share_other": round(float(onsite[~helpdesk].mean()), 4) if n_other else 0.0,
            "drive": drive_of.get(tier) or _drive_spec([]),
        })
    return streams


def _rates(epochs: np.ndarray, tz: str, start: dt.datetime, end: dt.datetime) -> list[float]:
    if len(epochs) == 0:
        return [0.0] * 168
    rates = hour_of_week_rates(epochs.astype(np.int64), tz=tz, start=start, end=end)
    return [round(r, 6) for r in rates]


def _work_spec(own: list[float], tier: list[float], everyone: list[float], tier_name: str,
               priority: str) -> tuple[dict, str]:
    label = PRIORITY_LABELS.get(priority, priority)
    for values, where in ((own, f"{tier_name} {label}"), (tier, f"all {tier_name}"),
                          (everyone, "all tiers")):
        spec = sample_spec(values)
        if spec is not None:
            return spec, f"{len(values)} worked tickets of {where}"
    return _default_work(), f"no worked tickets: assumed {DEFAULT_WORK_MINUTES:g} minutes"


def _history(start: dt.datetime, end: dt.datetime) -> tuple[list[tuple], dict[int, float]]:
    window = Q(opened_at__gte=start, opened_at__lt=end)
    rows = list(Ticket.objects.filter(window).values_list(
        "id", "plan_version__plan_id", "priority", "type", "needs_onsite", "opened_at"))
    minutes: dict[int, float] = defaultdict(float)
    for ticket_id, started_at, ended_at in (WorkSession.objects.filter(
            ticket__opened_at__gte=start, ticket__opened_at__lt=end, ended_at__isnull=False)
            .values_list("ticket_id", "started_at", "ended_at")):
        minutes[ticket_id] += max(0.0, (ended_at - started_at).total_seconds() / 60)
    return rows, dict(minutes)


def capacity_model(*, now: dt.datetime | None = None, weeks: int = DEFAULT_WEEKS,
                   assumptions: dict | None = None) -> dict:
    """The capacity model as of `now`: demand learned from the last `weeks` weeks (or from
    `assumptions`, see assumed_streams), tiers, roster. With no ticket in the window and no
    assumptions, `streams` is empty and `message` says what to do."""
    now = now or clock.now()
    tz = msp_tz()
    end = now
    start = end - dt.timedelta(weeks=weeks)
    rows, minutes = _history(start, end)
    plan_ids = {r[1] for r in rows if r[1] is not None}
    tiers = tier_inputs(plan_ids=plan_ids, with_no_agreement=any(r[1] is None for r in rows))
    model = {
        "schema": SCHEMA, "tz": tz, "start": scenario_start(now, tz).isoformat(),
        "history": {"weeks": weeks, "start": start.isoformat(), "end": end.isoformat(),
                    "tickets": len(rows), "worked_tickets": len(minutes)},
        "tiers": tiers, "roster": roster.roster_snapshot(), "source": "history", "message": "",
        "streams": learn_streams(start=start, end=end, tz=tz, tiers=tiers, rows=rows,
                                 minutes=minutes),
    }
    if not rows:
        model["source"] = "none"
        model["message"] = f"no tickets in the last {weeks} weeks: enter assumptions"
    if assumptions is not None:
        model["streams"] = assumed_streams(model, assumptions)
        model["source"] = "assumptions"
        model["assumptions"] = assumptions
    return model


# Assumptions --------------------------------------------------------------------------------

def hours_profile(hours: dict, *, start: dt.datetime, tz: str) -> np.ndarray:
    """168 weights, 1 for each hour of the week (in `tz`, from `start`, a Monday) in which
    the calendar is open; all ones for a calendar never open that week."""
    cal = Calendar.from_dict(hours)
    monday = start.astimezone(ZoneInfo(tz))
    mask = np.array([cal.is_open(monday + dt.timedelta(hours=h, minutes=30))
                     for h in range(168)], dtype=float)
    return mask if mask.sum() else np.ones(168)


def _number(raw, where: str, *, low: float = 0.0, high: float | None = None) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValidationError({"assumptions": f"{where}: {raw!r} is not a number"}) from None
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise ValidationError({"assumptions": f"{where}: must be {bound}, got {raw}"})
    return value


def assumed_streams(model: dict, assumptions: dict) -> list[dict]:
    """Streams from the owner's assumptions::

        {"tiers": {"Gold": {"clients": 12, "tickets_per_client_month": 3,
                            "work_minutes": 40, "onsite_percent": 10}, ...},
         "helpdesk_percent": 60}

    One stream per tier (its normal priority, P3, or its first priority with targets),
    spread evenly over the tier's coverage hours; work is lognormal with the mean entered
    and as much spread (sd = mean). Help desk is worked remotely, so the on-site share falls
    on the other tickets. Errors name `assumptions` and the tier and figure.
    """
    per_tier = assumptions.get("tiers") or {}
    helpdesk = _number(assumptions.get("helpdesk_percent", 0), "help-desk share (%)",
                       high=100) / 100
    start = dt.datetime.fromisoformat(model["start"])
    streams = []
    for tier in model["tiers"]:
        entered = per_tier.get(tier["name"])
        if not entered:
            continue
        name = tier["name"]
        clients = _number(entered.get("clients", tier["clients"]), f"{name}: clients",
                          high=100_000)
        per_month = _number(entered.get("tickets_per_client_month", 0),
                            f"{name}: tickets per client a month", high=10_000)
        onsite = _number(entered.get("onsite_percent", 0), f"{name}: on-site share (%)",
                         high=100) / 100
        if clients == 0 or per_month == 0:
            continue
        work = _number(entered.get("work_minutes"), f"{name}: mean work minutes", low=1,
                       high=10_000)
        tier["clients"] = int(clients)
        per_week = per_month * clients * 12 / 52
        profile = hours_profile(tier["hours"], start=start, tz=model["tz"])
        rates = per_week * profile / profile.sum()
        targets = tier["targets"]
        priority = "p3" if "p3" in targets or not targets else next(iter(targets))
        spec = {"kind": "lognormal", "mean": work, "sd": work, "n": 0}
        streams.append({
            "tier": name, "priority": priority, "tickets": 0, "helpdesk_tickets": 0,
            "rates": [round(float(r), 6) for r in rates],
            "helpdesk_rates": [round(float(r) * helpdesk, 6) for r in rates],
            "work": spec, "work_other": spec, "work_source": f"assumed {work:g} minutes",
            "onsite_share": round(onsite, 4),
            "onsite_share_other": round(min(1.0, onsite / (1 - helpdesk)), 4)
            if helpdesk < 1 else 0.0,
            "drive": tier["drive"],
        })
    if not streams:
        raise ValidationError({"assumptions": "enter clients and tickets per client a month "
                                              "for at least one tier"})
    return streams


# Building the scenario --------------------------------------------------------------------

def tickets_per_week(model: dict) -> float:
    return float(sum(sum(s["rates"]) for s in model["streams"]))


def scenario_from_model(model: dict, *, name: str, weeks: float, seeds: int) -> Scenario:
    """The simulation Scenario of a model (no database access). Raises ScenarioError
    naming the field (an empty roster, an empty demand, a horizon over two years...)."""
    start = dt.datetime.fromisoformat(model["start"])
    built_roster = roster.engine_roster(model["roster"], start=start,
                                        weeks=weeks + DRAIN_WEEKS + 1)
    tiers = tuple(Tier(t["name"], t["hours"], t["targets"]) for t in model["tiers"])
    streams = []
    for s in model["streams"]:
        share = float(s["onsite_share"])
        streams.append(Stream(s["tier"], s["priority"], tuple(s["rates"]),
                              distribution(s["work"]), share,
                              distribution(s["drive"]) if share > 0 else None))
    return Scenario(roster=built_roster, tiers=tiers,
                    demand=DemandModel(tuple(streams), tz=model["tz"]), start=start,
                    weeks=weeks, seeds=tuple(range(1, seeds + 1)), name=name,
                    drain_weeks=DRAIN_WEEKS)


# Reading a model (the page) -------------------------------------------------------------------

def _spec_mean(spec: dict) -> float:
    return float(spec["mean"]) if spec.get("mean") is not None else float(
        np.mean(spec["values"]))


def model_summary(model: dict) -> list[dict]:
    """Per tier, what the model holds: clients, tickets a week, help-desk share, mean work
    minutes, on-site share, and its streams (priority, tickets a week, work source)."""
    rows = []
    for tier in model["tiers"]:
        streams = [s for s in model["streams"] if s["tier"] == tier["name"]]
        weekly = [sum(s["rates"]) for s in streams]
        total = sum(weekly)
        helpdesk = sum(sum(s["helpdesk_rates"]) for s in streams)
        rows.append({
            "name": tier["name"], "clients": tier["clients"], "hours": tier["hours_label"],
            "targets": tier["targets"], "tickets_per_week": total,
            "helpdesk_share": helpdesk / total if total else None,
            "work_minutes": (sum(w * _spec_mean(s["work"]) for w, s in zip(weekly, streams,
                                                                            strict=True))
                             / total) if total else None,
            "onsite_share": (sum(w * s["onsite_share"] for w, s in zip(weekly, streams,
                                                                       strict=True))
                             / total) if total else None,
            "drive_minutes": _spec_mean(tier["drive"]),
            "streams": [{"priority": PRIORITY_LABELS.get(s["priority"], s["priority"]),
                         "tickets_per_week": w, "tickets": s["tickets"],
                         "work_minutes": _spec_mean(s["work"]),
                         "work_source": s["work_source"]}
                        for w, s in zip(weekly, streams, strict=True)],
        })
    return rows
