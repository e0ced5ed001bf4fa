"""Loading a big plan folder against bare YAML parsing of the same files.

10,000 initiatives × 10 tasks (100,000 tasks, ~3 links each), one YAML file per initiative,
as a department-per-folder layout would have them. Reported, measured in the same run:

- load + validate (``load_plan``) against parsing the same files with PyYAML's ``CSafeLoader``
  alone (target: ratio ≤ 2.0);
- ``WorkCalendar.add_working_days`` calls per second after the table is built
  (target: ≥ 1,000,000/s).

Run with ``pytest tests/benchmarks -s``. These report numbers; they assert only that the work
was complete, never a time.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from aomori_roadmap.calendar import WorkCalendar
from aomori_roadmap.plan.loader import load_plan

INITIATIVES = 10_000
TASKS = 10
LINK_TYPES = ("FS", "SS", "FF", "SF")


def _initiative(n: int, rng: random.Random) -> dict[str, object]:
    tasks: list[dict[str, object]] = []
    for t in range(TASKS):
        task: dict[str, object] = {"id": f"t{t}", "name": f"工程{t}"}
        if t == 0:
            task["start"] = rng.choice(["R6上期", "FY2024-H2", "令和7年度", "2024-06-03"])
        links: list[dict[str, object]] = []
        for p in rng.sample(range(t), min(t, 3)):
            links.append(
                {
                    "on": f"t{p}",
                    "type": rng.choice(LINK_TYPES),
                    "lag": f"{rng.randint(-5, 20)}bd",
                }
            )
        if t == 0 and n > 0:
            links.append({"on": f"init-{rng.randrange(n):05d}/t9", "type": "FS", "lag": "0bd"})
        if links:
            task["after"] = [links[0]["on"]]
            if len(links) > 1:
                task["depends"] = links[1:]
        if t == TASKS - 1:
            task["milestone"] = True
            task["due"] = "FY2028-H2"
        else:
            task["duration"] = rng.choice(["10bd", "20bd", "1mo", "2mo", "3w", "1half"])
        tasks.append(task)
    return {
        "initiatives": [
            {
                "id": f"init-{n:05d}",
                "name": f"取組{n}",
                "item": "disaster-management",
                "department": "kikikanri",
                "priority": ["防災"],
                "tasks": tasks,
            }
        ]
    }


def write_big_plan(folder: Path, initiatives: int = INITIATIVES, seed: int = 2024) -> list[Path]:
    """Write a plan folder building on the embedded plan; return every file written."""
    rng = random.Random(seed)
    (folder / "initiatives").mkdir(parents=True, exist_ok=True)
    files = [folder / "plan.yaml"]
    files[0].write_text("base: aomori-dx-2024-2028\n", encoding="utf-8")
    for n in range(initiatives):
        path = folder / "initiatives" / f"init-{n:05d}.yaml"
        path.write_text(
            yaml.safe_dump(_initiative(n, rng), allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        files.append(path)
    return files


def _best_of(runs: int, work: object) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def test_load_against_bare_yaml_parsing(tmp_path: Path) -> None:
    files = write_big_plan(tmp_path / "big")

    def bare() -> None:
        for path in files:
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)

    loaded = []

    def ours() -> None:
        loaded.append(load_plan(tmp_path / "big"))

    baseline = _best_of(2, bare)
    measured = _best_of(2, ours)
    plan = loaded[-1]
    assert plan.counts()["tasks"] == INITIATIVES * TASKS
    links = sum(len(t.links) for _, _, t in plan.iter_tasks())
    print(
        f"\nload {INITIATIVES * TASKS:,} tasks / {links:,} links: bare CSafeLoader "
        f"{baseline:.2f} s, load_plan {measured:.2f} s, ratio {measured / baseline:.2f} "
        "(target ≤ 2.0)"
    )


@pytest.mark.parametrize("calls", [1_000_000])
def test_add_working_days_rate(calls: int) -> None:
    calendar = WorkCalendar(2024, 2028)
    rng = random.Random(7)
    days = [date(2024, 4, 1) + timedelta(days=rng.randrange(1800)) for _ in range(1000)]
    steps = [rng.randint(-40, 40) for _ in range(1000)]
    add = calendar.add_working_days
    start = time.perf_counter()
    for _ in range(calls // 1000):
        for day, n in zip(days, steps, strict=True):
            add(day, n)
    elapsed = time.perf_counter() - start
    rate = calls / elapsed

    # Baseline in the same run: the same loop calling a trivial function.
    def trivial(day: date, n: int) -> date:
        return day

    start = time.perf_counter()
    for _ in range(calls // 1000):
        for day, n in zip(days, steps, strict=True):
            trivial(day, n)
    floor = time.perf_counter() - start
    print(
        f"\nadd_working_days: {rate:,.0f} calls/s (target ≥ 1,000,000/s); "
        f"an empty function call in the same loop: {calls / floor:,.0f} calls/s, "
        f"ratio {elapsed / floor:.2f}"
    )
    assert add(date(2024, 12, 27), 1) == date(2025, 1, 6)
