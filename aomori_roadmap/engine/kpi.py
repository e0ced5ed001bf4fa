"""KPI progress (成果指標): achievement rate, the expected value, a status and an evaluation.

A KPI runs from its baseline (2023) to its target (2028). ``direction`` says which way is
better: ``up`` (支援件数) or ``down`` (コピー用紙使用量). For an actual value in a fiscal year:

- the **achievement rate** is how far the value has come from the baseline towards the target,
  in percent (``(actual − baseline) / (target − baseline) × 100``; the same formula serves both
  directions, because a falling target has a negative span);
- the **expected value** lies on the straight line from baseline to target (through the
  yearly targets, 年度別目標値, where the plan gives them);
- the **status** is ``achieved`` (the target is met), ``on_track`` (the expected value of that
  year is met), ``behind``, or ``unset`` (未設定: the baseline, the target or the actual value is
  missing — the plan itself publishes no numbers, so this is the normal state until the plan
  office enters them);
- the **evaluation** (評価) grades the value on the plan's :class:`EvaluationScale`: the status
  itself, or a grade (S, A, B, C) of the achievement rate.

An actual value (:data:`Measured`) is a number, a non-numeric entry (:class:`KpiMark`: 未把握
not known, 調査中 being surveyed) or missing; a non-numeric entry counts as missing in every
rate. Intermediate indicators (中間指標, :class:`~aomori_roadmap.plan.model.Indicator`) are
measured the same way; one without a baseline or a target has no rate.

>>> from aomori_roadmap.plan.model import Kpi, KpiPoint
>>> paper = Kpi.model_validate({"id": "paper", "name": "コピー用紙使用量", "direction": "down",
...     "baseline": {"fy": 2023, "value": 1000}, "target": {"fy": 2028, "value": 500}})
>>> standing = progress(paper, 2025, 750)
>>> standing.expected, standing.rate, standing.status
(800.0, 50.0, <KpiStatus.ON_TRACK: 'on_track'>)
>>> progress(paper, 2025, KpiMark.SURVEYING).status.label()
'未設定'
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from aomori_roadmap.i18n import NC_, pgettext, using_language_or_default
from aomori_roadmap.plan.model import (
    UNSET_CODE,
    EvaluationScale,
    Indicator,
    Kpi,
    KpiPoint,
    Plan,
)

__all__ = [
    "Evaluation",
    "KpiMark",
    "KpiProgress",
    "KpiStatus",
    "Measured",
    "achievement_rate",
    "decimal_text",
    "entries_of",
    "evaluate",
    "evaluation_rate",
    "expected_value",
    "indicators_of",
    "kpi_initiatives",
    "progress",
]


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


class KpiMark(StrEnum):
    """A non-numeric actual value: 未把握 (not known) or 調査中 (being surveyed).

    >>> KpiMark.read(" 調査中 "), KpiMark.read("unknown"), KpiMark.read("12")
    (<KpiMark.SURVEYING: 'surveying'>, <KpiMark.UNKNOWN: 'unknown'>, None)
    >>> KpiMark.read("Not known")  # the English label, as an English workbook shows it
    <KpiMark.UNKNOWN: 'unknown'>
    >>> KpiMark.UNKNOWN.label(), KpiMark.UNKNOWN.label("en")
    ('未把握', 'not known')
    """

    UNKNOWN = "unknown"
    SURVEYING = "surveying"

    def label(self, lang: str = "ja") -> str:
        """``未把握`` / ``調査中`` (or the English words); Japanese for another language."""
        with using_language_or_default(lang):
            return pgettext(*_MARK_LABELS[self])

    @classmethod
    def forms(cls, lang: str = "ja") -> tuple[str, ...]:
        """The ways to write a mark, as messages in ``lang`` list them: the labels in
        ``lang``, then the codes (:meth:`read` takes these and the labels in any language).

        >>> KpiMark.forms(), KpiMark.forms("en")
        (('未把握', '調査中', 'unknown', 'surveying'), ('not known', 'being surveyed', 'unknown', 'surveying'))
        """
        return (*(mark.label(lang) for mark in cls), *(mark.value for mark in cls))

    @classmethod
    def read(cls, text: object) -> KpiMark | None:
        """The mark written as ``text``: its Japanese or English label, or its code (spaces
        around ignored, English in any case); ``None`` for anything else."""
        if not isinstance(text, str):
            return None
        written = text.strip()
        for mark in cls:
            english = (mark.value, mark.label("en").casefold())
            if written == mark.label("ja") or written.casefold() in english:
                return mark
        return None


_MARK_LABELS = {
    KpiMark.UNKNOWN: NC_("kpi", "not known"),
    KpiMark.SURVEYING: NC_("kpi", "being surveyed"),
}

Measured = float | KpiMark | None
"""An actual value: a number, a non-numeric entry (:class:`KpiMark`), or missing (``None``)."""


@dataclass(frozen=True, slots=True)
class KpiProgress:
    """A KPI in one fiscal year: the actual and expected values, the rate and the status.

    ``mark`` is the non-numeric entry given instead of a number (``actual`` is then ``None``
    and the status ``unset``).
    """

    kpi: str
    fy: int
    actual: float | None
    expected: float | None
    rate: float | None
    status: KpiStatus
    mark: KpiMark | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A value graded on the plan's evaluation scale (評価).

    ``code`` is the status (``achieved``, ``on_track``, ``behind``) on the status scale, the
    grade's code (``S``, ``A``…) on a rate scale, or ``unset`` when there is nothing to grade
    (``unset`` is then true); ``label`` is in the language asked for (a grade's label is the
    plan's own text).
    """

    code: str
    label: str
    unset: bool


