"""Japanese eras (元号) and the range of fiscal years the library handles.

Fiscal years are named by the year they start in; a fiscal year takes the era in force on
December 31 of that year, so 2019年度 is 令和元年度 as a whole (:func:`fiscal_year_era`).

>>> format_wareki(dt.date(2019, 5, 1)), wareki_year(dt.date(2019, 4, 30))
('令和元年5月1日', '平成31年')
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import NamedTuple

from aomori_roadmap.errors import PeriodError
from aomori_roadmap.i18n import _

__all__ = [
    "ERAS",
    "ERA_BY_KEY",
    "ERA_LAST_YEAR",
    "FIRST_DAY",
    "LAST_DAY",
    "MAX_FISCAL_YEAR",
    "MIN_FISCAL_YEAR",
    "Era",
    "check_year",
    "era_year",
    "fiscal_year_era",
    "format_wareki",
    "wareki",
    "wareki_year",
]

MIN_FISCAL_YEAR = 1868
MAX_FISCAL_YEAR = 9998
# Every period, and every date the working calendar handles, lies inside these fiscal years.
FIRST_DAY = dt.date(MIN_FISCAL_YEAR, 4, 1)
LAST_DAY = dt.date(MAX_FISCAL_YEAR + 1, 3, 31)


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
ERA_LAST_YEAR = {
    era: (later.start - dt.timedelta(days=1)).year for era, later in pairwise(ERAS)
} | {ERAS[-1]: MAX_FISCAL_YEAR}
ERA_BY_KEY = {era.name: era for era in ERAS} | {era.initial: era for era in ERAS}


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
    raise PeriodError(
        text,
        _("{date} is before Meiji (from 1868-01-25), so it has no Japanese era date.").format(
            date=text
        ),
    )


def era_year(era: Era, year: int) -> str:
    return f"{era.name}{'元' if year == 1 else year}年"


def wareki_year(d: dt.date) -> str:
    """Return the wareki calendar year of ``d``, writing year 1 as 元年.

    >>> wareki_year(dt.date(2019, 5, 1)), wareki_year(dt.date(2019, 4, 30))
    ('令和元年', '平成31年')
    """
    return era_year(*wareki(d))


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
    check_year(fy, f"FY{fy}")
    return wareki(dt.date(fy, 12, 31))


def check_year(year: int, text: str) -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        raise PeriodError(
            text, _("write the fiscal year as a whole number: {year!r}").format(year=year)
        )
    if not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
        raise PeriodError(
            text,
            _("a fiscal year is from {first} to {last}: {year}").format(
                first=MIN_FISCAL_YEAR, last=MAX_FISCAL_YEAR, year=year
            ),
        )
