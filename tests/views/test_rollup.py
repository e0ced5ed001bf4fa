"""The roll-up of many plans in one store: per plan and in total, and the plans behind."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from forking import count_forks
from openpyxl import load_workbook
from storetest import PLAN_DATA
from typer.testing import CliRunner

from aomori_roadmap.cli import app
from aomori_roadmap.errors import PlanError
from aomori_roadmap.export.excel import rollup_xlsx
from aomori_roadmap.parallel import can_fork
from aomori_roadmap.plan.loader import default_plan, plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.views.rollup import rollup, rollup_tables

AS_OF = date(2025, 3, 31)
PREFECTURE = "aomori-dx-2024-2028"


def _town() -> Plan:
    data = copy.deepcopy(PLAN_DATA)
    data["id"], data["name"] = "town-a", "A町DX推進計画"
    return plan_from_data(data)


def _at(month: int, day: int, year: int = 2024) -> datetime:
    return datetime(year, month, day, 3, tzinfo=UTC)


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A store with the prefecture's plan and a town's, each with some history."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    prefecture = default_plan()
    with Store(url, plan=prefecture, clock=lambda: _at(10, 6, 2024)) as store:
        store.add_plan(prefecture, owner="青森県", actor="DX推進課")
        store.record_status(
            "bousai-dx-alerts/study", "done", actor="危機管理局", effective=_at(9, 1)
        )
        store.reviews.submit("FY2024-H1", "bousai-dx-alerts", rating="○", actor="危機管理局")
        store.kpis.record("kpi-business-dx-support", 2024, 130, actor="商工労働部")
    town = _town()
    with Store(url, plan=town, clock=lambda: _at(10, 6, 2024)) as store:
        store.add_plan(town, owner="A町企画課", actor="A町")
        store.record_status("alerts/study", "in_progress", actor="A町", effective=_at(4, 3))
        store.record_status("learning/model", "cancelled", actor="A町", effective=_at(5, 1))
    return url


def test_each_plan_is_counted_in_its_own_part(url: str) -> None:
    found = rollup(url, as_of=AS_OF)
    assert [p.plan_id for p in found.plans] == [PREFECTURE, "town-a"]
    prefecture, town = found.plans
    assert town.tasks == 5 and town.owner == "A町企画課"
    assert town.status == {
        "planned": 3, "in_progress": 1, "on_hold": 0, "done": 0, "cancelled": 1,
    }  # fmt: skip
    assert sum(town.lateness.values()) == 5
    assert prefecture.status["done"] == 1
    assert prefecture.reviews == {"FY2024-H1": {"submitted": 1, "reviewed": 0}}
    assert sum(prefecture.kpis.values()) == len(default_plan().kpis)
    assert town.kpis == {} and town.reviews == {}


def test_the_totals_add_up_the_plans(url: str) -> None:
    found = rollup(url, as_of=AS_OF)
    for key in ("planned", "in_progress", "done", "cancelled"):
        assert found.status[key] == sum(p.status[key] for p in found.plans)
    assert found.tasks == sum(p.tasks for p in found.plans)
    assert sum(found.lateness.values()) == found.tasks
    assert found.reviews == {"FY2024-H1": {"submitted": 1, "reviewed": 0}}
    assert found.behind == [p.plan_id for p in found.plans if p.behind]


# Tasks by their planned schedule, seen on AS_OF (2025-03-31): each is late or not by its dates.
PAST = ("FY2024-H1", "1half")  # 2024-04-01 to 2024-09-30: late unless reported done
UNDER_WAY = ("FY2024-H2", "1y")  # 2024-10-01 to 2025-09-30: at risk (never started), not late
AHEAD = ("FY2026", "1y")  # from 2026-04-01: on track


def _plan(plan_id: str, *tasks: tuple[str, str]) -> Plan:
    """A plan of one initiative ``work`` whose tasks ``t1``, ``t2``… have these schedules."""
    return plan_from_data({
        "id": plan_id, "name": plan_id, "period": {"start": "FY2024", "end": "FY2028"},
        "initiatives": [{"id": "work", "name": "作業", "tasks": [
            {"id": f"t{n}", "name": f"作業{n}", "start": start, "duration": duration}
            for n, (start, duration) in enumerate(tasks, 1)
        ]}],
    })  # fmt: skip


def _add(url: str, plan: Plan, done: int = 0) -> None:
    """Add ``plan`` to the store, its first ``done`` tasks reported done in September 2024."""
    with Store(url, plan=plan, clock=lambda: _at(10, 6, 2024)) as store:
        store.add_plan(plan, owner="市町村", actor="企画課")
        for n in range(1, done + 1):
            store.record_status(f"work/t{n}", "done", actor="企画課", effective=_at(9, 1))


@pytest.fixture
def shares(tmp_path: Path) -> str:
    """A store of four plans whose late tasks on AS_OF are known from their schedules."""
    url = f"sqlite:///{tmp_path / 'shares.db'}"
    _add(url, _plan("a-on-time", PAST, PAST, AHEAD, AHEAD), done=2)  # 0 of 4 late
    _add(url, _plan("b-late", PAST, PAST, PAST, AHEAD))  # 3 of 4 late
    _add(url, _plan("c-below", PAST, *[UNDER_WAY] * 10))  # 1 of 11 late, 10 at risk
    _add(url, _plan("d-at-share", PAST, *[AHEAD] * 9))  # 1 of 10 late: the share exactly
    return url


def _late(on_track: int, at_risk: int, late: int) -> dict[str, int]:
    return {"on_track": on_track, "at_risk": at_risk, "late": late}


def test_the_late_tasks_of_each_plan_are_counted_from_its_schedule(shares: str) -> None:
    found = rollup(shares, as_of=AS_OF)
    by_id = {p.plan_id: p for p in found.plans}
    assert list(by_id) == ["a-on-time", "b-late", "c-below", "d-at-share"]
    assert {plan_id: p.tasks for plan_id, p in by_id.items()} == {
        "a-on-time": 4, "b-late": 4, "c-below": 11, "d-at-share": 10,
    }  # fmt: skip
    assert by_id["a-on-time"].status["done"] == 2
    assert by_id["a-on-time"].lateness == _late(4, 0, 0)  # done in time, or not yet due
    assert by_id["b-late"].lateness == _late(1, 0, 3)  # due in September, never reported
    assert by_id["c-below"].lateness == _late(0, 10, 1)  # under way but unstarted: at risk
    assert by_id["d-at-share"].lateness == _late(9, 0, 1)
    assert found.lateness == _late(14, 10, 5)


def test_the_plans_behind_are_named(shares: str) -> None:
    found = rollup(shares, as_of=AS_OF)  # behind from 10 % late
    assert found.behind == ["b-late", "d-at-share"]
    assert [p.behind for p in found.plans] == [False, True, False, True]


def test_a_plan_below_the_share_is_not_behind(shares: str) -> None:
    (below,) = rollup(shares, as_of=AS_OF, plans=["c-below"]).plans
    assert (below.lateness["late"], below.tasks) == (1, 11)  # 9 % late; at risk is not late
    assert below.behind is False
    assert rollup(shares, as_of=AS_OF, plans=["c-below"]).behind == []


def test_a_plan_at_the_share_is_behind(shares: str) -> None:
    (at_share,) = rollup(shares, as_of=AS_OF, plans=["d-at-share"]).plans
    assert (at_share.lateness["late"], at_share.tasks, at_share.behind) == (1, 10, True)
    assert rollup(shares, as_of=AS_OF, behind_share=0.75).behind == ["b-late"]  # 3 of 4
    assert rollup(shares, as_of=AS_OF, behind_share=0.76).behind == []
    assert rollup(shares, as_of=AS_OF, behind_share=0.5).behind == ["b-late"]


def test_the_newest_revision_is_the_yardstick_of_lateness(shares: str) -> None:
    """The late plan revised to start its work later has no late task on the same date."""
    later = _plan("b-late", AHEAD, AHEAD, AHEAD, AHEAD)
    with Store(shares, plan=later, clock=lambda: _at(11, 1, 2024)) as store:
        newest = store.save_revision(later, "企画課", "延期").id
    (revised,) = rollup(shares, as_of=AS_OF, plans=["b-late"]).plans
    assert (revised.revision, revised.lateness, revised.behind) == (newest, _late(4, 0, 0), False)
    assert rollup(shares, as_of=AS_OF).behind == ["d-at-share"]


def test_no_task_is_late_before_any_planned_finish(shares: str) -> None:
    found = rollup(shares, as_of=date(2024, 9, 30))  # the day the earliest tasks are due
    assert found.lateness["late"] == 0 and found.behind == []


def test_a_choice_of_plans_and_an_unknown_one(url: str) -> None:
    assert [p.plan_id for p in rollup(url, as_of=AS_OF, plans=["town-a"]).plans] == ["town-a"]
    with pytest.raises(PlanError, match="nowhere"):
        rollup(url, as_of=AS_OF, plans=["nowhere"])


def test_a_plan_without_a_revision_is_counted_from_its_status(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    with Store(url, plan_id="bare", clock=lambda: _at(6, 1)) as store:
        store.record_status("a/x", "in_progress", actor="村", effective=_at(5, 1))
    (only,) = rollup(url, as_of=AS_OF).plans
    assert (only.tasks, only.status["in_progress"], only.lateness) == (1, 1, {})


def test_the_tables_and_the_workbook_are_in_japanese(url: str) -> None:
    found = rollup(url, as_of=AS_OF)
    tables = rollup_tables(found)
    assert tables.plan_header[4:9] == ["未着手", "実施中", "保留", "完了", "中止"]
    assert tables.plans[-1][0] == "合計"
    book = load_workbook(BytesIO(rollup_xlsx(found)))
    sheet = book["プラン別"]
    assert [c.value for c in sheet[1]] == tables.plan_header
    assert [c.value for c in sheet[3]][:4] == ["town-a", "A町DX推進計画", "A町企画課", 5]
    assert rollup_tables(found, "en").plan_header[4] == "Planned"


def test_the_command_writes_a_table_json_and_xlsx(url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--db", url, "--as-of", AS_OF.isoformat(), "rollup"]
    table = runner.invoke(app, base, env={"COLUMNS": "300"})
    assert table.exit_code == 0, table.output
    assert "A町DX推進計画" in table.stdout and "合計" in table.stdout
    data = json.loads(runner.invoke(app, [*base, "--json", "--plans", "town-a"]).stdout)
    assert [p["plan"] for p in data["plans"]] == ["town-a"]
    assert data["totals"]["tasks"] == 5
    book = tmp_path / "rollup.xlsx"
    assert runner.invoke(app, [*base, "-o", str(book)]).exit_code == 0
    assert load_workbook(book).sheetnames == ["プラン別", "見直しの提出"]
    assert runner.invoke(app, [*base, "--plans", "nowhere"]).exit_code == 2
    assert runner.invoke(app, [*base, "-o", str(tmp_path / "x.csv")]).exit_code == 2


@pytest.mark.skipif(not can_fork(), reason="this system does not fork")
def test_two_processes_give_the_same_roll_up(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import aomori_roadmap.views.rollup as module

    forked = count_forks(monkeypatch, module)
    alone = rollup(url, as_of=date(2025, 9, 30))
    module._by_revision.clear()  # the plans read anew, half of them in the child
    together = rollup(url, as_of=date(2025, 9, 30), jobs=2)
    assert forked == ["their_rows"]
    assert together == alone and len(together.plans) == 2


def test_two_processes_keep_the_plans_in_the_order_asked(
    shares: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two take the plans one at a time as they go; the rows come back in the order asked."""
    import aomori_roadmap.views.rollup as module

    forked = count_forks(monkeypatch, module)
    order = ["d-at-share", "a-on-time", "c-below", "b-late"]
    alone = rollup(shares, as_of=AS_OF, plans=order)
    module._by_revision.clear()
    together = rollup(shares, as_of=AS_OF, plans=order, jobs=2)
    assert forked == ["their_rows"]
    assert [p.plan_id for p in together.plans] == order and together == alone


