"""Open data (オープンデータ) of the public site: typed tables as CSV, JSON, JSON Schema and a
Frictionless Data Package.

A :class:`Table` has typed columns (``string``, ``integer``, ``number``, ``date``, ``boolean``)
and rows of plain values, one value per cell. It is written as:

- **CSV** (:func:`table_csv`) for spreadsheets: UTF-8 with a BOM (so that Excel reads the
  Japanese), CRLF line ends, quoting as RFC 4180 asks, the column *titles* in the header row.
  Dates are 西暦 ``YYYY-MM-DD``, numbers plain decimals without exponent, booleans
  ``true``/``false``, a missing value an empty cell. A text cell that a spreadsheet would take
  for a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a
  leading ``'``, and so does a text starting with ``'`` itself; :func:`read_table_csv` removes
  exactly one, so what is read back is what was written. An empty text in a column that is not
  required is an empty cell and reads back as None.
- **JSON** (:func:`table_json`) for programs, with the column keys, and its **JSON Schema**
  (:func:`table_schema`, draft 2020-12).
- a **Data Package** (:func:`data_package`, ``datapackage.json``) listing the CSV files, their
  dialect and every column's key, title, type and description.

Every row is checked against its columns first: a value of the wrong type (a bool is not an
integer), NaN or an infinity, or a row of the wrong length raises :class:`PlanError` (a
``ValueError``). The output depends only on the table: the same table, the same bytes.

>>> import datetime as dt
>>> table = Table("kpis", "成果指標", "", (Column("id", "ID", "string", required=True),
...     Column("value", "実績値", "number"), Column("day", "基準日", "date")),
...     (("a", 12.5, dt.date(2025, 4, 1)), ("=b", None, None)))
>>> table_csv(table).decode("utf-8-sig").splitlines()
['ID,実績値,基準日', 'a,12.5,2025-04-01', "'=b,,"]
>>> read_table_csv(table_csv(table), table.columns)[1]
{'id': '=b', 'value': None, 'day': None}
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from aomori_roadmap.engine.kpi import decimal_text
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _

__all__ = [
    "Column",
    "ColumnKind",
    "Table",
    "data_package",
    "read_table_csv",
    "table_csv",
    "table_files",
    "table_json",
    "table_schema",
]

ColumnKind = Literal["string", "integer", "number", "date", "boolean"]
"""The type of a column's values: ``str``, ``int``, ``int | float``, ``datetime.date``, ``bool``."""

_KINDS: tuple[ColumnKind, ...] = ("string", "integer", "number", "date", "boolean")
_TABLE_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_PACKAGE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "'")
"""The first characters that make a spreadsheet read a text as a formula (and ``'`` itself)."""

_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its key (in JSON and the data package), its title (the CSV header), its kind.

    A required column never holds None.
    """

    key: str
    title: str
    kind: ColumnKind
    description: str = ""
    required: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A table of open data: ``name`` is the file stem (``kpi-values``: ``[a-z0-9-]``)."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]


# --- checking --------------------------------------------------------------------------------


def _fits(kind: ColumnKind, value: object) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        if isinstance(value, float):
            return math.isfinite(value)
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


_TYPES: dict[ColumnKind, frozenset[type]] = {
    "string": frozenset({str}),
    "boolean": frozenset({bool}),
    "integer": frozenset({int}),
    "number": frozenset({int, float}),
    "date": frozenset({dt.date}),
}
"""The exact types a column's values may have; other types are looked at one by one."""


def _column_fits(column: Column, values: list[object]) -> bool:
    """Whether every value of a column fits it, judged by the set of their types (one pass in
    C); ``False`` also when a value's type is a subclass, which :func:`_fits` then judges."""
    allowed = _TYPES[column.kind]
    if not column.required:
        allowed = allowed | {type(None)}
    if not set(map(type, values)) <= allowed:
        return all(
            (value is None and not column.required) or _fits(column.kind, value) for value in values
        )
    if column.kind == "number":
        return all(map(math.isfinite, (v for v in values if type(v) is float)))
    return True


def _check_columns(columns: Sequence[Column]) -> None:
    keys = [c.key for c in columns]
    for column in columns:
        if column.kind not in _KINDS:
            raise PlanError(
                _("Column {key}: unknown kind {kind}").format(key=column.key, kind=column.kind)
            )
    if len(set(keys)) != len(keys) or not all(keys):
        raise PlanError(_("Column keys must be unique and not empty: {keys}").format(keys=keys))


def _columns(table: Table) -> list[list[object]]:
    """The values of each column of a table whose rows are all as wide as its columns."""
    if not table.rows:
        return [[] for _ in table.columns]
    return list(map(list, zip(*table.rows, strict=True)))  # a transpose in C


