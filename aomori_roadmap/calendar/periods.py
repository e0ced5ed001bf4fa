"""Fiscal periods and the expressions people write for them.

A fiscal year (年度) runs from April 1 to March 31. Periods are :class:`FiscalYear`,
:class:`Half` (上期/下期), :class:`Quarter` (四半期) and :class:`Day`; :func:`parse_period`
reads the expressions people write in plans (``FY2024-H1``, ``令和6年度上期``, ``R6上期``).

>>> p = parse_period("令和6年度上期")
>>> p, p.end
(Half(year=2024, half=1), datetime.date(2024, 9, 30))
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Self, TypeAlias

from aomori_roadmap.calendar.eras import (
    ERA_BY_KEY,
    ERA_LAST_YEAR,
    FIRST_DAY,
    LAST_DAY,
    check_year,
    era_year,
    fiscal_year_era,
)
from aomori_roadmap.errors import PeriodError, PlanError, check_language, shown
from aomori_roadmap.i18n import _, pgettext, using_language

__all__ = [
    "ACCEPTED_PERIOD_FORMS",
    "Day",
    "FiscalYear",
    "Half",
    "Period",
    "Quarter",
    "last_instant",
    "parse_period",
    "weekday_name",
]


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
        check_year(self.year, f"FY{self.year}")

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
        return era_year(*fiscal_year_era(self.year)) + "度"

    def label(self, lang: str = "ja") -> str:
        """Return the name shown to people, in Japanese (``ja``) or English (``en``).

        >>> FiscalYear(2024).label(), FiscalYear(2024).label("en")
        ('2024年度（令和6年度）', 'FY2024')
        """
        check_language(lang)
        with using_language(lang):
            # The Japanese name adds the wareki name of the year: "2024年度（令和6年度）".
            return pgettext("period label", "FY{year}").format(
                year=self.year, wareki=self.wareki_label()
            )


@dataclass(frozen=True, order=True, slots=True)
class Half(_PeriodBase):
    """A half fiscal year: half 1 (上期) is Apr 1–Sep 30, half 2 (下期) is Oct 1–Mar 31.

    >>> Half(2024, 2).end
    datetime.date(2025, 3, 31)
    """

    year: int
    half: int

    def __post_init__(self) -> None:
        check_year(self.year, f"FY{self.year}-H{self.half}")
        if self.half not in (1, 2):
            raise PeriodError(
                self.code,
                _("a half is 1 (the first half) or 2 (the second half): {half!r}").format(
                    half=self.half
                ),
            )

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
        check_language(lang)
        with using_language(lang):
            # The Japanese name is the wareki name of the year and the half: "令和6年度上期".
            wareki = self.fiscal_year.wareki_label()
            if self.half == 1:
                return pgettext("period label", "FY{year} H1").format(year=self.year, wareki=wareki)
            return pgettext("period label", "FY{year} H2").format(year=self.year, wareki=wareki)


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
        check_year(self.year, f"FY{self.year}-Q{self.quarter}")
        if self.quarter not in (1, 2, 3, 4):
            raise PeriodError(
                self.code, _("a quarter is 1 to 4: {quarter!r}").format(quarter=self.quarter)
            )

    @property
    def start(self) -> dt.date:
        month, day, _last_month, _last_day = _QUARTER_BOUNDS[self.quarter]
        return dt.date(self.year + (self.quarter == 4), month, day)

    @property
    def end(self) -> dt.date:
        _first_month, _first_day, month, day = _QUARTER_BOUNDS[self.quarter]
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
        check_language(lang)
        with using_language(lang):
            # The Japanese name is the wareki name of the year and the quarter.
            return pgettext("period label", "FY{year} Q{quarter}").format(
                year=self.year, quarter=self.quarter, wareki=self.fiscal_year.wareki_label()
            )


def last_instant(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The last instant of ``day`` in ``zone``: a microsecond before the next midnight there,
    what "as of" or "as known on" a date reads up to.

    >>> from zoneinfo import ZoneInfo
    >>> last_instant(dt.date(2025, 3, 31), ZoneInfo("Asia/Tokyo")).isoformat()
    '2025-03-31T23:59:59.999999+09:00'

    Raises:
        PlanError: ``day`` is too late to have an end (9999-12-31).
    """
    try:
        midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
        return (midnight.astimezone(dt.UTC) - dt.timedelta(microseconds=1)).astimezone(zone)
    except OverflowError:
        raise PlanError(
            _("{day} is too late a date: its end cannot be told.").format(day=day.isoformat())
        ) from None


def weekday_name(number: int) -> str:
    """The short name of weekday ``number`` (0 is Monday), in the language chosen now.

    >>> weekday_name(0)
    '月'
    """
    return (
        pgettext("weekday", "Mon"),
        pgettext("weekday", "Tue"),
        pgettext("weekday", "Wed"),
        pgettext("weekday", "Thu"),
        pgettext("weekday", "Fri"),
        pgettext("weekday", "Sat"),
        pgettext("weekday", "Sun"),
    )[number]


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
            raise PeriodError(
                str(value), _("a date of a period has no time of day: {value}").format(value=value)
            )
        if type(value) is not dt.date:
            object.__setattr__(self, "date", dt.date(value.year, value.month, value.day))
        if not FIRST_DAY <= value <= LAST_DAY:
            raise PeriodError(
                value.isoformat(),
                _("a date is from {first} to {last}: {value}").format(
                    first=FIRST_DAY, last=LAST_DAY, value=value
                ),
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
        check_language(lang)
        d = self.date
        with using_language(lang):
            # The Japanese date is written with its parts: "2024年4月1日（月）".
            return pgettext("period label", "{date} ({weekday})").format(
                date=self.code,
                year=d.year,
                month=d.month,
                day=d.day,
                weekday=weekday_name(d.weekday()),
            )


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
    """The error for ``text``; ``reason``, when given, is already in the chosen language."""
    forms = ", ".join(ACCEPTED_PERIOD_FORMS)
    written = shown(text, 40)
    if reason:
        message = _("cannot read the period '{written}' ({reason}); the forms are: {forms}")
    else:
        message = _("cannot read the period '{written}'; the forms are: {forms}")
    return PeriodError(text, message.format(written=written, reason=reason, forms=forms))


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
            raise _period_error(text, _("the date does not exist")) from None
    match = _PERIOD_RE.fullmatch(normal)
    if match is None:
        raise _period_error(text)
    if match["era"]:
        era = ERA_BY_KEY[match["era"]]
        era_year = 1 if match["era_year"] == "元" else int(match["era_year"])
        year = era.start.year + era_year - 1
        if era_year < 1 or year > ERA_LAST_YEAR[era]:
            last = ERA_LAST_YEAR[era] - era.start.year + 1
            raise _period_error(
                text, _("{era} has the years 1 to {last}").format(era=era.name, last=last)
            )
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
