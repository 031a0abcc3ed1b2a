"""Staff pages of profitability: the table (month or trailing 90 days; agreement, client,
tier or segment; filters, sorting, CSV), its charts, one client's year, the low-profit
list, and the cost model page. Thin: parse, compute through profitability.py /
guardrails.py or call one service of costs.py, render. Owners and billing read; the owner
changes the cost model and the floors."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierdesk.catalog.models import Segment
from tierdesk.clients.access import client_for_staff
from tierdesk.core.permissions import staff_view
from tierdesk.insights import costs
from tierdesk.insights.guardrails import ClientMargin, explain, low_profit_clients
from tierdesk.insights.models import ToolCost
from tierdesk.insights.profit_access import (
    MARGIN_READERS,
    MARGIN_WRITERS,
    tool_cost_for_owner,
)
from tierdesk.insights.profit_charts import hours_fee_scatter, margin_lines
from tierdesk.insights.profit_figures import Figures, Period
from tierdesk.insights.profit_forms import (
    CostModelForm,
    FloorsForm,
    ToolCostForm,
    errors_into,
)
from tierdesk.insights.profitability import LEVELS, compute, msp_today, profitability_rows
from tierdesk.plans.models import Plan

PAGE_SIZE = 100
SCATTER_POINTS = 1500
NONE_LOW = Decimal("-1e12")
SORTS = {
    "label": lambda r: r.label.lower(),
    "revenue": lambda r: r.figures.revenue,
    "cost": lambda r: r.figures.cost,
    "margin": lambda r: r.figures.margin,
    "margin_pct": lambda r: (r.figures.margin_pct if r.figures.margin_pct is not None
                             else NONE_LOW),
    "hours": lambda r: r.figures.minutes,
    "hourly": lambda r: r.figures.effective_hourly or NONE_LOW,
}
CSV_PARTS = ("fees", "overage", "billable", "items", "adjustments", "labour", "travel",
             "mileage", "tools", "outsourced", "items_cost")


def parse_period(raw, today: dt.date) -> Period:
    """"YYYY-MM" as that month; anything else the trailing 90 days to today."""
    try:
        year, month = str(raw).split("-")[:2]
        return Period.month(dt.date(int(year), int(month), 1))
    except (TypeError, ValueError):
        return Period.trailing(today)


def _int_or_none(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _filters(request) -> dict:
    today = msp_today()
    level = request.GET.get("level")
    sort = request.GET.get("sort") or "margin_pct"
    return {
        "today": today,
        "period": parse_period(request.GET.get("period"), today),
        "level": level if level in LEVELS else "client",
        "plan_id": _int_or_none(request.GET.get("tier")),
        "segment_id": _int_or_none(request.GET.get("segment")),
        "sort": sort if sort.lstrip("-") in SORTS else "margin_pct",
    }


def _sorted(rows, sort: str):
    key = SORTS[sort.lstrip("-")]
    return sorted(rows, key=key, reverse=sort.startswith("-"))


def _total(rows) -> Figures:
    total = Figures()
    for row in rows:
        total.add(row.figures)
    return total


@staff_view(*MARGIN_READERS)
def profitability(request):
    """The profitability table (CSV with ?format=csv)."""
    f = _filters(request)
    rows = _sorted(profitability_rows(f["period"], level=f["level"], plan_id=f["plan_id"],
                                      segment_id=f["segment_id"]), f["sort"])
    if request.GET.get("format") == "csv":
        return _csv(rows, f)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    months = Period.last_months(f["today"], 12)
    return render(request, "insights/profit_table.html", {
        **f, "page": page, "rows": page.object_list, "count": len(rows),
        "total": _total(rows), "plans": Plan.objects.order_by("rank"),
        "segments": Segment.objects.order_by("position", "name"),
        "months": list(reversed(months)), "levels": LEVELS,
        "query": request.GET.urlencode(),
    })


def _csv(rows, f) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="profitability-{f["level"]}-'
                                       f'{f["period"].key}.csv"')
    writer = csv.writer(response)
    writer.writerow(["period", "level", "id", "name", "tier", "segment", *CSV_PARTS,
                     "revenue", "cost", "margin", "margin_pct", "hours", "effective_hourly",
                     "fee_estimated"])
    for row in rows:
        fig = row.figures
        parts = fig.parts()
        writer.writerow([
            row.period.key, row.level, row.key, row.label, row.plan_name, row.segment_name,
            *(parts[p] for p in CSV_PARTS), fig.revenue, fig.cost, fig.margin,
            "" if fig.margin_pct is None else fig.margin_pct, fig.hours,
            "" if fig.effective_hourly is None else fig.effective_hourly,
            "yes" if fig.estimated else "no"])
    return response


@staff_view(*MARGIN_READERS)
def profitability_charts(request):
    """The charts fragment (loaded by htmx): margin over the last 12 months per tier — or
    of one client — and hours against fee per client over the trailing 90 days."""
    f = _filters(request)
    client_id = _int_or_none(request.GET.get("client"))
    if client_id is not None:
        client_for_staff(request.user, client_id)
    months = Period.last_months(f["today"], 12)
    scope = [client_id] if client_id is not None else None
    year = compute(months, client_ids=scope)
    rows = year.rows("client" if client_id is not None else "tier")
    if f["plan_id"] is not None:
        rows = [r for r in rows if r.plan_id == f["plan_id"]]
    labels = [p.start.strftime("%b %y") for p in months]
    index = {p.key: i for i, p in enumerate(months)}
    series: dict[str, list] = {}
    for row in rows:
        series.setdefault(row.label, [None] * len(months))[index[row.period.key]] = (
            row.figures.margin_pct)
    floors = costs.margin_floors()
    floor = None
    if client_id is not None and rows:
        floor = costs.margin_floor_for(rows[-1].plan_id, floors)
    elif f["plan_id"] is not None:
        floor = costs.margin_floor_for(f["plan_id"], floors)
    title = ("Margin by month" + (f" · {rows[0].label}" if client_id is not None and rows
                                  else " per tier"))
    context = {"margin_chart": margin_lines(months=labels, series=series, floor=floor,
                                            title=title),
               "client_id": client_id}
    if client_id is None:
        trailing = profitability_rows(Period.trailing(f["today"]), plan_id=f["plan_id"],
                                      segment_id=f["segment_id"])
        trailing.sort(key=SORTS["margin_pct"])
        points = []
        for row in trailing[:SCATTER_POINTS]:
            months_of_service = row.figures.fee_months or Decimal(1)
            points.append({
                "label": row.label, "tier": row.plan_name,
                "hours": (row.figures.hours / months_of_service).quantize(Decimal("0.1")),
                "fee": row.monthly_fee.quantize(Decimal("0.01")),
                "under": row.figures.under(costs.margin_floor_for(row.plan_id, floors))})
        context.update({
            "scatter": hours_fee_scatter(points=points,
                                         title="Hours a month against the monthly fee"),
            "shown": len(points), "clients": len(trailing)})
    return render(request, "insights/profit_charts.html", context)


@staff_view(*MARGIN_READERS)
def profitability_client(request, client_id: int):
    """One client: the last 12 months and the trailing 90 days, why it is under its floor
    (if it is) and what to do."""
    client = client_for_staff(request.user, client_id)
    today = msp_today()
    periods = Period.last_months(today, 12) + [Period.trailing(today)]
    computation = compute(periods, client_ids=[client.pk])
    rows = computation.rows("client")
    trailing = next((r for r in rows if not r.period.is_month), None)
    months = [r for r in rows if r.period.is_month]
    detail = None
    floor = None
    if trailing is not None:
        floor = costs.margin_floor_for(trailing.plan_id)
        margin = ClientMargin(row=trailing, floor=floor,
                              floor_is_default=trailing.plan_id not in costs.margin_floors())
        if margin.under:
            detail = explain([margin], trailing.period, computation.rates)[0]
    return render(request, "insights/profit_client.html", {
        "client": client, "months": list(reversed(months)), "trailing": trailing,
        "floor": floor, "detail": detail,
        "agreements": computation.rows("agreement"),
    })


@staff_view(*MARGIN_READERS)
def low_profit(request):
    """Clients under their tier's margin floor over the trailing 90 days."""
    plan_id = _int_or_none(request.GET.get("tier"))
    segment_id = _int_or_none(request.GET.get("segment"))
    result = low_profit_clients(limit=200, plan_id=plan_id, segment_id=segment_id)
    return render(request, "insights/profit_low.html", {
        "result": result, "plan_id": plan_id, "segment_id": segment_id,
        "plans": Plan.objects.order_by("rank"),
        "segments": Segment.objects.order_by("position", "name"),
    })


