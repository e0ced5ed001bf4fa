"""Where everything is in a department workbook (進捗管理シート): sheets, rows, columns, origin.

Pure data, no openpyxl: the writer (:mod:`.out`) and the reader (:mod:`.read`) both find
every cell through these tables, by sheet key and column key, never by a hard-coded letter.

Sheets, in order (key: name in the workbook's language, see :func:`sheet_name`):

- ``cover`` (表紙): no table; plan, cycle, department, dates, how to fill it in.
- ``tasks`` (工程), header row :data:`TASKS`.header_row, columns
  ``ref``, ``initiative``, ``task``, ``planned_start``, ``planned_finish``,
  ``planned_wareki``, ``baseline_start``, ``baseline_finish``, ``current_status``,
  ``current_progress`` (read-only), then the inputs ``status``, ``progress``, ``started``,
  ``finished``, ``note``.
- ``initiatives`` (取組評価): ``id``, ``name``, ``stage`` (read-only), then the inputs
  ``rating``, ``achievements``, ``issues``, ``next_steps``.
- ``kpis`` (KPI): ``id``, ``name``, ``unit``, ``baseline_fy``, ``baseline_value``,
  ``target_fy``, ``target_value``, one ``fy<YYYY>`` column of recorded actuals per fiscal
  year of the plan (:func:`kpi_year_key`), ``fy`` (the year to fill), then the inputs
  ``actual`` and ``source``. The year columns depend on the plan: use :func:`kpi_columns`.
- ``origin`` (``_origin``, very hidden): the :class:`Origin` record as rows
  (:meth:`Origin.to_rows`), one fact per row, starting at A1.

A sheet made in either language is accepted: :func:`sheet_key` knows the names of both.

>>> [c.key for c in TASKS.columns if c.input]
['status', 'progress', 'started', 'finished', 'note']
>>> TASKS.column("progress").kind, TASKS.index("ref")
('percent', 1)
>>> [c.key for c in kpi_columns([2024, 2025])][7:]
['fy2024', 'fy2025', 'fy', 'actual', 'source']
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from aomori_roadmap.engine.kpi import KpiMark
from aomori_roadmap.errors import PlanError, shown

if TYPE_CHECKING:
    from aomori_roadmap.plan.model import Kpi, Plan

from aomori_roadmap.i18n import LANGUAGES, NC_, _, pgettext, using_language

__all__ = [
    "COVER",
    "DOCUMENT_FORMAT",
    "FORMAT_VERSION",
    "INITIATIVES",
    "KPIS",
    "ORIGIN_SHEET",
    "SHEET_KEYS",
    "TASKS",
    "Column",
    "ColumnKind",
    "InitiativeOrigin",
    "KpiOrigin",
    "Origin",
    "OriginCell",
    "SheetLayout",
    "TaskOrigin",
    "department_kpis",
    "kpi_columns",
    "kpi_layout",
    "kpi_year_key",
    "plan_years",
    "rating_choice",
    "sheet_key",
    "sheet_name",
    "sheet_names",
    "table_layout",
]

#: The custom document property ``aomori_roadmap_format`` of every department workbook.
DOCUMENT_FORMAT = "department-workbook"
#: The custom document property ``version``: the layout's version (and the origin's).
FORMAT_VERSION = 1
#: The name of the very hidden sheet holding the origin record (the same in every language).
ORIGIN_SHEET = "_origin"

#: What a cell holds, as the reader must read it.
ColumnKind = Literal["text", "date", "percent", "status", "rating", "number", "measured"]

#: The keys of the sheets, in their order in the workbook.
SHEET_KEYS = ("cover", "tasks", "initiatives", "kpis", "origin")

# The name of each sheet, translated where it is used. The origin sheet keeps its name.
_SHEET_NAMES = {
    "cover": NC_("workbook sheet", "Cover"),
    "tasks": NC_("workbook sheet", "Tasks"),
    "initiatives": NC_("workbook sheet", "Initiatives"),
    "kpis": NC_("workbook sheet", "KPI"),
}


def sheet_name(key: str, lang: str | None = None) -> str:
    """The name of sheet ``key`` in ``lang`` (``None``: the language chosen now).

    >>> sheet_name("tasks", "en"), sheet_name("origin")
    ('Tasks', '_origin')
    """
    if key == "origin":
        return ORIGIN_SHEET
    if key not in _SHEET_NAMES:
        raise PlanError(
            _("Unknown workbook sheet '{sheet}'. Sheets: {sheets}").format(
                sheet=shown(key), sheets=", ".join(SHEET_KEYS)
            )
        )
    if lang is None:
        return pgettext(*_SHEET_NAMES[key])
    with using_language(lang):
        return pgettext(*_SHEET_NAMES[key])


def sheet_names(lang: str | None = None) -> dict[str, str]:
    """Every sheet's name in ``lang``, by key, in workbook order."""
    return {key: sheet_name(key, lang) for key in SHEET_KEYS}


