"""The batch path (NumPy) and the single path agree on random sessions."""

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tierdesk.billing.classification import Row, Rule, Terms, classify_row
from tierdesk.billing.classification_batch import (
    CLASS_CODES,
    MODE_CODES,
    WORK_CODES,
    classify_batch,
)

WORK_TYPES = list(WORK_CODES)
MODES = list(MODE_CODES)
RULE_TYPES = ["break_fix", "maintenance", "onsite", "after_hours", "project"]


@st.composite
def terms_strategy(draw):
    rules = {}
    for rule_type in RULE_TYPES:
        if draw(st.booleans()):
            rate = draw(st.one_of(st.none(), st.integers(0, 30000).map(
                lambda c: Decimal(c) / 100)))
            rules[rule_type] = Rule(draw(st.booleans()), rate)
    coverage = {sid: (draw(st.sampled_from(["monitored", "maintained", "supported"])),
                      f"S{sid}") for sid in draw(st.sets(st.integers(1, 5), max_size=5))}
    return Terms(
        tier="T", sessions_included=draw(st.one_of(st.none(), st.integers(0, 5))),
        session_minutes=draw(st.integers(1, 60)),
        counting=draw(st.sampled_from(["blocks", "calls"])),
        overage_price=Decimal(draw(st.integers(0, 10000))) / 100,
        hourly_rate=Decimal(draw(st.integers(0, 30000))) / 100,
        after_hours_multiplier=Decimal(draw(st.integers(100, 300))) / 100,
        trip_fee=Decimal(draw(st.integers(0, 10000))) / 100,
        travel_billing=draw(st.sampled_from(["included", "trip_fee", "hourly"])),
        approval_threshold=None, coverage=coverage, rules=rules,
        scheduled_maintenance=draw(st.booleans()))


row_strategy = st.tuples(
    st.integers(0, 2), st.integers(0, 2), st.sampled_from(WORK_TYPES), st.sampled_from(MODES),
    st.integers(1, 600), st.integers(0, 600), st.integers(0, 120), st.integers(-1, 6))


@settings(max_examples=150, deadline=None)
@given(terms=st.lists(terms_strategy(), min_size=3, max_size=3),
       rows=st.lists(row_strategy, min_size=1, max_size=25))
def test_batch_and_single_classification_agree(terms, rows):
    arrays = {name: [] for name in ("terms", "group", "work_type", "mode", "minutes",
                                    "after_hours_minutes", "travel_minutes", "service_id")}
    expected, used = [], {}
    for t, g, work, mode, minutes, after, travel, sid in rows:
        after = min(after, minutes)
        group = t * 10 + g  # a group never spans two tiers (one agreement, one version)
        result = classify_row(terms[t], Row(work_type=work, mode=mode, minutes=minutes,
                                            after_hours_minutes=after, travel_minutes=travel,
                                            service_id=sid if sid >= 0 else None,
                                            used_before=used.get(group, 0)))
        used[group] = used.get(group, 0) + result.allowance_units
        expected.append((CLASS_CODES[result.classification], result.allowance_units,
                         result.overage_units, int(result.amount * 100)))
        for name, value in zip(arrays, (t, group, WORK_CODES[work], MODE_CODES[mode], minutes,
                                        after, travel, sid), strict=True):
            arrays[name].append(value)
    out = classify_batch(terms, {k: np.asarray(v) for k, v in arrays.items()})
    got = list(zip(out["classification"].tolist(), out["allowance_units"].tolist(),
                   out["overage_units"].tolist(), out["amount_cents"].tolist(), strict=True))
    assert got == expected