def _number(actual: Measured) -> float | None:
    """The number of an actual value; ``None`` for a mark or a missing value."""
    if actual is None or isinstance(actual, KpiMark):
        return None
    return float(actual)


def _ends(kpi: Kpi | Indicator) -> tuple[KpiPoint, KpiPoint] | None:
    """The baseline and the target, when both are given."""
    if kpi.baseline is None or kpi.target is None:
        return None
    return kpi.baseline, kpi.target


def _meets(direction: Literal["up", "down"], value: float, goal: float) -> bool:
    return value >= goal if direction == "up" else value <= goal


def _rate(direction: Literal["up", "down"], base: float, goal: float, actual: float) -> float:
    """How far ``actual`` has come from ``base`` towards ``goal``, in percent (0.1)."""
    if goal == base:
        return 100.0 if _meets(direction, actual, goal) else 0.0
    return round((actual - base) / (goal - base) * 100, 1)


def expected_value(kpi: Kpi | Indicator, fy: int) -> float | None:
    """The value expected in fiscal year ``fy``: its yearly target (年度別目標値) when the plan
    gives one, else the straight line between the known points around it (the baseline, the
    yearly targets with a value, the final target). A yearly target not strictly between the
    baseline's and the target's years (which :func:`~aomori_roadmap.plan.model.check_plan`
    refuses) is left out.

    Before the baseline year it is the baseline; from the target year on, the target.
    ``None`` when the baseline or the target (or its value) is missing.

    >>> from aomori_roadmap.plan.model import Kpi
    >>> k = Kpi.model_validate({"id": "k", "name": "K",
    ...     "baseline": {"fy": 2023, "value": 10}, "target": {"fy": 2028, "value": 60}})
    >>> expected_value(k, 2024), expected_value(k, 2030)
    (20.0, 60.0)
    >>> from aomori_roadmap.plan.model import KpiPoint
    >>> k = k.model_copy(update={"targets": [KpiPoint(fy=2025, value=20)]})
    >>> expected_value(k, 2024), expected_value(k, 2025), expected_value(k, 2026)
    (15.0, 20.0, 33.333333333333336)
    >>> expected_value(Indicator(id="i", name="I", initiative="a"), 2025) is None
    True
    """
    ends = _ends(kpi)
    if ends is None:
        return None
    start, end = ends
    if start.value is None or end.value is None:
        return None
    if end.fy <= start.fy or fy >= end.fy:
        return float(end.value)
    if fy <= start.fy:
        return float(start.value)
    # Only the yearly targets strictly between the ends count (check_plan refuses others).
    inner = sorted(
        (p.fy, p.value) for p in kpi.targets if p.value is not None and start.fy < p.fy < end.fy
    )
    points = [(start.fy, start.value), *inner, (end.fy, end.value)]
    for (fy0, v0), (fy1, v1) in itertools.pairwise(points):
        if fy0 <= fy <= fy1 and fy1 > fy0:
            return float(v0 + (v1 - v0) * (fy - fy0) / (fy1 - fy0))
    return float(end.value)  # not reached: the points span the years between the ends


