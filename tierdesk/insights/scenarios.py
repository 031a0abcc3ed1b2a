"""Capacity scenarios side by side: presets, queuing a run, running it, and its figures.

A run always simulates "as today" (the capacity model of insights/capacity.py unchanged)
and each preset the owner picked, each applied to today's model on its own:

* ``more_clients`` — sign N more clients of a tier: that tier's arrivals (help desk
  included) are scaled by (clients + N) / clients;
* ``lose_technician`` — one technician leaves: off the roster and out of the on-call
  rotations (the others take their turns);
* ``outsource_helpdesk`` — end-user help desk goes to a partner: the help-desk tickets of
  one tier (or all) leave the roster's queue; the rest keep their own work times and
  on-site share;
* ``add_on_call`` — a new weekly on-call rotation of the technicians picked, on top of the
  desk's (a second person on call).

Every scenario runs with the same seeds, so they share their common tickets (common random
numbers) and their differences are not noise. Figures are means over the seeds with 95%
confidence intervals; the answer in words (`answer`) names each tier's headline promise
and says whether, and where, the roster is over-extended: its utilisation above the
ceiling the owner's margin leaves (100% - margin), a technician above it, more than
OVERTIME_LIMIT_HOURS of overtime a week per technician (on-call work is overtime), or
tickets never reached.
"""

from __future__ import annotations

import copy
import logging
import math
import time

from django.core.exceptions import ValidationError
from django.db import transaction

from tierdesk.core import clock
from tierdesk.insights import capacity, capacity_events
from tierdesk.insights.models import ScenarioRun, ScenarioRunStatus
from tierdesk.insights.simulation import ScenarioError, simulate
from tierdesk.insights.simulation.model import MAX_WEEKS

log = logging.getLogger(__name__)

MAX_SEEDS = 30
DEFAULT_SEEDS = 5
DEFAULT_MARGIN = 15
MAX_MORE_CLIENTS = 10_000
#: Overtime (on-call work included) a technician may average a week before the roster
#: counts as over-extended: about a tenth of a working week.
OVERTIME_LIMIT_HOURS = 4.0
PRESET_KINDS = ("more_clients", "lose_technician", "outsource_helpdesk", "add_on_call")
TARGET_WORDS = {"first_response": "response", "onsite": "on-site arrival",
                "resolution": "resolution"}
TARGET_LABELS = {"first_response": "first response", "onsite": "on-site arrival",
                 "resolution": "resolution"}


# Checking the request -----------------------------------------------------------------------

def _integer(value, field: str) -> int:
    if isinstance(value, bool):
        raise ValidationError({field: f"expected a whole number, got {value!r}"})
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"expected a whole number, got {value!r}"}) from None
    if not math.isfinite(number) or number != int(number):
        raise ValidationError({field: f"expected a whole number, got {value!r}"})
    return int(number)


def check_run_request(*, weeks, seeds, margin) -> tuple[int, int, int]:
    """The horizon, number of seeds and margin, checked; errors name the field."""
    errors = {}
    try:
        weeks = _integer(weeks, "weeks")
        if weeks < 1:
            errors["weeks"] = "simulate at least one week"
        elif weeks > MAX_WEEKS:
            errors["weeks"] = (f"{weeks} weeks would simulate {weeks / 52:.1f} years; a "
                               f"scenario covers at most {MAX_WEEKS} weeks (2 years)")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        seeds = _integer(seeds, "seeds")
        if not 1 <= seeds <= MAX_SEEDS:
            errors["seeds"] = f"between 1 and {MAX_SEEDS} runs per scenario, got {seeds}"
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        margin = _integer(margin, "margin")
        if margin >= 100:
            errors["margin"] = (f"a margin of {margin}% leaves no working time to plan with; "
                                "keep it below 100%")
        elif margin < 0:
            errors["margin"] = ("a margin is the share of working hours kept free (0-99%), "
                                f"got {margin}%")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return weeks, seeds, margin


