"""Our HTML Gantt chart of a 5,000-task plan: build time and size, against plain ``<rect>``\\ s.

The plan comes from ``plangen.generate`` (5,000 tasks, ~15,000 links of all four types) with
review cycles, half of the started tasks in progress and some late, so that every kind of mark
is drawn. Measured in the same run, best of three:

- ``render_html`` (the whole page: bars, progress, labels, tooltips, arrows, markers) and its
  size in bytes;
- the baseline: joining one plain ``<rect x y width height/>`` string per task, the least any
  SVG chart of these tasks must write; the ratio of the two;
- for the record, ``gantt_xlsx`` of the same data.

Run with ``pytest tests/benchmarks/bench_chart.py -s``. This reports numbers; it asserts only
that the work was complete, never a time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from plangen import generate
from timing import best_of

from aomori_roadmap.engine.reviews import review_cycles
from aomori_roadmap.engine.schedule import Schedule, schedule
from aomori_roadmap.export.chart import render_html
from aomori_roadmap.export.excel import gantt_xlsx
from aomori_roadmap.export.gantt import gantt_data
from aomori_roadmap.plan.loader import plan_from_data

TASKS = 5_000
LINKS = 15_000
AS_OF = date(2025, 10, 1)


def _states(computed: Schedule) -> tuple[dict[str, tuple[str, int]], dict[str, str]]:
    states, lateness = {}, {}
    for n, (ref, task) in enumerate(computed.tasks.items()):
        if task.early_finish < AS_OF:
            states[ref] = ("done", 100) if n % 5 else ("in_progress", 80)
            lateness[ref] = "on_track" if n % 5 else "late"
        elif task.early_start <= AS_OF:
            states[ref] = ("in_progress", 10 * (n % 10))
            lateness[ref] = "at_risk" if n % 7 == 0 else "on_track"
    return states, lateness


def _plain_rects(data: dict[str, Any]) -> str:
    """One plain rect per task, placed by its dates in the Gantt JSON: the floor of any SVG of
    these bars."""
    first = date.fromisoformat(data["scale"]["start"]).toordinal()
    rects = []
    for n, row in enumerate(data["rows"]):
        if row["kind"] in ("task", "milestone"):
            x = date.fromisoformat(row["start"]).toordinal() - first
            w = date.fromisoformat(row["finish"]).toordinal() - first - x + 1
            rects.append(
                f'<rect x="{x * 0.6:.1f}" y="{n * 22}" width="{w * 0.6:.1f}" height="12"/>'
            )
    return "\n".join(rects)


def test_html_chart_of_5000_tasks() -> None:
    plan = plan_from_data(generate(TASKS, LINKS))
    computed = schedule(plan)
    states, lateness = _states(computed)
    data = gantt_data(
        plan,
        computed,
        as_of=AS_OF,
        states=states,
        lateness=lateness,
        cycles=review_cycles(plan, computed),
    )

    built, page = best_of(3, lambda: render_html(data))
    document = data.to_json()
    floor, rects = best_of(3, lambda: _plain_rects(document))
    workbook, xlsx = best_of(1, lambda: gantt_xlsx(data))

    tasks = data.task_rows()
    assert len(tasks) == TASKS
    assert page.count('<g class="task"') == TASKS and rects.count("<rect") == TASKS
    assert page.rstrip().endswith("</html>") and xlsx[:2] == b"PK"
    size = len(page.encode("utf-8"))
    print(
        f"\nHTML chart, {TASKS:,} tasks / {len(data.links):,} links / "
        f"{len(data.rows):,} rows: render_html {built:.3f} s, {size / 1e6:.1f} MB "
        f"({size / TASKS:,.0f} bytes per task); plain <rect> strings {floor:.3f} s, "
        f"{len(rects.encode()) / 1e6:.2f} MB; ratio {built / floor:.1f} (time), "
        f"{size / len(rects.encode()):.1f} (size); for the record gantt_xlsx {workbook:.1f} s, "
        f"{len(xlsx) / 1e6:.1f} MB"
    )
