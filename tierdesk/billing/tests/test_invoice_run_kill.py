"""An invoice run killed (SIGKILL) at random points and run again completes with exactly
one invoice per agreement and gapless numbers 1..N.

Each attempt is killed at a random moment after it has committed its first batch (the test
watches the invoice count through a connection of its own), so the kills land mid-run
however long the process takes to start on a busy machine.

Runs `manage.py tierdesk_invoice_run` in a subprocess against a file-based SQLite database
in a temporary TIERDESK_DATA_DIR (PostgreSQL when DATABASE_URL points at one: the test then
uses a database of its own named by TIERDESK_KILL_TEST_DB, if given).
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
AGREEMENTS = 20000  # enough that a batched run (~4,000 agreements/s) is still running when killed

SEED = f"""
import datetime as dt
from decimal import Decimal
from tierdesk.catalog.factories import SegmentFactory
from tierdesk.clients.models import Agreement, Client
from tierdesk.plans.factories import PlanFactory, PlanVersionFactory
version = PlanVersionFactory(plan=PlanFactory(slug="gold", name="Gold"), base_fee=Decimal("250"))
segment = SegmentFactory()
clients = Client.objects.bulk_create(
    [Client(name=f"Client {{i}}", segment=segment) for i in range({AGREEMENTS})])
Agreement.objects.bulk_create([
    Agreement(client=c, plan_version=version, status="active", start_date=dt.date(2026, 1, 1),
              users_count=1, devices_count=1, base_fee=Decimal("250") + i,
              price_per_user=Decimal("0"), price_per_device=Decimal("0"))
    for i, c in enumerate(clients)])
"""

CHECK = """
import json
from django.db.models import Count
from tierdesk.billing.models import Invoice
from tierdesk.clients.models import Agreement
per = list(Invoice.objects.values("agreement_id", "period_start").annotate(n=Count("id"))
           .filter(n__gt=1).values_list("agreement_id", flat=True))
print(json.dumps({"agreements": Agreement.objects.count(), "duplicates": per,
                  "numbers": sorted(Invoice.objects.values_list("number", flat=True)),
                  "invoiced": Invoice.objects.values("agreement_id").distinct().count()}))
"""


def _env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(SECRET_KEY="kill-test", TIERDESK_DATA_DIR=str(tmp_path), DEBUG="0",
               DJANGO_SETTINGS_MODULE="tierdesk.settings", TIERDESK_TASKS_IMMEDIATE="1")
    if "postgres" in env.get("DATABASE_URL", "") and env.get("TIERDESK_KILL_TEST_DB"):
        env["DATABASE_URL"] = env["TIERDESK_KILL_TEST_DB"]
    else:
        env.pop("DATABASE_URL", None)
    return env


def _invoice_count(env) -> int:
    """Invoices committed so far, read directly (starting Django takes seconds)."""
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
            return conn.execute("SELECT COUNT(*) FROM billing_invoice").fetchone()[0]
    import sqlite3

    path = Path(env["TIERDESK_DATA_DIR"]) / "tierdesk.sqlite3"
    with sqlite3.connect(path, timeout=10) as conn:
        return conn.execute("SELECT COUNT(*) FROM billing_invoice").fetchone()[0]


def _wait_for_progress(proc, env, after: int, limit: float = 120) -> None:
    """Until the run has committed an invoice beyond `after`, or ended."""
    deadline = time.monotonic() + limit
    while proc.poll() is None and time.monotonic() < deadline:
        if _invoice_count(env) > after:
            return
        time.sleep(0.1)


def _manage(env, *args, timeout=300):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=True)


@pytest.mark.skipif("postgres" in os.environ.get("DATABASE_URL", "")
                    and not os.environ.get("TIERDESK_KILL_TEST_DB"),
                    reason="without TIERDESK_KILL_TEST_DB it runs on its own SQLite "
                           "database, which the SQLite run already covers")
def test_a_killed_run_rerun_gives_one_invoice_per_agreement_and_gapless_numbers(tmp_path):
    env = _env(tmp_path)
    _manage(env, "migrate", "--no-input")
    _manage(env, "shell", "-c", SEED)
    rng = random.Random(os.environ.get("KILL_SEED", time.time()))
    kills = 0
    counts: list[int] = []  # invoices after each attempt: the kills landed mid-run
    for _ in range(4):
        before = counts[-1] if counts else 0
        proc = subprocess.Popen([sys.executable, "manage.py", "tierdesk_invoice_run",
                                 "--period", "2026-10"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_progress(proc, env, before)
        time.sleep(rng.uniform(0.0, 1.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        counts.append(json.loads(_manage(env, "shell", "-c", CHECK).stdout.strip()
                                 .splitlines()[-1])["invoiced"])
    final = _manage(env, "tierdesk_invoice_run", "--period", "2026-10")
    assert "complete" in final.stdout.lower()
    state = json.loads(_manage(env, "shell", "-c", CHECK).stdout.strip().splitlines()[-1])
    assert kills >= 1, "no run was killed: make the run longer"
    assert any(0 < n < AGREEMENTS for n in counts), counts
    assert state["duplicates"] == []
    assert state["invoiced"] == state["agreements"] == AGREEMENTS
    assert state["numbers"] == [f"INV-{i:06d}" for i in range(1, AGREEMENTS + 1)]
