"""Open data of the public site (``site/opendata.py``): CSV that spreadsheets open safely and
that reads back exactly, JSON valid against its own schema, and the data package."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

from aomori_roadmap.i18n import using_language
from aomori_roadmap.site.opendata import (
    Column,
    ColumnKind,
    Table,
    data_package,
    read_table_csv,
    table_csv,
    table_json,
    table_schema,
)

BOM = b"\xef\xbb\xbf"
KINDS: tuple[ColumnKind, ...] = ("string", "integer", "number", "date", "boolean")

COLUMNS = (
    Column("id", "ID", "string", "the KPI's id", required=True),
    Column("name", "名称", "string"),
    Column("value", "実績値", "number"),
    Column("count", "件数", "integer"),
    Column("day", "基準日", "date"),
    Column("done", "達成", "boolean"),
)
ROWS = (
    ("kpi-1", "オンライン申請の件数", 12.5, 3, dt.date(2025, 4, 1), True),
    ("kpi-2", None, None, None, None, None),
    ("kpi-3", "青森県「DX」, 推進", -0.25, -5, dt.date(2028, 3, 31), False),
)


def table(
    rows: tuple[tuple[object, ...], ...] = ROWS,
    columns: tuple[Column, ...] = COLUMNS,
    name: str = "kpi-values",
) -> Table:
    return Table(name, "成果指標の実績値", "年度ごとの実績値", columns, rows)


def cells(data: bytes) -> list[list[str]]:
    """The CSV's cells as a spreadsheet sees them (nothing removed)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def as_dicts(t: Table) -> list[dict[str, object]]:
    return [dict(zip((c.key for c in t.columns), row, strict=True)) for row in t.rows]


def validate(t: Table) -> None:
    schema = json.loads(table_schema(t))
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(json.loads(table_json(t)))


# --- CSV -------------------------------------------------------------------------------------


def test_the_csv_starts_with_a_bom_and_ends_lines_with_crlf() -> None:
    data = table_csv(table())
    assert data.startswith(BOM)
    assert data.count(b"\r\n") == 4 and data.count(b"\n") == 4 and data.endswith(b"\r\n")


def test_the_header_row_holds_the_titles() -> None:
    assert cells(table_csv(table()))[0] == ["ID", "名称", "実績値", "件数", "基準日", "達成"]


def test_values_are_written_one_per_cell_plainly() -> None:
    assert cells(table_csv(table()))[1:] == [
        ["kpi-1", "オンライン申請の件数", "12.5", "3", "2025-04-01", "true"],
        ["kpi-2", "", "", "", "", ""],
        ["kpi-3", "青森県「DX」, 推進", "-0.25", "-5", "2028-03-31", "false"],
    ]


def test_japanese_text_is_intact_in_utf8() -> None:
    data = table_csv(table())
    assert "青森県「DX」, 推進".encode() in data
    assert b'"\xe9\x9d\x92' in data  # quoted for its comma, RFC 4180


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12.0, "12"),
        (1e-7, "0.0000001"),
        (1e20, "100000000000000000000"),
        (0.1, "0.1"),
        (-0.0, "-0"),
        (123456789.123, "123456789.123"),
        (7, "7"),
    ],
)
def test_numbers_are_plain_decimals_without_exponent(value: float, text: str) -> None:
    columns = (Column("v", "値", "number"),)
    assert cells(table_csv(table(((value,),), columns)))[1] == [text]


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@x", "\t=1", "\r=1", "'=1", "'"])
def test_a_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    columns = (Column("s", "文", "string"),)
    data = table_csv(table(((text,),), columns))
    assert cells(data)[1] == ["'" + text]
    assert read_table_csv(data, columns) == [{"s": text}]


def test_a_text_starting_otherwise_is_not_changed() -> None:
    columns = (Column("s", "文", "string"),)
    for text in ("a=1", "１+1", " =1", "x'"):
        assert cells(table_csv(table(((text,),), columns)))[1] == [text]


def test_a_negative_number_is_not_prefixed() -> None:
    columns = (Column("n", "件数", "integer"), Column("v", "値", "number"))
    data = table_csv(table(((-5, -2.5),), columns))
    assert cells(data)[1] == ["-5", "-2.5"]
    assert read_table_csv(data, columns) == [{"n": -5, "v": -2.5}]


def test_the_csv_reads_back_to_the_rows() -> None:
    t = table()
    assert read_table_csv(table_csv(t), t.columns) == as_dicts(t)


def test_an_empty_text_is_no_value_unless_the_column_is_required() -> None:
    columns = (Column("a", "A", "string", required=True), Column("b", "B", "string"))
    data = table_csv(table((("", ""),), columns))
    assert read_table_csv(data, columns) == [{"a": "", "b": None}]


def test_one_empty_cell_is_still_a_row() -> None:
    columns = (Column("b", "B", "string"),)
    assert read_table_csv(table_csv(table(((None,),), columns)), columns) == [{"b": None}]


# --- reading back refuses what it cannot read ---------------------------------------------


