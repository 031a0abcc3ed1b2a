"""Monitoring alert storm: 10,000 signed alerts POSTed to /api/intake/rmm through the whole
stack (signature check, raw storage, dedupe, client lookup, fold or open, coverage note),
in process with Django's test client — no network.

    .venv/bin/python bench/bench_alerts.py                  # SQLite in a temporary dir
    .venv/bin/python bench/bench_alerts.py --alerts 2000 --postgres postgres://postgres@127.0.0.1:5432/postgres

Issue 3 asks that "10,000 alerts in a minute" be stored and ticketed or folded without loss,
i.e. >= 167 alerts per second. The storm is what an outage looks like: 50 clients on the
built-in tiers, 500 failing device checks alerting again and again, so most alerts are
repeats that fold into an open ticket; every 97th alert is a "resolved" that auto-resolves
its ticket (and the next failure opens a new one). Processing is O(1) per alert, so the rate
does not fall as the store grows: the run prints the rate of the first and the last thousand
alerts (the first thousand open most of the tickets, which costs more than a fold).
"""

import argparse
import json
import statistics
import time

import benchenv

SECRET = "bench-rmm-secret"
TARGET_PER_SECOND = 10_000 / 60


def _prepare_environment(args) -> None:
    benchenv.prepare("alerts", postgres=args.postgres, TIERDESK_RMM_SECRET=SECRET,
                     LOG_LEVEL="ERROR")


def _setup(n_clients: int) -> list[int]:
    import datetime as dt

    from tierdesk.catalog.models import Segment
    from tierdesk.catalog.seed import catalog_load_defaults
    from tierdesk.clients.models import Agreement, Client
    from tierdesk.plans.models import PlanVersion
    from tierdesk.plans.seed import tiers_load_defaults

    catalog_load_defaults()
    tiers_load_defaults()
    versions = list(PlanVersion.objects.order_by("plan__rank"))
    segment = Segment.objects.order_by("id").first()
    ids = []
    for i in range(n_clients):
        client = Client.objects.create(name=f"Bench client {i}", segment=segment,
                                       billing_email=f"billing{i}@bench.example")
        version = versions[i % len(versions)]
        Agreement.objects.create(
            client=client, plan_version=version, status="active",
            start_date=dt.date.today() - dt.timedelta(days=30), users_count=10,
            devices_count=10, base_fee=version.base_fee, price_per_user=version.price_per_user,
            price_per_device=version.price_per_device)
        ids.append(client.pk)
    return ids


def _alert(i: int, client_ids: list[int]) -> bytes:
    # 500 failing (client, device, check) triples, each repeating: alert i concerns triple
    # i mod 500. Every 97th alert reports its triple resolved (the ticket auto-resolves; the
    # next failure of that triple opens a new ticket).
    k = i % 500
    client_id = client_ids[k % len(client_ids)]
    device = f"DEV-{k // 50:02d}"
    check = ("disk", "cpu", "backup", "antivirus", "ping")[k % 5]
    return json.dumps({
        "alert_id": f"bench-{i}", "client_id": client_id, "device": device, "check": check,
        "service": ("backup-dr" if check == "backup" else "event-log-monitoring"),
        "severity": ("critical", "error", "warning", "info")[k % 4],
        "status": "resolved" if i % 97 == 96 else "triggered",
        "message": f"{check} failing on {device}",
    }).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--postgres", help="PostgreSQL URL of a server to create a bench DB on")
    args = parser.parse_args()
    _prepare_environment(args)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient

    from tierdesk.desk.intake.signatures import rmm_signature
    from tierdesk.desk.models import InboundMessage, Ticket

    call_command("migrate", verbosity=0)
    client_ids = _setup(args.clients)
    http = HttpClient()
    bodies = [_alert(i, client_ids) for i in range(args.alerts)]
    samples, statuses = [], {}
    started = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        ts = str(int(time.time()))
        response = http.post("/api/intake/rmm", data=body, content_type="application/json",
                             HTTP_X_TIERDESK_TIMESTAMP=ts,
                             HTTP_X_TIERDESK_SIGNATURE=rmm_signature(secret=SECRET,
                                                                     timestamp=ts, body=body))
        samples.append(time.perf_counter() - t0)
        assert response.status_code == 200, (response.status_code, response.content[:300])
        status = response.json()["status"]
        statuses[status] = statuses.get(status, 0) + 1
    seconds = time.perf_counter() - started
    # Replays: the first thousand again, all answered from the store.
    t0 = time.perf_counter()
    replays = min(1000, len(bodies))
    for body in bodies[:replays]:
        ts = str(int(time.time()))
        response = http.post("/api/intake/rmm", data=body, content_type="application/json",
                             HTTP_X_TIERDESK_TIMESTAMP=ts,
                             HTTP_X_TIERDESK_SIGNATURE=rmm_signature(secret=SECRET,
                                                                     timestamp=ts, body=body))
        assert response.json()["duplicate"] is True
    replay_seconds = time.perf_counter() - t0

    n = len(bodies)
    ordered = sorted(samples)
    first = min(1000, n)
    print(f"database: {connection.vendor}; {args.clients} clients on Silver/Gold/Platinum")
    print(f"alerts: {n} in {seconds:.1f} s = {n / seconds:.0f} alerts/s "
          f"(target {TARGET_PER_SECOND:.0f}/s, x{n / seconds / TARGET_PER_SECOND:.1f}); "
          f"p50 {statistics.median(samples) * 1000:.2f} ms, "
          f"p95 {ordered[int(0.95 * (n - 1))] * 1000:.2f} ms")
    print(f"first {first}: {first / sum(samples[:first]):.0f}/s, last {first}: "
          f"{first / sum(samples[-first:]):.0f}/s")
    print(f"outcomes: {dict(sorted(statuses.items()))}")
    print(f"tickets created: {Ticket.objects.count()}, alerts folded: "
          f"{statuses.get('folded', 0)}, resolved by alert: "
          f"{Ticket.objects.filter(status='resolved').count()}")
    print(f"replays: {replays} in {replay_seconds:.2f} s = {replays / replay_seconds:.0f}/s, "
          f"stored rows {InboundMessage.objects.count()} (no new ones)")


if __name__ == "__main__":
    main()
