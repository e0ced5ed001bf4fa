"""The Japanese calendar of the roadmaps: fiscal periods, wareki, period expressions, working days.

A fiscal year (年度) runs from April 1 to March 31. Periods are :class:`FiscalYear`,
:class:`Half` (上期/下期), :class:`Quarter` (四半期) and :class:`Day`; :func:`parse_period`
reads the expressions people write in plans, and :class:`WorkCalendar` counts the working
days of the prefectural office.

>>> p = parse_period("令和6年度上期")
>>> p, p.end
(Half(year=2024, half=1), datetime.date(2024, 9, 30))
>>> WorkCalendar().add_working_days(dt.date(2024, 12, 27), 1)  # over the year-end closure
datetime.date(2025, 1, 6)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple, Self, TypeAlias

import holidays

from aomori_roadmap.errors import PeriodError, PlanError

__all__ = [
    "ACCEPTED_PERIOD_FORMS",
    "ERAS",
    "OFFICIAL_EQUINOX_THROUGH",
    "Day",
    "Era",
    "FiscalYear",
    "Half",
    "Period",
    "Quarter",
    "WorkCalendar",
    "fiscal_year_era",
    "format_wareki",
    "parse_period",
    "wareki",
    "wareki_year",
]

# The 暦要項 (official almanac) giving the equinox days of calendar year 2027 was published in
# February 2026; equinox holidays of later years are astronomical predictions that the
# government may still settle differently.
OFFICIAL_EQUINOX_THROUGH = 2027

MIN_FISCAL_YEAR = 1868
MAX_FISCAL_YEAR = 9998
# Every period, and every date the working calendar handles, lies inside these fiscal years.
_FIRST_DAY = dt.date(MIN_FISCAL_YEAR, 4, 1)
_LAST_DAY = dt.date(MAX_FISCAL_YEAR + 1, 3, 31)


class Era(NamedTuple):
    """A Japanese era (元号): its name, its Latin initial and the day it began.

    >>> ERAS[-1]
    Era(name='令和', initial='R', start=datetime.date(2019, 5, 1))
    """

    name: str
    initial: str
    start: dt.date


ERAS: tuple[Era, ...] = (
    Era("明治", "M", dt.date(1868, 1, 25)),
    Era("大正", "T", dt.date(1912, 7, 30)),
    Era("昭和", "S", dt.date(1926, 12, 25)),
    Era("平成", "H", dt.date(1989, 1, 8)),
    Era("令和", "R", dt.date(2019, 5, 1)),
)

# The last Gregorian year that overlaps each era: 平成 ends in 2019, so 平成31 exists.
_ERA_LAST_YEAR = {
    era: (later.start - dt.timedelta(days=1)).year for era, later in pairwise(ERAS)
} | {ERAS[-1]: MAX_FISCAL_YEAR}
_ERA_BY_KEY = {era.name: era for era in ERAS} | {era.initial: era for era in ERAS}


def wareki(d: dt.date) -> tuple[Era, int]:
    """Return the era in force on ``d`` and the year of that era (1 for the first year).

    Raises PeriodError for dates before 明治 (1868-01-25).

    >>> era, year = wareki(dt.date(2019, 4, 30))
    >>> era.name, year
    ('平成', 31)
    """
    for era in reversed(ERAS):
        if d >= era.start:
            return era, d.year - era.start.year + 1
    text = d.isoformat()
    raise PeriodError(text, f"{text} は明治（1868-01-25 から）より前なので和暦にできません。")


def _era_year(era: Era, year: int) -> str:
    return f"{era.name}{'元' if year == 1 else year}年"


def wareki_year(d: dt.date) -> str:
    """Return the wareki calendar year of ``d``, writing year 1 as 元年.

    >>> wareki_year(dt.date(2019, 5, 1)), wareki_year(dt.date(2019, 4, 30))
    ('令和元年', '平成31年')
    """
    return _era_year(*wareki(d))


def format_wareki(d: dt.date) -> str:
    """Return ``d`` as a wareki date.

    >>> format_wareki(dt.date(2019, 5, 1))
    '令和元年5月1日'
    """
    return f"{wareki_year(d)}{d.month}月{d.day}日"


def fiscal_year_era(fy: int) -> tuple[Era, int]:
    """Return the era and era year that name fiscal year ``fy`` as a whole.

    The rule: a fiscal year takes the era in force on December 31 of the calendar year it
    starts in. So 2019年度 is 令和元年度 although April 2019 was still 平成, 1988年度 is
    昭和63年度 and 1989年度 is 平成元年度.

    >>> era, year = fiscal_year_era(2019)
    >>> era.name, year
    ('令和', 1)
    """
    _check_year(fy, f"FY{fy}")
    return wareki(dt.date(fy, 12, 31))


def _check_year(year: int, text: str) -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        raise PeriodError(text, f"年度は整数で書いてください: {year!r}")
    if not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
        raise PeriodError(text, f"年度は {MIN_FISCAL_YEAR} から {MAX_FISCAL_YEAR} までです: {year}")


def _check_lang(lang: str) -> None:
    if lang not in ("ja", "en"):
        raise PlanError(f"ラベルの言語 {lang!r} は使えません。使える言語: ja, en")


class _PeriodBase:
    """What every kind of period shares; the concrete classes supply the bounds and steps."""

    __slots__ = ()

    @property
    def start(self) -> dt.date:
        raise NotImplementedError

    @property
    def end(self) -> dt.date:
        raise NotImplementedError

    @property
    def code(self) -> str:
        raise NotImplementedError

    def next(self) -> Self:
        raise NotImplementedError

    def contains(self, d: dt.date) -> bool:
        """Tell whether date ``d`` falls inside this period (both ends included).

        >>> FiscalYear(2024).contains(dt.date(2025, 3, 31))
        True
        """
        return self.start <= d <= self.end

    @classmethod
    def range(cls, first: Self, last: Self) -> Iterator[Self]:
        """Iterate over the periods of this kind from ``first`` to ``last``, both included.

        Nothing is produced when ``last`` comes before ``first``.

        >>> [str(q) for q in Quarter.range(Quarter(2024, 4), Quarter(2025, 1))]
        ['FY2024-Q4', 'FY2025-Q1']
        """
        period = first
        while period.start <= last.start:
            yield period
            if period == last:
                return
            period = period.next()

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True, order=True, slots=True)
class FiscalYear(_PeriodBase):
    """A fiscal year (年度): FY2024 runs from 2024-04-01 to 2025-03-31.

    >>> fy = FiscalYear(2024)
    >>> fy.start, fy.end
    (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    """

    year: int

    def __post_init__(self) -> None:
        _check_year(self.year, f"FY{self.year}")

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year + 1, 3, 31)

    @property
    def code(self) -> str:
        return f"FY{self.year}"

    @classmethod
    def of(cls, d: dt.date) -> Self:
        """Return the fiscal year containing ``d``.

        >>> FiscalYear.of(dt.date(2025, 3, 31))
        FiscalYear(year=2024)
        """
        return cls(d.year if d.month >= 4 else d.year - 1)

    def next(self) -> Self:
        """Return the following fiscal year.

        >>> FiscalYear(2024).next()
        FiscalYear(year=2025)
        """
        return type(self)(self.year + 1)

    def previous(self) -> Self:
        """Return the preceding fiscal year.

        >>> FiscalYear(2024).previous()
        FiscalYear(year=2023)
        """
        return type(self)(self.year - 1)

    def halves(self) -> tuple[Half, Half]:
        """Return the two halves, 上期 then 下期.

        >>> [str(h) for h in FiscalYear(2024).halves()]
        ['FY2024-H1', 'FY2024-H2']
        """
        return Half(self.year, 1), Half(self.year, 2)

    def quarters(self) -> tuple[Quarter, ...]:
        """Return the four quarters in order.

        >>> [str(q) for q in FiscalYear(2024).quarters()][-1]
        'FY2024-Q4'
        """
        return tuple(Quarter(self.year, q) for q in (1, 2, 3, 4))

    def wareki_label(self) -> str:
        """Return the wareki name of the fiscal year (see :func:`fiscal_year_era`).

        >>> FiscalYear(2024).wareki_label(), FiscalYear(2019).wareki_label()
        ('令和6年度', '令和元年度')
        """
        return _era_year(*fiscal_year_era(self.year)) + "度"

    def label(self, lang: str = "ja") -> str:
        """Return the name shown to people, in Japanese (``ja``) or English (``en``).

        >>> FiscalYear(2024).label(), FiscalYear(2024).label("en")
        ('2024年度（令和6年度）', 'FY2024')
        """
        _check_lang(lang)
        return f"{self.year}年度（{self.wareki_label()}）" if lang == "ja" else self.code


@dataclass(frozen=True, order=True, slots=True)
class Half(_PeriodBase):
    """A half fiscal year: half 1 (上期) is Apr 1–Sep 30, half 2 (下期) is Oct 1–Mar 31.

    >>> Half(2024, 2).end
    datetime.date(2025, 3, 31)
    """

    year: int
    half: int

    def __post_init__(self) -> None:
        _check_year(self.year, f"FY{self.year}-H{self.half}")
        if self.half not in (1, 2):
            raise PeriodError(self.code, f"半期は 1（上期）か 2（下期）です: {self.half!r}")

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 4, 1) if self.half == 1 else dt.date(self.year, 10, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 9, 30) if self.half == 1 else dt.date(self.year + 1, 3, 31)

    @property
    def code(self) -> str:
        return f"FY{self.year}-H{self.half}"

    @property
    def fiscal_year(self) -> FiscalYear:
        """The fiscal year this half belongs to.

        >>> Half(2024, 2).fiscal_year
        FiscalYear(year=2024)
        """
        return FiscalYear(self.year)

    @classmethod
    def of(cls, d: dt.date) -> Self:
        """Return the half containing ``d``.

        >>> Half.of(dt.date(2025, 1, 15))
        Half(year=2024, half=2)
        """
        return cls(FiscalYear.of(d).year, 1 if 4 <= d.month <= 9 else 2)

    def next(self) -> Self:
        """Return the following half.

        >>> Half(2024, 2).next()
        Half(year=2025, half=1)
        """
        return type(self)(self.year, 2) if self.half == 1 else type(self)(self.year + 1, 1)

    def previous(self) -> Self:
        """Return the preceding half.

        >>> Half(2024, 1).previous()
        Half(year=2023, half=2)
        """
        return type(self)(self.year - 1, 2) if self.half == 1 else type(self)(self.year, 1)

    def label(self, lang: str = "ja") -> str:
        """Return the name shown to people, in Japanese (``ja``) or English (``en``).

        >>> Half(2024, 1).label(), Half(2024, 1).label("en")
        ('令和6年度上期', 'FY2024 H1')
        """
        _check_lang(lang)
        if lang == "en":
            return f"FY{self.year} H{self.half}"
        return self.fiscal_year.wareki_label() + ("上期" if self.half == 1 else "下期")


# Month and day of the first and last day of each quarter; Q4 lies in the next calendar year.
_QUARTER_BOUNDS = {1: (4, 1, 6, 30), 2: (7, 1, 9, 30), 3: (10, 1, 12, 31), 4: (1, 1, 3, 31)}


@dataclass(frozen=True, order=True, slots=True)
class Quarter(_PeriodBase):
    """A fiscal quarter (四半期): Q1 Apr–Jun, Q2 Jul–Sep, Q3 Oct–Dec, Q4 Jan–Mar.

    >>> q = Quarter(2024, 4)
    >>> q.start, q.end
    (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
    """

    year: int
    quarter: int

    def __post_init__(self) -> None:
        _check_year(self.year, f"FY{self.year}-Q{self.quarter}")
        if self.quarter not in (1, 2, 3, 4):
            raise PeriodError(self.code, f"四半期は 1 から 4 までです: {self.quarter!r}")

    @property
    def start(self) -> dt.date:
        month, day, _, _ = _QUARTER_BOUNDS[self.quarter]
        return dt.date(self.year + (self.quarter == 4), month, day)

    @property
    def end(self) -> dt.date:
        _, _, month, day = _QUARTER_BOUNDS[self.quarter]
        return dt.date(self.year + (self.quarter == 4), month, day)

    @property
    def code(self) -> str:
        return f"FY{self.year}-Q{self.quarter}"

    @property
    def fiscal_year(self) -> FiscalYear:
        """The fiscal year this quarter belongs to.

        >>> Quarter(2024, 4).fiscal_year
        FiscalYear(year=2024)
        """
        return FiscalYear(self.year)

    @classmethod
    def of(cls, d: dt.date) -> Self:
        """Return the quarter containing ``d``.

        >>> Quarter.of(dt.date(2024, 12, 31))
        Quarter(year=2024, quarter=3)
        """
        return cls(FiscalYear.of(d).year, (d.month - 4) % 12 // 3 + 1)

    def next(self) -> Self:
        """Return the following quarter.

        >>> Quarter(2024, 4).next()
        Quarter(year=2025, quarter=1)
        """
        if self.quarter == 4:
            return type(self)(self.year + 1, 1)
        return type(self)(self.year, self.quarter + 1)

    def previous(self) -> Self:
        """Return the preceding quarter.

        >>> Quarter(2024, 1).previous()
        Quarter(year=2023, quarter=4)
        """
        if self.quarter == 1:
            return type(self)(self.year - 1, 4)
        return type(self)(self.year, self.quarter - 1)

    def label(self, lang: str = "ja") -> str:
        """Return the name shown to people, in Japanese (``ja``) or English (``en``).

        >>> Quarter(2024, 3).label(), Quarter(2024, 3).label("en")
        ('令和6年度第3四半期', 'FY2024 Q3')
        """
        _check_lang(lang)
        if lang == "en":
            return f"FY{self.year} Q{self.quarter}"
        return f"{self.fiscal_year.wareki_label()}第{self.quarter}四半期"


_WEEKDAYS_JA = "月火水木金土日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, order=True, slots=True)
class Day(_PeriodBase):
    """A single date used as a period; its code is the ISO date.

    The date is stored as a plain ``datetime.date`` (a ``pendulum.Date`` is converted); a
    ``datetime`` with a time of day is rejected with PeriodError.

    >>> Day(dt.date(2024, 4, 1)).label()
    '2024年4月1日（月）'
    """

    date: dt.date

    def __post_init__(self) -> None:
        value = self.date
        if not isinstance(value, dt.date):
            raise TypeError(f"Day needs a datetime.date, not {type(value).__name__}")
        if isinstance(value, dt.datetime):
            # A time of day usually comes from YAML (2024-04-01 09:00): bad input, not a bug.
            raise PeriodError(str(value), f"期間の日付に時刻は書けません: {value}")
        if type(value) is not dt.date:
            object.__setattr__(self, "date", dt.date(value.year, value.month, value.day))
        if not _FIRST_DAY <= value <= _LAST_DAY:
            raise PeriodError(
                value.isoformat(), f"日付は {_FIRST_DAY} から {_LAST_DAY} までです: {value}"
            )

    @property
    def start(self) -> dt.date:
        return self.date

    @property
    def end(self) -> dt.date:
        return self.date

    @property
    def code(self) -> str:
        return self.date.isoformat()

    @classmethod
    def of(cls, d: dt.date) -> Self:
        """Return the day ``d`` itself as a period.

        >>> Day.of(dt.date(2024, 4, 1))
        Day(date=datetime.date(2024, 4, 1))
        """
        return cls(d)

    def next(self) -> Self:
        """Return the following day.

        >>> str(Day(dt.date(2025, 3, 31)).next())
        '2025-04-01'
        """
        return type(self)(self.date + dt.timedelta(days=1))

    def previous(self) -> Self:
        """Return the preceding day.

        >>> str(Day(dt.date(2024, 3, 1)).previous())
        '2024-02-29'
        """
        return type(self)(self.date - dt.timedelta(days=1))

    def label(self, lang: str = "ja") -> str:
        """Return the date with its weekday, in Japanese (``ja``) or English (``en``).

        >>> Day(dt.date(2024, 4, 1)).label("en")
        '2024-04-01 (Mon)'
        """
        _check_lang(lang)
        d, weekday = self.date, self.date.weekday()
        if lang == "en":
            return f"{self.code} ({_WEEKDAYS_EN[weekday]})"
        return f"{d.year}年{d.month}月{d.day}日（{_WEEKDAYS_JA[weekday]}）"


Period: TypeAlias = FiscalYear | Half | Quarter | Day

ACCEPTED_PERIOD_FORMS = (
    "FY2024",
    "FY2024-H1",
    "FY2024-Q3",
    "2024年度",
    "令和6年度",
    "令和元年度",
    "令和6年度上期",
    "R6上期",
    "R6下期",
    "H31",
    "2024-04-01",
)

# Matched against the NFKC-normalised, upper-cased text. A year part (FY2024, 2024年度,
# 令和6年度, R6) is optionally followed by a half or a quarter in Latin or Japanese.
_PERIOD_RE = re.compile(
    r"""
    (?: FY(?P<fy>[0-9]{4})
      | (?P<greg>[0-9]{4})年度
      | (?P<era>明治|大正|昭和|平成|令和|[MTSHR])(?P<era_year>[0-9]{1,4}|元)(?:年度)?
    )
    (?: [\s-]?
        (?: H(?P<half>[12])
          | Q(?P<quarter>[1-4])
          | (?P<side>[上下])半?期
          | 第(?P<jquarter>[1-4])四半期
        )
    )?
    """,
    re.VERBOSE,
)
_ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _period_error(text: str, reason: str = "") -> PeriodError:
    detail = f"（{reason}）" if reason else ""
    forms = ", ".join(ACCEPTED_PERIOD_FORMS)
    written = text if len(text) <= 40 else text[:39] + "…"
    return PeriodError(text, f"期間の表記 '{written}' を読めません{detail}。使える形: {forms}")


@lru_cache(maxsize=65536)
def parse_period(text: str) -> Period:
    """Read a period expression such as ``FY2024-H1``, ``令和6年度上期`` or ``2024-04-01``.

    Full-width characters, surrounding spaces and lower-case Latin letters are accepted. An
    era year must overlap its era (平成31 is FY2019; 平成32 and 令和0 are rejected). Results
    are cached, so repeated expressions cost a dictionary lookup.

    Raises:
        PeriodError: the text is not an accepted form; the message quotes it and lists
            :data:`ACCEPTED_PERIOD_FORMS`.

    >>> parse_period("ＦＹ２０２４－Ｈ１"), parse_period("H31")
    (Half(year=2024, half=1), FiscalYear(year=2019))
    >>> parse_period("FY20244")
    Traceback (most recent call last):
    ...
    aomori_roadmap.errors.PeriodError: 期間の表記 'FY20244' を読めません。使える形: ...
    """
    normal = unicodedata.normalize("NFKC", text).strip().upper()
    if _ISO_DATE_RE.fullmatch(normal):
        try:
            return Day(dt.date.fromisoformat(normal))
        except PeriodError as error:
            raise _period_error(text, str(error)) from None
        except ValueError:
            raise _period_error(text, "存在しない日付です") from None
    match = _PERIOD_RE.fullmatch(normal)
    if match is None:
        raise _period_error(text)
    if match["era"]:
        era = _ERA_BY_KEY[match["era"]]
        era_year = 1 if match["era_year"] == "元" else int(match["era_year"])
        year = era.start.year + era_year - 1
        if era_year < 1 or year > _ERA_LAST_YEAR[era]:
            last = _ERA_LAST_YEAR[era] - era.start.year + 1
            raise _period_error(text, f"{era.name}は元年から{last}年までです")
    else:
        year = int(match["fy"] or match["greg"])
    half = match["half"] or {"上": "1", "下": "2"}.get(match["side"] or "")
    quarter = match["quarter"] or match["jquarter"]
    try:
        if half:
            return Half(year, int(half))
        if quarter:
            return Quarter(year, int(quarter))
        return FiscalYear(year)
    except PeriodError as error:
        raise _period_error(text, str(error)) from None


_EQUINOXES = frozenset({"春分の日", "秋分の日"})
_SUBSTITUTE_HOLIDAY = "振替休日"
_CITIZENS_HOLIDAY = "国民の休日"
_CLOSURE_NAME = "年末年始休暇"
_CLOSED_NAME = "閉庁日"
# The holidays package knows Japanese national holidays only up to this year.
_HOLIDAY_DATA_THROUGH = 2099
# Fiscal years kept in the table on each side of the requested ones, so that plans slipping
# a little past their span never trigger a rebuild.
_MARGIN_YEARS = 3


class WorkCalendar:
    """The working days (開庁日) of the prefectural office.

    A working day is Monday to Friday, except national holidays (振替休日 and 国民の休日
    included), the year-end closure December 29 – January 3 (unless ``year_end_closure`` is
    false) and ``closed_days``; ``open_days`` are working whatever else applies. ``first_year``
    and ``last_year`` are the fiscal years the calendar is built for; dates outside them still
    work (the table grows) as long as they lie in FY1868–FY9998.

    >>> cal = WorkCalendar(2024, 2025)
    >>> cal.is_working_day(dt.date(2024, 5, 6)), cal.holiday_name(dt.date(2024, 5, 6))
    (False, '振替休日')
    """

    __slots__ = (
        "_closed",
        "_closure",
        "_first_year",
        "_hi_fy",
        "_last_year",
        "_lo_fy",
        "_names",
        "_official",
        "_open",
        "_predicted",
        "_table",
    )

    def __init__(
        self,
        first_year: int = 2024,
        last_year: int = 2028,
        *,
        closed_days: Iterable[dt.date] = (),
        open_days: Iterable[dt.date] = (),
        year_end_closure: bool = True,
        official_equinox_through: int = OFFICIAL_EQUINOX_THROUGH,
    ) -> None:
        _check_year(first_year, f"FY{first_year}")
        _check_year(last_year, f"FY{last_year}")
        if last_year < first_year:
            raise PlanError(f"カレンダーの年度が逆順です: {first_year} から {last_year}")
        self._first_year = first_year
        self._last_year = last_year
        self._closed = frozenset(dt.date(d.year, d.month, d.day) for d in closed_days)
        self._open = frozenset(dt.date(d.year, d.month, d.day) for d in open_days)
        both = sorted(self._closed & self._open)
        if both:
            days = ", ".join(d.isoformat() for d in both)
            raise PlanError(f"閉庁日と開庁日の両方に入っている日があります: {days}")
        self._closure = year_end_closure
        self._official = official_equinox_through
        self._build(
            max(MIN_FISCAL_YEAR, first_year - _MARGIN_YEARS),
            min(MAX_FISCAL_YEAR, last_year + _MARGIN_YEARS),
        )

    def _build(self, lo_fy: int, hi_fy: int) -> None:
        """Compute the day tables for fiscal years ``lo_fy`` to ``hi_fy``."""
        base = dt.date(lo_fy, 4, 1).toordinal()
        stop = dt.date(hi_fy + 1, 4, 1).toordinal()
        national = {
            day.toordinal(): name
            for day, name in holidays.country_holidays(
                "JP", language="ja", years=range(lo_fy, hi_fy + 2)
            ).items()
        }
        names = dict(national)
        if self._closure:
            for year in range(lo_fy, hi_fy + 2):
                new_year = dt.date(year, 1, 1).toordinal()
                for ordinal in range(new_year - 3, new_year + 3):
                    names.setdefault(ordinal, _CLOSURE_NAME)
        for day in self._closed:
            names.setdefault(day.toordinal(), _CLOSED_NAME)
        opened = {day.toordinal() for day in self._open}

        # count[i] is the number of working days before base + i, so any span is a difference.
        working: list[bool] = []
        count = [0]
        work: list[int] = []
        for ordinal in range(base, stop):
            # Ordinal 1 (0001-01-01) was a Monday.
            is_work = ordinal in opened or ((ordinal - 1) % 7 < 5 and ordinal not in names)
            working.append(is_work)
            if is_work:
                work.append(ordinal)
            count.append(len(work))

        self._lo_fy, self._hi_fy = lo_fy, hi_fy
        self._names = names
        self._predicted = sorted(o for o in national if self._is_predicted(o, national))
        # One tuple swapped in at once: the hot methods never see half of an old and a new table.
        self._table = (base, stop - base, working, count, work)

    def _is_predicted(self, ordinal: int, national: dict[int, str]) -> bool:
        """Tell whether the holiday at ``ordinal`` rests on a predicted equinox."""
        name = national[ordinal]
        if name == _SUBSTITUTE_HOLIDAY:
            # It stands in for a Sunday holiday somewhere in the run of holidays just before it.
            causes = []
            cause = ordinal - 1
            while cause in national:
                if (cause - 1) % 7 == 6:
                    causes.append(cause)
                cause -= 1
        elif name == _CITIZENS_HOLIDAY:
            causes = [ordinal - 1, ordinal + 1]
        else:
            causes = [ordinal]
        return any(
            national.get(o) in _EQUINOXES and dt.date.fromordinal(o).year > self._official
            for o in causes
        )

    def _cover(self, low: int, high: int) -> None:
        """Grow the tables, if needed, so that they hold the ordinals ``low`` to ``high``."""
        base, size = self._table[0], self._table[1]
        if base <= low and high < base + size:
            return
        first, last = _FIRST_DAY.toordinal(), _LAST_DAY.toordinal()
        if low < first or high > last:
            out = dt.date.fromordinal(low if low < first else high)
            raise PlanError(f"勤務日を計算できるのは {_FIRST_DAY} から {_LAST_DAY} までです: {out}")
        lo_fy = FiscalYear.of(dt.date.fromordinal(low)).year - _MARGIN_YEARS
        hi_fy = FiscalYear.of(dt.date.fromordinal(high)).year + _MARGIN_YEARS
        self._build(
            max(MIN_FISCAL_YEAR, min(lo_fy, self._lo_fy)),
            min(MAX_FISCAL_YEAR, max(hi_fy, self._hi_fy)),
        )

    def _cover_dates(self, a: dt.date, b: dt.date) -> None:
        """Grow the tables, if needed, so that they hold ``a``, ``b`` and the days between."""
        low, high = sorted((a.toordinal(), b.toordinal()))
        self._cover(low, high)

    @property
    def first_year(self) -> int:
        """The first fiscal year the calendar was built for."""
        return self._first_year

    @property
    def last_year(self) -> int:
        """The last fiscal year the calendar was built for."""
        return self._last_year

    @property
    def closed_days(self) -> frozenset[dt.date]:
        """The extra days the office is closed (閉庁日)."""
        return self._closed

    @property
    def open_days(self) -> frozenset[dt.date]:
        """The days the office is open whatever else applies."""
        return self._open

    @property
    def year_end_closure(self) -> bool:
        """Whether December 29 – January 3 is closed."""
        return self._closure

    @property
    def official_equinox_through(self) -> int:
        """The last calendar year whose equinox holidays are official, not predicted."""
        return self._official

    def is_working_day(self, d: dt.date) -> bool:
        """Tell whether the office works on ``d``.

        >>> WorkCalendar().is_working_day(dt.date(2024, 12, 28))
        False
        """
        base, size, working, _, _ = self._table
        i = d.toordinal() - base
        if 0 <= i < size:
            return working[i]
        self._cover_dates(d, d)
        return self.is_working_day(d)

    def holiday_name(self, d: dt.date) -> str | None:
        """Return the Japanese name of the holiday or closure on ``d``, or ``None``.

        National holidays come first, then 年末年始休暇, then 閉庁日 (``closed_days``). The
        name is given even when ``open_days`` makes the office work that day; plain weekends
        have no name.

        >>> cal = WorkCalendar()
        >>> cal.holiday_name(dt.date(2026, 9, 22)), cal.holiday_name(dt.date(2024, 12, 30))
        ('国民の休日', '年末年始休暇')
        """
        self._cover_dates(d, d)
        return self._names.get(d.toordinal())

    def next_working_day(self, d: dt.date) -> dt.date:
        """Return ``d`` if it is a working day, else the first working day after it.

        >>> WorkCalendar().next_working_day(dt.date(2024, 12, 28))
        datetime.date(2025, 1, 6)
        """
        base, size, _, count, work = self._table
        i = d.toordinal() - base
        if 0 <= i < size and count[i] < len(work):
            return dt.date.fromordinal(work[count[i]])
        return self._slow_add(d, 1, inclusive=True)

    def previous_working_day(self, d: dt.date) -> dt.date:
        """Return ``d`` if it is a working day, else the last working day before it.

        >>> WorkCalendar().previous_working_day(dt.date(2025, 1, 5))
        datetime.date(2024, 12, 27)
        """
        base, size, _, count, work = self._table
        i = d.toordinal() - base
        if 0 <= i < size and count[i + 1] > 0:
            return dt.date.fromordinal(work[count[i + 1] - 1])
        return self._slow_add(d, -1, inclusive=True)

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """Return the ``n``-th working day after ``d`` (before it when ``n`` is negative).

        ``d`` itself is never counted and need not be a working day; ``n == 0`` returns ``d``.

        >>> cal = WorkCalendar()
        >>> cal.add_working_days(dt.date(2024, 12, 27), 1)
        datetime.date(2025, 1, 6)
        >>> cal.add_working_days(dt.date(2025, 1, 6), -1)
        datetime.date(2024, 12, 27)
        """
        if not n:
            return d
        base, size, _, count, work = self._table
        i = d.toordinal() - base
        if 0 <= i < size:
            k = count[i + 1] + n - 1 if n > 0 else count[i] + n
            if 0 <= k < len(work):
                return dt.date.fromordinal(work[k])
        return self._slow_add(d, n, inclusive=False)

    def _slow_add(self, d: dt.date, n: int, *, inclusive: bool) -> dt.date:
        """Grow the table until the answer of a next/previous/add call lies inside it."""
        ordinal = d.toordinal()
        self._cover(ordinal, ordinal)
        bound = _FIRST_DAY.toordinal() if n < 0 else _LAST_DAY.toordinal()
        # Calendar days needed for n working days; doubled whenever closures eat the reach.
        reach = 2 * abs(n) + 31
        while True:
            base, size, _, count, work = self._table
            i = ordinal - base
            if inclusive:
                k = count[i] if n > 0 else count[i + 1] - 1
            else:
                k = count[i + 1] + n - 1 if n > 0 else count[i] + n
            if 0 <= k < len(work):
                return dt.date.fromordinal(work[k])
            if (base if n < 0 else base + size - 1) == bound:
                raise PlanError(
                    f"{d} から {n} 勤務日の日は計算できる範囲（{_FIRST_DAY} から "
                    f"{_LAST_DAY}）の外です"
                )
            target = max(bound, ordinal - reach) if n < 0 else min(bound, ordinal + reach)
            self._cover(target, target)
            reach *= 2

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Count the working days ``x`` with ``a <= x < b``; negative when ``b`` is before ``a``.

        For a working day ``a``, ``working_days_between(a, add_working_days(a, n)) == n``.

        >>> WorkCalendar().working_days_between(dt.date(2024, 12, 27), dt.date(2025, 1, 6))
        1
        """
        base, size, _, count, _ = self._table
        i, j = a.toordinal() - base, b.toordinal() - base
        if 0 <= i < size and 0 <= j < size:
            return count[j] - count[i]
        self._cover_dates(a, b)
        return self.working_days_between(a, b)

    def working_days_in(self, a: dt.date, b: dt.date) -> int:
        """Count the working days ``x`` with ``a <= x <= b`` (0 when ``b`` is before ``a``).

        >>> WorkCalendar().working_days_in(dt.date(2024, 4, 1), dt.date(2024, 4, 30))
        21
        """
        base, size, _, count, _ = self._table
        i, j = a.toordinal() - base, b.toordinal() - base
        if 0 <= i < size and 0 <= j < size:
            return max(0, count[j + 1] - count[i])
        self._cover_dates(a, b)
        return self.working_days_in(a, b)

    def predicted_holidays(self, a: dt.date, b: dt.date) -> list[dt.date]:
        """List the holidays in ``[a, b]`` that rest on predicted equinox days.

        These are 春分の日 and 秋分の日 of years after ``official_equinox_through``, and the
        振替休日 or 国民の休日 that exist only because of one of them.

        >>> WorkCalendar().predicted_holidays(dt.date(2028, 1, 1), dt.date(2028, 12, 31))
        [datetime.date(2028, 3, 20), datetime.date(2028, 9, 22)]
        """
        if b < a:
            return []
        self._cover_dates(a, b)
        low = bisect_left(self._predicted, a.toordinal())
        high = bisect_right(self._predicted, b.toordinal())
        return [dt.date.fromordinal(o) for o in self._predicted[low:high]]

    def relies_on_predictions(self, a: dt.date, b: dt.date) -> bool:
        """Tell whether working days in ``[a, b]`` depend on holidays not yet official.

        True when the span holds a predicted equinox holiday, or reaches past 2099, the last
        year for which national holidays are known at all.

        >>> cal = WorkCalendar()
        >>> cal.relies_on_predictions(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
        False
        """
        if b < a:
            return False
        return b.year > _HOLIDAY_DATA_THROUGH or bool(self.predicted_holidays(a, b))
