"""Department workbooks (進捗管理シート): the half-year progress sheet out to each department.

:mod:`.layout` says where everything is (pure data, shared by writer and reader: import its
tables and the origin record from there);
:mod:`.out` writes a department's workbook. openpyxl is imported only when a workbook is
written or read, never when this package is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aomori_roadmap.workbook.changes import (
        Conflict,
        WorkbookChanges,
        WorkbookConflictError,
        WorkbookError,
        WorkbookProblem,
        strip_provenance,
    )
    from aomori_roadmap.workbook.csv_sheet import csv_file_name, department_csv, read_department_csv
    from aomori_roadmap.workbook.out import (
        department_workbook,
        department_workbooks,
        workbook_file_name,
    )
    from aomori_roadmap.workbook.read import DEFAULT_MAX_BYTES, read_department_workbook

_NAMES = ("out", "read", "changes", "csv_sheet")
_OUT, _READ, _CHANGES, _CSV = (f"aomori_roadmap.workbook.{m}" for m in _NAMES)
_LAZY = {
    "department_workbook": _OUT,
    "department_workbooks": _OUT,
    "workbook_file_name": _OUT,
    "DEFAULT_MAX_BYTES": _READ,
    "read_department_workbook": _READ,
    "Conflict": _CHANGES,
    "WorkbookChanges": _CHANGES,
    "WorkbookConflictError": _CHANGES,
    "WorkbookError": _CHANGES,
    "WorkbookProblem": _CHANGES,
    "strip_provenance": _CHANGES,
    "csv_file_name": _CSV,
    "department_csv": _CSV,
    "read_department_csv": _CSV,
}

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Conflict",
    "WorkbookChanges",
    "WorkbookConflictError",
    "WorkbookError",
    "WorkbookProblem",
    "csv_file_name",
    "department_csv",
    "department_workbook",
    "department_workbooks",
    "read_department_csv",
    "read_department_workbook",
    "strip_provenance",
    "workbook_file_name",
]


def __getattr__(name: str) -> Any:
    """The writer's and the reader's names, imported (with openpyxl) on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)
