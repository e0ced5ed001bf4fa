"""The KPI chart in words (its ``<desc>``): the baseline and the target it names are the KPI's
own, each with its year, never the first and the last of the plan's figures (which is a yearly
target when the baseline has no value yet)."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

from sitetest import SITE_PLAN

from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.site import build_site
from aomori_roadmap.site.charts import ChartEnds, ChartPoint, KpiChartData, kpi_chart
from aomori_roadmap.views.site import SiteData, SiteKpi, site_data, site_moment

TODAY = date(2026, 6, 1)
AS_OF = date(2025, 11, 5)
NS = "{http://www.w3.org/2000/svg}"


def _site(lang: str, kpis: dict[int, dict[str, Any]] | None = None, **indicators: Any) -> SiteData:
    """The site's data of the site tests' plan, no store: ``kpis`` updates the plan's KPIs by
    position, ``indicators`` replaces an indicator by id (k1: 100 (FY2023) → 130 (FY2025) →
    200 (FY2028); k2: 1000 → 500, down)."""
    data = copy.deepcopy(SITE_PLAN)
    for index, changes in (kpis or {}).items():
        data["kpis"][index].update(changes)
    data["indicators"] = [indicators.get(i["id"], i) for i in data["indicators"]]
    plan = plan_from_data(data)
    return site_data(plan, None, site_moment(plan, today=TODAY, as_of=AS_OF), lang=lang)


def chart_data(kpi: SiteKpi, lang: str) -> KpiChartData:
    """The chart's data as ``_chart`` of ``site/pages.py`` makes it, with the KPI's own ends."""
    return KpiChartData(
        title=kpi.name,
        unit=kpi.unit,
        direction=kpi.direction,
        years=tuple(y.fy for y in kpi.years),
        actuals=tuple(
            ChartPoint(y.fy, y.actual, None if y.mark is None else y.mark.label(lang))
            for y in kpi.years
            if y.entered
        ),
        targets=tuple(ChartPoint(y.fy, y.planned) for y in kpi.years if y.planned is not None),
        expected=tuple(ChartPoint(y.fy, y.expected) for y in kpi.years if y.expected is not None),
        ends=ChartEnds(
            baseline=None if kpi.baseline_fy is None else ChartPoint(kpi.baseline_fy, kpi.baseline),
            target=None if kpi.target_fy is None else ChartPoint(kpi.target_fy, kpi.target),
        ),
    )


def description(kpi: SiteKpi, lang: str) -> str:
    root = ET.fromstring(kpi_chart(chart_data(kpi, lang), ident=f"kpi-{kpi.id}", lang=lang))
    desc = root.find(f"{NS}desc")
    assert desc is not None and desc.text is not None
    return desc.text


def test_a_baseline_without_a_value_is_not_the_first_yearly_target_in_japanese() -> None:
    k1 = _site("ja", {0: {"baseline": {"fy": 2023}}}).kpis["k1"]
    assert [(y.fy, y.planned) for y in k1.years if y.planned is not None] == [
        (2025, 130),
        (2028, 200),
    ]
    text = description(k1, "ja")
    assert "130件" not in text  # FY2025's yearly target is neither the baseline nor the target
    assert "200件" in text  # the target (the exact words wait for the catalog's translation)


def test_a_baseline_without_a_value_is_said_to_be_not_set_in_english() -> None:
    k1 = _site("en", {0: {"baseline": {"fy": 2023}}}).kpis["k1"]
    assert description(k1, "en") == (
        "Values by fiscal year, FY2023 to FY2028. Higher is better."
        " Baseline (FY2023): not set. Target 200 件 (FY2028). No actual value yet."
    )


def test_a_target_without_a_value_is_said_to_be_not_set() -> None:
    k2 = _site("en", {1: {"target": {"fy": 2028}}}).kpis["k2"]
    text = description(k2, "en")
    assert "Lower is better. Baseline 1,000 枚 (FY2023). Target (FY2028): not set." in text


def test_both_values_set_read_as_before() -> None:
    site = _site("ja")
    assert "基準値 100件（2023年度）、目標値 200件（2028年度）。" in description(
        site.kpis["k1"], "ja"
    )
    site = _site("en")
    assert "Baseline 100 件 (FY2023); target 200 件 (FY2028)." in description(site.kpis["k1"], "en")


def test_an_indicator_with_yearly_targets_only_names_no_baseline_or_target() -> None:
    ind2 = _site(
        "en",
        ind2={
            "id": "ind2",
            "name": "研修回数",
            "initiative": "a",
            "unit": "回",
            "targets": [{"fy": 2025, "value": 10}, {"fy": 2027, "value": 20}],
        },
    ).kpis["ind2"]
    text = description(ind2, "en")
    assert "Baseline" not in text and "target" not in text.casefold()
    assert "The plan's figures: 10 回 (FY2025) to 20 回 (FY2027)." in text


def test_an_indicator_with_a_target_only_names_the_target_alone() -> None:
    ind1 = _site(
        "en",
        ind1={
            "id": "ind1",
            "name": "相談件数",
            "kpi": "k1",
            "unit": "件",
            "target": {"fy": 2028, "value": 90},
            "targets": [{"fy": 2025, "value": 40}],
        },
    ).kpis["ind1"]
    text = description(ind1, "en")
    assert "Baseline" not in text and "40" not in text
    assert "Higher is better. Target 90 件 (FY2028)." in text


def test_the_site_page_does_not_call_a_yearly_target_the_baseline() -> None:
    site = _site("ja", {0: {"baseline": {"fy": 2023}}})
    page = build_site(site).files["kpis/k1.html"].decode()
    found = re.search(r'<desc id="kpi-k1-desc">(.*?)</desc>', page)
    assert found is not None
    assert "130件" not in found.group(1)
