"""Durations and lags as people write them in roadmaps: ``10bd``, ``4mo``, ``1half``, ``P3W``.

A :class:`Duration` is an amount of one unit:

=========  ===========================  ===========================
unit       meaning                      also written
=========  ===========================  ===========================
``bd``     working days (営業日)          ``10営業日``
``d``      calendar days                ``10日``, ``P10D``
``w``      weeks of 7 calendar days     ``3週``, ``3週間``, ``P3W``
``mo``     calendar months              ``4か月``, ``4ヶ月``, ``P4M``
``half``   half fiscal years (6 months) ``1半期``
``y``      years (12 months)            ``1年``, ``P1Y``
=========  ===========================  ===========================

ISO 8601 forms with years and months (``P1Y6M``) become months. Amounts may be negative
(a lead: ``-5bd``, ``-P5D``).

>>> parse_duration("10bd")
Duration(amount=10, unit='bd')
>>> str(parse_duration("P1Y6M"))
'18mo'
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from aomori_roadmap.errors import DurationError, shown
from aomori_roadmap.i18n import _, pgettext

if TYPE_CHECKING:
    from aomori_roadmap.calendar.workdays import WorkCalendar

__all__ = ["ACCEPTED_DURATION_FORMS", "ZERO", "Duration", "Unit", "parse_duration"]

Unit = Literal["bd", "d", "w", "mo", "half", "y"]

ACCEPTED_DURATION_FORMS = ("10bd", "10d", "3w", "4mo", "1half", "1y", "P10D", "P3W", "P1Y6M")

_MONTHS_PER_UNIT = {"mo": 1, "half": 6, "y": 12}

_UNIT_WORDS: dict[str, Unit] = {
    "bd": "bd",
    "営業日": "bd",
    "d": "d",
    "日": "d",
    "w": "w",
    "週": "w",
    "週間": "w",
    "mo": "mo",
    "か月": "mo",
    "ヶ月": "mo",
    "カ月": "mo",
    "ケ月": "mo",
    "箇月": "mo",
    "half": "half",
    "半期": "half",
    "y": "y",
    "年": "y",
}

_SHORT = re.compile(
    r"^([+-]?\d+)\s*(" + "|".join(sorted(_UNIT_WORDS, key=len, reverse=True)) + r")$"
)
_ISO = re.compile(r"^([+-]?)P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


@dataclass(frozen=True, slots=True)
class Duration:
    """An amount of one unit; ``str()`` gives the canonical expression.

    >>> Duration(4, "mo").months
    4
    >>> Duration(-5, "bd").is_working_days
    True
    """

    amount: int
    unit: Unit

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def is_working_days(self) -> bool:
        """True for working days (``bd``), which depend on the working calendar."""
        return self.unit == "bd"

    @property
    def months(self) -> int | None:
        """The length in months for ``mo``, ``half`` and ``y``; ``None`` for day units."""
        per = _MONTHS_PER_UNIT.get(self.unit)
        return None if per is None else self.amount * per

    @property
    def days(self) -> int | None:
        """The length in calendar days for ``d`` and ``w``; ``None`` otherwise."""
        if self.unit == "d":
            return self.amount
        if self.unit == "w":
            return self.amount * 7
        return None

    def shift(self, day: date, calendar: WorkCalendar) -> date:
        """Move ``day`` by this duration: working days on ``calendar``, others by the calendar.

        Months keep the day of the month, clamped to the month's end (Jan 31 + 1mo = Feb 28/29).

        >>> from aomori_roadmap.calendar.workdays import WorkCalendar
        >>> Duration(1, "mo").shift(date(2024, 1, 31), WorkCalendar())
        datetime.date(2024, 2, 29)
        >>> Duration(1, "bd").shift(date(2024, 12, 27), WorkCalendar())  # over 12/29–1/3
        datetime.date(2025, 1, 6)
        """
        if self.unit == "bd":
            return calendar.add_working_days(day, self.amount)
        days = self.days
        if days is not None:
            return day + timedelta(days=days)
        # Plain arithmetic: the scheduler shifts dates once per calendar-unit task.
        index = day.year * 12 + day.month - 1 + (self.months or 0)
        year, month = divmod(index, 12)
        return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


ZERO = Duration(0, "bd")


def _error(text: str, reason: str = "") -> DurationError:
    """The error for ``text``; ``reason``, when given, is already in the chosen language."""
    forms = ", ".join(ACCEPTED_DURATION_FORMS)
    written = shown(text, 40)
    if reason:
        message = _("cannot read the duration '{written}' ({reason}); the forms are: {forms}")
    else:
        message = _("cannot read the duration '{written}'; the forms are: {forms}")
    return DurationError(text, message.format(written=written, reason=reason, forms=forms))


_MAX_DIGITS = 9  # more is no roadmap's duration, and int() of thousands of digits refuses


@lru_cache(maxsize=4096)
def parse_duration(text: str) -> Duration:
    """Read a duration expression.

    Raises:
        DurationError: the text is not one of the accepted forms; the message quotes it and
            lists the forms.

    >>> parse_duration("１半期")
    Duration(amount=1, unit='half')
    >>> parse_duration("-P5D")
    Duration(amount=-5, unit='d')
    >>> parse_duration("5 days")
    Traceback (most recent call last):
    ...
    aomori_roadmap.errors.DurationError: 期間の長さ '5 days' を読めません。使える形: ...
    """
    normal = unicodedata.normalize("NFKC", text).strip()
    if sum(c.isdigit() for c in normal) > _MAX_DIGITS:
        raise _error(text, pgettext("duration", "the number is too large"))
    short = _SHORT.match(normal.lower()) or _SHORT.match(normal)
    if short:
        return Duration(int(short.group(1)), _UNIT_WORDS[short.group(2)])
    iso = _ISO.match(normal.upper())
    if iso and any(iso.group(i) for i in range(2, 6)):
        sign = -1 if iso.group(1) == "-" else 1
        years, months, weeks, days = (int(g) if g else 0 for g in iso.group(2, 3, 4, 5))
        if (years or months) and (weeks or days):
            raise _error(text)  # months and days do not add up to one unit
        if years or months:
            total = years * 12 + months
            if months == 0:
                return Duration(sign * years, "y")
            return Duration(sign * total, "mo")
        if weeks and days:
            return Duration(sign * (weeks * 7 + days), "d")
        if weeks:
            return Duration(sign * weeks, "w")
        return Duration(sign * days, "d")
    raise _error(text)
