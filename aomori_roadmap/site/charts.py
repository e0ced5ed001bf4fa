"""KPI charts of the public site: one inline SVG line chart of a KPI over its fiscal years.

Three series, told apart by shape and dash as well as by colour: the actual values (実績値, a
solid line with filled circles), the plan's figures (基準値, 年度別目標値 and 目標値: hollow
diamonds) and the expected trajectory (a dashed line). A year whose actual value is a mark
such as 未把握 gets its label under the axis, never a point at zero. Colours keep 3:1 against
white for lines and markers and 4.5:1 for text (WCAG 2.1 AA).

The chart is an image to assistive technology (``role="img"``): its ``<title>`` names the KPI
and its ``<desc>`` says in words which way is better, the baseline, the target and the latest
actual value. The baseline and the target are the KPI's own (:class:`ChartEnds`), each with
its year, and a value not set yet (未設定) is said to be so: a yearly target is never named
the baseline. No script, no style sheet, no external reference: presentation attributes only,
so the page's Content-Security-Policy may forbid everything else. The ``viewBox`` lets the
chart scale to the width of a phone. Every number is written with at most one decimal and
nothing depends on the clock, so the same data gives the same bytes.

>>> data = KpiChartData(
...     title="オンライン申請の件数", unit="件", direction="up", years=(2023, 2024, 2025),
...     actuals=(ChartPoint(2023, 100), ChartPoint(2024, None, "未把握")),
...     targets=(ChartPoint(2023, 100), ChartPoint(2025, 300)),
...     expected=(ChartPoint(2023, 100), ChartPoint(2024, 200), ChartPoint(2025, 300)),
...     ends=ChartEnds(baseline=ChartPoint(2023, 100), target=ChartPoint(2025, 300)))
>>> svg = kpi_chart(data, ident="kpi-online")
>>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"'), svg.count('class="actual-point"')
(True, 1)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, localcontext
from typing import Literal

from aomori_roadmap.calendar import fiscal_year_era
from aomori_roadmap.engine.kpi import decimal_text
from aomori_roadmap.errors import PlanError, check_language
from aomori_roadmap.export.svg import FONT_STACK, ellipsize, esc, num, text_width
from aomori_roadmap.i18n import _, language, pgettext, using_language

__all__ = ["ChartEnds", "ChartPoint", "KpiChartData", "kpi_chart"]


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One point of a series: a fiscal year and its value.

    ``value`` is None where there is no number: nothing was entered, or a mark was (``mark``
    holds its label, e.g. 未把握, and the chart shows it instead of a point).
    """

    fy: int
    value: float | None
    mark: str | None = None


@dataclass(frozen=True, slots=True)
class ChartEnds:
    """The KPI's own baseline (基準値) and final target (目標値), as its plan sets them.

    Either is ``None`` when the KPI has none (an intermediate indicator may have neither); a
    point whose ``value`` is ``None`` has its year but no value yet (未設定).
    """

    baseline: ChartPoint | None
    target: ChartPoint | None


@dataclass(frozen=True, slots=True)
class KpiChartData:
    """What a KPI chart draws: the KPI's name and unit, its years and three series.

    ``targets`` holds every figure of the plan (the baseline, the yearly targets and the
    target) that has a value; ``ends`` says which of them are the baseline and the target,
    which the description names. Without ``ends`` (``None``) the description takes the first
    and the last figure for them, which is right only when both have a value: pass ``ends``.
    """

    title: str
    unit: str | None
    direction: Literal["up", "down"]
    years: tuple[int, ...]
    actuals: tuple[ChartPoint, ...]
    targets: tuple[ChartPoint, ...]
    expected: tuple[ChartPoint, ...]
    ends: ChartEnds | None = None


# Geometry, in pixels of the viewBox: 480 wide scales to a 390 px phone at 81 %.
_W = 480
_PAD = 12
_PLOT_TOP = 58
_PLOT_H = 200
_RIGHT = 16
_TICK = 12  # font size of axis labels, legend and marks
_LINE = 15  # height of a line of axis text
_LEGEND_ROW = 20
_R = 4.0  # radius of an actual's circle
_D = 5.5  # half the diagonal of a plan figure's diamond

