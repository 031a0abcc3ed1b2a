"""Guardrails: which clients earn less than their tier's margin floor, why, and what to do
— and the warning shown before covered-but-costly work starts for one of them.

All of it reads the trailing-90-day figures of profitability.py (one bulk computation,
for every client or only the few a page needs).

* **Under the floor**: a client whose trailing margin % is below the margin floor of its
  current tier (costs.margin_floor_for), or who cost money and brought none.
* **Reasons**, computed from the figures (per month = per month of service in the
  window): help-desk sessions a month against the tier's allowance; on-site trips and their
  drive; the share of time after the MSP's hours (each session walked on the MSP calendar,
  only for the clients listed); tool costs against the fee; included break-fix hours;
  outsourced fees; items sold below cost. Strongest first (by what each costs).
* **Actions**: move up a tier (the next active tier, named with its price for the client's
  segment and counts); reprice at renewal at the fee that brings the trailing margin to the
  floor; require approval for on-site work when included visits drive the cost.
* **Renewal price**: the trailing window's revenue R and cost C reach floor f when the
  revenue is C / (1 − f); the difference, spread over the window's months of service and
  added to today's monthly fee, rounded up to the cent, is the proposed fee.
* **Work warnings**: for work the tier covers (on-site visits when on-site is not billed,
  help desk within the allowance, break-fix the tier includes, scheduled maintenance), the
  banner names the margin, the floor and what this piece of work will cost: minutes at the
  technicians' average loaded rate, plus a round trip to the site (time and mileage) for
  a visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.conf import settings

from tierdesk.billing.classification import after_hours_minutes
from tierdesk.billing.models import Classification, WorkSession
from tierdesk.clients.models import Agreement, Client, Site
from tierdesk.clients.pricing import tier_price
from tierdesk.core.money import CENT, format_money, round_money
from tierdesk.insights.costs import CostRates, cost_rates_load, margin_floor_for, margin_floors
from tierdesk.insights.profit_figures import Figures, Period
from tierdesk.insights.profit_sources import msp_bounds
from tierdesk.insights.profitability import ProfitRow, compute, msp_today
from tierdesk.plans.models import BillingRule, PlanVersion
from tierdesk.plans.selectors import current_versions

SIXTY = Decimal(60)
DEFAULT_VISIT_MINUTES = 60
DEFAULT_DRIVE_MINUTES = 30
DEFAULT_BREAKFIX_MINUTES = 60
AFTER_HOURS_SHARE = Decimal(20)  # % of the time that makes after-hours a reason
TOOLS_SHARE = Decimal(25)  # % of the fee that makes tool costs a reason
WORK_LABELS = {"onsite": "on-site visit", "helpdesk": "help-desk session",
               "break_fix": "break-fix work", "maintenance": "maintenance"}


def money(value) -> str:
    return format_money(value, settings.CURRENCY)


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    weight: Decimal = Decimal(0)


@dataclass(frozen=True)
class Action:
    code: str
    text: str
    price: Decimal | None = None


@dataclass
class ClientMargin:
    """One client's trailing figures against its tier's floor."""

    row: ProfitRow
    floor: Decimal
    floor_is_default: bool

    @property
    def figures(self) -> Figures:
        return self.row.figures

    @property
    def under(self) -> bool:
        return self.figures.under(self.floor)

    @property
    def margin_text(self) -> str:
        pct = self.figures.margin_pct
        return "no revenue" if pct is None else f"{pct.normalize():f}%"

    @property
    def floor_text(self) -> str:
        return f"{self.floor.normalize():f}%"


@dataclass
class LowProfitClient:
    margin: ClientMargin
    reasons: list[Reason] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    renewal_fee: Decimal | None = None


@dataclass
class LowProfitList:
    period: Period
    checked: int
    total: int
    clients: list[LowProfitClient]


def _margins(period: Period, client_ids=None, rates: CostRates | None = None
             ) -> tuple[list[ClientMargin], CostRates]:
    rates = rates or cost_rates_load()
    computation = compute([period], client_ids=client_ids, rates=rates)
    floors = margin_floors()
    result = [ClientMargin(row=row, floor=margin_floor_for(row.plan_id, floors),
                           floor_is_default=row.plan_id not in floors)
              for row in computation.rows("client")]
    return result, rates


def client_margin(client_id: int, *, today: dt.date | None = None,
                  rates: CostRates | None = None) -> ClientMargin | None:
    """The client's trailing-90-day margin against its floor; None without an agreement."""
    margins, _ = _margins(Period.trailing(today or msp_today()), [client_id], rates)
    return margins[0] if margins else None


