"""Filling in a department workbook from a script, cell by cell, as a person types it.

For the demo, for tests of a prefecture's own tooling, and for a department that keeps its
facts elsewhere: each value is written into the input cell as typed text or a number, exactly
as a person would leave it, and the importer reads it back the same way.

>>> from datetime import date
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.views.snapshot import take_snapshot
>>> from aomori_roadmap.workbook.out import department_workbook
>>> sent = department_workbook(
...     take_snapshot(default_plan(), as_of=date(2025, 9, 30)), "R7上期", "kikikanri")
>>> filled = fill_workbook(sent, default_plan(), {("tasks", "bousai-dx-alerts/design", "status"): "実施中"})
>>> len(filled) > 0
True
>>> fill_workbook(sent, default_plan(), {("tasks", "ghost/task", "status"): "実施中"})
Traceback (most recent call last):
...
aomori_roadmap.errors.PlanError: ...
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.workbook.layout import (
    sheet_key,
    table_layout,
)

__all__ = ["Value", "fill_workbook"]

Value = str | int | float | date | None
"""What a person leaves in a cell: text as typed, a number, a date, or nothing."""

Cell = tuple[str, str, str]
"""Which input cell: (sheet key, row key — a task's ref, an initiative's or KPI's id, column key)."""


def _row_key_column(sheet: str) -> str:
    return "ref" if sheet == "tasks" else "id"


def fill_workbook(data: bytes, plan: Plan, cells: Mapping[Cell, Value]) -> bytes:
    """``data`` (a department workbook of ``plan``) with the input ``cells`` set to their values.

    Values are written as given: text (``"R7.10.1"``, ``"実施中"``, ``"40%"``), numbers or
    dates, as a person types them.

    Raises:
        PlanError: a sheet, row or column the workbook does not have, or a cell that is not
            an input cell; nothing is filled.
    """
    book = load_workbook(io.BytesIO(data))
    sheets = {sheet_key(sheet.title): sheet for sheet in book.worksheets}
    placed: list[tuple[Worksheet, int, int, Value]] = []
    for (sheet, row_key, column_key), value in cells.items():
        ws = sheets.get(sheet)
        if ws is None or sheet not in ("tasks", "initiatives", "kpis"):
            raise PlanError(_("The workbook has no sheet '{sheet}' to fill.").format(sheet=sheet))
        layout = table_layout(sheet, plan)
        if not any(c.key == column_key for c in layout.inputs()):
            choices = ", ".join(c.key for c in layout.inputs())
            raise PlanError(
                _(
                    "'{column}' is not an input column of '{sheet}'. Input columns: {choices}"
                ).format(column=column_key, sheet=sheet, choices=choices)
            )
        keys = layout.index(_row_key_column(sheet))
        row = next(
            (
                r
                for r in range(layout.first_data_row, ws.max_row + 1)
                if ws.cell(r, keys).value == row_key
            ),
            None,
        )
        if row is None:
            raise PlanError(
                _("The sheet '{sheet}' has no row '{row}'.").format(sheet=ws.title, row=row_key)
            )
        placed.append((ws, row, layout.index(column_key), value))
    for target, row, column, value in placed:
        target.cell(row, column).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