def _check(table: Table) -> list[list[object]]:
    """Raise PlanError unless every row of ``table`` fits its columns; return its values a
    column at a time (:func:`_columns`), for the CSV and the JSON."""
    if not _TABLE_NAME.fullmatch(table.name):
        raise PlanError(
            _("A table name is made of a-z, 0-9 and hyphens: {name}").format(name=table.name)
        )
    _check_columns(table.columns)
    width = len(table.columns)
    if set(map(len, table.rows)) <= {width}:
        columns = _columns(table)
        if all(
            _column_fits(column, values)
            for column, values in zip(table.columns, columns, strict=True)
        ):
            return columns
    for n, row in enumerate(table.rows, start=1):  # find the first misfit, to name it
        if len(row) != width:
            raise PlanError(
                _("Table {name}, row {row}: {count} values for {width} columns").format(
                    name=table.name, row=n, count=len(row), width=width
                )
            )
        for column, value in zip(table.columns, row, strict=True):
            if value is None and not column.required:
                continue
            if not _fits(column.kind, value):
                raise PlanError(
                    _("Table {name}, row {row}, column {key}: {value} is not a {kind}").format(
                        name=table.name,
                        row=n,
                        key=column.key,
                        value=repr(value),
                        kind=column.kind,
                    )
                )
    return _columns(table)  # every value fits: a subclass of a column's type, say


# --- CSV -------------------------------------------------------------------------------------


def table_csv(table: Table) -> bytes:
    """The table as CSV for spreadsheets: UTF-8 with BOM, CRLF, titles in the header row.

    >>> table = Table("t", "T", "", (Column("n", "数", "integer"), Column("s", "文", "string")),
    ...     ((-5, "-5"), (1, 'say "hi", then go')))
    >>> table_csv(table)[:3], table_csv(table).decode("utf-8-sig")
    (b'\\xef\\xbb\\xbf', '数,文\\r\\n-5,\\'-5\\r\\n1,"say ""hi"", then go"\\r\\n')
    """
    return _csv(table, _check(table))


def _csv(table: Table, values: list[list[object]]) -> bytes:
    """:func:`table_csv` of a checked table, given its ``values`` a column at a time: its
    cells made a column at a time."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.title for c in table.columns])
    columns = [_cells(c.kind, column) for c, column in zip(table.columns, values, strict=True)]
    writer.writerows(zip(*columns, strict=True))
    return out.getvalue().encode("utf-8-sig")


def _cells(kind: ColumnKind, values: list[object]) -> list[str]:
    """The CSV cells of a checked column: its values' type says how, a missing one is empty."""
    if kind == "string":
        texts = cast("list[str | None]", values)
        return ["" if v is None else ("'" + v if v.startswith(_FORMULA) else v) for v in texts]
    if kind == "date":
        cells = _iso_dates(cast("list[dt.date | None]", values), "{}")
        return [cells[v] for v in values]
    if kind == "boolean":
        return ["" if v is None else "true" if v else "false" for v in values]
    return ["" if v is None else decimal_text(cast(float, v)) for v in values]  # numbers


def _iso_dates(days: list[dt.date | None], form: str) -> dict[object, str]:
    """Each date of a column once (a few hundred days among many rows) as ISO text put in
    ``form``, and ``None`` as the empty cell."""
    found: dict[object, str] = {d: form.format(d.isoformat()) for d in set(days) if d is not None}
    found[None] = "null" if form != "{}" else ""
    return found


