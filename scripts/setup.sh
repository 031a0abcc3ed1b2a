#!/usr/bin/env bash
# Create .venv with Python 3.11+ and install tierdesk (and, with --test, its test tools).
# Safe to rerun: it only installs what is missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PYTHON=$candidate; break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "tierdesk needs Python 3.11 or newer on PATH" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
PIP=".venv/bin/python -m pip --disable-pip-version-check -q"

# XStatic-Bootstrap's sdist still imports pkg_resources in its setup.py, which setuptools 81
# removed; build it against an older setuptools without build isolation.
$PIP install "setuptools>=68,<81" wheel
.venv/bin/python -c 'import xstatic.pkg.bootstrap' 2>/dev/null ||
  $PIP install --no-build-isolation "XStatic-Bootstrap>=5.3"

extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
$PIP install -e ".${extras}"

# WeasyPrint renders PDFs through Pango, a system library.
if ! .venv/bin/python -c 'import weasyprint' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Pango for PDF rendering"
    apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
  else
    echo "PDF rendering needs Pango: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" >&2
    exit 1
  fi
fi