# The cost model --------------------------------------------------------------------------------

def _cost_page(request, *, model_form=None, tool_form=None, floors_form=None, status=200):
    rates = costs.cost_rates_load()
    model = costs.cost_model_get()
    floors = costs.margin_floors()
    default = costs.default_floor()
    return render(request, "insights/profit_costs.html", {
        "model_form": model_form or CostModelForm(cost_model=model,
                                                  role_rates=rates.role_rates,
                                                  person_rates=rates.person_rates),
        "tool_form": tool_form or ToolCostForm(),
        "floors_form": floors_form or FloorsForm(floors=floors, default=default),
        "tools": ToolCost.objects.prefetch_related("plans", "services").order_by("name"),
        "default_floor": default, "average_hourly": rates.average_hourly,
        "can_write": request.user.has_role(*MARGIN_WRITERS),
    }, status=status)


@staff_view(*MARGIN_READERS)
def cost_model(request):
    """The cost model page (GET); the owner saves rates here (POST)."""
    if request.method != "POST":
        return _cost_page(request)
    if not request.user.has_role(*MARGIN_WRITERS):
        return _cost_page(request, status=403)
    rates = costs.cost_rates_load()
    form = CostModelForm(request.POST, cost_model=costs.cost_model_get(),
                         role_rates=rates.role_rates, person_rates=rates.person_rates)
    try:
        costs.cost_model_save(by=request.user, **form.service_arguments())
    except ValidationError as exc:
        errors_into(form, exc)
        return _cost_page(request, model_form=form, status=400)
    messages.success(request, "The cost model was saved.")
    return redirect("insights:cost_model")


