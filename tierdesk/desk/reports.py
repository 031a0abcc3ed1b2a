"""SLA attainment: the share of targets met, per tier, client and month.

A ticket counts for a step once the step is decided: first response when answered or
breached, resolution when resolved or breached (an open, unbreached ticket is still in
play and counts for neither). Met = decided and not breached. Months are by opening time
(UTC). Tickets without an agreement have no targets and never count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from tierdesk.core import clock
from tierdesk.desk.charts import grouped_bars
from tierdesk.desk.models import Ticket

FR_DECIDED = Q(first_response_due_at__isnull=False) & (
    Q(first_responded_at__isnull=False) | Q(first_response_breached=True))
RES_DECIDED = Q(resolution_due_at__isnull=False) & (
    Q(resolved_at__isnull=False) | Q(resolution_breached=True))
MAX_MONTHS = 36


def month_range(raw) -> int:
    """The number of months shown (the `months` query parameter; default 6, 1..36)."""
    try:
        return max(1, min(MAX_MONTHS, int(raw)))
    except (TypeError, ValueError):
        return 6


def _first_month(now: dt.datetime, months: int) -> dt.datetime:
    year, month = now.year, now.month - (months - 1)
    while month < 1:
        month += 12
        year -= 1
    return dt.datetime(year, month, 1, tzinfo=dt.UTC)


def _pct(met: int, n: int) -> float | None:
    return round(100 * met / n, 1) if n else None


def _rows(queryset, key: str, name: str) -> list[dict]:
    rows = (queryset.values("month", key)
            .annotate(fr_n=Count("id", filter=FR_DECIDED),
                      fr_met=Count("id", filter=FR_DECIDED & Q(first_response_breached=False)),
                      res_n=Count("id", filter=RES_DECIDED),
                      res_met=Count("id", filter=RES_DECIDED & Q(resolution_breached=False)),
                      tickets=Count("id"))
            .order_by("-month", key))
    return [{"month": r["month"], "name": r[key] or "(no agreement)", "tickets": r["tickets"],
             "fr_n": r["fr_n"], "fr_met": r["fr_met"], "fr_pct": _pct(r["fr_met"], r["fr_n"]),
             "res_n": r["res_n"], "res_met": r["res_met"],
             "res_pct": _pct(r["res_met"], r["res_n"]), "by": name}
            for r in rows]


def sla_attainment(*, months: int = 6, now: dt.datetime | None = None) -> dict:
    """Per tier × month and client × month: decided steps and % met, with SVG charts."""
    now = now or clock.now()
    start = _first_month(now, months)
    base = (Ticket.objects.filter(opened_at__gte=start, agreement__isnull=False)
            .annotate(month=TruncMonth("opened_at", tzinfo=dt.UTC)))
    by_tier = _rows(base, "plan_version__plan__name", "tier")
    by_client = _rows(base, "client__name", "client")

    labels = []
    cursor = start
    while cursor <= now:
        labels.append(cursor.strftime("%Y-%m"))
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    totals = defaultdict(lambda: [0, 0, 0, 0])
    for r in by_tier:
        t = totals[r["month"].strftime("%Y-%m")]
        t[0] += r["fr_n"]
        t[1] += r["fr_met"]
        t[2] += r["res_n"]
        t[3] += r["res_met"]
    chart = grouped_bars(
        groups=labels, title="SLA attainment by month",
        series={"First response met": [_pct(totals[m][1], totals[m][0]) for m in labels],
                "Resolution met": [_pct(totals[m][3], totals[m][2]) for m in labels]},
    )
    tiers = sorted({r["name"] for r in by_tier})
    tier_chart = grouped_bars(
        groups=tiers, title="SLA attainment by tier",
        series={"First response met": [_tier_pct(by_tier, t, "fr") for t in tiers],
                "Resolution met": [_tier_pct(by_tier, t, "res") for t in tiers]},
    )
    return {"months": months, "start": start, "by_tier": by_tier, "by_client": by_client,
            "chart": chart, "tier_chart": tier_chart}


def _tier_pct(rows: list[dict], tier: str, step: str) -> float | None:
    n = met = 0
    for r in rows:
        if r["name"] == tier:
            n += r[f"{step}_n"]
            met += r[f"{step}_met"]
    return _pct(met, n)
