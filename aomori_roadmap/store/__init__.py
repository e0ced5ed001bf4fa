"""The status store: the only code that talks SQL (sqlmodel/SQLAlchemy, Alembic).

- :class:`Store` — status history with two-axis as-of replay, revisions, baselines, and
  :meth:`Store.record_together` (status changes, :class:`Submission` s and :class:`KpiEntry`
  values in one transaction);
- :func:`upgrade_database` — ``aomori-roadmap db upgrade``; :func:`schema_revision`;
- :mod:`~aomori_roadmap.store.revisions` — canonical plan JSON, diffs and variance (pure).

>>> with Store("sqlite://") as store:
...     store.schema
'0006'
"""

from aomori_roadmap.store.feed_tokens import FeedTokens
from aomori_roadmap.store.review_log import KpiEntry, KpiLog, ReviewLog, Submission
from aomori_roadmap.store.revisions import (
    PlanDiff,
    Shift,
    Variance,
    canonical_json,
    compare_plans,
    plan_hash,
)
from aomori_roadmap.store.schema import (
    DEFAULT_URL,
    SchemaUpgrade,
    head_revision,
    schema_revision,
    upgrade_database,
)
from aomori_roadmap.store.store import (
    UNNAMED_PLAN_ID,
    Baseline,
    PlanInfo,
    Recorded,
    Revision,
    Store,
    Unchanged,
)

__all__ = [
    "DEFAULT_URL",
    "UNNAMED_PLAN_ID",
    "Baseline",
    "FeedTokens",
    "KpiEntry",
    "KpiLog",
    "PlanDiff",
    "PlanInfo",
    "Recorded",
    "ReviewLog",
    "Revision",
    "SchemaUpgrade",
    "Shift",
    "Store",
    "Submission",
    "Unchanged",
    "Variance",
    "canonical_json",
    "compare_plans",
    "head_revision",
    "plan_hash",
    "schema_revision",
    "upgrade_database",
]