def low_profit_clients(*, today: dt.date | None = None, limit: int = 200,
                       plan_id: int | None = None, segment_id: int | None = None
                       ) -> LowProfitList:
    """Every client under its tier's floor over the trailing 90 days, worst margin first,
    the first `limit` with their reasons and actions."""
    period = Period.trailing(today or msp_today())
    margins, rates = _margins(period)
    if plan_id is not None:
        margins = [m for m in margins if m.row.plan_id == plan_id]
    if segment_id is not None:
        margins = [m for m in margins if m.row.segment_id == segment_id]
    under = [m for m in margins if m.under]
    under.sort(key=lambda m: (m.figures.margin_pct if m.figures.margin_pct is not None
                              else Decimal("-1e9"), m.row.label))
    shown = under[:limit]
    explained = explain(shown, period, rates)
    return LowProfitList(period=period, checked=len(margins), total=len(under),
                         clients=explained)


def explain(margins: list[ClientMargin], period: Period, rates: CostRates
            ) -> list[LowProfitClient]:
    """Reasons and actions of each client (a few queries for all of them)."""
    if not margins:
        return []
    after = _after_hours(period, [m.row.client_id for m in margins])
    agreements = {a.pk: a for a in Agreement.objects.filter(
        pk__in=[m.row.agreement_id for m in margins]).select_related(
        "client__segment", "plan_version__plan")}
    billable_onsite = set(BillingRule.objects.filter(
        version_id__in={a.plan_version_id for a in agreements.values()}, work_type="onsite",
        billable=True).values_list("version_id", flat=True))
    ladder = current_versions(active_only=True)
    result = []
    for margin in margins:
        agreement = agreements[margin.row.agreement_id]
        item = LowProfitClient(margin=margin)
        item.reasons = reasons(margin, agreement, after.get(margin.row.client_id, 0), rates,
                               onsite_billed=agreement.plan_version_id in billable_onsite)
        item.renewal_fee = renewal_fee(margin, agreement.monthly_fee)
        item.actions = actions(margin, agreement, item.reasons, item.renewal_fee, ladder)
        result.append(item)
    return result


def _after_hours(period: Period, client_ids: list[int]) -> dict[int, int]:
    """Minutes outside the MSP's hours of the clients' sessions in the period. Walked on
    the MSP calendar per session: the stored after-hours minutes are only those a tier
    bills, and this reason is about what the time costs, billed or not."""
    lo, hi = msp_bounds(period)
    result: dict[int, int] = {}
    for client_id, started, ended in (
            WorkSession.objects.filter(client_id__in=client_ids, started_at__gte=lo,
                                       started_at__lt=hi, ended_at__isnull=False,
                                       agreement__isnull=False)
            .exclude(classification=Classification.INTERNAL)
            .values_list("client_id", "started_at", "ended_at")):
        result[client_id] = result.get(client_id, 0) + after_hours_minutes(started, ended)
    return result


def _per_month(count, months: Decimal) -> Decimal:
    return Decimal(count) / months if months > 0 else Decimal(count)


def _whole(value: Decimal) -> str:
    """A count or share for a sentence: whole from 10 on, else one decimal at most."""
    places = Decimal("1") if value >= 10 else Decimal("0.1")
    return f"{value.quantize(places).normalize():f}"


def reasons(margin: ClientMargin, agreement: Agreement, after_hours: int, rates: CostRates,
            *, onsite_billed: bool) -> list[Reason]:
    """Why the client earns too little, strongest first."""
    f = margin.figures
    months = f.fee_months
    rate = rates.average_hourly / SIXTY
    found: list[Reason] = []
    allowance = agreement.plan_version.helpdesk_sessions
    per_month = _per_month(f.helpdesk_sessions, months)
    helpdesk_cost = Decimal(f.helpdesk_minutes) * rate
    # Compared as shown ("3 a month on a 2-session tier"): 2.03 a month is not a reason.
    if allowance is not None and f.helpdesk_sessions and Decimal(_whole(per_month)) > allowance:
        found.append(Reason("helpdesk", f"{_whole(per_month)} help-desk sessions a month on "
                                        f"a {allowance}-session tier", helpdesk_cost))
    elif allowance is None and agreement.users_count and per_month >= agreement.users_count:
        found.append(Reason("helpdesk", f"{_whole(per_month)} help-desk sessions a month on "
                                        f"unlimited help desk ({agreement.users_count} users)",
                            helpdesk_cost))
    if f.onsite_visits and (f.included_onsite_visits or f.onsite_visits >= 2):
        drive = Decimal(f.travel_minutes) / f.onsite_visits
        trips = "trip" if f.onsite_visits == 1 else "trips"
        text = f"{f.onsite_visits} on-site {trips}, {_whole(drive)} minutes' drive each"
        if f.included_onsite_visits and not onsite_billed:
            text += " (included in the tier)"
        found.append(Reason("onsite", text, f.travel + f.mileage))
    if f.minutes and after_hours:
        share = Decimal(after_hours) * 100 / f.minutes
        if share >= AFTER_HOURS_SHARE:
            found.append(Reason("after_hours", f"{_whole(share)}% of time after hours",
                                Decimal(after_hours) * rate))
    if f.fees > 0 and f.tools * 100 / f.fees >= TOOLS_SHARE:
        found.append(Reason("tools", f"tool costs {_whole(f.tools * 100 / f.fees)}% of the "
                                     "fee", f.tools))
    if f.included_breakfix_minutes >= 120:
        hours = Decimal(f.included_breakfix_minutes) / SIXTY
        found.append(Reason("break_fix", f"{_whole(hours)} hours of included break-fix",
                            Decimal(f.included_breakfix_minutes) * rate))
    if f.outsourced > 0 and f.outsourced * 10 >= f.revenue:
        found.append(Reason("outsourced", f"outsourced help desk costs "
                                          f"{money(f.outsourced)}", f.outsourced))
    if f.items_cost > f.items:
        found.append(Reason("items", "items sold below cost ("
                                     f"{money(f.items_cost - f.items)} lost)",
                            f.items_cost - f.items))
    if not found:
        work = f.labour + f.travel + f.mileage
        found.append(Reason("time", f"time costs {money(work)} against "
                                    f"{money(f.fees)} of fees", work))
    return sorted(found, key=lambda r: -r.weight)


