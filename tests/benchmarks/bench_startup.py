"""Start-up of the package and of the command line, whole processes, against baselines.

Each command is run 10 times in turn with its baseline (median of 10 each), in this run:

- ``aomori-roadmap --help`` against ``python -c "import typer"`` (target ≤ 2.5);
- ``python -c "import aomori_roadmap"`` against ``python -c "import pydantic, yaml"``
  (target ≤ 1.5);
- ``aomori-roadmap validate`` (the embedded plan) against
  ``python -c "import pydantic, yaml, holidays"`` (target ≤ 2.5).

Run with ``pytest tests/benchmarks/bench_startup.py -s``. Ratios are asserted, never a time.

Every process may cache its bytecode (in a folder of its own, not in the source tree), as an
installed package does: with ``PYTHONDONTWRITEBYTECODE`` set, each run would compile this
package's modules again while the baselines' libraries come with their ``.pyc`` files.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

RUNS = 10
CLI = [sys.executable, "-m", "aomori_roadmap.cli"]
CASES = {
    "--help": (
        [*CLI, "--help"],
        [sys.executable, "-c", "import typer"],
        2.5,
    ),
    "import aomori_roadmap": (
        [sys.executable, "-c", "import aomori_roadmap"],
        [sys.executable, "-c", "import pydantic, yaml"],
        1.5,
    ),
    "validate": (
        [*CLI, "validate"],
        [sys.executable, "-c", "import pydantic, yaml, holidays"],
        2.5,
    ),
}


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of every run: bytecode cached under a temporary folder."""
    cache: Path = tmp_path_factory.mktemp("pycache")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPYCACHEPREFIX": str(cache)}


def _seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, env=env)
    return time.perf_counter() - start


@pytest.mark.parametrize("case", list(CASES))
def test_start_up_against_baseline(case: str, environment: dict[str, str]) -> None:
    ours_command, baseline_command, target = CASES[case]
    for command in (ours_command, baseline_command):  # warm the file cache and .pyc files
        _seconds(command, environment)
    ours, baseline = [], []
    for _ in range(RUNS):  # interleaved, so that a busy moment hits both
        ours.append(_seconds(ours_command, environment))
        baseline.append(_seconds(baseline_command, environment))
    mine, theirs = statistics.median(ours), statistics.median(baseline)
    print(
        f"\n{case}: median {mine:.3f} s against {' '.join(baseline_command[1:])} "
        f"{theirs:.3f} s, ratio {mine / theirs:.2f} (target ≤ {target})"
    )
    assert mine / theirs <= target
