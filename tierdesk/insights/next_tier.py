"""What the next tier up would have covered in a month: "You paid $450.00 for break-fix;
Gold would have included it".

For a client below the top tier, the month's charged sessions (overage and billable) are
classified again — by billing's own rules (`classification.classify_row`) — under the
current version of the next tier (the active tier of the next higher rank). Help-desk
allowance is replayed in start order with the allowance sessions of the month too, so a
session that was overage on Silver is "allowance" on Gold only while Gold's allowance lasts.
After-hours minutes are computed only for a session the next tier would bill (the MSP
calendar walk is the expensive part). The comparison also prices the next tier for the
client (its list prices for the client's segment and counts) so the report can say what
the change would cost as well as what it would have saved.

All the month's sessions come in one query; the classification runs in Python per session
(no query per client).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace

from django.db.models import Subquery

from tierdesk.billing.classification import (
    WORK_WORDS,
    Row,
    Terms,
    after_hours_minutes,
    classify_row,
)
from tierdesk.billing.models import Classification, SessionMode, WorkSession
from tierdesk.catalog.models import Segment
from tierdesk.clients.pricing import tier_price
from tierdesk.core.money import ZERO, round_money
from tierdesk.insights.value_figures import ClientMonth, epoch_sql, money
from tierdesk.plans.selectors import current_versions

CHARGED = (Classification.OVERAGE, Classification.BILLABLE)


class Ladder:
    """The active tiers' current versions by rank, with their classification terms."""

    def __init__(self):
        self.versions = current_versions(active_only=True)
        self._terms: dict[int, Terms] = {}

    def next_above(self, rank: int):
        for version in self.versions:
            if version.plan.rank > rank:
                return version
        return None

    def terms(self, version) -> Terms:
        if version.pk not in self._terms:
            self._terms[version.pk] = Terms.from_version(version)
        return self._terms[version.pk]


def _label(work_type: str, mode: str) -> str:
    words = WORK_WORDS.get(work_type, work_type.replace("_", " "))
    return f"on-site {words}" if mode == SessionMode.ONSITE and work_type != "onsite" else words


def _replay(terms: Terms, sessions: list[tuple]) -> dict[str, dict]:
    """Classify a client's month under `terms`; per label of charged work: what was paid,
    what the next tier would have billed, and the reason it gives."""
    used = 0
    groups: dict[str, dict] = {}
    for (start_s, end_s, mode, work_type, service_id, travel, cls, amount) in sessions:
        minutes = (end_s - start_s) // 60
        row = Row(work_type=work_type, mode=mode, minutes=minutes, travel_minutes=travel,
                  service_id=service_id, used_before=used)
        result = classify_row(terms, row)
        after_rule = terms.rules.get("after_hours")
        if (result.classification == Classification.BILLABLE and after_rule
                and after_rule.billable):
            extra = after_hours_minutes(dt.datetime.fromtimestamp(start_s, dt.UTC),
                                        dt.datetime.fromtimestamp(end_s, dt.UTC))
            if extra:
                result = classify_row(terms, replace(row, after_hours_minutes=extra))
        used += result.allowance_units
        if cls not in CHARGED:
            continue
        group = groups.setdefault(_label(work_type, mode),
                                  {"sessions": 0, "paid": ZERO, "would": ZERO, "reasons": []})
        group["sessions"] += 1
        group["paid"] += amount
        group["would"] += result.amount
        if result.reason not in group["reasons"]:
            group["reasons"].append(result.reason)
    return groups


def next_tier_figures(month: dt.date, clients: dict[int, ClientMonth],
                      client_ids=None) -> dict[int, dict | None]:
    """Per client: None on the top tier, else the next tier's comparison for the month."""
    ladder = Ladder()
    nexts = {cid: ladder.next_above(c.plan_rank) for cid, c in clients.items()}
    wanted = {cid for cid, version in nexts.items() if version is not None}
    charged = WorkSession.objects.filter(period_start=month, classification__in=CHARGED,
                                         ended_at__isnull=False)
    if client_ids is not None:
        charged = charged.filter(client_id__in=list(client_ids))
    rows = (WorkSession.objects.filter(
                period_start=month, ended_at__isnull=False,
                classification__in=(Classification.ALLOWANCE, *CHARGED),
                client_id__in=Subquery(charged.values("client_id")))
            # Times as epoch seconds: parsing 100,000 datetimes costs more than the rest.
            .annotate(start_s=epoch_sql("started_at"), end_s=epoch_sql("ended_at"))
            .order_by("client_id", "started_at", "id")
            .values_list("client_id", "start_s", "end_s", "mode", "work_type",
                         "service_id", "travel_minutes", "classification", "amount"))
    sessions: dict[int, list[tuple]] = defaultdict(list)
    for client_id, *rest in rows:
        if client_id in wanted:
            sessions[client_id].append(tuple(rest))
    segments = {s.pk: s for s in Segment.objects.all()}
    result: dict[int, dict | None] = {}
    for client_id, month_client in clients.items():
        version = nexts[client_id]
        if version is None:
            result[client_id] = None
            continue
        terms = ladder.terms(version)
        groups = _replay(terms, sessions.get(client_id, []))
        result[client_id] = _comparison(month_client, version, terms, groups,
                                        segments.get(month_client.segment_id))
    return result


def _comparison(client: ClientMonth, version, terms: Terms, groups: dict,
                segment) -> dict:
    tier = version.plan.name
    fmt = terms.money
    lines = []
    paid = would = ZERO
    for label, group in sorted(groups.items(), key=lambda kv: -kv[1]["paid"]):
        g_paid, g_would = round_money(group["paid"]), round_money(group["would"])
        paid += g_paid
        would += g_would
        if g_would >= g_paid:
            continue
        text = (f"You paid {fmt(g_paid)} for {label}; {tier} would have included it."
                if g_would == 0 else
                f"You paid {fmt(g_paid)} for {label}; {tier} would have billed {fmt(g_would)}.")
        lines.append({"work": label, "sessions": group["sessions"], "paid": money(g_paid),
                      "would_pay": money(g_would), "saving": money(g_paid - g_would),
                      "reason": group["reasons"][0] if group["reasons"] else "",
                      "text": text})
    next_fee = None
    if segment is not None:
        next_fee = round_money(tier_price(plan_version=version, segment=segment).monthly_fee(
            users_count=client.users_count, devices_count=client.devices_count))
    current_fee = round_money(client.monthly_fee)
    saving = paid - would
    fee_difference = (next_fee - current_fee) if next_fee is not None else None
    if saving > 0:
        summary = f"On {tier} you would have paid {fmt(saving)} less for this month's work"
        if fee_difference is not None and fee_difference > 0:
            summary += f", for a fee {fmt(fee_difference)} a month higher"
        summary += "."
    else:
        summary = f"{tier} would not have lowered this month's charges."
    return {
        "tier": tier, "version": version.number, "paid": money(paid), "would_pay": money(would),
        "saving": money(saving), "fee": money(next_fee) if next_fee is not None else None,
        "current_fee": money(current_fee),
        "fee_difference": money(fee_difference) if fee_difference is not None else None,
        "lines": lines, "summary": summary,
    }

