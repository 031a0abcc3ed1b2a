"""The SLA engine is pure Python: importing and using it loads no Django."""

import subprocess
import sys
from pathlib import Path

CODE = """
import sys
from datetime import UTC, datetime, timedelta
from tierdesk.sla import Calendar
Calendar.always("UTC").add(datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=1))
print(sorted(m for m in sys.modules if m == "django" or m.startswith("django.")))
"""


def test_importing_and_using_the_engine_loads_no_django():
    result = subprocess.run(
        [sys.executable, "-c", CODE],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[3],
    )
    assert result.stdout.strip() == "[]"
