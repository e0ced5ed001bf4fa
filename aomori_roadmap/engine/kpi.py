"""KPI progress (成果指標): achievement rate, the expected value and a status, per fiscal year.

A KPI runs from its baseline (2023) to its target (2028). ``direction`` says which way is
better: ``up`` (支援件数) or ``down`` (コピー用紙使用量). For an actual value in a fiscal year:

- the **achievement rate** is how far the value has come from the baseline towards the target,
  in percent (``(actual − baseline) / (target − baseline) × 100``; the same formula serves both
  directions, because a falling target has a negative span);
- the **expected value** lies on the straight line from baseline to target;
- the **status** is ``achieved`` (the target is met), ``on_track`` (the expected value of that
  year is met), ``behind``, or ``unset`` (未設定: the baseline, the target or the actual value is
  missing — the plan itself publishes no numbers, so this is the normal state until the plan
  office enters them).

>>> from aomori_roadmap.plan.model import Kpi, KpiPoint
>>> paper = Kpi.model_validate({"id": "paper", "name": "コピー用紙使用量", "direction": "down",
...     "baseline": {"fy": 2023, "value": 1000}, "target": {"fy": 2028, "value": 500}})
>>> progress(paper, 2025, 750)
KpiProgress(kpi='paper', fy=2025, actual=750.0, expected=800.0, rate=50.0, status=<KpiStatus.ON_TRACK: 'on_track'>)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum

from aomori_roadmap.i18n import NC_, pgettext, using_language_or_default
from aomori_roadmap.plan.model import Kpi

__all__ = ["KpiProgress", "KpiStatus", "achievement_rate", "expected_value", "progress"]


class KpiStatus(StrEnum):
    """Where a KPI stands in a fiscal year."""

    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    UNSET = "unset"

    def label(self, lang: str = "ja") -> str:
        """``達成`` / ``順調`` / ``遅れ`` / ``未設定`` (or the English words).

        A language other than ``ja`` and ``en`` gives the Japanese label.
        """
        with using_language_or_default(lang):
            return pgettext(*_KPI_LABELS[self])


_KPI_LABELS = {
    KpiStatus.ACHIEVED: NC_("kpi", "achieved"),
    KpiStatus.ON_TRACK: NC_("kpi", "on track"),
    KpiStatus.BEHIND: NC_("kpi", "behind"),
    KpiStatus.UNSET: NC_("kpi", "not set"),
}


@dataclass(frozen=True, slots=True)
class KpiProgress:
    """A KPI in one fiscal year: the actual and expected values, the rate and the status."""

    kpi: str
    fy: int
    actual: float | None
    expected: float | None
    rate: float | None
    status: KpiStatus


def _meets(kpi: Kpi, value: float, goal: float) -> bool:
    return value >= goal if kpi.direction == "up" else value <= goal


def expected_value(kpi: Kpi, fy: int) -> float | None:
    """The value expected in fiscal year ``fy``: its yearly target (年度別目標値) when the plan
    gives one, else the straight line between the known points around it (the baseline, the
    yearly targets with a value, the final target).

    Before the baseline year it is the baseline; from the target year on, the target.

    >>> from aomori_roadmap.plan.model import Kpi
    >>> k = Kpi.model_validate({"id": "k", "name": "K",
    ...     "baseline": {"fy": 2023, "value": 10}, "target": {"fy": 2028, "value": 60}})
    >>> expected_value(k, 2024), expected_value(k, 2030)
    (20.0, 60.0)
    >>> from aomori_roadmap.plan.model import KpiPoint
    >>> k = k.model_copy(update={"targets": [KpiPoint(fy=2025, value=20)]})
    >>> expected_value(k, 2024), expected_value(k, 2025), expected_value(k, 2026)
    (15.0, 20.0, 33.333333333333336)
    """
    start, end = kpi.baseline, kpi.target
    if start.value is None or end.value is None:
        return None
    if end.fy <= start.fy or fy >= end.fy:
        return float(end.value)
    if fy <= start.fy:
        return float(start.value)
    inner = sorted((p.fy, p.value) for p in kpi.targets if p.value is not None)
    points = [(start.fy, start.value), *inner, (end.fy, end.value)]
    for (fy0, v0), (fy1, v1) in itertools.pairwise(points):
        if fy0 <= fy <= fy1 and fy1 > fy0:
            return float(v0 + (v1 - v0) * (fy - fy0) / (fy1 - fy0))
    return float(end.value)  # not reached: the points span the years between the ends


def achievement_rate(kpi: Kpi, actual: float | None) -> float | None:
    """How far ``actual`` has come from the baseline towards the target, in percent.

    ``None`` when a value is missing. When the target equals the baseline, the rate is 100 if
    the target is met and 0 otherwise.

    >>> from aomori_roadmap.plan.model import Kpi
    >>> k = Kpi.model_validate({"id": "k", "name": "K",
    ...     "baseline": {"fy": 2023, "value": 10}, "target": {"fy": 2028, "value": 60}})
    >>> achievement_rate(k, 35), achievement_rate(k, 70), achievement_rate(k, None)
    (50.0, 120.0, None)
    """
    base, goal = kpi.baseline.value, kpi.target.value
    if actual is None or base is None or goal is None:
        return None
    if goal == base:
        return 100.0 if _meets(kpi, actual, goal) else 0.0
    return round((actual - base) / (goal - base) * 100, 1)


def progress(kpi: Kpi, fy: int, actual: float | None) -> KpiProgress:
    """The KPI's standing in fiscal year ``fy`` with the ``actual`` value (or ``None``).

    >>> from aomori_roadmap.plan.model import Kpi
    >>> k = Kpi.model_validate({"id": "k", "name": "K",
    ...     "baseline": {"fy": 2023, "value": None}, "target": {"fy": 2028, "value": None}})
    >>> progress(k, 2025, 12).status.label()
    '未設定'
    """
    expected = expected_value(kpi, fy)
    rate = achievement_rate(kpi, actual)
    goal = kpi.target.value
    if actual is None or expected is None or goal is None:
        status = KpiStatus.UNSET
    elif _meets(kpi, actual, goal):
        status = KpiStatus.ACHIEVED
    elif _meets(kpi, actual, expected):
        status = KpiStatus.ON_TRACK
    else:
        status = KpiStatus.BEHIND
    value = None if actual is None else float(actual)
    return KpiProgress(kpi.id, fy, value, expected, rate, status)