def scenario_error(exc: ScenarioError) -> ValidationError:
    """A simulation input error as a ValidationError naming the part at fault."""
    message = str(exc)
    head = message.split(":", 1)[0]
    if head.startswith(("roster", "technician", "on-call")):
        field = "roster"
    elif head.startswith(("demand", "stream")):
        field = "demand"
    elif head.startswith(("tier", "tiers")):
        field = "tiers"
    elif head in ("weeks", "seeds", "start"):
        field = head
    else:
        field = "scenario"
    return ValidationError({field: message})


# Presets ------------------------------------------------------------------------------------

def _tier(model: dict, name: str, field: str) -> dict:
    for tier in model["tiers"]:
        if tier["name"] == name:
            return tier
    raise ValidationError({field: f'"{name}" is not a tier'})


def _tech_label(model: dict, name: str) -> str:
    for tech in model["roster"]["technicians"]:
        if tech["name"] == name:
            return tech.get("label") or name
    return name


def apply_preset(model: dict, preset: dict) -> tuple[dict, str, list[str]]:
    """Today's model changed by one preset: (new model, label, what changed). Errors name
    the form field of the preset."""
    model = copy.deepcopy(model)
    kind = preset.get("kind")
    if kind == "more_clients":
        count = _integer(preset.get("count"), "more_clients_count")
        if not 1 <= count <= MAX_MORE_CLIENTS:
            raise ValidationError({"more_clients_count": f"between 1 and {MAX_MORE_CLIENTS:,} "
                                                         f"clients, got {count}"})
        tier = _tier(model, preset.get("tier") or "", "more_clients_tier")
        if tier["clients"] == 0:
            raise ValidationError({"more_clients_tier": (
                f'{tier["name"]} has no clients today, so there is no demand per client to '
                "scale; enter assumptions with a number of clients instead")})
        factor = (tier["clients"] + count) / tier["clients"]
        for stream in model["streams"]:
            if stream["tier"] == tier["name"]:
                stream["rates"] = [r * factor for r in stream["rates"]]
                stream["helpdesk_rates"] = [r * factor for r in stream["helpdesk_rates"]]
        tier["clients"] += count
        label = f"Sign {count} more {tier['name']} clients"
        return model, label, [f"{tier['name']} arrivals x {factor:.2f} "
                              f"({tier['clients'] - count} -> {tier['clients']} clients)"]
    if kind == "lose_technician":
        name = preset.get("technician") or ""
        techs = model["roster"]["technicians"]
        if name not in {t["name"] for t in techs}:
            raise ValidationError({"lose_technician": f'"{name}" is not on the roster'})
        if len(techs) == 1:
            raise ValidationError({"lose_technician": (
                f"{_tech_label(model, name)} is the only technician: losing them leaves "
                "nobody on the roster")})
        label = f"Lose {_tech_label(model, name)}"
        model["roster"]["technicians"] = [t for t in techs if t["name"] != name]
        for rotation in model["roster"]["rotations"] + model["roster"]["added_rotations"]:
            rotation["members"] = [m for m in rotation["members"] if m != name]
        return model, label, [f"{len(techs) - 1} technicians instead of {len(techs)}"]
    if kind == "outsource_helpdesk":
        tier_name = preset.get("tier") or ""
        if tier_name:
            _tier(model, tier_name, "outsource_tier")
        moved = 0.0
        for stream in model["streams"]:
            if tier_name and stream["tier"] != tier_name:
                continue
            moved += sum(stream["helpdesk_rates"])
            stream["rates"] = [max(0.0, r - h) for r, h in zip(
                stream["rates"], stream["helpdesk_rates"], strict=True)]
            stream["helpdesk_rates"] = [0.0] * len(stream["rates"])
            stream["work"] = stream["work_other"]
            stream["onsite_share"] = stream["onsite_share_other"]
        where = tier_name or "all tiers"
        label = f"Outsource end-user help desk ({where})"
        return model, label, [f"{moved:.1f} help-desk tickets a week leave the queue"]
    if kind == "add_on_call":
        members = list(dict.fromkeys(preset.get("members") or []))
        names = {t["name"] for t in model["roster"]["technicians"]}
        if not members:
            raise ValidationError({"on_call_members": "pick who takes turns on call"})
        unknown = [m for m in members if m not in names]
        if unknown:
            raise ValidationError({"on_call_members": f'"{unknown[0]}" is not on the roster'})
        labels = ", ".join(_tech_label(model, m) for m in members)
        model["roster"]["added_rotations"].append({"name": "Added on-call rotation",
                                                   "members": members})
        return model, f"Add an on-call rotation ({labels})", [
            f"weekly turns: {labels}, on top of the desk's rotation"]
    raise ValidationError({"scenario": f"unknown preset {kind!r} (expected one of "
                                       f"{', '.join(PRESET_KINDS)})"})


