"""Gantt JSON of a 100,000-task plan against ``json.dumps`` of the same rows.

The plan comes from ``plangen.generate`` (100,000 tasks, ~300,000 links of all four types,
5 layers of initiatives over FY2024–FY2030). Measured in the same run, best of three:

- ``gantt_data`` (the typed Gantt view: rows, links, review markers, scale, critical paths)
  against ``json.dumps`` of its JSON form, which is the same rows already prepared as plain
  dicts (target: ratio ≤ 2.0);
- for the record, ``GanttData.to_json`` (the view as those dicts) and ``gantt_json`` (the text
  the CLI writes, view included) against the same baseline.

Run with ``pytest tests/benchmarks/bench_gantt.py -s``. This reports numbers; it asserts only
that the work was complete, never a time.
"""

from __future__ import annotations

import json

from plangen import generate, link_list
from timing import best_of

from aomori_roadmap.engine.reviews import review_cycles
from aomori_roadmap.engine.schedule import schedule
from aomori_roadmap.export.gantt import gantt_data, gantt_json
from aomori_roadmap.plan.loader import plan_from_data

TASKS = 100_000
LINKS = 300_000


def test_gantt_json_against_json_dumps() -> None:
    generated = generate(TASKS, LINKS)
    plan = plan_from_data(generated)
    computed = schedule(plan)
    cycles = review_cycles(plan, computed)

    built, data = best_of(3, lambda: gantt_data(plan, computed, cycles=cycles))
    converted, document = best_of(3, data.to_json)
    dumped, text = best_of(3, lambda: json.dumps(document, ensure_ascii=False))
    written, _ = best_of(3, lambda: gantt_json(gantt_data(plan, computed, cycles=cycles)))

    tasks = data.task_rows()
    assert len(tasks) == TASKS
    assert len(data.links) == len(link_list(generated))
    assert json.loads(text)["rows"][-1]["id"] == tasks[-1].id
    print(
        f"\ngantt JSON, {TASKS:,} tasks / {len(data.links):,} links / "
        f"{len(data.rows):,} rows: json.dumps of the prepared rows {dumped:.2f} s, "
        f"gantt_data {built:.2f} s, ratio {built / dumped:.2f} (target ≤ 2.0); "
        f"to_json {converted:.2f} s, ratio {converted / dumped:.2f}; "
        f"gantt_json (build + indented text) {written:.2f} s, ratio {written / dumped:.2f}; "
        f"{len(text.encode()) / 1e6:.0f} MB"
    )