# Colours; the contrast against white is noted after each.
_TEXT = "#1f2937"  # 14.7:1
_MUTED = "#4b5563"  # 7.6:1
_AXIS = "#6b7280"  # 4.8:1
_GRID = "#e5e7eb"  # decoration only
_ACTUAL = "#1d4ed8"  # 6.7:1
_PLAN = "#b45309"  # 5.0:1
_EXPECTED = "#0f766e"  # 5.5:1
_DASH = "6 4"

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_EXACT = Context(prec=34)
_FLOOR = Context(prec=34, rounding=ROUND_FLOOR)
_CEILING = Context(prec=34, rounding=ROUND_CEILING)


def kpi_chart(data: KpiChartData, *, ident: str, lang: str = "ja") -> str:
    """Return the chart of ``data`` as an inline ``<svg>`` element.

    Args:
        data: the KPI and its series; years of a point missing from ``data.years`` are
            added to the axis.
        ident: the stem of the ids of the chart's ``<title>`` and ``<desc>`` (each run of
            characters other than ``A-Za-z0-9_-`` becomes ``_``); unique on the page.
        lang: ``ja`` or ``en``.

    Raises:
        PlanError: a value is NaN or infinite, or ``lang`` is neither ``ja`` nor ``en``.

    >>> data = KpiChartData("<script>", None, "down", (2024,), (), (), ())
    >>> svg = kpi_chart(data, ident="k 1", lang="en")
    >>> 'aria-labelledby="k_1-title k_1-desc"' in svg, "&lt;script&gt;" in svg, "<script" in svg
    (True, True, False)
    """
    check_language(lang)
    for point in (*data.actuals, *data.targets, *data.expected):
        if point.value is not None and not math.isfinite(point.value):
            raise PlanError(
                _("A chart value must be a finite number: {value} in FY{fy}").format(
                    value=point.value, fy=point.fy
                )
            )
    with using_language(lang):
        return _Chart(data, _ID_UNSAFE.sub("_", ident) or "chart").svg()


# --- the y axis ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Axis:
    """Ticks ``k × step`` for ``k`` in ``low..high``: nice steps of 1, 2 or 5 times 10ⁿ."""

    low: int
    high: int
    step: Decimal

    @classmethod
    def around(cls, values: Sequence[float]) -> _Axis:
        """About five ticks covering ``values`` (not empty); a flat range reaches to zero.

        Decimal arithmetic keeps 1e-300 and 1e300 alike free of overflow and of 0.30000000004.
        """
        lo, hi = Decimal(min(values)), Decimal(max(values))
        if lo == hi:
            lo, hi = (
                (Decimal(0), Decimal(1)) if lo == 0 else (min(lo, Decimal(0)), max(hi, Decimal(0)))
            )
        raw = _FLOOR.divide(_EXACT.subtract(hi, lo), 5)
        exponent = raw.adjusted()
        mantissa = raw.scaleb(-exponent)
        factor = next((f for f in (1, 2, 5) if mantissa <= f), 10)
        step = Decimal(factor).scaleb(exponent)
        low = int(_FLOOR.divide(lo, step).to_integral_value(context=_FLOOR))
        high = int(_CEILING.divide(hi, step).to_integral_value(context=_CEILING))
        return cls(low, high, step)

    def ticks(self) -> list[Decimal]:
        return [_EXACT.multiply(self.step, k) for k in range(self.low, self.high + 1)]

    def fraction(self, value: float) -> float:
        """Where ``value`` lies between the lowest (0) and the highest (1) tick."""
        with localcontext(_EXACT):
            span = self.step * (self.high - self.low)
            return float((Decimal(value) - self.step * self.low) / span)

    def labels(self) -> list[str]:
        """The tick labels, in large numbers with a unit word (100万, 1.5M) as people read them."""
        ticks = self.ticks()
        largest = max(abs(t) for t in ticks)
        scale, pattern = 0, "{n}"
        if largest >= 10**6:
            # Japanese groups large numbers by four digits (万, 億, 兆), English by three.
            units = (
                (
                    (12, pgettext("chart axis", "{n} trillion")),
                    (8, pgettext("chart axis", "{n} hundred million")),
                    (4, pgettext("chart axis", "{n} ten thousand")),
                )
                if language() == "ja"
                else ((12, "{n}T"), (9, "{n}B"), (6, "{n}M"))
            )
            scale, pattern = next((s, p) for s, p in units if largest >= Decimal(10) ** s)
        labels = []
        for tick in ticks:
            text = f"{tick.scaleb(-scale).normalize():,f}"
            # Beyond any real KPI (1e300, or 1e15 in steps of 0.2): keep the axis narrow.
            if not tick:
                text = "0"  # no unit word on zero
            elif len(text) <= 12:
                text = pattern.format(n=text)
            else:
                text = f"{tick.normalize():.6g}"
            labels.append(text)
        return labels