def achievement_rate(kpi: Kpi | Indicator, actual: Measured) -> float | None:
    """How far ``actual`` has come from the baseline towards the target, in percent, rounded
    to 0.1.

    ``None`` when a value is missing (a mark counts as missing). When the target equals the
    baseline, the rate is 100 if the target is met and 0 otherwise.

    >>> from aomori_roadmap.plan.model import Kpi
    >>> k = Kpi.model_validate({"id": "k", "name": "K",
    ...     "baseline": {"fy": 2023, "value": 10}, "target": {"fy": 2028, "value": 60}})
    >>> achievement_rate(k, 35), achievement_rate(k, 70), achievement_rate(k, None)
    (50.0, 120.0, None)
    >>> achievement_rate(k, KpiMark.UNKNOWN) is None
    True
    """
    number, ends = _number(actual), _ends(kpi)
    if number is None or ends is None:
        return None
    base, goal = ends[0].value, ends[1].value
    if base is None or goal is None:
        return None
    return _rate(kpi.direction, base, goal, number)


def progress(kpi: Kpi | Indicator, fy: int, actual: Measured) -> KpiProgress:
    """The KPI's standing in fiscal year ``fy`` with the ``actual`` value (or ``None``, or
    a mark).

    >>> from aomori_roadmap.plan.model import Kpi
    >>> k = Kpi.model_validate({"id": "k", "name": "K",
    ...     "baseline": {"fy": 2023, "value": None}, "target": {"fy": 2028, "value": None}})
    >>> progress(k, 2025, 12).status.label()
    '未設定'
    >>> progress(k, 2025, KpiMark.UNKNOWN).mark
    <KpiMark.UNKNOWN: 'unknown'>
    """
    mark = actual if isinstance(actual, KpiMark) else None
    number = _number(actual)
    expected = expected_value(kpi, fy)
    rate = achievement_rate(kpi, number)
    goal = None if kpi.target is None else kpi.target.value
    if number is None or expected is None or goal is None:
        status = KpiStatus.UNSET
    elif _meets(kpi.direction, number, goal):
        status = KpiStatus.ACHIEVED
    elif _meets(kpi.direction, number, expected):
        status = KpiStatus.ON_TRACK
    else:
        status = KpiStatus.BEHIND
    return KpiProgress(kpi.id, fy, number, expected, rate, status, mark)


def evaluation_rate(
    kpi: Kpi | Indicator, fy: int, actual: Measured, scale: EvaluationScale
) -> float | None:
    """The rate that ``scale`` grades, in percent (0.1): towards the value expected in ``fy``
    on a rate scale with ``basis: year``, otherwise the achievement rate (towards the final
    target). ``None`` when a value is missing.

    >>> from aomori_roadmap.plan.model import Kpi
    >>> k = Kpi.model_validate({"id": "k", "name": "K",
    ...     "baseline": {"fy": 2023, "value": 100}, "target": {"fy": 2028, "value": 200}})
    >>> by_year = EvaluationScale.model_validate({"scale": "rate", "basis": "year",
    ...     "grades": [{"code": "A", "label": "順調", "min_rate": 100}, {"code": "B", "label": "遅れ"}]})
    >>> evaluation_rate(k, 2025, 130, by_year), evaluation_rate(k, 2025, 130, EvaluationScale())
    (75.0, 30.0)
    """
    if scale.scale != "rate" or scale.basis != "year":
        return achievement_rate(kpi, actual)
    number, expected, ends = _number(actual), expected_value(kpi, fy), _ends(kpi)
    if number is None or expected is None or ends is None or ends[0].value is None:
        return None
    return _rate(kpi.direction, ends[0].value, expected, number)


def evaluate(
    kpi: Kpi | Indicator,
    fy: int,
    actual: Measured,
    scale: EvaluationScale,
    *,
    lang: str = "ja",
) -> Evaluation:
    """The evaluation (評価) of ``actual`` in fiscal year ``fy`` on ``scale``.

    On the status scale it is the status of :func:`progress`. On a rate scale the rate of
    :func:`evaluation_rate` earns the first grade whose ``min_rate`` it reaches (a rate
    exactly at a threshold earns that grade), or the last grade; without a rate (a missing
    value, a mark, no baseline or target) the evaluation is ``unset`` (未設定).

    >>> from aomori_roadmap.plan.model import Kpi
    >>> k = Kpi.model_validate({"id": "k", "name": "K",
    ...     "baseline": {"fy": 2023, "value": 100}, "target": {"fy": 2028, "value": 200}})
    >>> scale = EvaluationScale.model_validate({"scale": "rate", "grades": [
    ...     {"code": "S", "label": "達成", "min_rate": 100},
    ...     {"code": "A", "label": "順調", "min_rate": 80}, {"code": "C", "label": "遅れ"}]})
    >>> evaluate(k, 2027, 180, scale)
    Evaluation(code='A', label='順調', unset=False)
    >>> evaluate(k, 2027, KpiMark.SURVEYING, scale, lang="en")
    Evaluation(code='unset', label='not set', unset=True)
    >>> evaluate(k, 2025, 160, EvaluationScale()).label
    '順調'
    """
    if scale.scale == "status":
        status = progress(kpi, fy, actual).status
        return Evaluation(status.value, status.label(lang), status is KpiStatus.UNSET)
    rate = evaluation_rate(kpi, fy, actual, scale)
    if rate is None or not scale.grades:
        return Evaluation(UNSET_CODE, KpiStatus.UNSET.label(lang), True)
    for grade in scale.grades:
        if grade.min_rate is None or rate >= grade.min_rate:
            return Evaluation(grade.code, grade.label, False)
    last = scale.grades[-1]  # a scale whose last grade has a threshold: check_plan reports it
    return Evaluation(last.code, last.label, False)


