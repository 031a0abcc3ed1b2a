"""Foundation benchmark: client list and tier comparison pages, and agreement PDF rendering,
with 10,000 clients and agreements, in process (Django's test client, no network).

    .venv/bin/python bench/bench_foundation.py                 # SQLite in a temporary dir
    .venv/bin/python bench/bench_foundation.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Targets (issue 2): page p95 <= 50 ms; agreement PDF render <= 1 s. Prints each figure and its
ratio to the target (< 1.0 is within target).
"""

import argparse
import os
import statistics
import time

import benchenv

PAGE_TARGET_MS = 50.0
PDF_TARGET_MS = 1000.0


def _prepare_environment(args) -> None:
    benchenv.prepare("foundation", postgres=args.postgres)


def _percentile(samples: list[float], fraction: float) -> float:
    return benchenv.percentile(samples, fraction)


def _measure(client, url: str, runs: int) -> tuple[float, float]:
    for _ in range(5):  # warm caches and the template loader
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(samples), _percentile(samples, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--postgres", help="PostgreSQL URL of a server to create a bench DB on")
    args = parser.parse_args()
    _prepare_environment(args)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from tierdesk.clients.models import Agreement
    from tierdesk.core.services import user_create

    call_command("migrate", verbosity=0)
    call_command("tierdesk_setup", verbosity=0, stdout=open(os.devnull, "w"))
    started = time.perf_counter()
    call_command("tierdesk_demo", clients=args.clients, seed=1, stdout=open(os.devnull, "w"))
    if connection.vendor == "postgresql":
        # autovacuum would get there within a minute; do not measure plans from empty stats
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"database: {connection.vendor}; generated {args.clients} clients and "
          f"{Agreement.objects.count()} agreements in {time.perf_counter() - started:.1f} s")

    owner, _ = user_create(username="bench-owner", role="owner", password="bench password 1")
    owner.must_change_password = False
    owner.save()
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")

    pages = {
        "client list": reverse("clients:client_list"),
        "client list, page 100": reverse("clients:client_list") + "?page=100",
        "client list, search": reverse("clients:client_list") + "?q=and",
        "client list, by tier": reverse("clients:client_list") + "?ordering=tier&page=50",
        "tier comparison": reverse("plans:comparison"),
    }
    print(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'target':>8} {'p95/target':>11}")
    for name, url in pages.items():
        p50, p95 = _measure(client, url, args.runs)
        print(f"{name:28} {p50:8.1f} {p95:8.1f} {PAGE_TARGET_MS:8.0f} {p95 / PAGE_TARGET_MS:11.2f}")

    agreement = Agreement.objects.order_by("id").first()
    url = reverse("documents:agreement_pdf", args=[agreement.pk])
    client.get(url)
    samples = []
    for _ in range(10):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    worst = max(samples)
    print(f"{'agreement PDF render':28} {statistics.median(samples):8.1f} {worst:8.1f} "
          f"{PDF_TARGET_MS:8.0f} {worst / PDF_TARGET_MS:11.2f}   (max of 10, not p95)")


if __name__ == "__main__":
    main()
