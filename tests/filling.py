"""Helpers for the import tests: a small plan, exporting, filling a workbook as a person does.

A workbook is filled with openpyxl on the exporter's bytes, cell by cell, found by sheet key,
column key and row key through :mod:`aomori_roadmap.workbook.layout` — as the importer finds
them. The store tests' backends are used too (:mod:`storetest`): SQLite, and PostgreSQL at
``AOMORI_ROADMAP_TEST_PG`` when it can be reached.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import create_engine, text
from storetest import database as database  # re-exported for the workbook tests

from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.views.snapshot import take_snapshot
from aomori_roadmap.workbook.layout import (
    sheet_key,
    sheet_name,
    table_layout,
)
from aomori_roadmap.workbook.out import department_workbook

CYCLE = "FY2025-H1"
AS_OF = date(2025, 9, 30)
TABLES = ("status_events", "review_records", "kpi_actuals")

PLAN_DATA: dict[str, Any] = {
    "id": "wb-test",
    "name": "ワークブック試験",
    "period": {"start": "FY2024", "end": "FY2028"},
    "departments": [
        {"id": "kiki", "name": "危機管理局"},
        {"id": "kyoiku", "name": "教育庁"},
    ],
    "kpis": [
        {"id": "sns", "name": "登録者数", "department": "kiki", "unit": "人", "source": "県調べ",
         "baseline": {"fy": 2023, "value": 100}, "target": {"fy": 2028, "value": 200}},
        {"id": "schools", "name": "実施校数", "department": "kyoiku", "unit": "校",
         "baseline": {"fy": 2023, "value": 10}, "target": {"fy": 2028, "value": 50}},
    ],
    "initiatives": [
        {"id": "alerts", "name": "防災アラート", "department": "kiki", "kpis": ["sns"],
         "tasks": [
             {"id": "study", "name": "検討", "start": "FY2025-H1", "duration": "3mo"},
             {"id": "build", "name": "構築", "after": "study", "duration": "6mo"},
             {"id": "launch", "name": "運用開始", "milestone": True, "after": "build"},
         ]},
        {"id": "portal", "name": "防災ポータル", "department": "kiki",
         "tasks": [
             {"id": "plan", "name": "計画", "start": "FY2025-H1", "duration": "2mo"},
             {"id": "run", "name": "運用", "after": "plan", "duration": "1y"},
         ]},
        {"id": "learning", "name": "オンライン学習", "department": "kyoiku",
         "tasks": [
             {"id": "model", "name": "モデル校", "start": "FY2025", "duration": "1y"},
             {"id": "expand", "name": "全県展開", "after": "model", "duration": "1y"},
         ]},
    ],
}  # fmt: skip


def make_plan(**changes: Any) -> Plan:
    """The test plan, with top-level keys replaced by ``changes``."""
    return plan_from_data({**PLAN_DATA, **changes})


# --- backends -----------------------------------------------------------------------------------


def footprint(url: str) -> tuple[int, ...]:
    """Row counts of the history tables and the last ids: equal means nothing was written."""
    engine = create_engine(url)
    found: list[int] = []
    with engine.connect() as conn:
        for table in TABLES:
            found.append(int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()))
            found.append(int(conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}"))
                             .scalar_one()))  # fmt: skip
        found.append(int(conn.execute(text("SELECT count(*) FROM status_refs")).scalar_one()))
    engine.dispose()
    return tuple(found)


# --- workbooks ----------------------------------------------------------------------------------


def export(
    store: Store,
    department: str = "kiki",
    *,
    lang: str = "ja",
    as_of: date = AS_OF,
    writer: Callable[..., bytes] = department_workbook,
) -> bytes:
    """The department's workbook for the test cycle, as the exporter writes it (``writer``:
    :func:`~aomori_roadmap.workbook.csv_sheet.department_csv` for its task sheet as CSV)."""
    assert store.plan is not None
    snapshot = take_snapshot(store.plan, store, as_of=as_of)
    return writer(snapshot, CYCLE, department, store=store, lang=lang)


_KEY_COLUMN = {"tasks": "ref", "initiatives": "id", "kpis": "id"}


class Filler:
    """An exported workbook opened with openpyxl, to be filled in as a department would."""

    def __init__(self, data: bytes, plan: Plan) -> None:
        self.book = load_workbook(io.BytesIO(data))
        self.plan = plan

    def sheet(self, key: str) -> Worksheet:
        for ws in self.book.worksheets:
            if sheet_key(ws.title) == key:
                return ws
        raise KeyError(key)

    def row_of(self, key: str, row_key: str) -> int:
        layout = table_layout(key, self.plan)
        ws = self.sheet(key)
        column = layout.index(_KEY_COLUMN[key])
        for row in range(layout.first_data_row, ws.max_row + 1):
            if ws.cell(row, column).value == row_key:
                return row
        raise KeyError(row_key)

    def address(self, key: str, column_key: str, row_key: str) -> str:
        """``Sheet!L12``: where the importer reports a problem of that cell."""
        layout = table_layout(key, self.plan)
        cell = self.sheet(key).cell(self.row_of(key, row_key), layout.index(column_key))
        return f"{self.sheet(key).title}!{cell.coordinate}"

    def set(
        self,
        key: str,
        column_key: str,
        row_key: str,
        value: object,
        number_format: str | None = None,
    ) -> Filler:
        layout = table_layout(key, self.plan)
        cell = self.sheet(key).cell(self.row_of(key, row_key), layout.index(column_key))
        cell.value = value
        if number_format is not None:
            cell.number_format = number_format
        return self

    def fill(self, values: Mapping[tuple[str, str, str], object]) -> Filler:
        for (key, column_key, row_key), value in values.items():
            self.set(key, column_key, row_key, value)
        return self

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def tasks_sheet(lang: str = "ja") -> str:
    return sheet_name("tasks", lang)
