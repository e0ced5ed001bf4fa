"""Print the fiscal-year span of each initiative's explicit dates, with Japanese labels.

For every initiative of a plan, the script takes the periods written on its tasks (``start``,
``finish`` and ``due``), and prints the half-years and fiscal years they cover, from the first
day of the earliest to the last day of the latest. Tasks placed only by their links have no
explicit date and do not count.

Run it with the minimal roadmap folder next to this script::

    python examples/fiscal_spans.py

or with any plan file or folder::

    python examples/fiscal_spans.py path/to/plan-folder

Exit status: 0 when the plan loads, 2 when it has problems (listed on stderr).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from aomori_roadmap import FiscalYear, Half, Initiative, PlanError, PlanValidationError, load_plan

DEFAULT_PLAN = Path(__file__).resolve().parent / "minimal-roadmap"


def explicit_bounds(initiative: Initiative) -> tuple[date, date] | None:
    """The first and last day covered by the tasks' explicit periods, or ``None``."""
    periods = [
        period
        for task in initiative.tasks
        for period in (task.start, task.finish, task.due)
        if period is not None
    ]
    if not periods:
        return None
    return min(p.start for p in periods), max(p.end for p in periods)


def span_lines(initiative: Initiative) -> list[str]:
    """The lines printed for one initiative."""
    lines = [f"{initiative.id}  {initiative.name}"]
    bounds = explicit_bounds(initiative)
    if bounds is None:
        lines.append("  明示された日付はありません")
        return lines
    first, last = bounds
    lines.append(f"  半期: {Half.of(first).label()} – {Half.of(last).label()}")
    lines.append(f"  年度: {FiscalYear.of(first).label()} – {FiscalYear.of(last).label()}")
    return lines


def main(argv: list[str]) -> int:
    """Load the plan named by ``argv[1]`` (default: the minimal roadmap) and print the spans."""
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PLAN
    try:
        plan = load_plan(path)
    except PlanValidationError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    except PlanError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"{plan.name}  {plan.period.start.label()} – {plan.period.end.label()}")
    for initiative in plan.initiatives:
        print("\n".join(span_lines(initiative)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
