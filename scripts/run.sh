#!/usr/bin/env bash
# Set up and run tierdesk on its embedded defaults: SQLite and an embedded task queue under
# ./var, demo data, an owner account, the web server at http://127.0.0.1:8000 and the worker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export TIERDESK_DATA_DIR=${TIERDESK_DATA_DIR:-$PWD/var}
mkdir -p "$TIERDESK_DATA_DIR"
# The secret key is generated once and kept in the data directory, then passed through the
# environment like every other setting.
if [ -z "${SECRET_KEY:-}" ]; then
  keyfile="$TIERDESK_DATA_DIR/secret_key"
  [ -s "$keyfile" ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' > "$keyfile"
  chmod 600 "$keyfile"
  SECRET_KEY=$(cat "$keyfile")
  export SECRET_KEY
fi
PORT=${PORT:-8000}
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}

manage() { .venv/bin/python manage.py "$@"; }
manage migrate --noinput -v 0
manage collectstatic --noinput -v 0
manage tierdesk_setup
manage tierdesk_demo --clients 10 --seed 42 --staff

manage run_huey --quiet &
worker=$!
SMTP_PORT=${SMTP_PORT:-2525}
manage tierdesk_smtpd --host 127.0.0.1 --port "$SMTP_PORT" &
smtpd=$!
trap 'kill $worker $smtpd 2>/dev/null || true' EXIT INT TERM
echo
echo "tierdesk is running at $SITE_URL, with the worker (pid $worker) and the mail listener"
echo "on 127.0.0.1:$SMTP_PORT (pid $smtpd). Ctrl-C stops them all."
.venv/bin/gunicorn tierdesk.wsgi --bind "127.0.0.1:$PORT" --workers 2 --access-logfile -
