"""Reading one cell as the person meant it: every written form of a value reads back as it.

Property tests: any date through each form a person, Excel or LibreOffice writes it in; any
whole percent through each form of a progress cell; any number through its text forms; and
no value of any type crashes a reader (it reads, or says what the cell must hold).
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aomori_roadmap.calendar.eras import format_wareki, wareki
from aomori_roadmap.engine.status import Status
from aomori_roadmap.i18n import using_language
from aomori_roadmap.workbook.cells import (
    DEFAULT_SCALE,
    EPOCH_1900,
    EPOCH_1904,
    KINDS,
    CellProblem,
    read_cell,
    read_date,
    read_number,
    read_percent,
    read_rating,
    read_status,
    read_text,
)

FULL_WIDTH = str.maketrans("0123456789/.-%,", "０１２３４５６７８９／．－％，")


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


def serial_1900(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def written_dates(day: dt.date) -> list[object]:
    """Every way ``day`` may come back from a filled workbook."""
    y, m, d = day.year, day.month, day.day
    forms: list[object] = [
        day,
        dt.datetime.combine(day, dt.time()),
        f"{y}/{m}/{d}",
        f"{y}-{m:02d}-{d:02d}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
        f"{y}-{m:02d}-{d:02d} 00:00:00",
        f"{y}{m:02d}{d:02d}",
    ]
    if day >= dt.date(1868, 1, 25):
        era, year = wareki(day)
        forms += [
            format_wareki(day),
            f"{era.name}{year}年{m}月{d}日",
            f"{era.initial}{year}.{m}.{d}",
            f"{era.initial}{year}/{m}/{d}",
            f"{era.initial.lower()}{year:02d}.{m:02d}.{d:02d}",
            f"{era.name[0]}{year}.{m}.{d}",
        ]
    forms += [full_width(f) for f in forms if isinstance(f, str)]
    if day > dt.date(1900, 3, 1):
        forms += [serial_1900(day), float(serial_1900(day)) + 0.25]
    return forms


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_any_date_reads_back_from_every_written_form(day: dt.date) -> None:
    for form in written_dates(day):
        if isinstance(form, str) and day.year < 1000:
            continue
        assert read_date(form) == day, form


@given(st.dates(min_value=dt.date(1904, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_a_serial_number_of_the_1904_date_system_reads_back(day: dt.date) -> None:
    assert read_date((day - dt.date(1904, 1, 1)).days, EPOCH_1904) == day


def test_the_serial_numbers_of_the_1900_system_keep_excels_leap_day() -> None:
    assert read_date(1) == dt.date(1900, 1, 1)
    assert read_date(59) == dt.date(1900, 2, 28)
    assert read_date(61) == dt.date(1900, 3, 1)
    assert read_date(45931) == dt.date(2025, 10, 1)
    with pytest.raises(CellProblem):
        read_date(60)  # 1900-02-29, a day that never was


@pytest.mark.parametrize(
    "text",
    [
        "10/1",  # no year
        "25/10/1",  # a two-digit year
        "1/10/2025",  # day or month first?
        "R7",  # a year only
        "7.10.1",  # no era
        "2025/10",  # no day
        "明日",
        "#VALUE!",
    ],
)
def test_ambiguous_or_unreadable_text_is_not_a_date(text: str) -> None:
    with pytest.raises(CellProblem, match="2025/10/1"):
        read_date(text)


@pytest.mark.parametrize(
    "text",
    [
        "2025/2/30",
        "2025-13-01",
        "令和元年4月30日",
        "R0.5.1",
        "平成32年1月1日",
        "H32.1.1",
        "20250230",
    ],
)
def test_a_day_that_does_not_exist_is_refused(text: str) -> None:
    with pytest.raises(CellProblem):
        read_date(text)


def test_heisei_31_after_the_era_changed_is_read_as_the_day_it_names() -> None:
    # Written before 令和 was announced: unambiguous, so it is read.
    assert read_date("平成31年5月1日") == dt.date(2019, 5, 1)


@pytest.mark.parametrize("value", [True, -1, 0, 3_000_000, math.nan, math.inf, dt.time(9, 0)])
def test_values_that_are_no_date(value: object) -> None:
    with pytest.raises(CellProblem):
        read_date(value)


def test_empty_date_cells_are_none() -> None:
    assert read_date(None) is None
    assert read_date("  ") is None


# --- percent ----------------------------------------------------------------------------------


def written_percents(n: int) -> list[tuple[object, str | None]]:
    """Every way a progress of ``n`` % comes back: value and the cell's number format."""
    return [
        (n, None),
        (n, "General"),
        (float(n), "0"),
        (str(n), "@"),
        (f" {n} ", None),
        (full_width(str(n)), None),
        (f"{n}%", None),
        (full_width(f"{n}%"), None),
        (f"{n} ％", None),
        (f"{n}.0", None),
        (n / 100, "0%"),  # 10% typed into a percentage cell
        (n / 100, "0.00%"),  # as LibreOffice saves it
        (n * 0.01, "0%"),
    ]


@given(st.integers(0, 100))
def test_any_whole_percent_reads_back_from_every_form(n: int) -> None:
    for value, number_format in written_percents(n):
        assert read_percent(value, number_format) == n, (value, number_format)


@pytest.mark.parametrize(
    ("value", "number_format"),
    [(101, None), (-1, None), (10.5, None), ("10.5", None), (0.5, None), (1.01, "0%"),
     ("abc", None), (True, None), (math.nan, None), (math.inf, "0%"), ("１０１％", None),
     (dt.date(2025, 1, 1), None)],
)  # fmt: skip
def test_progress_outside_0_to_100_or_not_whole_is_refused(
    value: object, number_format: str | None
) -> None:
    with pytest.raises(CellProblem, match="0"):
        read_percent(value, number_format)


@pytest.mark.parametrize(
    ("number_format", "shown"),
    [("0%", 100), ("0.0%", 100), ('0"%"', 1), ('0.0"%"', 1), ("0\\%", 1), ("0_%", 1),
     ("General", 1), ("#,##0", 1), (None, 1)],
)  # fmt: skip
def test_only_an_unquoted_percent_sign_makes_a_percentage_format(
    number_format: str | None, shown: int
) -> None:
    # 1 in a cell formatted 0"%" or 0\% shows "1%": the sign is text, the value is not scaled.
    assert read_percent(1, number_format) == shown
    assert read_number(1, number_format) == float(shown)
    assert read_cell("measured", 45.5, number_format=number_format) == 45.5 * shown


# --- numbers ----------------------------------------------------------------------------------


@given(st.integers(-(10**12), 10**12))
def test_any_whole_number_reads_back_from_its_text_forms(n: int) -> None:
    for form in (n, float(n), str(n), f"{n:,}", full_width(f"{n:,}"), f" {n} "):
        assert read_number(form) == float(n), form


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_any_finite_number_reads_back_from_its_text(x: float) -> None:
    assert read_number(x) == x
    assert read_number(repr(x)) == x if "e" not in repr(x) else True


@pytest.mark.parametrize("value", ["1,23", "12,3456", "1.2.3", "abc", "120件", "nan", "inf",
                                   math.nan, math.inf, True, "--1"])  # fmt: skip
def test_what_is_not_a_finite_number_is_refused(value: object) -> None:
    with pytest.raises(CellProblem):
        read_number(value)


def test_a_number_typed_as_a_percentage_is_the_number_of_percent() -> None:
    assert read_number(0.453, "0.0%") == 45.3
    assert read_number("45.3%") == 45.3
    assert read_number("−3") == -3.0  # the minus sign U+2212


# --- status and rating ------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
def test_a_status_reads_from_its_code_and_its_labels(status: Status) -> None:
    forms = [status.value, status.label("ja"), status.label("en"), status.label("en").upper(),
             f" {status.label('ja')}　", status.value.replace("_", "-")]  # fmt: skip
    for form in forms:
        assert read_status(form) is status, form


@pytest.mark.parametrize("value", ["済", "finished", 1, True, dt.date(2025, 1, 1)])
def test_an_unknown_status_names_the_statuses(value: object) -> None:
    with using_language("en"), pytest.raises(CellProblem, match="Planned"):
        read_status(value)


@pytest.mark.parametrize("step", DEFAULT_SCALE, ids=lambda s: s.label)
def test_a_rating_reads_from_its_symbol_its_label_or_both(step: object) -> None:
    symbol, label = step.symbol, step.label  # type: ignore[attr-defined]
    for form in (symbol, label, f"{symbol} {label}", f"{symbol}{label}", f"{symbol}　{label}",
                 f" {label} "):  # fmt: skip
        assert read_rating(form, DEFAULT_SCALE) == symbol, form


def test_circles_and_crosses_people_type_are_the_scales() -> None:
    assert read_rating("〇", DEFAULT_SCALE) == "○"
    assert read_rating("◯ 予定どおり", DEFAULT_SCALE) == "○"
    assert read_rating("x", DEFAULT_SCALE) == "×"


@pytest.mark.parametrize("value", ["☆", "A", "予定", 1, 0.5])
def test_a_rating_outside_the_scale_names_the_scale(value: object) -> None:
    with pytest.raises(CellProblem, match="◎"):
        read_rating(value, DEFAULT_SCALE)


# --- text -------------------------------------------------------------------------------------


def test_text_is_stripped_and_loses_control_characters_but_not_line_breaks() -> None:
    assert read_text(" 実施\x00済\r\n次期\t計画 _x000D_") == "実施済\n次期\t計画"
    assert read_text("") is None
    assert read_text(" \x07 ") is None
    assert read_text(12.0) == "12"
    assert read_text(dt.datetime(2025, 10, 1)) == "2025-10-01"


# --- nothing crashes --------------------------------------------------------------------------

ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.decimals(allow_nan=False),
)
FORMATS = st.sampled_from([None, "General", "0%", "0.00%", "yyyy/m/d", "@", '"%"0'])


@given(ANY_VALUE, FORMATS, st.sampled_from([EPOCH_1900, EPOCH_1904]))
def test_no_value_crashes_any_reader(value: object, number_format: str | None,
                                     epoch: dt.datetime) -> None:  # fmt: skip
    for kind in KINDS:
        try:
            read_cell(kind, value, number_format=number_format, epoch=epoch)
        except CellProblem as problem:
            assert str(problem)


def test_an_unknown_kind_is_a_mistake_of_the_layout() -> None:
    with pytest.raises(ValueError, match="kind"):
        read_cell("colour", "red")
