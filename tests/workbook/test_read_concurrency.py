"""Two departments importing their workbooks at the same time, in two processes, lose nothing.

Each process exports its department's workbook, fills it (a progress report on every task,
its self-assessment, its KPI actual and a KPI both departments report), waits for the other
at a barrier and imports it, round after round. A process whose import meets the other's
write to the shared KPI reads the refusal (a conflict), exports again and retries, as a
department would. Afterwards every write of both is in the store, none written over one its
writer did not see. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
from typing import Any

from filling import PLAN_DATA, Filler, export, make_plan
from storetest import jst

from aomori_roadmap.errors import ConflictError
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.workbook.read import read_department_workbook

ROUNDS = 6
SPAWN = multiprocessing.get_context("forkserver")
TASKS = {"kiki": ["alerts/study", "portal/plan"], "kyoiku": ["learning/model"]}
INITIATIVE = {"kiki": "alerts", "kyoiku": "learning"}
OWN_KPI = {"kiki": "sns", "kyoiku": "schools"}


def shared_plan() -> Plan:
    """The test plan with a KPI that both departments' initiatives report."""
    shared = {
        "id": "shared", "name": "共通指標", "source": "県調べ",
        "baseline": {"fy": 2023, "value": 0}, "target": {"fy": 2028, "value": 10},
    }  # fmt: skip
    initiatives = [{**i, "kpis": [*i.get("kpis", []), "shared"]} for i in PLAN_DATA["initiatives"]]
    return make_plan(kpis=[*PLAN_DATA["kpis"], shared], initiatives=initiatives)


def _department(url: str, department: str, barrier: Any) -> tuple[int, int]:
    """Import ROUNDS filled workbooks; return (imports written, conflicts met and retried)."""
    plan = shared_plan()
    written = retried = 0
    number = 1 if department == "kiki" else 2
    with Store(url, plan=plan, clock=lambda: jst(2025, 10, 6)) as store:
        for n in range(1, ROUNDS + 1):
            barrier.wait()
            while True:
                fill = Filler(export(store, department), plan)
                for ref in TASKS[department]:
                    fill.set("tasks", "progress", ref, 10 * n + number)
                fill.set("initiatives", "rating", INITIATIVE[department], "○")
                fill.set("initiatives", "achievements", INITIATIVE[department], f"{n}")
                fill.set("kpis", "actual", OWN_KPI[department], n)
                fill.set("kpis", "actual", "shared", 100 * number + n)
                data = fill.bytes()
                try:
                    read_department_workbook(data, store, name=f"{department}-{n}.xlsx").apply()
                    written += 1
                    break
                except ConflictError:
                    retried += 1
                    assert retried < 10 * ROUNDS, "a conflict that never clears"
    return written, retried


def test_two_departments_importing_at_once_lose_nothing(db_url: str) -> None:
    plan = shared_plan()
    with Store(db_url, plan=plan, clock=lambda: jst(2025, 10, 6)) as store:
        for refs in TASKS.values():  # started, so that each round is a progress report
            for ref in refs:
                store.record_status(ref, "in_progress", actor="準備", effective=jst(2025, 4, 7))
    with SPAWN.Manager() as manager:
        barrier = manager.Barrier(2)
        with SPAWN.Pool(2) as pool:
            results = pool.starmap_async(
                _department, [(db_url, "kiki", barrier), (db_url, "kyoiku", barrier)]
            ).get(timeout=300)
    assert [written for written, _retried in results] == [ROUNDS, ROUNDS]
    with Store(db_url, plan=plan) as store:
        states = store.status_as_of()
        assert {ref: states[ref].progress for refs in TASKS.values() for ref in refs} == {
            "alerts/study": 10 * ROUNDS + 1,
            "portal/plan": 10 * ROUNDS + 1,
            "learning/model": 10 * ROUNDS + 2,
        }
        for department, refs in TASKS.items():
            for ref in refs:  # the start, then one progress report per round
                assert len(store.history(ref)) == 1 + ROUNDS, (department, ref)
        submissions = store.reviews.records("FY2025-H1")
        assert sorted((r.initiative, r.achievements) for r in submissions) == sorted(
            (INITIATIVE[d], f"{n}") for d in TASKS for n in range(1, ROUNDS + 1)
        )
        kpis = store.kpis.records()
        assert sorted(r.value for r in kpis if r.kpi in OWN_KPI.values()) == sorted(
            float(n) for _d in TASKS for n in range(1, ROUNDS + 1)
        )
        shared = [r.value for r in kpis if r.kpi == "shared"]
        assert sorted(shared) == sorted(
            float(100 * number + n) for number in (1, 2) for n in range(1, ROUNDS + 1)
        )