# --- text ------------------------------------------------------------------------------------


def _value_text(value: float, unit: str | None) -> str:
    """A value as the description and tooltips say it: ``1,234.5件``.

    >>> _value_text(1234.5, "件"), _value_text(12.0, None), _value_text(-0.0, "%")
    ('1,234.5件', '12', '0%')
    """
    # + 0.0 turns -0.0 into 0.0
    text = decimal_text(value + 0.0, grouped=True) if abs(value) < 1e15 else f"{value:,}"
    if not unit:
        return text
    return pgettext("chart", "{value} {unit}").format(value=text, unit=unit)


def _year_text(fy: int) -> str:
    return pgettext("chart", "FY{year}").format(year=fy)


def _axis_year(fy: int) -> tuple[str, str]:
    """The x-axis label of a fiscal year: ``("2025", "R7")`` in Japanese, ``("FY2025", "")``."""
    era, year = fiscal_year_era(fy)
    label = pgettext("chart axis", "FY{year}").format(year=fy, wareki=f"{era.initial}{year}")
    first, _newline, second = label.partition("\n")
    return first, second


def _numbers(points: Iterable[ChartPoint]) -> list[tuple[int, float]]:
    return [(p.fy, p.value) for p in points if p.value is not None]


def _baseline_and_target(base: tuple[int, float], goal: tuple[int, float], unit: str | None) -> str:
    """``基準値 100件（2023年度）、目標値 300件（2028年度）。``: both ends, each ``(fy, value)``."""
    return _("Baseline {baseline} ({baseline_year}); target {target} ({target_year}).").format(
        baseline=_value_text(base[1], unit),
        baseline_year=_year_text(base[0]),
        target=_value_text(goal[1], unit),
        target_year=_year_text(goal[0]),
    )


def _ends_text(ends: ChartEnds, unit: str | None) -> list[str]:
    """The KPI's baseline and target in words: each with its year, a missing value said to be
    not set, a missing end left out; nothing when it has neither."""
    base, goal = ends.baseline, ends.target
    if base is not None and base.value is not None and goal is not None and goal.value is not None:
        return [_baseline_and_target((base.fy, base.value), (goal.fy, goal.value), unit)]
    told = _end_text(base, _("Baseline {value} ({year})."), _("Baseline ({year}): not set."), unit)
    return told + _end_text(
        goal, _("Target {value} ({year})."), _("Target ({year}): not set."), unit
    )


def _end_text(point: ChartPoint | None, given: str, unset: str, unit: str | None) -> list[str]:
    """One end in words: ``given`` with its value and year, ``unset`` with its year alone."""
    if point is None:
        return []
    if point.value is None:
        return [unset.format(year=_year_text(point.fy))]
    return [given.format(value=_value_text(point.value, unit), year=_year_text(point.fy))]


