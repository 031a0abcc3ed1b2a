#!/usr/bin/env bash
# Run every benchmark under bench/ and print their figures (not part of the test suite).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/python -m pip -q install -e ".[bench]"
PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
for bench in bench/bench_*.py; do
  echo "== $bench"
  if [ "$bench" = bench/bench_api_tickets.py ]; then
    # Also over HTTP, as scripts/run.sh serves it (the load from wrk when it is installed).
    .venv/bin/python "$bench" --server
  else
    .venv/bin/python "$bench"
  fi
  if [ "$bench" = bench/bench_foundation.py ]; then
    echo "== $bench on PostgreSQL"
    .venv/bin/python "$bench" --postgres "$PG_URL" || echo "(PostgreSQL run failed or unavailable)"
  fi
done
