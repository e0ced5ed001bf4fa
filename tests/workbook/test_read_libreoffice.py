"""Workbooks saved by LibreOffice (headless) import as the department meant them.

LibreOffice rewrites what it saves: dates as serial numbers with a date format, percentages
as fractions with a percentage format, numbers typed as text stay text. Two ways a department
gets there: it opens the workbook in LibreOffice, saves it, and fills it in (here: openpyxl on
LibreOffice's file); or it fills it in and saves it with LibreOffice. Both import correctly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from filling import CYCLE, Filler, export, footprint, make_plan
from storetest import Clock, jst

from aomori_roadmap.engine.status import Status
from aomori_roadmap.store import Store
from aomori_roadmap.workbook.read import read_department_workbook

Convert = Callable[[Sequence[Path], str], list[Path]]
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path / 'roadmap.db'}"
    with Store(url, plan=make_plan(), clock=Clock(jst(2025, 10, 6))) as opened:
        opened.record_status("alerts/study", "in_progress", actor="危機管理局", progress=20,
                             effective=jst(2025, 4, 7, 0))  # fmt: skip
        yield opened


def saved_by_libreoffice(data: bytes, folder: Path, libreoffice: Convert) -> bytes:
    source = folder / "r7_kiki.xlsx"
    source.write_bytes(data)
    (converted,) = libreoffice([source], "xlsx")
    return converted.read_bytes()


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(), TOKYO).astimezone(UTC)


def check_recorded(store: Store) -> None:
    states = store.status_as_of()
    study, plan = states["alerts/study"], states["portal/plan"]
    assert (study.status, study.finished) == (Status.DONE, start_of(date(2025, 9, 30)))
    assert (plan.status, plan.progress, plan.started) == (
        Status.IN_PROGRESS, 35, start_of(date(2025, 5, 1))
    )  # fmt: skip
    submission = store.reviews.state(CYCLE, "alerts").submission
    assert submission is not None and submission.rating == "◎"
    assert [(a.kpi, a.value) for a in store.kpis.actuals()] == [("sns", 1234.0)]


def test_an_unfilled_workbook_saved_by_libreoffice_writes_nothing(
    store: Store, tmp_path: Path, libreoffice: Convert
) -> None:
    data = saved_by_libreoffice(export(store), tmp_path, libreoffice)
    before = footprint(store.url)
    changes = read_department_workbook(data, store, name="r7_kiki.xlsx")
    assert changes.empty, changes.lines("en")
    assert footprint(store.url) == before


def test_saved_by_libreoffice_then_filled(
    store: Store, tmp_path: Path, libreoffice: Convert
) -> None:
    assert store.plan is not None
    converted = saved_by_libreoffice(export(store), tmp_path, libreoffice)
    fill = Filler(converted, store.plan)
    # The empty date cell has no date format in LibreOffice's file: a date written there is
    # the serial number alone, as LibreOffice gives a date it does not know to be one.
    fill.fill({
        ("tasks", "status", "alerts/study"): "完了",
        ("tasks", "finished", "alerts/study"): 45930,  # 2025-09-30 as a serial number
        ("tasks", "status", "portal/plan"): "実施中",
        ("tasks", "started", "portal/plan"): "Ｒ７．５．１",
        ("initiatives", "rating", "alerts"): "◎ 予定以上",
        ("kpis", "actual", "sns"): "１，２３４",
    })  # fmt: skip
    fill.set("tasks", "progress", "portal/plan", 0.35, "0%")
    read_department_workbook(fill.bytes(), store, name="r7_kiki.xlsx").apply()
    check_recorded(store)


def test_filled_then_saved_by_libreoffice(
    store: Store, tmp_path: Path, libreoffice: Convert
) -> None:
    assert store.plan is not None
    fill = Filler(export(store), store.plan)
    fill.fill({
        ("tasks", "status", "alerts/study"): "完了",
        ("tasks", "finished", "alerts/study"): datetime(2025, 9, 30),
        ("tasks", "status", "portal/plan"): "実施中",
        ("tasks", "started", "portal/plan"): "令和7年5月1日",
        ("initiatives", "rating", "alerts"): "◎",
        ("kpis", "actual", "sns"): 1234,
    })  # fmt: skip
    fill.set("tasks", "progress", "portal/plan", 0.35, "0%")  # 35% typed
    data = saved_by_libreoffice(fill.bytes(), tmp_path, libreoffice)
    read_department_workbook(data, store, name="r7_kiki.xlsx").apply()
    check_recorded(store)
    again = read_department_workbook(data, store, name="r7_kiki.xlsx")
    assert again.empty, again.lines("en")
