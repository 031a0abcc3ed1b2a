#!/usr/bin/env bash
# Set up and run every check: ruff, then the whole test suite on SQLite, then again on
# PostgreSQL. Browser tests use Debian's Chromium at /usr/bin/chromium (or $CHROMIUM) and
# skip with a reason when it is missing; the PostgreSQL run is skipped, with a message, when
# no server answers — except in CI (CI=true), where a missing server is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test

echo "== ruff"
.venv/bin/ruff check tierdesk bench

echo "== pytest on SQLite"
.venv/bin/python -m pytest -q "$@"

PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
if .venv/bin/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}")
    sys.exit(1)
PY
then
  echo "== pytest on PostgreSQL ($PG_URL); browser tests already ran on SQLite"
  DATABASE_URL=$PG_URL .venv/bin/python -m pytest -q -m "not browser" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "CI needs PostgreSQL for the second run" >&2
  exit 1
else
  echo "== PostgreSQL run skipped (set TEST_POSTGRES_URL to a reachable server)"
fi
