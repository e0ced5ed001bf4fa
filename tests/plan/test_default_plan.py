"""The embedded Aomori DX Promotion Plan 2024–2028, checked against what the plan states."""

from __future__ import annotations

import pytest

from aomori_roadmap.calendar import FiscalYear
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.plan.model import check_plan

plan = default_plan()


def test_the_plan_and_its_period() -> None:
    assert plan.id == "aomori-dx-2024-2028"
    assert plan.name == "青森県DX推進プラン"
    assert (plan.period.start, plan.period.end) == (FiscalYear(2024), FiscalYear(2028))
    assert plan.timezone == "Asia/Tokyo"
    assert plan.basic_idea is not None
    assert plan.basic_idea.slogan == "青森県はDXでもっとおもしろくなる"


def test_counts_stated_by_the_plan() -> None:
    counts = plan.counts()
    assert {
        k: counts[k] for k in ("fields", "items", "policies", "foundations", "priorities", "kpis")
    } == {
        "fields": 3,
        "items": 14,
        "policies": 53,
        "foundations": 4,
        "priorities": 3,
        "kpis": 19,
    }


def test_fields_and_their_items() -> None:
    names = {f.id: f.name for f in plan.fields}
    assert list(names.values()) == ["産業・しごと", "暮らし・まち", "行政経営"]
    per_field = [sum(1 for i in plan.items if i.field == f.id) for f in plan.fields]
    assert per_field == [4, 7, 3]
    per_field_policies = [
        sum(len(i.policies) for i in plan.items if i.field == f.id) for f in plan.fields
    ]
    assert per_field_policies == [17, 25, 11]


def test_every_field_and_item_has_a_2040_vision() -> None:
    assert all(f.vision_2040 for f in plan.fields)
    assert all(i.vision_2040 and i.policies for i in plan.items)


def test_foundations_and_priorities() -> None:
    assert [f.name for f in plan.foundations] == [
        "デジタル人財",
        "データの利活用",
        "誰でも安全・安心に使えるデジタル",
        "デジタル基盤の整備",
    ]
    assert [p.name for p in plan.priorities] == ["産業", "教育", "防災"]
    assert all(p.bullets for p in plan.priorities)


def test_governance_names_the_headquarters_and_the_review_rhythm() -> None:
    assert plan.governance is not None
    assert plan.governance.headquarters == "青森県DX推進本部"
    assert "概ね半期ごとに見直す" in (plan.governance.roadmap_review or "")
    assert "報告" in (plan.governance.annual_report or "")


def test_kpis_have_no_invented_values() -> None:
    assert sum(k.category == "basic" for k in plan.kpis) == 3
    assert sum(k.category == "field" for k in plan.kpis) == 16
    for kpi in plan.kpis:
        assert (kpi.baseline.fy, kpi.target.fy) == (2023, 2028)
        assert kpi.baseline.value is None and kpi.target.value is None
        assert kpi.source


def test_only_copy_paper_is_a_down_kpi() -> None:
    assert [k.name for k in plan.kpis if k.direction == "down"] == ["コピー用紙使用量"]


@pytest.mark.parametrize("priority", ["sangyo", "kyoiku", "bousai"])
def test_illustrative_roadmap_for_each_priority(priority: str) -> None:
    roadmaps = [i for i in plan.initiatives if priority in i.priority]
    assert roadmaps, priority
    for initiative in roadmaps:
        assert initiative.illustrative
        assert 4 <= len(initiative.tasks) <= 8
        types = {link.type for task in initiative.tasks for link in task.links}
        assert len(types) >= 2
        assert any(
            link.lag.is_working_days and link.lag.amount
            for t in initiative.tasks
            for link in t.links
        )
        assert any(t.milestone for t in initiative.tasks)
        assert any(t.due is not None for t in initiative.tasks)


def test_owners_are_departments_named_by_the_kpi_sources() -> None:
    owners = {plan.initiative(i.id).department for i in plan.initiatives}
    names = {d.id: d.name for d in plan.departments}
    assert {"商工労働部", "教育庁", "危機管理局"} <= {names[o] for o in owners if o}


def test_the_embedded_plan_has_no_problems() -> None:
    assert check_plan(plan) == []
