"""``POST /workbooks`` against a real uvicorn: a department's filled workbook, with its token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from filling import Filler, footprint

from aomori_roadmap.formats import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.store import Store
from aomori_roadmap.store.feed_tokens import UPLOADS, FeedTokens
from aomori_roadmap.views.snapshot import take_snapshot
from aomori_roadmap.workbook import department_workbook

if TYPE_CHECKING:
    from serving import Running

AS_OF = date(2025, 9, 30)
CYCLE = "FY2025-H1"
TASK = "bousai-dx-alerts/design"


@dataclass
class Setup:
    server: Running
    db_url: str
    upload: str  # 危機管理局's upload token
    other: str  # 総務部's upload token
    feed: str  # a feed token of 危機管理局
    revoked: str

    def post(self, data: bytes, token: str | None = None, **options: Any) -> httpx.Response:
        headers = {"Content-Type": options.pop("media", XLSX_MEDIA_TYPE)}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        url = self.server.url + "/workbooks"
        return httpx.post(url, content=data, headers=headers, params=options, timeout=60)

    def store(self) -> Store:
        return Store(self.db_url, plan=default_plan())


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, start_server: Any) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp("uploads")
    db_url = f"sqlite:///{folder / 'roadmap.db'}"
    with Store(db_url, plan=default_plan()) as store:
        tokens = FeedTokens(store)
        upload, _ = tokens.create(UPLOADS, actor="DX推進課", department="kikikanri")
        other, _ = tokens.create(UPLOADS, actor="DX推進課", department="somu")
        feed, _ = tokens.create("reviews", actor="DX推進課", department="kikikanri")
        revoked, old = tokens.create(UPLOADS, actor="DX推進課", department="kikikanri")
        tokens.revoke(old.id)
    with start_server(folder, db_url) as server:
        yield Setup(server, db_url, upload, other, feed, revoked)


def exported(setup: Setup) -> Filler:
    with setup.store() as store:
        snapshot = take_snapshot(store.plan, store, as_of=AS_OF)  # type: ignore[arg-type]
        data = department_workbook(snapshot, CYCLE, "kikikanri", store=store)
    return Filler(data, default_plan())


def started(setup: Setup) -> bytes:
    filled = exported(setup)
    filled.set("tasks", "status", TASK, "実施中").set("tasks", "progress", TASK, "40%")
    return filled.set("tasks", "started", TASK, "R7.8.1").bytes()


def test_tokens_that_are_not_an_active_upload_token_are_refused(setup: Setup) -> None:
    data = exported(setup).bytes()
    for token in (None, "x" * 43, setup.feed, setup.revoked):
        answer = setup.post(data, token)
        assert answer.status_code == 401, token
        assert answer.headers["www-authenticate"] == "Bearer"
    # ... and an upload token opens no feed.
    feed = httpx.get(f"{setup.server.url}/feeds/{setup.upload}/reviews.ics", timeout=10)
    assert feed.status_code == 404


def test_type_and_size_are_checked_before_the_file_is_read(setup: Setup) -> None:
    assert setup.post(b"<html>", setup.upload, media="text/html").status_code == 415
    big = setup.post(b"\0" * (20 * 1024 * 1024 + 1), setup.upload)
    assert big.status_code == 413


def test_a_bad_cell_is_a_located_problem_and_writes_nothing(setup: Setup) -> None:
    filled = exported(setup).set("tasks", "progress", TASK, "abc")
    before = footprint(setup.db_url)
    answer = setup.post(filled.bytes(), setup.upload, name="r7.xlsx")
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert [p["location"] for p in problems] == [
        f"r7.xlsx:{filled.address('tasks', 'progress', TASK)}"
    ]
    assert footprint(setup.db_url) == before


def test_another_departments_token_cannot_send_this_workbook(setup: Setup) -> None:
    answer = setup.post(started(setup), setup.other)
    assert answer.status_code == 422
    assert [p["code"] for p in answer.json()["problems"]] == ["other-department"]


def test_dry_run_then_record_then_the_same_again_writes_once(setup: Setup) -> None:
    data = started(setup)
    before = footprint(setup.db_url)
    tried = setup.post(data, setup.upload, dry_run="true")
    assert tried.status_code == 200 and tried.json()["dry_run"] is True
    assert [t["ref"] for t in tried.json()["tasks"]] == [TASK]
    assert footprint(setup.db_url) == before

    done = setup.post(data, setup.upload, name="r7.xlsx")
    assert done.status_code == 200, done.text
    assert done.json()["recorded"] == {"events": 1, "submissions": 0, "kpi_actuals": 0}
    with setup.store() as store:
        [event] = store.history(TASK)
        assert (event.status.value, event.progress, event.actor) == (
            "in_progress",
            40,
            "危機管理局",
        )
        assert "r7.xlsx" in event.note

    again = setup.post(data, setup.upload)
    assert again.status_code == 200
    assert again.json()["recorded"]["events"] == 0


def test_a_row_changed_meanwhile_is_a_conflict_unless_forced(setup: Setup) -> None:
    task = "bousai-dx-alerts/build"
    filled = exported(setup).set("tasks", "status", task, "実施中")
    filled.set("tasks", "progress", task, 40).set("tasks", "started", task, "2025/8/1")
    with setup.store() as store:  # someone else reports the task meanwhile
        when = datetime(2025, 7, 31, 15, tzinfo=UTC)
        store.record_status(task, "in_progress", actor="DX推進課", progress=10, effective=when)
    answer = setup.post(filled.bytes(), setup.upload)
    assert answer.status_code == 409
    [conflict] = answer.json()["conflicts"]
    assert (conflict["exported"]["progress"], conflict["stored"]["progress"]) == (0, 10)
    assert conflict["filled"]["progress"] == 40

    forced = setup.post(filled.bytes(), setup.upload, force="true")
    assert forced.status_code == 200, forced.text
    with setup.store() as store:
        last = store.history(task)[-1]
        assert (last.progress, last.actor) == (40, "危機管理局")
        assert last.note.endswith("forced]")


def test_a_csv_task_sheet_goes_the_same_way(setup: Setup) -> None:
    from aomori_roadmap.workbook import department_csv

    with setup.store() as store:
        snapshot = take_snapshot(store.plan, store, as_of=AS_OF)  # type: ignore[arg-type]
        data = department_csv(snapshot, CYCLE, "kikikanri", store=store)
    answer = setup.post(data, setup.upload, media=CSV_MEDIA_TYPE, name="r7.csv")
    assert answer.status_code == 200, answer.text
    assert answer.json()["recorded"]["events"] == 0
    wrong = setup.post(b"not,a,sheet\r\n", setup.upload, media=CSV_MEDIA_TYPE)
    assert wrong.status_code == 422
    assert [p["code"] for p in wrong.json()["problems"]] == ["not-ours"]