def renewal_fee(margin: ClientMargin, current_fee: Decimal) -> Decimal | None:
    """The monthly fee that brings the trailing margin to the floor (None: no change is
    needed, or the window holds no month of service to spread the difference over)."""
    f = margin.figures
    needed = Decimal(f.cost) / (1 - margin.floor / 100)
    gap = needed - f.revenue
    if gap <= 0 or f.fee_months <= 0:
        return None
    return (current_fee + gap / f.fee_months).quantize(CENT, rounding=ROUND_CEILING)


def actions(margin: ClientMargin, agreement: Agreement, found: list[Reason],
            fee: Decimal | None, ladder: list[PlanVersion]) -> list[Action]:
    codes = {r.code for r in found}
    result: list[Action] = []
    current = agreement.plan_version.plan
    above = next((v for v in ladder if v.plan.rank > current.rank), None)
    if above is not None and codes & {"helpdesk", "onsite", "break_fix", "after_hours"}:
        price = round_money(tier_price(plan_version=above, segment=agreement.client.segment)
                            .monthly_fee(users_count=agreement.users_count,
                                         devices_count=agreement.devices_count))
        text = f"Move up to {above.plan.name} at {money(price)} a month"
        if fee is not None:
            text += (" (reaches the floor)" if price >= fee
                     else f" (still under the floor: {money(fee)} would reach it)")
        result.append(Action("move_up", text, price))
    if fee is not None:
        renews = agreement.end_date.isoformat() if agreement.end_date else "the next renewal"
        result.append(Action(
            "reprice", f"Reprice at renewal ({renews}): {money(fee)} a month (now "
                       f"{money(agreement.monthly_fee)}) brings the margin to "
                       f"{margin.floor_text}", fee))
    if "onsite" in codes and margin.figures.included_onsite_visits:
        result.append(Action("approve_onsite", "Require approval for on-site work: each "
                                               "included visit is a cost the fee does not "
                                               "cover"))
    return result


# Before the work ------------------------------------------------------------------------------

@dataclass(frozen=True)
class WorkWarning:
    margin: ClientMargin
    tier: str
    work: str
    cost: Decimal
    text: str


def _covered(version: PlanVersion, work: str) -> bool:
    """Whether the tier covers `work` (reads the version's prefetched rows)."""
    rules = {r.work_type: r.billable for r in version.billing.all()}
    if work == "onsite":
        return not rules.get("onsite", False)
    if work == "helpdesk":
        return version.helpdesk_sessions is None or version.helpdesk_sessions > 0
    if work == "break_fix":
        return rules.get("break_fix") is False or (
            "break_fix" not in rules
            and any(c.level == "supported" for c in version.coverage.all()))
    if work == "maintenance":
        return version.scheduled_maintenance or rules.get("maintenance") is False
    return False