def test_without_shared_memory_one_process_rolls_up(
    shares: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aomori_roadmap.views.rollup as module

    def no_shared_memory(*args: object, **kwargs: object) -> None:
        raise OSError("no /dev/shm")

    monkeypatch.setattr(module, "Shares", no_shared_memory)
    forked = count_forks(monkeypatch, module)
    alone = rollup(shares, as_of=AS_OF)
    module._by_revision.clear()
    assert rollup(shares, as_of=AS_OF, jobs=2) == alone and forked == []


def test_user_text_in_the_roll_up_workbook_stays_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from aomori_roadmap.export import excel
    from aomori_roadmap.views.rollup import Rollup, RollupTables

    formula = '=HYPERLINK("http://example.invalid","x")'
    tables = RollupTables(["plan", "owner"], [[formula, "=1+1"]], ["cycle", "plan"],
                          [["FY2024-H2", formula]], [])  # fmt: skip
    monkeypatch.setattr(excel, "rollup_tables", lambda found, lang: tables)
    book = load_workbook(
        BytesIO(excel.rollup_xlsx(Rollup(date(2025, 3, 31), [], {}, {}, {}, {}, [])))
    )
    cells = [c for sheet in book for row in sheet.iter_rows(min_row=2) for c in row]
    assert [c.value for c in cells] == [formula, "=1+1", "FY2024-H2", formula]
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