def scenario_models(inputs: dict) -> list[dict]:
    """Each scenario of a run's inputs: key, label, changes and its model."""
    base = inputs["model"]
    out = [{"key": "today", "label": "As today", "changes": [], "model": base}]
    for i, preset in enumerate(inputs["presets"]):
        model, label, changes = apply_preset(base, preset)
        out.append({"key": f"{preset['kind']}-{i}", "label": label, "changes": changes,
                    "model": model})
    return out


# Queuing and running ------------------------------------------------------------------------

@transaction.atomic
def scenario_run_create(*, by, weeks, seeds, margin, presets: list[dict],
                        assumptions: dict | None = None, now=None,
                        history_weeks: int = capacity.DEFAULT_WEEKS) -> ScenarioRun:
    """Learn today's capacity model, check every scenario builds, store the run and queue
    it (on commit). Bad input raises ValidationError naming the field — `weeks`, `seeds`,
    `margin`, a preset's field, `assumptions`, `roster` (nobody on it), `demand` — and
    stores nothing."""
    weeks, seeds, margin = check_run_request(weeks=weeks, seeds=seeds, margin=margin)
    model = capacity.capacity_model(now=now, weeks=history_weeks, assumptions=assumptions)
    if not model["streams"]:
        raise ValidationError({"assumptions": model["message"]
                               or "no demand to simulate: enter assumptions"})
    inputs = {"model": model, "presets": list(presets), "weeks": weeks, "seeds": seeds,
              "margin": margin}
    scenarios = scenario_models(inputs)
    for scenario in scenarios:
        try:
            capacity.scenario_from_model(scenario["model"], name=scenario["label"],
                                         weeks=weeks, seeds=seeds)
        except ScenarioError as exc:
            raise scenario_error(exc) from None
    inputs["scenarios"] = [{k: s[k] for k in ("key", "label", "changes")} for s in scenarios]
    run = ScenarioRun.objects.create(created_by=by, weeks=weeks, seeds=seeds,
                                     margin_percent=margin, inputs=inputs)
    capacity_events.scenario_run_queued_event(run=run, by=by)
    transaction.on_commit(lambda: _queue(run.pk))
    return run


def _queue(run_id: int) -> None:
    from tierdesk.insights.tasks import run_scenarios_task

    run_scenarios_task(run_id)


def scenario_run_execute(*, run_id: int) -> ScenarioRun:
    """Run a queued ScenarioRun (a run not queued is left alone: running it twice gives
    nothing new). Any failure is recorded on the run (status failed, with the reason)."""
    claimed = ScenarioRun.objects.filter(pk=run_id, status=ScenarioRunStatus.QUEUED).update(
        status=ScenarioRunStatus.RUNNING, started_at=clock.now())
    run = ScenarioRun.objects.get(pk=run_id)
    if not claimed:
        return run
    try:
        results = simulate_run(run.inputs)
    except Exception as exc:  # noqa: BLE001 - a run must end failed with its reason, never stay "running"
        if not isinstance(exc, ScenarioError | ValidationError):
            log.exception("scenario run %s failed", run_id)
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        ScenarioRun.objects.filter(pk=run_id, status=ScenarioRunStatus.RUNNING).update(
            status=ScenarioRunStatus.FAILED, error=message or type(exc).__name__,
            finished_at=clock.now())
    else:
        ScenarioRun.objects.filter(pk=run_id, status=ScenarioRunStatus.RUNNING).update(
            status=ScenarioRunStatus.DONE, results=results, finished_at=clock.now())
    run.refresh_from_db()
    capacity_events.scenario_run_finished_event(run=run)
    return run


