"""Compare the engine with TaskJuggler (tj3), an independent scheduler, task by task.

A generated plan of 300 tasks in 12 initiatives (FS, SS and FF links with working-day lags,
milestones, start constraints, links across initiatives and fiscal years, Golden Week and
year-end closures in its span) is exported to ``.tjp`` with the same working calendar
(``tests/tjp_export.py``) and scheduled by both; every task's start and finish must agree.
"""

from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aomori_roadmap.engine.schedule import plan_calendar, schedule
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan

pytestmark = pytest.mark.skipif(
    shutil.which("tj3") is None, reason="TaskJuggler (tj3) is not installed: apt-get install tj3"
)

TASKS, INITIATIVES = 300, 12


def generated_plan(seed: int = 7) -> Plan:
    """A random acyclic plan that TaskJuggler can express (no leads, no calendar units)."""
    rng = random.Random(seed)
    per = TASKS // INITIATIVES
    refs = [f"i{k // per}/t{k % per}" for k in range(TASKS)]
    initiatives: list[dict[str, Any]] = [
        {"id": f"i{k}", "name": f"取組{k}", "tasks": []} for k in range(INITIATIVES)
    ]
    for k, ref in enumerate(refs):
        row: dict[str, Any] = {"id": ref.split("/")[1], "name": f"工程{k}"}
        if rng.random() < 0.1:
            row["milestone"] = True
        else:
            row["duration"] = f"{rng.randint(1, 25)}bd"
        if rng.random() < 0.08:
            row["start"] = date.fromordinal(date(2024, 4, 1).toordinal() + rng.randint(0, 400))
            row["start"] = row["start"].isoformat()
        candidates = list(range(max(0, k - 30), k))
        row["depends"] = [
            {
                "on": refs[p] if p // per != k // per else refs[p].split("/")[1],
                "type": rng.choice(["FS", "FS", "FS", "SS", "FF"]),
                "lag": f"{rng.choice([0, 0, 0, 1, 2, 5, 10])}bd",
            }
            for p in rng.sample(candidates, min(len(candidates), rng.randint(0, 3)))
        ]
        initiatives[k // per]["tasks"].append(row)
    rng.shuffle(initiatives)  # plan order is not the topological order
    return plan_from_data(
        {
            "id": "tj3",
            "name": "TaskJuggler比較",
            "period": {"start": "FY2024", "end": "FY2026"},
            "initiatives": initiatives,
        }
    )


def test_generated_plan_has_what_the_comparison_needs() -> None:
    plan = generated_plan()
    links = [dep for _, _, task in plan.iter_tasks() for dep in task.links]
    assert sum(1 for _ in plan.iter_tasks()) >= 200
    assert {dep.type for dep in links} == {"FS", "SS", "FF"}
    assert any(dep.lag.amount for dep in links)
    assert any(task.milestone for _, _, task in plan.iter_tasks())
    assert any("/" in dep.on for dep in links) and any("/" not in dep.on for dep in links)


def test_every_task_matches_taskjuggler(run_tj3: Any, tmp_path: Path) -> None:
    plan = generated_plan()
    ours = schedule(plan)
    theirs = run_tj3(plan, plan_calendar(plan), tmp_path)
    assert set(theirs) == set(ours.tasks)
    mismatches = [
        (ref, (t.early_start, t.early_finish), theirs[ref])
        for ref, t in ours.tasks.items()
        if (t.early_start, t.early_finish) != theirs[ref]
    ]
    assert mismatches == [], f"{len(mismatches)} of {len(theirs)} tasks differ: {mismatches[:5]}"
    assert ours.finish >= date(2025, 1, 6)  # the span crosses a year-end closure