def sheet_key(name: str) -> str | None:
    """The key of the sheet named ``name`` in any language (``None``: not one of ours).

    >>> sheet_key("Tasks"), sheet_key("_origin"), sheet_key("Sheet1")
    ('tasks', 'origin', None)
    """
    for lang in LANGUAGES:
        for key, written in sheet_names(lang).items():
            if written == name:
                return key
    return None


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet's table.

    ``header`` is the English msgid of the header (context ``workbook column``; see
    :meth:`heading`), ``width`` the column width in Excel's units (wide enough for Japanese),
    ``input`` whether the department fills it in (unlocked, validated), ``kind`` how its
    cells are read.
    """

    key: str
    header: str
    width: float
    input: bool
    kind: ColumnKind

    def heading(self, lang: str | None = None) -> str:
        """The header text in ``lang`` (``None``: the language chosen now).

        A KPI year column (``fy2025``) is headed by its year, the same in every language.
        """
        if self.key.startswith("fy") and self.key[2:].isdigit():
            return self.header
        if lang is None:
            return pgettext("workbook column", self.header)
        with using_language(lang):
            return pgettext("workbook column", self.header)


def _col(
    key: str, header: tuple[str, str], width: float, kind: ColumnKind, *, input: bool = False
) -> Column:
    return Column(key, header[1], width, input, kind)


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """A sheet with a table: its key, header row, first data row (1-based) and columns."""

    key: str
    header_row: int
    first_data_row: int
    columns: tuple[Column, ...]

    def keys(self) -> list[str]:
        """The column keys in order."""
        return [c.key for c in self.columns]

    def column(self, key: str) -> Column:
        """The column ``key``.

        Raises:
            KeyError: the sheet has no such column.
        """
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def index(self, key: str) -> int:
        """The 1-based column number of ``key`` (A is 1).

        Raises:
            KeyError: the sheet has no such column.
        """
        for n, c in enumerate(self.columns, 1):
            if c.key == key:
                return n
        raise KeyError(key)

    def inputs(self) -> list[Column]:
        """The columns the department fills in."""
        return [c for c in self.columns if c.input]


#: The cover: a two-column list of facts, no table to read.
COVER = SheetLayout("cover", header_row=3, first_data_row=3, columns=(
    _col("label", NC_("workbook column", "Item"), 22, "text"),
    _col("value", NC_("workbook column", "Value"), 80, "text"),
))  # fmt: skip

#: The task sheet (工程): row 1 title, row 2 plan / cycle / department, row 3 the legend of
#: input cells, row 4 the header, data from row 5.
TASKS = SheetLayout("tasks", header_row=4, first_data_row=5, columns=(
    _col("ref", NC_("workbook column", "Ref"), 26, "text"),
    _col("initiative", NC_("workbook column", "Initiative"), 26, "text"),
    _col("task", NC_("workbook column", "Task"), 32, "text"),
    _col("planned_start", NC_("workbook column", "Planned start"), 12, "date"),
    _col("planned_finish", NC_("workbook column", "Planned finish"), 12, "date"),
    _col("planned_wareki", NC_("workbook column", "Planned (wareki)"), 19, "text"),
    _col("baseline_start", NC_("workbook column", "Baseline start"), 12, "date"),
    _col("baseline_finish", NC_("workbook column", "Baseline finish"), 12, "date"),
    _col("current_status", NC_("workbook column", "Current status"), 9, "status"),
    _col("current_progress", NC_("workbook column", "Current progress (%)"), 9, "percent"),
    _col("status", NC_("workbook column", "Status"), 12, "status", input=True),
    _col("progress", NC_("workbook column", "Progress (%)"), 9, "percent", input=True),
    _col("started", NC_("workbook column", "Actual start"), 12, "date", input=True),
    _col("finished", NC_("workbook column", "Actual finish"), 12, "date", input=True),
    _col("note", NC_("workbook column", "Note"), 30, "text", input=True),
))  # fmt: skip

#: The initiative sheet (取組評価): the department's submission for the cycle.
INITIATIVES = SheetLayout("initiatives", header_row=4, first_data_row=5, columns=(
    _col("id", NC_("workbook column", "Initiative ID"), 26, "text"),
    _col("name", NC_("workbook column", "Initiative"), 36, "text"),
    _col("stage", NC_("workbook column", "Review state"), 10, "text"),
    _col("rating", NC_("workbook column", "Self-assessment"), 16, "rating", input=True),
    _col("achievements", NC_("workbook column", "Achievements"), 44, "text", input=True),
    _col("issues", NC_("workbook column", "Issues"), 44, "text", input=True),
    _col("next_steps", NC_("workbook column", "Next steps"), 44, "text", input=True),
))  # fmt: skip

_KPI_HEAD = (
    _col("id", NC_("workbook column", "KPI ID"), 22, "text"),
    _col("name", NC_("workbook column", "KPI"), 40, "text"),
    _col("unit", NC_("workbook column", "Unit"), 8, "text"),
    _col("baseline_fy", NC_("workbook column", "Baseline year"), 10, "number"),
    _col("baseline_value", NC_("workbook column", "Baseline"), 11, "number"),
    _col("target_fy", NC_("workbook column", "Target year"), 10, "number"),
    _col("target_value", NC_("workbook column", "Target"), 11, "number"),
)
_KPI_TAIL = (
    _col("fy", NC_("workbook column", "Year to fill"), 10, "number"),
    _col("actual", NC_("workbook column", "Actual"), 12, "measured", input=True),
    _col("source", NC_("workbook column", "Source"), 36, "text", input=True),
)

#: The KPI sheet without the year columns (see :func:`kpi_columns` for the real table).
KPIS = SheetLayout("kpis", header_row=4, first_data_row=5, columns=(*_KPI_HEAD, *_KPI_TAIL))


def kpi_year_key(fy: int) -> str:
    """The key of the column of fiscal year ``fy``'s recorded actual: ``fy2025``."""
    return f"fy{fy}"