def simulate_run(inputs: dict) -> dict:
    """Simulate every scenario of a run's inputs; the results JSON (see module docstring)."""
    weeks, seeds, margin = inputs["weeks"], inputs["seeds"], inputs["margin"]
    out = []
    t0 = time.perf_counter()
    for scenario in scenario_models(inputs):
        built = capacity.scenario_from_model(scenario["model"], name=scenario["label"],
                                             weeks=weeks, seeds=seeds)
        result = simulate(built)
        out.append(summarise(scenario, built, result, weeks=weeks))
    results = {"scenarios": out, "ceiling": (100 - margin) / 100,
               "seconds": round(time.perf_counter() - t0, 3)}
    results["answer"] = answer(results, inputs["model"])
    return results


# Figures ------------------------------------------------------------------------------------

def _est(estimate, scale: float = 1.0) -> dict:
    def clean(x):
        return None if x is None or math.isnan(x) else round(x * scale, 6)

    return {"mean": clean(estimate.mean), "low": clean(estimate.low),
            "high": clean(estimate.high), "n": estimate.n}


def summarise(scenario: dict, built, result, *, weeks: int) -> dict:
    """One scenario's figures as JSON: means and 95% intervals (None where undefined)."""
    summary = result.summary
    per_week = 1 / weeks

    def get(key, scale=1.0):
        return _est(summary[key], scale) if key in summary else {"mean": None, "low": None,
                                                                  "high": None, "n": 0}

    attainment, by_priority = [], []
    for tier in built.tiers:
        for target in ("first_response", "onsite", "resolution"):
            key = ("attainment", tier.name, target)
            if key in summary and summary[key].n:
                attainment.append({"tier": tier.name, "target": target, **get(key)})
            for priority in tier.targets:
                key = ("attainment", tier.name, priority, target)
                if key in summary and summary[key].n:
                    by_priority.append({"tier": tier.name, "priority": priority,
                                        "target": target, **get(key)})
    technicians = [{
        "name": t.name, "label": _tech_label(scenario["model"], t.name),
        "utilisation": get(("utilisation", t.name)),
        "overtime_hours_per_week": get(("overtime_hours", t.name), per_week),
        "on_call_hours_per_week": get(("on_call_hours", t.name), per_week),
        "on_call_tickets_per_week": get(("on_call_tickets", t.name), per_week),
    } for t in built.roster.technicians]
    waits = [{"tier": t.name, "mean": get(("wait_mean_minutes", t.name)),
              "p90": get(("wait_p90_minutes", t.name))}
             for t in built.tiers if ("wait_mean_minutes", t.name) in summary]
    return {
        "key": scenario["key"], "label": scenario["label"], "changes": scenario["changes"],
        "technicians_count": len(built.roster.technicians),
        "on_call_rotations": len(built.roster.on_call),
        "expected_tickets_per_week": round(capacity.tickets_per_week(scenario["model"]), 2),
        "warnings": list(result.warnings),
        "figures": {
            "tickets_per_week": get(("tickets",), per_week),
            "unserved": get(("unserved",)),
            "utilisation": get(("utilisation",)),
            "overtime_hours_per_week": get(("overtime_hours",), per_week),
            "on_call_hours_per_week": get(("on_call_hours",), per_week),
            "on_call_tickets_per_week": get(("on_call_tickets",), per_week),
            "wait_mean_minutes": get(("wait_mean_minutes",)),
        },
        "attainment": attainment, "attainment_by_priority": by_priority,
        "technicians": technicians, "waits": waits,
    }


# The answer in words --------------------------------------------------------------------------

def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def with_interval(est: dict) -> str:
    """A share with its interval, "96% (93–98%)" (the interval clipped to 0–100%), or
    "100% (all runs agree)" when they do."""
    if est["mean"] is None:
        return "—"
    if est["low"] is None:
        return f"{pct(est['mean'])} (one run: no interval)"
    low, high = (min(max(est[k], 0.0), 1.0) for k in ("low", "high"))
    if round(low * 100) == round(high * 100):
        return f"{pct(est['mean'])} (all runs agree)"
    return f"{pct(est['mean'])} ({low * 100:.0f}–{high * 100:.0f}%)"


