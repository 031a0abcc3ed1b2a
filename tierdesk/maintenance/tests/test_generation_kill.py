"""The generation job killed (SIGKILL) halfway and run again leaves exactly one work order
per occurrence: every agreement ends with the same complete set as an uninterrupted run.

Runs `manage.py tierdesk_maintenance_generate` in a subprocess against a file-based SQLite
database in a temporary TIERDESK_DATA_DIR.
"""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
AGREEMENTS = 1300  # identical Platinum agreements, two chunks: each must end the same

SEED = f"""
import datetime as dt
from tierdesk.catalog.models import Segment
from tierdesk.clients.models import Agreement, Client
from tierdesk.maintenance.factories import load_tiers
version = load_tiers()["platinum"]
segment = Segment.objects.get(slug="small-business")
clients = Client.objects.bulk_create(
    [Client(name=f"Client {{i}}", segment=segment) for i in range({AGREEMENTS})])
Agreement.objects.bulk_create([
    Agreement(client=c, plan_version=version, status="active", start_date=dt.date(2026, 1, 5),
              users_count=1, devices_count=1, base_fee=100, price_per_user=0,
              price_per_device=0) for c in clients])
"""

CHECK = """
import json
from django.db.models import Count
from tierdesk.maintenance.models import WorkOrder
per = WorkOrder.objects.values("agreement_id").annotate(n=Count("id"))
print(json.dumps({"total": WorkOrder.objects.count(),
                  "per_agreement": sorted({row["n"] for row in per}),
                  "agreements": per.count()}))
"""


def _env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(SECRET_KEY="kill-test", TIERDESK_DATA_DIR=str(tmp_path), DEBUG="0",
               DJANGO_SETTINGS_MODULE="tierdesk.settings", TIERDESK_TASKS_IMMEDIATE="1")
    env.pop("DATABASE_URL", None)
    return env


def _manage(env, *args, timeout=600):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=True)


def _state(env) -> dict:
    return json.loads(_manage(env, "shell", "-c", CHECK).stdout.strip().splitlines()[-1])


def _count(database: Path) -> int:
    with sqlite3.connect(database, timeout=30) as conn:
        return conn.execute("SELECT count(*) FROM maintenance_workorder").fetchone()[0]


@pytest.mark.skipif("postgres" in os.environ.get("DATABASE_URL", ""),
                    reason="runs its own SQLite database: the SQLite run covers it")
def test_a_killed_generation_rerun_leaves_one_work_order_per_occurrence(tmp_path):
    env = _env(tmp_path)
    _manage(env, "migrate", "--no-input")
    _manage(env, "shell", "-c", SEED)
    command = [sys.executable, "manage.py", "tierdesk_maintenance_generate",
               "--today", "2026-02-02", "--horizon-days", "30"]
    rng = random.Random(os.environ.get("KILL_SEED", time.time()))
    database = tmp_path / "tierdesk.sqlite3"
    kills, totals = 0, []
    for _ in range(2):
        before = _count(database)
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        # Kill soon after a chunk commits, so the kill lands in the middle of the run.
        deadline = time.monotonic() + 300
        while proc.poll() is None and _count(database) == before \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0, 0.3))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        totals.append(_state(env)["total"])
    final = _manage(env, *command[2:])
    assert "created" in final.stdout
    state = _state(env)
    again = _manage(env, *command[2:])

    assert kills >= 1, "no run was killed: make the run longer"
    # Every agreement has the same, complete set: no gaps, no duplicates.
    assert state["agreements"] == AGREEMENTS
    assert len(state["per_agreement"]) == 1 and state["per_agreement"][0] > 30
    assert state["total"] == AGREEMENTS * state["per_agreement"][0]
    assert " 0 work order(s) created" in again.stdout
    assert 0 < totals[0] < state["total"], totals  # the first kill left a partial run
