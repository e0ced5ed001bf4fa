"""The site tests' plan (KPIs, indicators, two initiatives) and a store history that spans
three review cycles, recorded on a clock the tests move (the fixtures are in
``tests/site/conftest.py``)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from storetest import Clock, jst

from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store

SITE_PLAN: dict[str, Any] = yaml.safe_load("""
id: site-plan
name: サイト用プラン
period: {start: FY2024, end: FY2028}
fields:
  - {id: f1, name: 産業・しごと, purpose: 産業の目的}
items:
  - {id: i1, field: f1, name: 産業DX}
departments:
  - {id: d1, name: 商工政策課}
kpis:
  - id: k1
    name: 支援件数
    field: f1
    unit: 件
    baseline: {fy: 2023, value: 100}
    target: {fy: 2028, value: 200}
    targets: [{fy: 2025, value: 130}]
  - id: k2
    name: コピー用紙使用量
    field: f1
    unit: 枚
    direction: down
    baseline: {fy: 2023, value: 1000}
    target: {fy: 2028, value: 500}
indicators:
  - {id: ind1, name: 相談件数, kpi: k1, unit: 件}
  - {id: ind2, name: 研修回数, initiative: a, unit: 回}
initiatives:
  - id: a
    name: 中小企業のDX支援
    item: i1
    department: d1
    kpis: [k1]
    tasks:
      - {id: t1, name: 調査, start: FY2024-H1, duration: 1half}
      - {id: t2, name: 支援開始, after: t1, duration: 1half}
  - id: b
    name: 業務のデジタル化
    item: i1
    department: d1
    kpis: [k2]
    tasks:
      - {id: s1, name: 準備, start: FY2024-H1, duration: 2half}
""")

# The review cycles of this plan: R6下期 is published on 2025-05-08, R7上期 on 2025-11-06.
R6_END, R7_H1_END = date(2025, 3, 31), date(2025, 9, 30)


def site_plan(**changes: Any) -> Plan:
    """The site tests' plan, with top-level keys replaced."""
    return plan_from_data({**SITE_PLAN, **changes})


def record_history(store: Store, clock: Clock) -> None:
    """Three cycles' worth of records: R6下期 (published 2025-05-08), then R7上期."""
    office = "企画調整課"

    def at(when: datetime) -> None:
        clock.now = when

    at(jst(2024, 5, 1))
    store.record_status("a/t1", "in_progress", actor="d1", progress=20, effective=jst(2024, 5, 1))
    at(jst(2025, 4, 10))
    store.kpis.record("k1", 2024, 120, actor="d1")
    at(jst(2025, 4, 15))
    store.reviews.submit("FY2024-H2", "a", rating="○", actor="d1", achievements="調査を実施")
    at(jst(2025, 7, 1))
    store.record_status("a/t1", "done", actor="d1", effective=jst(2025, 7, 1))
    store.record_status("a/t2", "in_progress", actor="d1", progress=10, effective=jst(2025, 7, 1))
    at(jst(2025, 10, 10))
    store.kpis.record("k1", 2025, 140, actor="d1")
    store.kpis.record("k2", 2024, "未把握", actor="d1")
    at(jst(2025, 10, 12))
    first = store.reviews.records()[0]
    store.reviews.submit("FY2024-H2", "a", rating="△", actor="d1", corrects=first.id)
    store.reviews.submit("FY2025-H1", "a", rating="◎", actor="d1", issues="<script>x</script>")
    at(jst(2025, 10, 20))
    store.reviews.review("FY2025-H1", "a", rating="○", actor=office, comment="順調")


def record_later(store: Store, clock: Clock) -> None:
    """What the store receives after R7上期 was published: none of it may reach that site."""
    clock.now = jst(2025, 12, 1)
    store.record_status("a/t2", "done", actor="d1", effective=jst(2025, 9, 1))  # back-dated
    store.kpis.record("k1", 2025, 150, actor="d1", corrects=store.kpis.records("k1")[-1].id)
    stood = [
        r for r in store.reviews.records() if r.cycle == "FY2025-H1" and r.stage == "submitted"
    ]
    store.reviews.submit("FY2025-H1", "a", rating="×", actor="d1", corrects=stood[-1].id)
    store.record_status("b/s1", "on_hold", actor="d1", effective=jst(2025, 6, 1))


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file written under ``folder``: ``/``-separated path → bytes, as ``Site.files``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip
