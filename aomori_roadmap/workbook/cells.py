"""One cell of a filled department workbook, read as the person who filled it meant it.

Excel and LibreOffice do not give back what was typed: a date may come back as a date, a
serial number (45931) or the text typed (``R7.10.1``, ``令和7年10月1日``, ``２０２５/１０/１``);
``10%`` typed into a percentage cell comes back as 0.1; numbers come back as text, with
full-width digits or thousands separators. Each reader here takes the value as openpyxl
gives it (and, where it matters, the cell's number format) and returns what was meant, or
raises :class:`CellProblem` saying what the cell must hold. An empty cell is ``None``.

One reader per kind of input column of the layout (``text``, ``date``, ``percent``,
``number``, ``status``, ``rating``); :func:`read_cell` picks it by the kind.

>>> import datetime as dt
>>> read_date("R7.10.1"), read_date(45931), read_date(dt.datetime(2025, 10, 1))
(datetime.date(2025, 10, 1), datetime.date(2025, 10, 1), datetime.date(2025, 10, 1))
>>> read_percent(0.1, "0%"), read_percent("１０％"), read_number("1,234")
(10, 10, 1234.0)
>>> read_status("完了"), read_rating("◎ 予定以上", DEFAULT_SCALE)
(<Status.DONE: 'done'>, '◎')
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol

from aomori_roadmap.calendar.eras import ERA_BY_KEY, ERA_LAST_YEAR, ERAS, Era, format_wareki
from aomori_roadmap.engine.kpi import KpiMark
from aomori_roadmap.engine.status import Status, parse_status
from aomori_roadmap.errors import PlanError, shown
from aomori_roadmap.i18n import _, language
from aomori_roadmap.plan.model import ReviewPolicy

__all__ = [
    "DEFAULT_SCALE",
    "EPOCH_1900",
    "EPOCH_1904",
    "KINDS",
    "CellProblem",
    "RatingStep",
    "read_cell",
    "read_date",
    "read_measured",
    "read_number",
    "read_percent",
    "read_rating",
    "read_status",
    "read_text",
]


class CellProblem(PlanError):
    """A cell that does not hold what its column takes; the message says what it must hold.

    ``value`` is the value as it was read from the file. The reader of the workbook adds
    where the cell is (``FILE:Sheet!C12``).
    """

    def __init__(self, message: str, value: object = None) -> None:
        super().__init__(message)
        self.value = value


class RatingStep(Protocol):
    """A step of a rating scale as the plan holds it (``plan.model.Rating``)."""

    @property
    def symbol(self) -> str: ...

    @property
    def label(self) -> str: ...


#: The rating scale a plan has when it does not set its own (for examples and tests).
DEFAULT_SCALE: tuple[RatingStep, ...] = tuple(ReviewPolicy().ratings)

#: The day before serial number 1 in each date system of a workbook (``Workbook.epoch``):
#: 1900 (Windows Excel, LibreOffice) counts from 1899-12-31 with the 1900-02-29 that never
#: was (serial 60); 1904 (old Mac Excel) counts from 1904-01-01 as serial 0.
EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)

_LAST_SERIAL_1900 = 2958465  # 9999-12-31
_FAKE_LEAP_DAY = 60  # 1900-02-29 in the 1900 system: Lotus 1-2-3's error, kept by Excel

# Characters a cell may hold that are not text: C0 and C1 controls (line breaks and tabs are
# text in a multi-line cell), and Excel's escaped carriage return as openpyxl leaves it.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|_x000[dD]_")
_SPACES = re.compile(r"\s+")


def _normal(text: str) -> str:
    """``text`` in NFKC (full-width digits and signs become ASCII), without spaces at its ends.

    >>> _normal(" ２０２５／１０／１　")
    '2025/10/1'
    """
    if text.isascii():
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip()


# --- text -------------------------------------------------------------------------------------


def read_text(value: object) -> str | None:
    """A text cell: stripped, control characters dropped, line breaks as ``\\n``; ``None``
    when empty. Numbers and dates typed into a text cell are taken as written.

    >>> read_text("  成果あり\\r\\n次期へ\\x07 "), read_text("   "), read_text(2025)
    ('成果あり\\n次期へ', None, '2025')
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    elif isinstance(value, dt.date | dt.time | int | float):
        text = value.isoformat() if isinstance(value, dt.date | dt.time) else str(value)
    else:
        text = str(value)
    text = _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return text or None


# --- dates ------------------------------------------------------------------------------------

_DATE_FORMS = f"2025/10/1, 2025-10-01, R7.10.1, {format_wareki(dt.date(2025, 10, 1))}"

_ERA_NAMES = "|".join([*(e.name for e in ERAS), *(e.name[0] for e in ERAS)])
_ERA_BY_WORD: dict[str, Era] = {
    **ERA_BY_KEY,
    **{e.initial.lower(): e for e in ERAS},
    **{e.name[0]: e for e in ERAS},
}

_GREGORIAN = re.compile(r"(?P<y>\d{4})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})")
# A time of day after a date (2025-10-01 00:00:00, as a date-time is written as text).
_TIME_OF_DAY = re.compile(r"(?<=\d)(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_GREGORIAN_KANJI = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_ERA_DATE = re.compile(
    rf"(?P<era>{_ERA_NAMES}|[MTSHRmtshr])(?:(?P<ey>\d{{1,4}})|(?P<first>元))"
    r"(?:(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"|年(?P<km>\d{1,2})月(?P<kd>\d{1,2})日?)"
)


def _not_a_date(value: object) -> CellProblem:
    return CellProblem(
        _("Write a date, such as {examples} ({value} is not a date).").format(
            examples=_DATE_FORMS, value=shown(repr(value) if not isinstance(value, str) else value)
        ),
        value,
    )


def _no_such_day(value: object) -> CellProblem:
    return CellProblem(
        _("There is no such day: {value}. Write a date, such as {examples}.").format(
            value=shown(value), examples=_DATE_FORMS
        ),
        value,
    )


def _day(year: int, month: int, day: int, value: object) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _no_such_day(value) from None


def _era_day(era: Era, era_year: int, month: int, day: int, value: object) -> dt.date:
    """The day of a wareki date; the era must have been in force on it (or have its year)."""
    year = era.start.year + era_year - 1
    if era_year < 1 or year > ERA_LAST_YEAR[era]:
        raise _no_such_day(value)
    found = _day(year, month, day, value)
    # 平成31年5月1日 was written before the new era was named: unambiguous, so it is read;
    # a day before the era began (令和元年4月30日) is not.
    if found < era.start:
        raise _no_such_day(value)
    return found


def _date_from_text(value: str) -> dt.date:
    text = _SPACES.sub("", _TIME_OF_DAY.sub("", _normal(value)))
    match = _GREGORIAN.fullmatch(text) or _GREGORIAN_KANJI.fullmatch(text)
    if match:
        return _day(int(match["y"]), int(match["m"]), int(match["d"]), value)
    match = _ERA_DATE.fullmatch(text)
    if match:
        era = _ERA_BY_WORD[match["era"]]
        era_year = 1 if match["first"] else int(match["ey"])
        month, day = (match["m"], match["d"]) if match["m"] else (match["km"], match["kd"])
        return _era_day(era, era_year, int(month), int(day), value)
    match = _COMPACT.fullmatch(text)
    if match:
        return _day(int(match["y"]), int(match["m"]), int(match["d"]), value)
    raise _not_a_date(value)


def _date_from_serial(value: float, epoch: dt.datetime) -> dt.date:
    if not math.isfinite(value):
        raise _not_a_date(value)
    whole = math.floor(value)
    if value == whole and 10_000_101 <= whole <= 99_991_231:  # 20251001 typed as a number
        return _date_from_text(str(whole))
    if epoch == EPOCH_1900:
        if whole == _FAKE_LEAP_DAY:
            raise _no_such_day(value)
        if not 1 <= whole <= _LAST_SERIAL_1900:
            raise _not_a_date(value)
        if whole < _FAKE_LEAP_DAY:
            whole += 1  # before the day that never was, the count is one day behind
    elif not 0 <= whole <= _LAST_SERIAL_1900 - 1462:
        raise _not_a_date(value)
    return (epoch + dt.timedelta(days=whole)).date()


def read_date(value: object, epoch: dt.datetime = EPOCH_1900) -> dt.date | None:
    """A date cell: a date or date-time, a serial number of the workbook's date system
    (``epoch``), or a date typed as text in any common Japanese or ISO form.

    Accepted text: ``2025/10/1``, ``2025-10-01``, ``2025.10.1``, ``2025年10月1日``,
    ``20251001``, wareki ``令和7年10月1日``, ``R7.10.1``, ``R7/10/1``, ``令7.10.1`` (元年 too),
    in full-width characters as well. A date without a year, or with a two-digit year or the
    day first (``10/1``, ``25/10/1``, ``1/10/2025``), is ambiguous and refused.

    Raises:
        CellProblem: not a date, or no such day (2025/2/30, 令和元年4月30日).

    >>> read_date("令和元年5月1日"), read_date("２０２５年１０月１日")
    (datetime.date(2019, 5, 1), datetime.date(2025, 10, 1))
    >>> read_date("10/1")
    Traceback (most recent call last):
    ...
    aomori_roadmap.workbook.cells.CellProblem: ...のように日付を書いてください（10/1 は日付ではありません）。
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        return _date_from_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _date_from_serial(value, epoch)
    raise _not_a_date(value)


# --- numbers ----------------------------------------------------------------------------------

# A number as people type it: a sign (also the minus sign U+2212), digits with or without
# thousands separators in groups of three, a fraction.
_NUMBER = re.compile(r"(?P<sign>[-+\u2212]?)(?P<int>\d{1,3}(?:,\d{3})+|\d*)(?P<frac>\.\d+)?")


def _number_from_text(text: str) -> tuple[float, bool] | None:
    """``(value, written with %)`` of a number typed as text, or ``None``."""
    cleaned = _SPACES.sub("", _normal(text))
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1]
    match = _NUMBER.fullmatch(cleaned)
    if match is None or not (match["int"] or match["frac"]):
        return None
    number = float(match["int"].replace(",", "") + (match["frac"] or "") or "0")
    return (-number if match["sign"] in ("-", "\u2212") else number), percent


# The parts of a number format that show a character as it is: quoted text ("%"), a
# character after a backslash (\%), the width of one (_%), one repeated to fill (*%), and
# what is in brackets (colours, conditions, [$%-411] currencies and locales).
_FORMAT_LITERALS = re.compile(r'"[^"]*"?|\\.|[_*].|\[[^\]]*\]?')


def _is_percent_format(number_format: str | None) -> bool:
    """Whether a cell of ``number_format`` shows its value × 100 with a percent sign: an
    unquoted, unescaped ``%`` does so in Excel and LibreOffice; a literal one shows the
    value as it is.

    >>> [_is_percent_format(f) for f in ("0%", "0.0%", '0"%"', "0\\\\%", "General", None)]
    [True, True, False, False, False, False]
    """
    if number_format is None or "%" not in number_format:
        return False
    return "%" in _FORMAT_LITERALS.sub("", number_format)


def read_number(value: object, number_format: str | None = None) -> float | None:
    """A number cell (a KPI actual): a finite number, as a number or as text.

    Text may have full-width digits, thousands separators (``1,234``), a sign and ``%``.
    A value shown as a percentage (``45%`` typed into a cell, or a percentage number
    format) is the number of percent: 45.

    Raises:
        CellProblem: not a finite number.

    >>> read_number("１，２３４．５"), read_number(0.45, "0%"), read_number("45%")
    (1234.5, 45.0, 45.0)
    """
    if value is None:
        return None
    number: float | None = None
    percent = _is_percent_format(number_format)
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        if not value.strip():
            return None
        found = _number_from_text(value)
        if found is not None:
            number, percent = found[0], False  # text is the number as typed: "45%" is 45
    if number is None or not math.isfinite(number):
        raise CellProblem(
            _("Write a number, such as 1234 or 12.5 ({value} is not a number).").format(
                value=shown(value)
            ),
            value,
        )
    return _percent_points(number) if percent else number


def read_measured(value: object, number_format: str | None = None) -> float | KpiMark | None:
    """A KPI actual cell: a number (see :func:`read_number`), or a mark where there is none:
    未把握 or 調査中 (also ``unknown``, ``surveying``).

    Raises:
        CellProblem: neither a finite number nor a mark.

    >>> read_measured("１，２３４"), read_measured(" 未把握 "), read_measured("")
    (1234.0, <KpiMark.UNKNOWN: 'unknown'>, None)
    """
    mark = KpiMark.read(value)
    if mark is not None:
        return mark
    try:
        return read_number(value, number_format)
    except CellProblem:
        raise CellProblem(
            _(
                "Write a number, such as 1234 or 12.5, or one of {marks} ({value} is neither)."
            ).format(marks=", ".join(KpiMark.forms(language())), value=shown(value)),
            value,
        ) from None


def _percent_points(fraction: float) -> float:
    """``fraction`` × 100 without the float noise of the multiplication (0.07 → 7.0)."""
    return float(round(fraction * 100, 10))


def read_percent(value: object, number_format: str | None = None) -> int | None:
    """A progress cell: a whole number of percent from 0 to 100.

    ``10``, ``10.0``, ``"10"``, ``"１０"``, ``"10%"``, ``"１０％"`` all mean 10; so does 0.1
    in a cell with a percentage number format, which is what Excel and LibreOffice keep when
    ``10%`` is typed.

    Raises:
        CellProblem: not a number, not whole, or outside 0–100.

    >>> read_percent(10.0), read_percent("１０％"), read_percent(1, "0%")
    (10, 10, 100)
    """
    if value is None:
        return None
    if type(value) is int and 0 <= value <= 100 and not _is_percent_format(number_format):
        return value  # the common case: the exported value, left as it was
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if _is_percent_format(number_format) and math.isfinite(number):
            number = _percent_points(number)
    elif isinstance(value, str):
        if not value.strip():
            return None
        found = _number_from_text(value)
        number = None if found is None else found[0]
    if number is None or not math.isfinite(number):
        raise CellProblem(
            _("Write the progress as a whole number from 0 to 100 ({value} is not a number).")
            .format(value=shown(value)),
            value,
        )  # fmt: skip
    whole = round(number)
    if abs(number - whole) > 1e-9 or not 0 <= whole <= 100:
        raise CellProblem(
            _("Write the progress as a whole number from 0 to 100 ({value} was given).").format(
                value=shown(value if isinstance(value, str) else f"{number:g}")
            ),
            value,
        )
    return int(whole)


# --- choices ----------------------------------------------------------------------------------


def read_status(value: object) -> Status | None:
    """A status cell: the label of a status in Japanese or English, or its code.

    Raises:
        CellProblem: no status is written so.

    >>> read_status("実施中"), read_status("In progress"), read_status(" done ")
    (<Status.IN_PROGRESS: 'in_progress'>, <Status.IN_PROGRESS: 'in_progress'>, <Status.DONE: 'done'>)
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = _SPACES.sub(" ", _normal(value))
        if not text:
            return None
        try:
            return parse_status(text)
        except PlanError:
            pass
    accepted = ", ".join(s.named for s in Status)
    raise CellProblem(
        _("Choose one of the statuses: {accepted} ({value} is not one).").format(
            accepted=accepted, value=shown(value)
        ),
        value,
    )


# Marks people type for the scale's circle (the kanji zero, the large circle) and its cross.
_ALIKE = {"〇": "○", "◯": "○", "x": "×", "X": "×", "✕": "×", "✖": "×", "╳": "×"}


@lru_cache(maxsize=32)
def _scale(steps: tuple[tuple[str, str], ...]) -> Mapping[str, str]:
    """Every way of writing each step of a scale → its symbol."""
    found: dict[str, str] = {}
    symbols = {symbol for symbol, _label in steps}
    for alike, symbol in _ALIKE.items():
        if symbol in symbols:
            found[alike] = symbol
    for symbol, label in steps:
        for written in (symbol, label, f"{symbol}{label}", f"{symbol} {label}"):
            found[written] = symbol
            found[_SPACES.sub("", _normal(written))] = symbol
    return found


def read_rating(value: object, scale: Sequence[RatingStep]) -> str | None:
    """A self-assessment cell: a step of the plan's rating ``scale`` written as its symbol,
    its label or both (``◎ 予定以上``, as the drop-down shows it); returns the symbol.

    Raises:
        CellProblem: the scale has no such step.

    >>> read_rating("予定どおり", DEFAULT_SCALE), read_rating("〇", DEFAULT_SCALE)
    ('○', '○')
    """
    if value is None:
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        known = _scale(tuple((s.symbol, s.label) for s in scale))
        found = known.get(value)
        if found is None:
            written = _SPACES.sub("", _normal(value))
            if written[:1] in _ALIKE and len(written) > 1:  # 〇予定どおり
                written = _ALIKE[written[0]] + written[1:]
            found = known.get(written)
        if found is not None:
            return found
    accepted = ", ".join(f"{s.symbol} {s.label}" for s in scale)
    raise CellProblem(
        _("Choose one of the ratings: {accepted} ({value} is not one).").format(
            accepted=accepted, value=shown(value)
        ),
        value,
    )


# --- by kind ----------------------------------------------------------------------------------

#: The kinds of input column the layout has, each with its reader.
KINDS = ("text", "date", "percent", "number", "measured", "status", "rating")


def read_cell(
    kind: str,
    value: object,
    *,
    number_format: str | None = None,
    epoch: dt.datetime = EPOCH_1900,
    scale: Sequence[RatingStep] = DEFAULT_SCALE,
) -> Any:
    """The value of a cell of a column of ``kind`` (one of :data:`KINDS`).

    Raises:
        CellProblem: the cell does not hold what the column takes.
        ValueError: an unknown kind (a mistake in the layout, not in the file).

    >>> read_cell("percent", "５０%"), read_cell("date", "R7/4/1")
    (50, datetime.date(2025, 4, 1))
    """
    if kind == "text":
        return read_text(value)
    if kind == "date":
        return read_date(value, epoch)
    if kind == "percent":
        return read_percent(value, number_format)
    if kind == "number":
        return read_number(value, number_format)
    if kind == "measured":
        return read_measured(value, number_format)
    if kind == "status":
        return read_status(value)
    if kind == "rating":
        return read_rating(value, scale)
    raise ValueError(f"unknown kind of column: {kind!r}")