def kpi_columns(years: Iterable[int]) -> tuple[Column, ...]:
    """The KPI sheet's columns for a plan of fiscal ``years`` (one actual column a year)."""
    per_year = tuple(Column(kpi_year_key(y), f"FY{y}", 10, False, "number") for y in years)
    return (*_KPI_HEAD, *per_year, *_KPI_TAIL)


def kpi_layout(years: Iterable[int]) -> SheetLayout:
    """The KPI sheet's layout for a plan of fiscal ``years``."""
    return SheetLayout("kpis", KPIS.header_row, KPIS.first_data_row, kpi_columns(years))


def plan_years(plan: Plan) -> list[int]:
    """The fiscal years of ``plan``, first to last (the KPI sheet has a column for each)."""
    return list(range(plan.period.start.year, plan.period.end.year + 1))


def department_kpis(plan: Plan, department: str) -> list[Kpi]:
    """The KPIs on ``department``'s KPI sheet, in plan order: its own, and those its
    initiatives measure (another department's KPI may be linked to one of them).

    The writer makes the rows from these; the reader takes actuals for these alone, so that
    a workbook cannot record another department's KPI whatever its origin sheet says.
    """
    linked = {k for i in plan.initiatives if i.department == department for k in i.kpis}
    return [k for k in plan.kpis if k.department == department or k.id in linked]


def table_layout(key: str, plan: Plan) -> SheetLayout:
    """The layout of the table sheet ``key`` (``tasks``, ``initiatives``, ``kpis``) in the
    workbooks of ``plan``."""
    if key == "tasks":
        return TASKS
    return INITIATIVES if key == "initiatives" else kpi_layout(plan_years(plan))


def rating_choice(symbol: str, label: str) -> str:
    """How a step of the rating scale is shown in the drop-down: symbol, a space, label.

    The origin records the symbol alone; the reader takes the symbol, the label or this.

    >>> rating_choice("○", "on schedule")
    '○ on schedule'
    """
    return f"{symbol} {label}" if label else symbol


# --- the origin record ------------------------------------------------------------------------

#: What one cell of the origin sheet holds.
OriginCell = str | int | None


@dataclass(frozen=True, slots=True)
class TaskOrigin:
    """A task row's input cells as exported, and the status event that set them (or None)."""

    status: str
    progress: int
    started: date | None
    finished: date | None
    note: str
    event: int | None


@dataclass(frozen=True, slots=True)
class InitiativeOrigin:
    """An initiative row's input cells as exported, and the submission that set them."""

    rating: str
    achievements: str
    issues: str
    next_steps: str
    record: int | None


@dataclass(frozen=True, slots=True)
class KpiOrigin:
    """A KPI row's input cells as exported (year, value, source), and the actual's record.

    ``value`` is the number, or the mark (未把握, 調査中) recorded instead of one."""

    fy: int
    value: float | KpiMark | None
    source: str
    record: int | None