def describe_target(spec: dict, target: str) -> str:
    """"2-hour response", "4-business-hour resolution", "same-day response"."""
    word = TARGET_WORDS[target]
    if spec["kind"] == "same_day":
        return f"same-day {word}"
    minutes = spec["minutes"]
    if minutes % 60 == 0:
        amount = f"{minutes // 60}-{'business-' if spec['kind'] == 'business' else ''}hour"
    else:
        amount = f"{minutes}-{'business-' if spec['kind'] == 'business' else ''}minute"
    return f"{amount} {word}"


def headlines(model: dict, scenario: dict) -> list[tuple[str, str, dict]]:
    """Per tier, its most urgent priority's first response with a figure in `scenario`:
    (tier, description, estimate)."""
    figures = {(a["tier"], a["priority"], a["target"]): a
               for a in scenario["attainment_by_priority"]}
    out = []
    for tier in model["tiers"]:
        for priority in capacity.PRIORITY_ORDER:
            spec = tier["targets"].get(priority, {}).get("first_response")
            est = figures.get((tier["name"], priority, "first_response"))
            if spec and est and est["mean"] is not None:
                label = capacity.PRIORITY_LABELS[priority].split()[0]
                out.append((tier["name"], f"{describe_target(spec, 'first_response')} "
                                          f"({label})", est))
                break
    return out


def over_extension(scenario: dict, ceiling: float) -> list[str]:
    """Why the roster is over-extended in a scenario (empty: it is not)."""
    reasons = []
    figures = scenario["figures"]
    utilisation = figures["utilisation"]
    if utilisation["mean"] is not None and utilisation["mean"] > ceiling:
        reasons.append(f"utilisation {with_interval(utilisation)} above the "
                       f"{ceiling * 100:.0f}% ceiling")
    else:
        busy = [t for t in scenario["technicians"]
                if t["utilisation"]["mean"] is not None and t["utilisation"]["mean"] > ceiling]
        for tech in busy[:3]:
            reasons.append(f"{tech['label']} busy {pct(tech['utilisation']['mean'])} of "
                           "their hours")
    overtime = figures["overtime_hours_per_week"]["mean"]
    if overtime and scenario["technicians_count"]:
        each = overtime / scenario["technicians_count"]
        if each > OVERTIME_LIMIT_HOURS:
            reasons.append(f"overtime {each:.1f} h a week per technician, on-call work "
                           f"included (more than {OVERTIME_LIMIT_HOURS:g} h)")
    unserved = figures["unserved"]["mean"]
    if unserved:
        reasons.append(f"{unserved:.0f} tickets never reached")
    return reasons


def _if_clause(scenario: dict) -> str:
    if scenario["key"] == "today":
        return "already today"
    label = scenario["label"]
    return "if you " + label[0].lower() + label[1:]


def answer(results: dict, model: dict) -> list[str]:
    """The seed's question answered in plain computed sentences."""
    ceiling = results["ceiling"]
    scenarios = results["scenarios"]
    sentences = []
    today = scenarios[0]
    parts = [f"{tier}'s {desc} is kept {with_interval(est)} of the time"
             for tier, desc, est in headlines(model, today)]
    if parts:
        sentences.append("As today, " + "; ".join(parts) + ".")
    for scenario in scenarios[1:]:
        changed = [f"{tier}'s {desc} {with_interval(est)}"
                   for tier, desc, est in headlines(model, scenario)]
        util = scenario["figures"]["utilisation"]
        changed.append(f"utilisation {with_interval(util)}")
        sentences.append(f"{scenario['label']}: " + "; ".join(changed) + ".")
    stretched = [(s, over_extension(s, ceiling)) for s in scenarios]
    stretched = [(s, r) for s, r in stretched if r]
    if stretched:
        sentences.append("The roster is over-extended " + "; ".join(
            f"{_if_clause(s)} ({', '.join(r)})" for s, r in stretched) + ".")
    else:
        highest = max((s["figures"]["utilisation"]["mean"] or 0.0) for s in scenarios)
        sentences.append(f"The roster is not over-extended in any scenario: utilisation at "
                         f"most {pct(highest)}, under the {ceiling * 100:.0f}% ceiling "
                         f"(a {100 - ceiling * 100:.0f}% margin).")
    return sentences
