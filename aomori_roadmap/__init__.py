"""aomori_roadmap: the roadmaps of the Aomori Prefecture DX Promotion Plan 2024–2028.

The public API is what this module exports; everything else may change between versions.

>>> import aomori_roadmap as ar
>>> plan = ar.default_plan()
>>> plan.period.start.label()
'2024年度（令和6年度）'
>>> ar.parse_period("R6下期").label("en")
'FY2024 H2'
"""

from aomori_roadmap.duration import Duration, parse_duration
from aomori_roadmap.errors import (
    ConflictError,
    CycleError,
    DurationError,
    PeriodError,
    PlanError,
    PlanValidationError,
    Problem,
    RoadmapError,
    ScheduleError,
    StoreError,
    TransitionError,
)
from aomori_roadmap.fiscal import (
    Day,
    FiscalYear,
    Half,
    Quarter,
    WorkCalendar,
    format_wareki,
    parse_period,
    wareki,
    wareki_year,
)
from aomori_roadmap.loader import default_plan, dump_plan, load_plan, plan_from_data
from aomori_roadmap.model import (
    Department,
    Dependency,
    Initiative,
    Item,
    Kpi,
    LinkType,
    Plan,
    Policy,
    Task,
    check_plan,
)
from aomori_roadmap.schemas import export_schemas, json_schemas

__version__ = "0.1.0"

__all__ = [
    "ConflictError",
    "CycleError",
    "Day",
    "Department",
    "Dependency",
    "Duration",
    "DurationError",
    "FiscalYear",
    "Half",
    "Initiative",
    "Item",
    "Kpi",
    "LinkType",
    "PeriodError",
    "Plan",
    "PlanError",
    "PlanValidationError",
    "Policy",
    "Problem",
    "Quarter",
    "RoadmapError",
    "ScheduleError",
    "StoreError",
    "Task",
    "TransitionError",
    "WorkCalendar",
    "__version__",
    "check_plan",
    "default_plan",
    "dump_plan",
    "export_schemas",
    "format_wareki",
    "json_schemas",
    "load_plan",
    "parse_duration",
    "parse_period",
    "plan_from_data",
    "wareki",
    "wareki_year",
]