def work_cost(*, work: str, rates: CostRates, figures: Figures | None, version: PlanVersion,
              drive_minutes: int | None, minutes: int | None, visit: bool) -> Decimal:
    """What this piece of work will cost: its minutes at the average loaded rate, plus a
    round trip (time and mileage) when it is a visit."""
    if minutes is None:
        if work == "helpdesk":
            minutes = (figures.helpdesk_minutes // figures.helpdesk_sessions
                       if figures and figures.helpdesk_sessions
                       else version.helpdesk_session_minutes)
        elif work == "onsite":
            minutes = DEFAULT_VISIT_MINUTES
        else:
            minutes = DEFAULT_BREAKFIX_MINUTES
    rate = rates.average_hourly / SIXTY
    cost = Decimal(minutes) * rate
    if visit:
        drive = 2 * (drive_minutes if drive_minutes is not None else DEFAULT_DRIVE_MINUTES)
        cost += Decimal(drive) * (rate + rates.mileage_per_minute)
    return round_money(cost)


@dataclass(frozen=True)
class WorkAsked:
    """A piece of work about to start: for which client, what, where, how long."""

    client: Client
    work: str
    site: Site | None = None
    minutes: int | None = None
    visit: bool | None = None


def work_warnings(asked: list[WorkAsked], *, today: dt.date | None = None
                  ) -> list[WorkWarning | None]:
    """The banner for each piece of work (None where there is nothing to warn about: the
    client is at or above its floor, has no agreement, or the tier bills this work, which
    then pays for itself). The clients' margins are computed together, in one pass."""
    if not asked:
        return []
    rates = cost_rates_load()
    client_ids = sorted({a.client.pk for a in asked})
    margins, _ = _margins(Period.trailing(today or msp_today()), client_ids, rates)
    by_client = {m.row.client_id: m for m in margins}
    under = {cid: m for cid, m in by_client.items() if m.under}
    version_of = dict(Agreement.objects.filter(
        pk__in=[m.row.agreement_id for m in under.values()]).values_list("id",
                                                                         "plan_version_id"))
    versions = {v.pk: v for v in PlanVersion.objects.filter(pk__in=set(version_of.values()))
                .select_related("plan").prefetch_related("billing", "coverage")}
    drives: dict[int, int] = {}
    for client_id, drive in Site.objects.filter(client_id__in=list(under)).values_list(
            "client_id", "drive_minutes"):
        drives[client_id] = max(drive, drives.get(client_id, 0))
    result: list[WorkWarning | None] = []
    for item in asked:
        margin = under.get(item.client.pk)
        if item.work not in WORK_LABELS or margin is None:
            result.append(None)
            continue
        version = versions[version_of[margin.row.agreement_id]]
        if not _covered(version, item.work):
            result.append(None)
            continue
        visit = (item.work == "onsite") if item.visit is None else item.visit
        drive = item.site.drive_minutes if item.site is not None else drives.get(
            item.client.pk)
        cost = work_cost(work=item.work, rates=rates, figures=margin.figures, version=version,
                         drive_minutes=drive, minutes=item.minutes, visit=visit)
        label = WORK_LABELS[item.work]
        if visit and item.work != "onsite":
            label = f"on-site {label}"
        text = (f"{item.client.name}'s trailing margin is {margin.margin_text} against "
                f"{version.plan.name}'s {margin.floor_text} floor; this included {label} "
                f"costs about {money(cost)}.")
        result.append(WorkWarning(margin=margin, tier=version.plan.name, work=item.work,
                                  cost=cost, text=text))
    return result


def work_warning(*, client: Client, work: str, site: Site | None = None,
                 minutes: int | None = None, visit: bool | None = None,
                 today: dt.date | None = None) -> WorkWarning | None:
    """The banner to show before one piece of work (see `work_warnings`)."""
    return work_warnings([WorkAsked(client, work, site, minutes, visit)], today=today)[0]


@dataclass(frozen=True)
class RenewalProposal:
    margin: ClientMargin | None
    current_fee: Decimal
    proposed_fee: Decimal | None
    text: str


def renewal_proposal(agreement: Agreement, *, today: dt.date | None = None) -> RenewalProposal:
    """What the agreement's fee should be at renewal to bring the client's trailing margin
    to its tier's floor."""
    margin = client_margin(agreement.client_id, today=today)
    fee = round_money(agreement.monthly_fee)
    if margin is None:
        return RenewalProposal(None, fee, None, "No trailing figures: the agreement has not "
                                                "been in force in the last 90 days.")
    tier = agreement.plan_version.plan.name
    proposed = renewal_fee(margin, agreement.monthly_fee) if margin.under else None
    if proposed is None:
        text = (f"The trailing 90-day margin is {margin.margin_text}, at or above {tier}'s "
                f"{margin.floor_text} floor: the current fee of {money(fee)} holds at renewal.")
    else:
        text = (f"The trailing 90-day margin is {margin.margin_text}, under {tier}'s "
                f"{margin.floor_text} floor. A monthly fee of {money(proposed)} (now "
                f"{money(fee)}) brings it to the floor.")
    return RenewalProposal(margin, fee, proposed, text)