def kpi_initiatives(plan: Plan) -> dict[str, tuple[str, ...]]:
    """KPI id → the ids of the initiatives that list it, in plan order; every KPI of the
    plan is a key (one no initiative lists has none).

    >>> plan = Plan.model_validate({"id": "p", "name": "P",
    ...     "period": {"start": 2024, "end": 2028},
    ...     "kpis": [{"id": "k1", "name": "K1", "baseline": {"fy": 2023}, "target": {"fy": 2028}},
    ...              {"id": "k2", "name": "K2", "baseline": {"fy": 2023}, "target": {"fy": 2028}}],
    ...     "initiatives": [{"id": "a", "name": "A", "kpis": ["k2", "k1"]},
    ...                     {"id": "b", "name": "B", "kpis": "k2"}]})
    >>> kpi_initiatives(plan)
    {'k1': ('a',), 'k2': ('a', 'b')}
    """
    found: dict[str, list[str]] = {kpi.id: [] for kpi in plan.kpis}
    for initiative in plan.initiatives:
        for kpi in initiative.kpis:
            listed = found.setdefault(kpi, [])
            if initiative.id not in listed:
                listed.append(initiative.id)
    return {kpi: tuple(ids) for kpi, ids in found.items()}


def decimal_text(value: float, *, grouped: bool = False) -> str:
    """A value as a plain decimal that reads back to the same number: every digit it has and
    no more, no exponent; ``grouped`` puts thousands separators in, for people.

    >>> decimal_text(12.0), decimal_text(1e-5), decimal_text(-0.5), decimal_text(1e16)
    ('12', '0.00001', '-0.5', '10000000000000000')
    >>> decimal_text(1234.5678, grouped=True), decimal_text(0.004, grouped=True)
    ('1,234.5678', '0.004')
    """
    if isinstance(value, int):
        return f"{value:,}" if grouped else str(value)
    number = Decimal(repr(value)).normalize()
    return f"{number:,f}" if grouped else f"{number:f}"


def entries_of(kpi: Kpi | Indicator, stored: Mapping[int, float | KpiMark]) -> dict[int, Measured]:
    """A KPI's values by fiscal year: those ``stored`` (recorded in the store), else those the
    plan itself publishes (an indicator's ``values``; a year it lists without a value is
    ``None``). The site and ``kpi show`` read a KPI's years through this one rule.

    >>> indicator = Indicator.model_validate({"id": "i", "name": "I", "kpi": "k",
    ...     "values": [{"fy": 2024, "value": 35}, {"fy": 2025, "value": 40}]})
    >>> entries_of(indicator, {2025: 42.0, 2026: KpiMark.SURVEYING})
    {2024: 35.0, 2025: 42.0, 2026: <KpiMark.SURVEYING: 'surveying'>}
    """
    found: dict[int, Measured] = (
        {point.fy: point.value for point in kpi.values} if isinstance(kpi, Indicator) else {}
    )
    found.update(stored)
    return found


def indicators_of(
    plan: Plan, *, kpi: str | None = None, initiative: str | None = None
) -> list[Indicator]:
    """The plan's intermediate indicators (中間指標) attached to ``kpi`` or to
    ``initiative`` (either, when both are given; all of them, when neither is), in plan order.

    >>> plan = Plan.model_validate({"id": "p", "name": "P",
    ...     "period": {"start": 2024, "end": 2028},
    ...     "indicators": [{"id": "i1", "name": "I1", "kpi": "k"},
    ...                    {"id": "i2", "name": "I2", "initiative": "a"}]})
    >>> [i.id for i in indicators_of(plan, initiative="a")], len(indicators_of(plan))
    (['i2'], 2)
    """
    if kpi is None and initiative is None:
        return list(plan.indicators)
    return [
        i
        for i in plan.indicators
        if (kpi is not None and i.kpi == kpi)
        or (initiative is not None and i.initiative == initiative)
    ]
