"""Benchmark of batch classification (``billing.classification_batch.classify_batch``).

Run: ``.venv/bin/python bench/bench_classification.py [--sessions N] [--agreements N]``

Classifies N sessions (default 250,000) of a mix of help desk, break-fix, maintenance,
monitoring, projects and internal work, remote / on-site / phone, under three tiers shaped
like the seed's Silver, Gold and Platinum, spread over many agreements (each agreement and
month one allowance group). Prints sessions per second (target >= 200,000/s); no database
is touched (the batch path works on plain arrays). It also checks a sample against the
single-session path ``classify_row`` and prints the number of disagreements (target 0).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from tierdesk.billing.classification import Row, Rule, Terms, classify_row  # noqa: E402
from tierdesk.billing.classification_batch import (  # noqa: E402
    CLASS_CODES,
    MODE_CODES,
    WORK_CODES,
    classify_batch,
)


def tiers() -> list[Terms]:
    services = range(1, 12)
    every = {w: Rule(True, None) for w in ("break_fix", "maintenance", "onsite",
                                           "after_hours", "project")}
    silver = Terms("Silver", 2, 15, "blocks", Decimal("35"), Decimal("150"), Decimal("2"),
                   Decimal("75"), "trip_fee", Decimal("250"),
                   {s: ("supported" if s == 11 else "monitored", f"S{s}") for s in services},
                   every)
    gold = Terms("Gold", 10, 15, "blocks", Decimal("30"), Decimal("135"), Decimal("1.5"),
                 Decimal("50"), "trip_fee", Decimal("500"),
                 {s: ("maintained" if s < 7 else "monitored", f"S{s}") for s in services},
                 every | {"break_fix": Rule(False, None), "maintenance": Rule(False, None)})
    platinum = Terms("Platinum", None, 15, "blocks", Decimal("0"), Decimal("125"),
                     Decimal("1"), Decimal("0"), "included", None,
                     {s: ("supported", f"S{s}") for s in services},
                     {"project": Rule(True, Decimal("165"))})
    return [silver, gold, platinum]


def sessions(n: int, agreements: int, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    agreement = rng.integers(0, agreements, n)
    minutes = rng.integers(1, 180, n)
    return {
        "terms": agreement % 3,
        "group": agreement,
        "work_type": rng.choice(len(WORK_CODES), n, p=[0.5, 0.15, 0.1, 0.1, 0.1, 0.05]),
        "mode": rng.choice(len(MODE_CODES), n, p=[0.7, 0.2, 0.1]),
        "minutes": minutes,
        "after_hours_minutes": np.where(rng.random(n) < 0.15, minutes // 2, 0),
        "travel_minutes": rng.integers(0, 60, n),
        "service_id": rng.integers(-1, 13, n),
    }


def disagreements(terms, rows, out, sample: int) -> int:
    wrong, used = 0, {}
    for i in range(sample):
        group = int(rows["group"][i])
        t = terms[int(rows["terms"][i])]
        sid = int(rows["service_id"][i])
        result = classify_row(t, Row(
            work_type=list(WORK_CODES)[rows["work_type"][i]],
            mode=list(MODE_CODES)[rows["mode"][i]], minutes=int(rows["minutes"][i]),
            after_hours_minutes=int(rows["after_hours_minutes"][i]),
            travel_minutes=int(rows["travel_minutes"][i]),
            service_id=sid if sid >= 0 else None, used_before=used.get(group, 0)))
        used[group] = used.get(group, 0) + result.allowance_units
        if (CLASS_CODES[result.classification], result.allowance_units,
                result.overage_units, int(result.amount * 100)) != (
                out["classification"][i], out["allowance_units"][i],
                out["overage_units"][i], out["amount_cents"][i]):
            wrong += 1
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=250_000)
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    terms = tiers()
    rows = sessions(args.sessions, args.agreements)
    classify_batch(terms, rows)  # warm up
    best = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        out = classify_batch(terms, rows)
        best = min(best, time.perf_counter() - start)
    rate = args.sessions / best
    print(f"batch classification: {args.sessions:,} sessions in {best * 1000:.1f} ms "
          f"= {rate:,.0f} sessions/s (target >= 200,000/s) "
          f"{'OK' if rate >= 200_000 else 'BELOW TARGET'}")
    counts = np.bincount(out["classification"], minlength=len(CLASS_CODES))
    print("mix: " + ", ".join(f"{c} {counts[i]:,}" for c, i in CLASS_CODES.items()))
    sample = min(args.sessions, 20_000)
    start = time.perf_counter()
    wrong = disagreements(terms, rows, out, sample)
    single = sample / (time.perf_counter() - start)
    print(f"single path (classify_row) on the first {sample:,}: {wrong} disagreements "
          f"(target 0); {single:,.0f} sessions/s")


if __name__ == "__main__":
    main()