def test_reading_a_wrong_header_is_refused() -> None:
    data = table_csv(table())
    with pytest.raises(ValueError, match="ID"):
        read_table_csv(data, (*COLUMNS[:-1], Column("done", "完了", "boolean")))


@pytest.mark.parametrize(
    ("kind", "cell"),
    [
        ("integer", "1.5"),
        ("integer", "+3"),
        ("integer", "1e3"),
        ("number", "1e3"),
        ("number", "abc"),
        ("date", "2025-02-30"),
        ("date", "20250401"),
        ("boolean", "TRUE"),
        ("boolean", "1"),
    ],
)
def test_reading_a_bad_cell_names_its_row_and_column(kind: ColumnKind, cell: str) -> None:
    columns = (Column("k", "キー", "string"), Column("x", "値", kind))
    data = f"キー,値\r\na,{cell}\r\n".encode()
    with using_language("en"), pytest.raises(ValueError, match=r"Row 2, column 値 \(x\)"):
        read_table_csv(data, columns)


def test_reading_an_empty_required_cell_is_refused() -> None:
    columns = (Column("n", "件数", "integer", required=True),)
    with using_language("en"):
        with pytest.raises(ValueError, match="Row 2"):
            read_table_csv("件数\r\n\r\n".encode(), columns)  # a blank line: no cells
        with pytest.raises(ValueError, match="Row 2"):
            read_table_csv('件数\r\n""\r\n'.encode(), columns)


def test_reading_a_row_of_the_wrong_length_is_refused() -> None:
    columns = (Column("a", "A", "string"), Column("b", "B", "string"))
    with using_language("en"), pytest.raises(ValueError, match="Row 3"):
        read_table_csv(b"A,B\r\nx,y\r\nz\r\n", columns)


def test_reading_bytes_that_are_not_utf8_is_refused() -> None:
    with pytest.raises(ValueError, match="UTF-8"):
        read_table_csv("件数\r\n".encode("shift_jis"), (Column("n", "件数", "integer"),))


# --- checking rows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("integer", True),
        ("integer", 1.0),
        ("integer", "1"),
        ("number", False),
        ("number", math.nan),
        ("number", math.inf),
        ("number", -math.inf),
        ("number", "1"),
        ("date", dt.datetime(2025, 4, 1)),
        ("date", "2025-04-01"),
        ("boolean", 1),
        ("string", 1),
        ("string", b"x"),
    ],
)
def test_a_value_that_does_not_fit_its_column_is_refused(kind: ColumnKind, value: object) -> None:
    t = table(((value,),), (Column("x", "X", kind),))
    for write in (table_csv, table_json, table_schema):
        with pytest.raises(ValueError, match="x"):
            write(t)


def test_a_row_of_the_wrong_length_is_refused() -> None:
    with using_language("en"), pytest.raises(ValueError, match="row 2"):
        table_csv(table((ROWS[0], ROWS[1][:-1])))


def test_none_in_a_required_column_is_refused() -> None:
    with pytest.raises(ValueError):
        table_json(table(((None, None, None, None, None, None),)))


@pytest.mark.parametrize("name", ["KPI", "kpi values", "kpi_values", "-kpi", "", "ｋｐｉ"])
def test_a_table_name_that_is_no_file_stem_is_refused(name: str) -> None:
    with pytest.raises(ValueError):
        table_csv(table(name=name))


def test_duplicate_column_keys_are_refused() -> None:
    with pytest.raises(ValueError):
        table_csv(table(((1, 2),), (Column("a", "A", "integer"), Column("a", "B", "integer"))))


# --- JSON and its schema ---------------------------------------------------------------------


def test_the_json_holds_the_columns_and_the_rows_by_key() -> None:
    document = json.loads(table_json(table()))
    assert list(document) == ["name", "title", "description", "columns", "rows"]
    assert document["columns"][0] == {
        "key": "id",
        "title": "ID",
        "kind": "string",
        "description": "the KPI's id",
    }
    assert document["rows"][0] == {
        "id": "kpi-1",
        "name": "オンライン申請の件数",
        "value": 12.5,
        "count": 3,
        "day": "2025-04-01",
        "done": True,
    }
    assert list(document["rows"][2]) == [c.key for c in COLUMNS]


def test_the_json_is_readable_utf8_ending_with_a_newline() -> None:
    data = table_json(table())
    assert "オンライン申請の件数".encode() in data
    assert data.endswith(b"}\n") and table_json(table()) == data


def test_the_json_validates_against_its_schema() -> None:
    validate(table())


def test_the_schema_refuses_what_the_table_would_not_hold() -> None:
    t = table()
    validator = Draft202012Validator(json.loads(table_schema(t)), format_checker=FormatChecker())
    document: dict[str, Any] = json.loads(table_json(t))
    assert validator.is_valid(document)
    for key, bad in (
        ("count", 1.5),
        ("count", True),
        ("day", "2025-02-30"),
        ("day", "R7-04-01"),
        ("id", None),
        ("done", "true"),
        ("extra", 1),
    ):
        row = dict(document["rows"][0], **{key: bad})
        assert not validator.is_valid(dict(document, rows=[row])), (key, bad)
    row = dict(document["rows"][0])
    del row["name"]
    assert not validator.is_valid(dict(document, rows=[row]))


