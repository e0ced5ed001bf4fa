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
from aomori_roadmap.feeds import FeedBuilder, FeedCache, FeedRequest, feed_urls
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
from aomori_roadmap.kpi import KpiProgress, KpiStatus, progress
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
from aomori_roadmap.notify import DeliveryError
from aomori_roadmap.reminders import (
    DepartmentReminders,
    Reminder,
    ReminderKind,
    reminders,
    reminders_json,
    reminders_markdown,
    reminders_text,
)
from aomori_roadmap.reviews import ReviewCycle, find_cycle, review_cycles
from aomori_roadmap.schedule import (
    Actual,
    Schedule,
    ScheduledTask,
    Violation,
    plan_calendar,
    schedule,
)
from aomori_roadmap.schemas import export_schemas, json_schemas
from aomori_roadmap.snapshot import Snapshot, take_snapshot
from aomori_roadmap.status import (
    Lateness,
    Status,
    StatusChange,
    StatusEvent,
    StatusState,
    lateness,
    parse_status,
)
from aomori_roadmap.store import (
    Baseline,
    FeedTokens,
    KpiLog,
    ReviewLog,
    Revision,
    Store,
    upgrade_database,
)

__version__ = "0.1.0"

__all__ = [
    "Actual",
    "Baseline",
    "ConflictError",
    "CycleError",
    "Day",
    "DeliveryError",
    "Department",
    "DepartmentReminders",
    "Dependency",
    "Duration",
    "DurationError",
    "FeedBuilder",
    "FeedCache",
    "FeedRequest",
    "FeedTokens",
    "FiscalYear",
    "Half",
    "Initiative",
    "Item",
    "Kpi",
    "KpiLog",
    "KpiProgress",
    "KpiStatus",
    "Lateness",
    "LinkType",
    "PeriodError",
    "Plan",
    "PlanError",
    "PlanValidationError",
    "Policy",
    "Problem",
    "Quarter",
    "Reminder",
    "ReminderKind",
    "ReviewCycle",
    "ReviewLog",
    "Revision",
    "RoadmapError",
    "Schedule",
    "ScheduleError",
    "ScheduledTask",
    "Snapshot",
    "Status",
    "StatusChange",
    "StatusEvent",
    "StatusState",
    "Store",
    "StoreError",
    "Task",
    "TransitionError",
    "Violation",
    "WorkCalendar",
    "__version__",
    "check_plan",
    "default_plan",
    "dump_plan",
    "export_schemas",
    "feed_urls",
    "find_cycle",
    "format_wareki",
    "json_schemas",
    "lateness",
    "load_plan",
    "parse_duration",
    "parse_period",
    "parse_status",
    "plan_calendar",
    "plan_from_data",
    "progress",
    "reminders",
    "reminders_json",
    "reminders_markdown",
    "reminders_text",
    "review_cycles",
    "schedule",
    "take_snapshot",
    "upgrade_database",
    "wareki",
    "wareki_year",
]