def _plan_text(data: KpiChartData) -> list[str]:
    """What the plan sets, in words: the baseline and the target, else the plan's figures."""
    plan = sorted(_numbers(data.targets))
    if data.ends is not None:
        told = _ends_text(data.ends, data.unit)
        if told:
            return told
        if len(plan) >= 2:  # yearly targets only: none of them is a baseline or a target
            (first_fy, first), (last_fy, last) = plan[0], plan[-1]
            return [
                _("The plan's figures: {first} ({first_year}) to {last} ({last_year}).").format(
                    first=_value_text(first, data.unit),
                    first_year=_year_text(first_fy),
                    last=_value_text(last, data.unit),
                    last_year=_year_text(last_fy),
                )
            ]
    elif len(plan) >= 2:  # not told which are the ends: the first and the last figure
        return [_baseline_and_target(plan[0], plan[-1], data.unit)]
    if plan:
        return [
            _("The plan's figure: {value} ({year}).").format(
                value=_value_text(plan[0][1], data.unit), year=_year_text(plan[0][0])
            )
        ]
    return [_("The plan sets no figures.")]


def _description(data: KpiChartData, years: Sequence[int]) -> str:
    """The chart in words: the years, which way is better, the baseline and the target (or
    the plan's figures), the latest actual."""
    parts = []
    if years:
        parts.append(
            _("Values by fiscal year, {first} to {last}.").format(
                first=_year_text(years[0]), last=_year_text(years[-1])
            )
        )
    parts.append(_("Higher is better.") if data.direction == "up" else _("Lower is better."))
    parts += _plan_text(data)
    entered = sorted((p for p in data.actuals if p.value is not None or p.mark), key=lambda p: p.fy)
    if not entered:
        parts.append(_("No actual value yet."))
    elif entered[-1].value is not None:
        parts.append(
            _("Latest actual: {value} ({year}).").format(
                value=_value_text(entered[-1].value, data.unit), year=_year_text(entered[-1].fy)
            )
        )
    else:
        parts.append(
            _("Latest actual ({year}): {mark}.").format(
                year=_year_text(entered[-1].fy), mark=entered[-1].mark
            )
        )
    return ("" if language() == "ja" else " ").join(parts)  # Japanese puts no space after 。


# --- drawing ---------------------------------------------------------------------------------


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = _TICK,
    fill: str = _MUTED,
    anchor: str = "start",
    extra: str = "",
) -> str:
    middle = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return (
        f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}" fill="{fill}"{middle}{extra}>'
        f"{esc(text)}</text>"
    )


def _diamond(x: float, y: float) -> str:
    return (
        f"M{num(x)} {num(y - _D)}L{num(x + _D)} {num(y)}L{num(x)} {num(y + _D)}"
        f"L{num(x - _D)} {num(y)}Z"
    )


