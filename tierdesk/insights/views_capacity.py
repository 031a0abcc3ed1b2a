"""Capacity and SLA feasibility pages: the roster, the scenarios page (the learned demand,
or assumptions when there is no history, and the presets to run), and a run's results,
polled with htmx until the task has finished.

Owners and dispatchers see them and run scenarios; only the owner changes the roster
(working hours and skills are the owner's to set). Thin: parse, call one service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from tierdesk.clients.forms import add_service_errors
from tierdesk.core import clock
from tierdesk.core.models import Role
from tierdesk.core.permissions import MANAGERS, staff_view
from tierdesk.insights import capacity, capacity_charts, roster, scenarios
from tierdesk.insights.access import scenario_run_for_staff, scenario_runs_for_staff
from tierdesk.insights.capacity_forms import AssumptionsForm, ScenarioForm, TechnicianProfileForm

ROSTER_WEEKS_SHOWN = 8


@staff_view(*MANAGERS)
def capacity_scenarios(request):
    """The learned demand (or the assumptions form), the scenario form, the latest runs."""
    model = capacity.capacity_model()
    tiers = [t["name"] for t in model["tiers"]]
    technicians = [(t["name"], t["label"]) for t in model["roster"]["technicians"]]
    data = request.POST if request.method == "POST" else None
    form = ScenarioForm(data, tiers=tiers, technicians=technicians)
    needs_assumptions = not model["streams"]
    assumptions_form = AssumptionsForm(data if needs_assumptions else None,
                                       tiers=model["tiers"])
    if data is not None:
        valid = form.is_valid() & (not needs_assumptions or assumptions_form.is_valid())
        if valid:
            try:
                run = scenarios.scenario_run_create(
                    by=request.user, weeks=form.cleaned_data["weeks"],
                    seeds=form.cleaned_data["seeds"], margin=form.cleaned_data["margin"],
                    presets=form.presets(),
                    assumptions=assumptions_form.assumptions() if needs_assumptions else None)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Scenarios queued: the figures appear below when "
                                          "the simulation is done.")
                return redirect("insights:capacity_run", pk=run.pk)
    return render(request, "insights/capacity_scenarios.html", {
        "model": model, "summary": capacity.model_summary(model), "form": form,
        "assumptions_form": assumptions_form, "needs_assumptions": needs_assumptions,
        "runs": scenario_runs_for_staff(request.user)[:10],
        "technicians": model["roster"]["technicians"],
        "uncovered_weeks": roster.uncovered_desk_weeks(
            model["roster"], start=capacity.scenario_start(clock.now(), model["tz"]),
            weeks=ROSTER_WEEKS_SHOWN),
        "weeks_shown": ROSTER_WEEKS_SHOWN,
    }, status=400 if data is not None else 200)


@staff_view(*MANAGERS)
def capacity_roster(request):
    """Who counts, with which hours and skills; the desk's on-call weeks ahead. The owner
    edits one row at a time."""
    rows = roster.roster_rows()
    errors_for, posted_form = None, None
    if request.method == "POST":
        if not request.user.has_role(Role.OWNER):
            raise PermissionDenied("only the owner changes the roster")
        row = next((r for r in rows if str(r.user.pk) == request.POST.get("user")), None)
        if row is None:
            raise Http404("No such staff member.")
        posted_form = TechnicianProfileForm(request.POST, prefix=f"u{row.user.pk}")
        if posted_form.is_valid():
            try:
                roster.technician_profile_update(user=row.user, by=request.user,
                                                 **posted_form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(posted_form, exc)
            else:
                messages.success(request, f"{row.label}: roster profile saved.")
                return redirect("insights:capacity_roster")
        errors_for = row.user.pk
    forms = []
    for row in rows:
        if row.user.pk == errors_for:
            forms.append((row, posted_form))
        else:
            forms.append((row, TechnicianProfileForm(prefix=f"u{row.user.pk}", initial={
                "hours": row.hours, "remote": row.remote, "onsite": row.onsite,
                "is_active": row.is_active})))
    snapshot = roster.roster_snapshot()
    start = capacity.scenario_start(clock.now(), capacity.msp_tz())
    on_call = roster.on_call_weeks(snapshot["rotations"], start=start, weeks=ROSTER_WEEKS_SHOWN)
    names = {t["name"] for t in snapshot["technicians"]}
    return render(request, "insights/capacity_roster.html", {
        "forms": forms, "can_edit": request.user.has_role(Role.OWNER),
        "rotations": snapshot["rotations"],
        "on_call": [(start + k * roster.WEEK, name, name in names if name else False)
                    for k, name in enumerate(on_call)],
    }, status=400 if errors_for else 200)


def _run_context(run) -> dict:
    context = {"run": run}
    if run.status == "done" and run.results:
        context.update(results_tables(run.results))
        context["attainment_chart"] = capacity_charts.attainment_chart(run.results)
        context["utilisation_chart"] = capacity_charts.utilisation_chart(run.results)
    return context


@staff_view(*MANAGERS)
def capacity_run(request, pk: int):
    """One run: its inputs and, once done, the scenarios side by side."""
    run = scenario_run_for_staff(request.user, pk)
    return render(request, "insights/capacity_run.html", _run_context(run))


@staff_view(*MANAGERS)
def capacity_run_status(request, pk: int):
    """The run's status and results fragment (polled every 2 s until finished)."""
    run = scenario_run_for_staff(request.user, pk)
    return render(request, "insights/capacity_run_status.html", _run_context(run))