_MAGIC = "aomori_roadmap"


def _not_ours(reason: str) -> PlanError:
    return PlanError(
        _("This is not a department workbook of aomori_roadmap: {reason}").format(reason=reason)
    )


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _text(value: str) -> str | None:
    return value if value else None


def _number(value: float | KpiMark | None) -> str | None:
    """A KPI value as the origin sheet keeps it: the number's exact ``repr``, or the mark's
    code (``unknown``)."""
    if isinstance(value, KpiMark):
        return value.value
    return None if value is None else repr(float(value))


@dataclass(frozen=True, slots=True)
class Origin:
    """What a department workbook was made from, and the state of each input row then.

    ``cycle`` is the cycle's code (``FY2025-H1``), ``revision`` the plan revision id (None:
    none stored), ``as_of`` the snapshot date, ``lang`` the workbook's language. The rows
    are keyed by task ref, initiative id and KPI id, in the order of the sheets.

    >>> origin = Origin("aomori-dx", 3, "FY2025-H1", "somu", date(2025, 9, 1), "ja",
    ...     tasks={"a/t": TaskOrigin("in_progress", 40, date(2025, 4, 1), None, "", 7)})
    >>> Origin.from_rows(origin.to_rows()) == origin
    True
    >>> len(origin.fingerprint())
    64
    """

    plan: str
    revision: int | None
    cycle: str
    department: str
    as_of: date
    lang: str
    tasks: Mapping[str, TaskOrigin] = field(default_factory=dict)
    initiatives: Mapping[str, InitiativeOrigin] = field(default_factory=dict)
    kpis: Mapping[str, KpiOrigin] = field(default_factory=dict)

    def _canonical(self) -> dict[str, object]:
        return {
            "format": DOCUMENT_FORMAT,
            "version": FORMAT_VERSION,
            "plan": self.plan,
            "revision": self.revision,
            "cycle": self.cycle,
            "department": self.department,
            "as_of": self.as_of.isoformat(),
            "lang": self.lang,
            "tasks": [[k, t.status, t.progress, _iso(t.started), _iso(t.finished), t.note,
                       t.event] for k, t in sorted(self.tasks.items())],
            "initiatives": [[k, i.rating, i.achievements, i.issues, i.next_steps, i.record]
                            for k, i in sorted(self.initiatives.items())],
            "kpis": [[k, p.fy, _number(p.value), p.source, p.record]
                     for k, p in sorted(self.kpis.items())],
        }  # fmt: skip

    def fingerprint(self) -> str:
        """The sha256 (hex) of a canonical serialisation of the whole record."""
        text = json.dumps(self._canonical(), ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_rows(self) -> list[list[OriginCell]]:
        """The record as rows of cells for the origin sheet: one fact per row.

        Text stays text (an empty one is an empty cell), dates are ISO text, KPI values
        their exact ``repr``; no cell is longer than the value it records.
        """
        rows: list[list[OriginCell]] = [
            [_MAGIC, DOCUMENT_FORMAT, FORMAT_VERSION],
            ["plan", self.plan],
            ["revision", self.revision],
            ["cycle", self.cycle],
            ["department", self.department],
            ["as_of", self.as_of.isoformat()],
            ["lang", self.lang],
            ["fingerprint", self.fingerprint()],
        ]
        for ref, t in self.tasks.items():
            rows.append(["task", ref, t.status, t.progress, _iso(t.started), _iso(t.finished),
                         _text(t.note), t.event])  # fmt: skip
        for key, i in self.initiatives.items():
            rows.append(["initiative", key, _text(i.rating), _text(i.achievements),
                         _text(i.issues), _text(i.next_steps), i.record])  # fmt: skip
        for key, k in self.kpis.items():
            rows.append(["kpi", key, k.fy, _number(k.value), _text(k.source), k.record])
        return rows

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[object]]) -> Origin:
        """The record written by :meth:`to_rows`, read back from the cells of a sheet.

        Trailing empty cells and empty rows are ignored; numbers may come back as floats or
        text (as a spreadsheet program may save them).

        Raises:
            PlanError: anything missing, unknown or malformed, or a fingerprint that does not
                match the rows ("not our workbook").
        """
        lines = [list(r) for r in rows]
        lines = [_trimmed(r) for r in lines]
        lines = [r for r in lines if r]
        if not lines or lines[0][:2] != [_MAGIC, DOCUMENT_FORMAT]:
            raise _not_ours(_("the origin sheet does not start with its header"))
        version = _int(lines[0][2] if len(lines[0]) > 2 else None, "version")
        if version != FORMAT_VERSION:
            raise _not_ours(
                _("its format version is {found}, this program reads {version}").format(
                    found=version, version=FORMAT_VERSION
                )
            )
        facts: dict[str, object] = {}
        rows_of: dict[str, dict[str, Any]] = {kind: {} for kind in _ROWS}
        for n, row in enumerate(lines[1:], 2):
            kind = row[0]
            cells = row[1:]
            if kind in _FACTS:
                if kind in facts or len(cells) > 1:
                    raise _not_ours(_bad_row(n))
                facts[str(kind)] = cells[0] if cells else None
            elif kind in _ROWS:
                key, record = _row_record(str(kind), cells, n)
                _put(rows_of[str(kind)], key, n)
                rows_of[str(kind)][key] = record
            else:
                raise _not_ours(_bad_row(n))
        missing = [name for name in _FACTS if name not in facts]
        if missing:
            raise _not_ours(_("the origin sheet lacks {facts}").format(facts=", ".join(missing)))
        origin = cls(
            plan=_required(facts["plan"], "plan"),
            revision=_optional_int(facts["revision"], "revision"),
            cycle=_required(facts["cycle"], "cycle"),
            department=_required(facts["department"], "department"),
            as_of=_required_date(facts["as_of"], "as_of"),
            lang=_required(facts["lang"], "lang"),
            tasks=rows_of["task"],
            initiatives=rows_of["initiative"],
            kpis=rows_of["kpi"],
        )
        if origin.lang not in LANGUAGES:
            raise _not_ours(_("its language {lang} is unknown").format(lang=shown(origin.lang)))
        if facts["fingerprint"] != origin.fingerprint():
            raise _not_ours(_("its origin sheet was changed (the fingerprint does not match)"))
        return origin