def test_the_schema_is_draft_2020_12() -> None:
    schema = json.loads(table_schema(table()))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    day = schema["properties"]["rows"]["items"]["properties"]["day"]
    assert day["type"] == ["string", "null"] and day["format"] == "date" and day["pattern"]


# --- data package ----------------------------------------------------------------------------


def test_the_data_package_describes_each_csv_file() -> None:
    other = table(((1,),), (Column("n", "件数", "integer", required=True),), name="changes")
    package = json.loads(data_package([table(), other], name="aomori-dx-2024", title="計画"))
    assert package["name"] == "aomori-dx-2024" and package["title"] == "計画"
    assert package["profile"] == "tabular-data-package"
    first, second = package["resources"]
    assert first["name"] == "kpi-values" and first["path"] == "kpi-values.csv"
    assert second["path"] == "changes.csv"
    assert (first["format"], first["mediatype"], first["encoding"]) == ("csv", "text/csv", "utf-8")
    assert first["dialect"]["header"] is True
    fields = first["schema"]["fields"]
    assert [(f["name"], f["key"], f["title"], f["type"]) for f in fields] == [
        (c.title, c.key, c.title, c.kind) for c in COLUMNS
    ]
    assert fields[0]["description"] == "the KPI's id" and fields[0]["constraints"]["required"]
    assert second["schema"]["fields"][0]["constraints"] == {"required": True}


def test_the_data_package_is_the_same_every_time() -> None:
    first = data_package([table()], name="p", title="t")
    assert data_package([table()], name="p", title="t") == first and first.endswith(b"}\n")


def test_the_data_package_refuses_a_bad_name_or_two_tables_of_one_name() -> None:
    with pytest.raises(ValueError):
        data_package([table()], name="Aomori DX", title="t")
    with pytest.raises(ValueError):
        data_package([table(), table()], name="p", title="t")


# --- any table -------------------------------------------------------------------------------

VALUES: dict[str, st.SearchStrategy[object]] = {
    "string": st.text(min_size=1),
    "integer": st.integers(min_value=-(10**30), max_value=10**30),
    "number": st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(min_value=-(2**53), max_value=2**53),
    ),
    "date": st.dates(),
    "boolean": st.booleans(),
}


@st.composite
def tables(draw: st.DrawFn) -> Table:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    required = draw(st.lists(st.booleans(), min_size=len(kinds), max_size=len(kinds)))
    titles = draw(
        st.lists(st.text(min_size=1, max_size=10), min_size=len(kinds), max_size=len(kinds))
    )
    columns = tuple(
        Column(f"c{n}", title, kind, required=need)
        for n, (kind, title, need) in enumerate(zip(kinds, titles, required, strict=True))
    )
    cell = [VALUES[c.kind] if c.required else st.one_of(st.none(), VALUES[c.kind]) for c in columns]
    rows = draw(st.lists(st.tuples(*cell), max_size=8))
    return Table("t", draw(st.text()), draw(st.text()), columns, tuple(rows))


@settings(max_examples=200, deadline=None)
@given(t=tables())
def test_any_table_reads_back_from_csv_exactly(t: Table) -> None:
    data = table_csv(t)
    assert data.startswith(BOM)
    back = read_table_csv(data, t.columns)
    assert back == as_dicts(t)
    for row, original in zip(back, t.rows, strict=True):
        for value, before in zip(row.values(), original, strict=True):
            if isinstance(before, float):
                assert math.copysign(1, value) == math.copysign(1, before)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(t=tables())
def test_any_table_as_json_validates_against_its_schema(t: Table) -> None:
    validate(t)
    rows = json.loads(table_json(t))["rows"]
    expected = [
        {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}
        for row in as_dicts(t)
    ]
    assert rows == expected


@settings(max_examples=200, deadline=None)
@given(t=tables(), keys=st.lists(st.text(min_size=1), min_size=6, max_size=6, unique=True))
def test_each_json_row_is_what_json_dumps_writes(t: Table, keys: list[str]) -> None:
    # Any key (braces, quotes, newlines included): each row is one line, as json.dumps has it.
    columns = tuple(
        Column(key, c.title, c.kind, required=c.required)
        for key, c in zip(keys, t.columns, strict=False)
    )
    t = Table(t.name, t.title, t.description, columns, t.rows)
    lines = table_json(t).decode().split("\n")
    start = lines.index('  "rows": [') + 1 if t.rows else len(lines)
    for line, row in zip(lines[start:], t.rows, strict=False):
        values = {c.key: v.isoformat() if isinstance(v, dt.date) else v
                  for c, v in zip(columns, row, strict=True)}  # fmt: skip
        assert line.rstrip(",") == "    " + json.dumps(values, ensure_ascii=False)