def results_tables(results: dict) -> dict:
    """The side-by-side tables: one column per scenario, one row per figure."""
    columns = results["scenarios"]
    rows: list[tuple[str, list[str]]] = []

    def row(label, cell):
        rows.append((label, [cell(s) for s in columns]))

    row("Tickets a week", lambda s: _number(s["figures"]["tickets_per_week"], "{:.1f}"))
    pairs = []
    for s in columns:
        for a in s["attainment"]:
            if (a["tier"], a["target"]) not in pairs:
                pairs.append((a["tier"], a["target"]))
    for tier, target in pairs:
        row(f"{tier}: {scenarios.TARGET_LABELS[target]} kept",
            lambda s, t=tier, k=target: next(
                (scenarios.with_interval(a) for a in s["attainment"]
                 if (a["tier"], a["target"]) == (t, k)), "—"))
    row("Roster utilisation", lambda s: scenarios.with_interval(s["figures"]["utilisation"]))
    row("Overtime, hours a week",
        lambda s: _number(s["figures"]["overtime_hours_per_week"], "{:.1f}"))
    row("On call, hours a week",
        lambda s: _number(s["figures"]["on_call_hours_per_week"], "{:.1f}"))
    row("Call-outs a week", lambda s: _number(s["figures"]["on_call_tickets_per_week"],
                                              "{:.1f}"))
    row("Mean wait, minutes", lambda s: _number(s["figures"]["wait_mean_minutes"], "{:.0f}"))
    row("Tickets never reached", lambda s: _number(s["figures"]["unserved"], "{:.0f}"))
    techs: list[tuple[str, str]] = []
    for s in columns:
        for t in s["technicians"]:
            if (t["name"], t["label"]) not in techs:
                techs.append((t["name"], t["label"]))
    tech_rows = []
    for name, label in techs:
        cells = []
        for s in columns:
            t = next((t for t in s["technicians"] if t["name"] == name), None)
            cells.append("gone" if t is None else
                         f"{scenarios.with_interval(t['utilisation'])} · overtime "
                         f"{_number(t['overtime_hours_per_week'], '{:.1f}')} h · on call "
                         f"{_number(t['on_call_hours_per_week'], '{:.1f}')} h a week")
        tech_rows.append((label, cells))
    return {"columns": columns, "rows": rows, "tech_rows": tech_rows}


def _number(est: dict, fmt: str) -> str:
    if est["mean"] is None:
        return "—"
    text = fmt.format(est["mean"])
    if est["low"] is not None:
        text += " (" + fmt.format(max(0.0, est["low"])) + "–" + fmt.format(est["high"]) + ")"
    return text