_FACTS = ("plan", "revision", "cycle", "department", "as_of", "lang", "fingerprint")


def _trimmed(row: list[object]) -> list[object]:
    while row and (row[-1] is None or row[-1] == ""):
        row.pop()
    return row


def _padded(cells: list[object], size: int, n: int) -> list[object]:
    if len(cells) > size:
        raise _not_ours(_bad_row(n))
    return cells + [None] * (size - len(cells))


def _bad_row(n: int) -> str:
    return _("row {row} of the origin sheet is malformed").format(row=n)


def _put(table: Mapping[str, object], key: str, n: int) -> None:
    if key in table:
        raise _not_ours(_bad_row(n))


def _int(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise _not_ours(_("{what} is not a whole number").format(what=what))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise _not_ours(_("{what} is not a whole number").format(what=what))


def _optional_int(value: object, what: str) -> int | None:
    return None if value is None or value == "" else _int(value, what)


def _required(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise _not_ours(_("{what} is missing").format(what=what))
    return value


def _optional_text(value: object, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _not_ours(_("{what} is not text").format(what=what))
    return value


def _optional_date(value: object, what: str) -> date | None:
    if value is None or value == "":
        return None
    return _required_date(value, what)


def _required_date(value: object, what: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _not_ours(_("{what} is not a date").format(what=what))


def _optional_number(value: object, what: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _not_ours(_("{what} is not a number").format(what=what))
    try:
        number = float(value) if isinstance(value, int | float | str) else math.nan
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise _not_ours(_("{what} is not a number").format(what=what))
    return number


# How each field of an origin row is read back from its cell, by the field's name.
_FIELD_READERS: dict[str, Callable[[object, str], Any]] = {
    "status": _required,
    "progress": _int,
    "started": _optional_date,
    "finished": _optional_date,
    "event": _optional_int,
    "record": _optional_int,
    "fy": _int,
    "value": lambda value, what: KpiMark.read(value) or _optional_number(value, what),
    **dict.fromkeys(("note", "rating", "achievements", "issues", "next_steps", "source"),
                    _optional_text),
}  # fmt: skip

_ROWS: dict[str, type[TaskOrigin | InitiativeOrigin | KpiOrigin]] = {
    "task": TaskOrigin,
    "initiative": InitiativeOrigin,
    "kpi": KpiOrigin,
}


def _row_record(kind: str, cells: list[object], n: int) -> tuple[str, object]:
    """The key and the record of an origin row of ``kind``, read as :meth:`Origin.to_rows`
    wrote it: the key, then each field of the record in order."""
    record_type = _ROWS[kind]
    names = [f.name for f in fields(record_type)]
    key, *values = _padded(cells, len(names) + 1, n)
    where = f"{kind}@{n}"
    read = {name: _FIELD_READERS[name](v, where) for name, v in zip(names, values, strict=True)}
    return _required(key, where), record_type(**read)