class _Chart:
    """One chart being drawn: the layout worked out once, then each part in turn."""

    def __init__(self, data: KpiChartData, ident: str) -> None:
        self.data = data
        self.ident = ident
        points = (*data.actuals, *data.targets, *data.expected)
        self.years = sorted({*data.years, *(p.fy for p in points)})
        values = [p.value for p in points if p.value is not None]
        self.axis = _Axis.around(values) if values else None
        self.labels = self.axis.labels() if self.axis else []
        widest = max((text_width(t, _TICK) for t in self.labels), default=0.0)
        self.left = _PAD + max(widest + 8, 24.0)
        self.width = _W - self.left - _RIGHT
        self.bottom = _PLOT_TOP + _PLOT_H
        self.band = self.width / max(len(self.years), 1)
        self.year_labels = [_axis_year(fy) for fy in self.years]
        lines = 2 if any(second for _first, second in self.year_labels) else 1
        self.marks = sorted(
            (p for p in data.actuals if p.value is None and p.mark), key=lambda p: p.fy
        )
        self.mark_y = self.bottom + 18 + lines * _LINE  # the baseline of the marks' labels
        self.foot = self.mark_y - _LINE + (_LINE if self.marks else 0) + 6  # the legend's top

    # -- positions --

    def x(self, fy: int) -> float:
        return self.left + (self.years.index(fy) + 0.5) * self.band

    def y(self, value: float) -> float:
        assert self.axis is not None  # only called when there are values
        return _PLOT_TOP + (1 - self.axis.fraction(value)) * _PLOT_H

    # -- parts --

    def svg(self) -> str:
        legend, legend_h = self.legend(self.foot)
        height = self.foot + legend_h + _PAD
        title_id, desc_id = f"{self.ident}-title", f"{self.ident}-desc"
        description = _description(self.data, self.years)
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart" role="img" '
            f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {_W} {num(height)}" '
            f'width="100%" font-family="{esc(FONT_STACK)}">'
            f'<title id="{title_id}">{esc(self.data.title)}</title>'
            f'<desc id="{desc_id}">{esc(description)}</desc>'
            f'<rect width="{_W}" height="{num(height)}" fill="#fff"/>'
        )
        parts = [head, *self.heading(), *self.grid(), *self.x_axis()]
        if self.axis is None:
            parts.append(
                _text(
                    self.left + self.width / 2,
                    _PLOT_TOP + _PLOT_H / 2 + 5,
                    pgettext("chart", "No values yet"),
                    size=14,
                    anchor="middle",
                    extra=' class="empty"',
                )
            )
        else:
            parts += self.expected_line()
            parts += self.plan_points()
            parts += self.actual_line()
        parts += self.mark_labels()
        parts += legend
        parts.append("</svg>")
        return "".join(parts)

    def heading(self) -> list[str]:
        title = ellipsize(self.data.title, _W - 2 * _PAD, 15)
        out = [
            _text(_PAD, 24, title, size=15, fill=_TEXT, extra=' font-weight="700" class="title"')
        ]
        if self.data.unit:
            unit = _("Unit: {unit}").format(unit=self.data.unit)
            out.append(
                _text(_PAD, 46, ellipsize(unit, _W - 2 * _PAD, _TICK), extra=' class="unit"')
            )
        return out

    def grid(self) -> list[str]:
        out = [
            f'<rect class="plot" x="{num(self.left)}" y="{_PLOT_TOP}" width="{num(self.width)}" '
            f'height="{_PLOT_H}" fill="none" stroke="{_GRID}"/>'
        ]
        if self.axis is None:
            return out
        ticks = self.axis.ticks()
        for tick, label in zip(ticks, self.labels, strict=True):
            y = self.y(float(tick))
            out.append(
                f'<path d="M{num(self.left)} {num(y)}H{num(self.left + self.width)}" '
                f'stroke="{_GRID}"/>'
            )
            out.append(_text(self.left - 6, y + 4, label, anchor="end", extra=' class="ytick"'))
        return out

    def x_axis(self) -> list[str]:
        out = [
            f'<path class="axis" d="M{num(self.left)} {num(self.bottom)}H'
            f'{num(self.left + self.width)}" stroke="{_AXIS}"/>'
        ]
        widest = max((text_width(a, _TICK) for a, _b in self.year_labels), default=0.0)
        every = max(1, math.ceil((widest + 6) / self.band))  # thin out labels that would touch
        for n, (fy, (first, second)) in enumerate(zip(self.years, self.year_labels, strict=True)):
            x = self.x(fy)
            out.append(f'<path d="M{num(x)} {num(self.bottom)}v4" stroke="{_AXIS}"/>')
            if n % every:
                continue
            out.append(
                _text(
                    x, self.bottom + 18, first, fill=_TEXT, anchor="middle", extra=' class="xtick"'
                )
            )
            if second:
                out.append(
                    _text(
                        x,
                        self.bottom + 18 + _LINE,
                        second,
                        anchor="middle",
                        extra=' class="xtick2"',
                    )
                )
        return out

    def segments(self, points: Sequence[ChartPoint]) -> list[list[tuple[float, float]]]:
        """Runs of points with a value, in year order; a point without one breaks the line."""
        runs: list[list[tuple[float, float]]] = [[]]
        for point in sorted(points, key=lambda p: p.fy):
            if point.value is None:
                runs.append([])
            else:
                runs[-1].append((self.x(point.fy), self.y(point.value)))
        return [run for run in runs if run]

    def expected_line(self) -> list[str]:
        out = ['<g class="expected">']
        for run in self.segments(self.data.expected):
            if len(run) == 1:  # a lone year: a short dash shows where it lies
                [(x, y)] = run
                run = [(x - 8, y), (x + 8, y)]
            d = "".join(f"{'L' if i else 'M'}{num(x)} {num(y)}" for i, (x, y) in enumerate(run))
            out.append(
                f'<path class="expected-line" d="{d}" fill="none" stroke="{_EXPECTED}" '
                f'stroke-width="2" stroke-dasharray="{_DASH}"/>'
            )
        out.append("</g>")
        return out

    def plan_points(self) -> list[str]:
        out = ['<g class="plan">']
        for fy, value in sorted(_numbers(self.data.targets)):
            tip = _("{year}, the plan's figure: {value}").format(
                year=_year_text(fy), value=_value_text(value, self.data.unit)
            )
            out.append(
                f'<path class="plan-point" d="{_diamond(self.x(fy), self.y(value))}" fill="#fff" '
                f'stroke="{_PLAN}" stroke-width="2"><title>{esc(tip)}</title></path>'
            )
        out.append("</g>")
        return out

    def actual_line(self) -> list[str]:
        out = ['<g class="actual">']
        for run in self.segments(self.data.actuals):
            if len(run) > 1:
                d = "".join(f"{'L' if i else 'M'}{num(x)} {num(y)}" for i, (x, y) in enumerate(run))
                out.append(
                    f'<path class="actual-line" d="{d}" fill="none" stroke="{_ACTUAL}" '
                    f'stroke-width="2.5"/>'
                )
        for fy, value in sorted(_numbers(self.data.actuals)):
            tip = _("{year}, actual: {value}").format(
                year=_year_text(fy), value=_value_text(value, self.data.unit)
            )
            out.append(
                f'<circle class="actual-point" cx="{num(self.x(fy))}" cy="{num(self.y(value))}" '
                f'r="{num(_R)}" fill="{_ACTUAL}" stroke="#fff" stroke-width="1">'
                f"<title>{esc(tip)}</title></circle>"
            )
        out.append("</g>")
        return out

    def mark_labels(self) -> list[str]:
        """Marks (未把握) under the axis, in the actuals' colour: no number, so no point."""
        out = []
        for point in self.marks:
            mark = str(point.mark)
            shown = ellipsize(mark, max(self.band - 4, 2 * _TICK), _TICK) or "…"
            tip = _("{year}, actual: {value}").format(year=_year_text(point.fy), value=mark)
            out.append(
                f'<g class="mark">{_text(self.x(point.fy), self.mark_y, shown, fill=_ACTUAL, anchor="middle")}'
                f"<title>{esc(tip)}</title></g>"
            )
        return out

    def legend(self, top: float) -> tuple[list[str], float]:
        """The legend of the series drawn, in rows that fit the width; and its height."""
        entries: list[tuple[str, str]] = []
        if _numbers(self.data.actuals):
            entries.append(("actual", pgettext("chart", "actual")))
        if _numbers(self.data.targets):
            entries.append(("plan", pgettext("chart", "plan's figures (baseline, targets)")))
        if _numbers(self.data.expected):
            entries.append(("expected", pgettext("chart", "expected trajectory")))
        if not entries:
            return [], 0.0
        out = ['<g class="legend">']
        x: float = _PAD
        row = 0
        for kind, label in entries:
            room = _W - 2 * _PAD - 30
            label = ellipsize(label, room, _TICK)
            step = 30 + text_width(label, _TICK) + 16
            if x > _PAD and x + step > _W - _PAD:
                x, row = _PAD, row + 1
            y = top + row * _LEGEND_ROW + 10
            if kind == "actual":
                out.append(
                    f'<path d="M{num(x)} {num(y)}h24" stroke="{_ACTUAL}" stroke-width="2.5"/>'
                    f'<circle cx="{num(x + 12)}" cy="{num(y)}" r="{num(_R)}" fill="{_ACTUAL}"/>'
                )
            elif kind == "plan":
                out.append(
                    f'<path d="{_diamond(x + 12, y)}" fill="#fff" stroke="{_PLAN}" '
                    f'stroke-width="2"/>'
                )
            else:
                out.append(
                    f'<path d="M{num(x)} {num(y)}h24" stroke="{_EXPECTED}" stroke-width="2" '
                    f'stroke-dasharray="{_DASH}"/>'
                )
            out.append(_text(x + 30, y + 4, label, fill=_TEXT, extra=f' class="legend-{kind}"'))
            x += step
        out.append("</g>")
        return out, (row + 1) * _LEGEND_ROW
