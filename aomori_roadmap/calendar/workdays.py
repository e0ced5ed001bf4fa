"""The working days (開庁日) of the prefectural office: its calendar and its rules.

A working day is Monday to Friday, except national holidays (the ``holidays`` package, with
振替休日 and 国民の休日), the year-end closure December 29 – January 3 and the plan's own closed
days; its open days are working whatever else applies. A prefecture's own rule (such as a
県民の日 on which the office closes) is a closed day of the plan's calendar settings.

>>> WorkCalendar().add_working_days(dt.date(2024, 12, 27), 1)  # over the year-end closure
datetime.date(2025, 1, 6)
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

import holidays

from aomori_roadmap.calendar.eras import (
    FIRST_DAY,
    LAST_DAY,
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    check_year,
)
from aomori_roadmap.calendar.periods import FiscalYear
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _, ngettext, pgettext

__all__ = ["OFFICIAL_EQUINOX_THROUGH", "WorkCalendar"]

# The 暦要項 (official almanac) giving the equinox days of calendar year 2027 was published in
# February 2026; equinox holidays of later years are astronomical predictions that the
# government may still settle differently.
OFFICIAL_EQUINOX_THROUGH = 2027


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
        "_national_names",
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
        check_year(first_year, f"FY{first_year}")
        check_year(last_year, f"FY{last_year}")
        if last_year < first_year:
            raise PlanError(
                _("the calendar's fiscal years are in reverse order: {first} to {last}").format(
                    first=first_year, last=last_year
                )
            )
        self._first_year = first_year
        self._last_year = last_year
        self._closed = frozenset(dt.date(d.year, d.month, d.day) for d in closed_days)
        self._open = frozenset(dt.date(d.year, d.month, d.day) for d in open_days)
        both = sorted(self._closed & self._open)
        if both:
            days = ", ".join(d.isoformat() for d in both)
            raise PlanError(_("some days are both closed and open days: {days}").format(days=days))
        self._closure = year_end_closure
        self._national_names: dict[str, holidays.HolidayBase] = {}  # by language, when asked
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
        first, last = FIRST_DAY.toordinal(), LAST_DAY.toordinal()
        if low < first or high > last:
            out = dt.date.fromordinal(low if low < first else high)
            raise PlanError(
                _("working days can be computed from {first} to {last} only: {day}").format(
                    first=FIRST_DAY, last=LAST_DAY, day=out
                )
            )
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
        base, size, working, _count, _work = self._table
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

    def holiday_name_here(self, d: dt.date) -> str | None:
        """The name :meth:`holiday_name` gives, in the language chosen now.

        National holidays are named by the holidays package in the language the catalog gives
        for it; the closure and closed days by the catalog.

        >>> from aomori_roadmap.i18n import using_language
        >>> with using_language("en"):
        ...     WorkCalendar().holiday_name_here(dt.date(2024, 12, 30))
        'Year-end closure'
        """
        name = self.holiday_name(d)
        if name == _CLOSURE_NAME:
            return _("Year-end closure")
        if name == _CLOSED_NAME:
            return _("Closed day")
        if name is None:
            return None
        code = pgettext("language of the holidays package", "en_US")
        national = self._national_names.get(code)
        if national is None:
            national = self._national_names[code] = holidays.country_holidays("JP", language=code)
        return national.get(d, name)

    def next_working_day(self, d: dt.date) -> dt.date:
        """Return ``d`` if it is a working day, else the first working day after it.

        >>> WorkCalendar().next_working_day(dt.date(2024, 12, 28))
        datetime.date(2025, 1, 6)
        """
        base, size, _working, count, work = self._table
        i = d.toordinal() - base
        if 0 <= i < size and count[i] < len(work):
            return dt.date.fromordinal(work[count[i]])
        return self._slow_add(d, 1, inclusive=True)

    def previous_working_day(self, d: dt.date) -> dt.date:
        """Return ``d`` if it is a working day, else the last working day before it.

        >>> WorkCalendar().previous_working_day(dt.date(2025, 1, 5))
        datetime.date(2024, 12, 27)
        """
        base, size, _working, count, work = self._table
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
        base, size, _working, count, work = self._table
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
        bound = FIRST_DAY.toordinal() if n < 0 else LAST_DAY.toordinal()
        # Calendar days needed for n working days; doubled whenever closures eat the reach.
        reach = 2 * abs(n) + 31
        while True:
            base, size, _working, count, work = self._table
            i = ordinal - base
            if inclusive:
                k = count[i] if n > 0 else count[i + 1] - 1
            else:
                k = count[i + 1] + n - 1 if n > 0 else count[i] + n
            if 0 <= k < len(work):
                return dt.date.fromordinal(work[k])
            if (base if n < 0 else base + size - 1) == bound:
                raise PlanError(
                    ngettext(
                        "the day {n} working day from {day} is outside the range that can be "
                        "computed ({first} to {last})",
                        "the day {n} working days from {day} is outside the range that can be "
                        "computed ({first} to {last})",
                        abs(n),
                    ).format(n=n, day=d, first=FIRST_DAY, last=LAST_DAY)
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
        base, size, _working, count, _work = self._table
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
        base, size, _working, count, _work = self._table
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