def _read_cell(column: Column, text: str) -> object:
    """The value of one CSV cell; raises ValueError (without the place) if it does not fit."""
    if text == "":
        if column.kind == "string":  # an empty text is no value, unless one is required
            return "" if column.required else None
        if column.required:
            raise ValueError(text)
        return None
    if column.kind == "string":
        return text[1:] if text.startswith("'") else text
    if column.kind == "boolean":
        if text not in ("true", "false"):
            raise ValueError(text)
        return text == "true"
    if column.kind == "integer":
        if not _INTEGER.fullmatch(text):
            raise ValueError(text)
        return int(text)
    if column.kind == "number":
        if not _NUMBER.fullmatch(text):
            raise ValueError(text)
        return float(text)
    if not _DATE.fullmatch(text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def read_table_csv(data: bytes, columns: Sequence[Column]) -> list[dict[str, object]]:
    """Read CSV written by :func:`table_csv` back: one dict per row, keyed by column key.

    Raises:
        PlanError: the bytes are not UTF-8, the header is not the columns' titles, a row has
            the wrong number of cells, a cell does not fit its column (the message names the
            row, counting the header as row 1, and the column), or a required cell is empty.

    >>> columns = (Column("ok", "可否", "boolean"), Column("n", "件数", "integer"))
    >>> read_table_csv("\\ufeff可否,件数\\r\\ntrue,-5\\r\\n".encode(), columns)
    [{'ok': True, 'n': -5}]
    >>> read_table_csv("可否,件数\\r\\nyes,1\\r\\n".encode(), columns)
    Traceback (most recent call last):
    ...
    aomori_roadmap.errors.PlanError: 2 行目、列「可否」（ok）：'yes' は boolean ではありません
    """
    _check_columns(columns)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlanError(_("The CSV is not UTF-8: {error}").format(error=error)) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error as error:
        raise PlanError(
            _("The CSV cannot be read at line {line}: {error}").format(
                line=reader.line_num, error=error
            )
        ) from None
    titles = [c.title for c in columns]
    if not records or records[0] != titles:
        raise PlanError(
            _("The CSV header {header} is not the columns' titles {titles}").format(
                header=records[0] if records else [], titles=titles
            )
        )
    rows: list[dict[str, object]] = []
    for n, record in enumerate(records[1:], start=2):
        if len(record) != len(columns):
            raise PlanError(
                _("Row {row}: {count} cells for {width} columns").format(
                    row=n, count=len(record), width=len(columns)
                )
            )
        row: dict[str, object] = {}
        for column, cell in zip(columns, record, strict=True):
            try:
                row[column.key] = _read_cell(column, cell)
            except ValueError:
                raise PlanError(
                    _("Row {row}, column {title} ({key}): {value} is not a {kind}").format(
                        row=n,
                        title=column.title,
                        key=column.key,
                        value=repr(cell),
                        kind=column.kind,
                    )
                ) from None
        rows.append(row)
    return rows


# --- JSON ------------------------------------------------------------------------------------


def _dump(document: object) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode()


def table_files(table: Table) -> tuple[bytes, bytes]:
    """The table as CSV and as JSON (:func:`table_csv`, :func:`table_json`), checked once."""
    values = _check(table)
    return _csv(table, values), _json(table, values)


_ROW = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
"""A row on one line (without an indent, the encoder runs in C)."""


def table_json(table: Table) -> bytes:
    """The table as JSON for programs: its name, title, description, columns and rows.

    Each row is an object keyed by column key, in column order, on a line of its own; dates
    are ISO strings.

    >>> table = Table("t", "表", "", (Column("day", "日付", "date"),), ((dt.date(2025, 4, 1),),))
    >>> print(table_json(table).decode())  # doctest: +ELLIPSIS
    {
      "name": "t",
      "title": "表",
      ...
      "rows": [
        {"day": "2025-04-01"}
      ]
    }
    """
    return _json(table, _check(table))


def _json(table: Table, values: list[list[object]]) -> bytes:
    """:func:`table_json` of a checked table, given its ``values`` a column at a time."""
    head = {
        "name": table.name,
        "title": table.title,
        "description": table.description,
        "columns": [
            {"key": c.key, "title": c.title, "kind": c.kind, "description": c.description}
            for c in table.columns
        ],
    }
    text = json.dumps(head, ensure_ascii=False, indent=2, allow_nan=False)
    # Each row as json.dumps writes an object ({"key": value, ...}), its values encoded a
    # column at a time and put in place by one format call per row.
    template = "    {{" + ", ".join(
        _STRING(c.key).replace("{", "{{").replace("}", "}}") + ": {}" for c in table.columns
    ) + "}}"  # fmt: skip
    columns = [_json_cells(c.kind, column) for c, column in zip(table.columns, values, strict=True)]
    lines = [template.format(*values) for values in zip(*columns, strict=True)]
    rows = "[\n" + ",\n".join(lines) + "\n  ]" if lines else "[]"
    return (text[:-2] + f',\n  "rows": {rows}\n}}\n').encode()


_STRING: Callable[[str], str] = json.encoder.encode_basestring
"""A text as JSON writes it without ensure_ascii (in C)."""


def _json_cells(kind: ColumnKind, values: list[object]) -> list[str]:
    """The JSON of each value of a checked column, as ``json.dumps`` writes it."""
    if kind == "string":
        texts = cast("list[str | None]", values)
        return ["null" if v is None else _STRING(v) for v in texts]
    if kind == "date":
        cells = _iso_dates(cast("list[dt.date | None]", values), '"{}"')
        return [cells[v] for v in values]
    if kind == "boolean":
        return ["null" if v is None else "true" if v else "false" for v in values]
    if kind == "integer":
        return ["null" if v is None else int.__repr__(cast(int, v)) for v in values]
    return ["null" if v is None else _ROW.encode(v) for v in values]  # numbers, as json does


def _value_schema(column: Column) -> dict[str, Any]:
    kind: dict[str, Any] = (
        {"type": "string", "format": "date", "pattern": _DATE_PATTERN}
        if column.kind == "date"
        else {"type": column.kind}
    )
    if not column.required:
        kind["type"] = [kind["type"], "null"]
    return {"title": column.title, "description": column.description, **kind}


def table_schema(table: Table) -> bytes:
    """The JSON Schema (draft 2020-12) of :func:`table_json`'s file for ``table``.

    Every row holds every column; a value may be null unless its column is required.

    >>> table = Table("t", "表", "", (Column("n", "件数", "integer", required=True),), ())
    >>> schema = json.loads(table_schema(table))
    >>> schema["properties"]["rows"]["items"]["properties"]["n"]["type"]
    'integer'
    """
    _check(table)
    keys = [c.key for c in table.columns]
    column_schema = {
        "type": "object",
        "required": ["key", "title", "kind", "description"],
        "additionalProperties": False,
        "properties": {
            "key": {"enum": keys},
            "title": {"type": "string"},
            "kind": {"enum": list(_KINDS)},
            "description": {"type": "string"},
        },
    }
    row_schema = {
        "type": "object",
        "required": keys,
        "additionalProperties": False,
        "properties": {c.key: _value_schema(c) for c in table.columns},
    }
    document = {
        "$schema": _SCHEMA_DIALECT,
        "title": table.title,
        "description": table.description,
        "type": "object",
        "required": ["name", "title", "description", "columns", "rows"],
        "additionalProperties": False,
        "properties": {
            "name": {"const": table.name},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "columns": {"type": "array", "items": column_schema},
            "rows": {"type": "array", "items": row_schema},
        },
    }
    return _dump(document)


# --- data package ----------------------------------------------------------------------------


def _field(column: Column) -> dict[str, Any]:
    # The field's name is the CSV header's label (the title), as Table Schema matches them;
    # "key" is the column's key in the JSON file beside it.
    field: dict[str, Any] = {
        "name": column.title,
        "key": column.key,
        "title": column.title,
        "type": column.kind,
        "description": column.description,
    }
    if column.kind == "boolean":
        field |= {"trueValues": ["true"], "falseValues": ["false"]}
    if column.required:
        field["constraints"] = {"required": True}
    return field


def _resource(table: Table) -> dict[str, Any]:
    return {
        "name": table.name,
        "path": f"{table.name}.csv",
        "profile": "tabular-data-resource",
        "title": table.title,
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {
            "delimiter": ",",
            "lineTerminator": "\r\n",
            "quoteChar": '"',
            "doubleQuote": True,
            "header": True,
        },
        "schema": {"fields": [_field(c) for c in table.columns], "missingValues": [""]},
    }


def data_package(tables: Sequence[Table], *, name: str, title: str) -> bytes:
    """The ``datapackage.json`` (Frictionless Data Package) describing the tables' CSV files.

    Each resource is ``<table name>.csv``: UTF-8 (with a BOM), CRLF, a header row of titles;
    its schema gives every column's header label (``name``, the title, as Table Schema
    matches header and fields), its ``key`` in the JSON file, type and description, in order.

    Raises:
        PlanError: ``name`` is not lower case ``[a-z0-9._-]``, two tables share a name, or a
            table does not fit its columns.

    >>> t = Table("kpis", "成果指標", "", (Column("id", "ID", "string", required=True),), ())
    >>> package = json.loads(data_package([t], name="aomori-dx", title="青森県DX推進計画"))
    >>> package["resources"][0]["path"], package["resources"][0]["schema"]["fields"][0]["key"]
    ('kpis.csv', 'id')
    """
    if not _PACKAGE_NAME.fullmatch(name):
        raise PlanError(
            _("A data package name is made of a-z, 0-9, '.', '_' and '-': {name}").format(name=name)
        )
    names = [t.name for t in tables]
    if len(set(names)) != len(names):
        raise PlanError(_("Two tables share a name: {names}").format(names=names))
    for table in tables:
        _check(table)
        titles = [c.title for c in table.columns]
        if len(set(titles)) != len(titles):
            raise PlanError(
                _("Two columns of {table} share a title: {titles}").format(
                    table=table.name, titles=titles
                )
            )
    document = {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "resources": [_resource(t) for t in tables],
    }
    return _dump(document)
