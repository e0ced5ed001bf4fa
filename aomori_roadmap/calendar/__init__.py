"""The Japanese calendar of the roadmaps: eras, fiscal periods, working days and durations.

Four rooms, one concept each: :mod:`.eras` (元号 and 和暦), :mod:`.periods` (年度, 上期/下期,
四半期, days, and the expressions for them), :mod:`.workdays` (the office's working days and
its rules) and :mod:`.durations` (``10bd``, ``4mo``, ``1half``). This module gathers their
public names.

>>> parse_period("R6下期").label()
'令和6年度下期'
"""

from aomori_roadmap.calendar.durations import (
    ACCEPTED_DURATION_FORMS,
    ZERO,
    Duration,
    Unit,
    parse_duration,
)
from aomori_roadmap.calendar.eras import (
    ERAS,
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    Era,
    fiscal_year_era,
    format_wareki,
    wareki,
    wareki_year,
)
from aomori_roadmap.calendar.periods import (
    ACCEPTED_PERIOD_FORMS,
    Day,
    FiscalYear,
    Half,
    Period,
    Quarter,
    last_instant,
    parse_period,
    weekday_name,
)
from aomori_roadmap.calendar.workdays import OFFICIAL_EQUINOX_THROUGH, WorkCalendar

__all__ = [
    "ACCEPTED_DURATION_FORMS",
    "ACCEPTED_PERIOD_FORMS",
    "ERAS",
    "MAX_FISCAL_YEAR",
    "MIN_FISCAL_YEAR",
    "OFFICIAL_EQUINOX_THROUGH",
    "ZERO",
    "Day",
    "Duration",
    "Era",
    "FiscalYear",
    "Half",
    "Period",
    "Quarter",
    "Unit",
    "WorkCalendar",
    "fiscal_year_era",
    "format_wareki",
    "last_instant",
    "parse_duration",
    "parse_period",
    "wareki",
    "wareki_year",
    "weekday_name",
]
