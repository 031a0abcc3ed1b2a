"""The classification rules of classification.py over NumPy arrays, for many sessions at
once (bench/bench_classification.py measures it). Stored sessions are classified one by one,
with their reasons, by `classification.session_classify`; tests hold the two paths side by
side (tests/test_classification_batch.py)."""

from __future__ import annotations

from tierdesk.billing.classification import LEVEL_RANK, NEEDS_LEVEL, RULE_FOR, Terms
from tierdesk.billing.models import Classification, SessionMode, SessionWorkType

#: Integer codes of the batch path (NumPy arrays hold these instead of strings).
WORK_CODES = {w: i for i, w in enumerate(SessionWorkType.values)}
MODE_CODES = {m: i for i, m in enumerate(SessionMode.values)}
CLASS_CODES = {c: i for i, c in enumerate(Classification.values)}


def classify_batch(terms: list[Terms], rows: dict) -> dict:
    """The rules of `classify_row` over NumPy arrays, for many sessions at once.

    `rows` maps names to equal-length arrays: "terms" (index into `terms`), "group" (one id
    per agreement and period; rows of a group take the allowance in array order),
    "work_type" and "mode" (WORK_CODES / MODE_CODES), "minutes", "after_hours_minutes",
    "travel_minutes", "service_id" (-1 = none). Returns arrays "classification"
    (CLASS_CODES), "allowance_units", "overage_units", "amount_cents". Reasons are left
    out: they are text, and `classify_row` writes them for the sessions that are stored.
    """
    import numpy as np

    t = np.asarray(rows["terms"], dtype=np.int64)
    work = np.asarray(rows["work_type"], dtype=np.int64)
    mode = np.asarray(rows["mode"], dtype=np.int64)
    minutes = np.asarray(rows["minutes"], dtype=np.int64)
    after = np.asarray(rows["after_hours_minutes"], dtype=np.int64)
    travel = np.asarray(rows["travel_minutes"], dtype=np.int64)
    service = np.asarray(rows["service_id"], dtype=np.int64)
    group = np.asarray(rows["group"], dtype=np.int64)
    n = len(t)

    def per_terms(fn, dtype=np.int64):
        return np.array([fn(x) for x in terms], dtype=dtype)[t]

    def cents(d):
        return int(d * 100)

    included = per_terms(lambda x: -1 if x.sessions_included is None else x.sessions_included)
    block = per_terms(lambda x: x.session_minutes)
    calls = per_terms(lambda x: x.counting == "calls", bool)
    overage_c = per_terms(lambda x: cents(x.overage_price))
    mult_h = per_terms(lambda x: int(x.after_hours_multiplier * 100))
    trip_c = per_terms(lambda x: cents(x.trip_fee) if x.travel_billing == "trip_fee" else 0)
    travel_hourly = per_terms(lambda x: x.travel_billing == "hourly", bool)
    after_billable = per_terms(
        lambda x: bool(x.rules.get("after_hours") and x.rules["after_hours"].billable), bool)

    def rule_arrays(rule_type):
        billable = per_terms(lambda x: -1 if rule_type not in x.rules
                             else int(x.rules[rule_type].billable))
        rate = per_terms(lambda x: cents(x.rules[rule_type].rate)
                         if rule_type in x.rules and x.rules[rule_type].rate is not None
                         else cents(x.hourly_rate))
        return billable, rate

    # Coverage level of each row's service under its tier: a sorted key lookup.
    keys, levels = [], []
    for i, x in enumerate(terms):
        for sid, (level, _name) in x.coverage.items():
            keys.append(i * (1 << 32) + sid)
            levels.append(LEVEL_RANK[level])
    level = np.zeros(n, dtype=np.int64)
    if keys:
        order = np.argsort(keys)
        keys_sorted = np.asarray(keys, dtype=np.int64)[order]
        levels_sorted = np.asarray(levels, dtype=np.int64)[order]
        row_keys = t * (1 << 32) + service
        pos = np.clip(np.searchsorted(keys_sorted, row_keys), 0, len(keys_sorted) - 1)
        hit = (keys_sorted[pos] == row_keys) & (service >= 0)
        level = np.where(hit, levels_sorted[pos], 0)

    cls = np.full(n, -1, dtype=np.int64)
    allowance = np.zeros(n, dtype=np.int64)
    overage = np.zeros(n, dtype=np.int64)
    amount = np.zeros(n, dtype=np.int64)

    is_internal = work == WORK_CODES["internal"]
    cls[is_internal] = CLASS_CODES["internal"]
    onsite_billable, onsite_rate = rule_arrays("onsite")
    onsite = (cls < 0) & (mode == MODE_CODES["onsite"]) & (onsite_billable == 1)
    needed = np.zeros(n, dtype=np.int64)
    for w, lv in NEEDS_LEVEL.items():
        needed[work == WORK_CODES[w]] = lv
    scheduled = per_terms(lambda x: x.scheduled_maintenance, bool)
    covered = ((cls < 0) & ~onsite & (needed > 0) & (level >= needed)
               & (scheduled | (work != WORK_CODES["maintenance"])))
    cls[covered] = CLASS_CODES["included"]

    helpdesk = (cls < 0) & ~onsite & (work == WORK_CODES["helpdesk"])
    units = np.where(calls, 1, np.maximum(1, -(-minutes // block)))
    units = np.where(helpdesk, units, 0)
    # Sequential "min(units, left)" per group equals min(units, max(0, included - units
    # taken before in the group)): a stable sort by group and a cumulative sum.
    order = np.argsort(group, kind="stable")
    g_sorted, u_sorted = group[order], units[order]
    csum = np.cumsum(u_sorted)
    starts = np.r_[True, g_sorted[1:] != g_sorted[:-1]]
    base = np.maximum.accumulate(np.where(starts, csum - u_sorted, 0))
    before = np.empty(n, dtype=np.int64)
    before[order] = csum - u_sorted - base
    unlimited = included < 0
    left = np.maximum(0, included - before)
    allowance = np.where(helpdesk, np.where(unlimited, units, np.minimum(units, left)), 0)
    overage = units - allowance
    cls[helpdesk & (overage == 0)] = CLASS_CODES["allowance"]
    cls[helpdesk & (overage > 0)] = CLASS_CODES["overage"]
    amount = np.where(helpdesk, overage * overage_c, 0)

    # Work-type rules for the rest; monitoring uses the break-fix rule.
    rest = cls < 0
    rule_billable = np.full(n, -1, dtype=np.int64)
    rate_c = np.zeros(n, dtype=np.int64)
    for w, rule_type in RULE_FOR.items():
        if rule_type is None:
            continue
        sel = work == WORK_CODES[w]
        b, r = rule_arrays(rule_type)
        rule_billable[sel], rate_c[sel] = b[sel], r[sel]
    cls[rest & ~onsite & (rule_billable == 0)] = CLASS_CODES["included"]
    billable = cls < 0
    rate_c = np.where(onsite, onsite_rate, rate_c)
    at_site = billable & (mode == MODE_CODES["onsite"])
    ah = np.where(after_billable, after, 0)
    tr = np.where(at_site & travel_hourly, travel, 0)
    numerator = rate_c * (minutes * 100 + ah * (mult_h - 100) + tr * 100)
    billed = (2 * numerator + 6000) // 12000 + np.where(at_site, trip_c, 0)
    amount = np.where(billable, billed, amount)
    cls[billable] = CLASS_CODES["billable"]
    return {"classification": cls, "allowance_units": allowance, "overage_units": overage,
            "amount_cents": amount}
