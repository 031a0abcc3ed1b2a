"""The simulation engine is pure Python: importing and running it loads no Django."""

import subprocess
import sys
from pathlib import Path

CODE = """
import sys
from tierdesk.insights.tests.simulation_samples import mmc_scenario
from tierdesk.insights.simulation import simulate
assert simulate(mmc_scenario(weeks=1, seeds=(1, 2))).runs[1].tickets > 0
print(sorted(m for m in sys.modules if m == "django" or m.startswith("django.")))
"""


def test_importing_and_running_the_simulation_loads_no_django():
    result = subprocess.run(
        [sys.executable, "-c", CODE],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[3],
    )
    assert result.stdout.strip() == "[]"