@staff_view(*MARGIN_WRITERS)
@require_POST
def tool_cost_add(request):
    form = ToolCostForm(request.POST)
    form.is_valid()  # the choices; amounts and names are the service's to check
    try:
        costs.tool_cost_save(by=request.user, name=request.POST.get("name", ""),
                             monthly_cost_per_device=request.POST.get(
                                 "monthly_cost_per_device", ""),
                             plans=request.POST.getlist("plans"),
                             services=request.POST.getlist("services"))
    except ValidationError as exc:
        errors_into(form, exc)
        return _cost_page(request, tool_form=form, status=400)
    messages.success(request, "The tool cost was added.")
    return redirect("insights:cost_model")


@staff_view(*MARGIN_WRITERS)
@require_POST
def tool_cost_delete(request, pk: int):
    tool = tool_cost_for_owner(request.user, pk)
    costs.tool_cost_delete(tool=tool, by=request.user)
    messages.success(request, f"“{tool.name}” was removed.")
    return redirect("insights:cost_model")


@staff_view(*MARGIN_WRITERS)
@require_POST
def margin_floors(request):
    form = FloorsForm(request.POST, floors=costs.margin_floors(), default=costs.default_floor())
    try:
        costs.margin_floors_save(floors=form.floors(), by=request.user)
    except ValidationError as exc:
        errors_into(form, exc)
        return _cost_page(request, floors_form=form, status=400)
    messages.success(request, "The margin floors were saved.")
    return redirect("insights:cost_model")
