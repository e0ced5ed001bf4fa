"""ical.js (Mozilla's parser, Thunderbird's) reads our feeds back: summaries, dates, UIDs.

Needs Node and ``npm ci --prefix tests/js``; skipped, saying so, when node_modules is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from feedtest import STAMP  # a constant; the helpers come as fixtures (conftest.py)

from aomori_roadmap.engine.schedule import schedule
from aomori_roadmap.export.feeds import FeedBuilder, FeedRequest
from aomori_roadmap.export.ical import ical_feed
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.views.events import clean_text, feed_events

JS = Path(__file__).resolve().parents[1] / "js"
SCRIPT = JS / "icaljs_read.mjs"

pytestmark = pytest.mark.skipif(
    not (JS / "node_modules" / "ical.js").is_dir() or shutil.which("node") is None,
    reason="ical.js is not installed: run `npm ci --prefix tests/js` (needs Node 20)",
)


def read_with_icaljs(data: bytes, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "feed.ics"
    path.write_bytes(data)
    done = subprocess.run(
        ["node", str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


EVIL = {"id": "evil", "name": "x\r\nUID:evil\r\nX-INJECTED:1", "milestone": True}


def expected(plan: Plan, feed: str) -> dict[str, tuple[str, str, str]]:
    return {
        e.uid: (clean_text(e.summary), e.start.isoformat(), e.end.isoformat())
        for e in feed_events(plan, schedule(plan), feed=feed)
    }


@pytest.mark.parametrize("feed", ["reviews", "milestones", "deadlines", "tasks", "all"])
def test_icaljs_reads_back_summaries_dates_and_uids(feed: str, tmp_path: Path) -> None:
    plan = default_plan()
    read = read_with_icaljs(ical_feed(plan, schedule(plan), feed=feed, stamp=STAMP), tmp_path)
    got = {e["uid"]: (e["summary"], e["start"], e["end"]) for e in read["events"]}
    assert got == expected(plan, feed)
    assert all(e["allDay"] for e in read["events"])
    assert read["calname"].startswith("青森県DX推進プラン")


def test_icaljs_reads_nasty_text_intact(nasty_plan: Any, tmp_path: Path) -> None:
    plan = nasty_plan(extra_tasks=[EVIL])
    read = read_with_icaljs(ical_feed(plan, schedule(plan), feed="all", stamp=STAMP), tmp_path)
    got = {e["uid"]: (e["summary"], e["start"], e["end"]) for e in read["events"]}
    assert got == expected(plan, "all")
    summaries = [e["summary"] for e in read["events"]]
    assert any("A\nB;C,D\\E 🎌 " + "青森県の取組" * 50 in s for s in summaries)
    # ical.js reads an X- property as raw text, without unescaping (RFC 5545 says TEXT).
    assert read["calname"] == "テスト\\;プラン 見直し日程とマイルストーン"
    assert "evil" not in {e["uid"] for e in read["events"]}


def test_icaljs_all_day_dates_equal_the_plan_dates(tmp_path: Path) -> None:
    plan = default_plan()
    computed = schedule(plan)
    read = read_with_icaljs(ical_feed(plan, computed, feed="milestones", stamp=STAMP), tmp_path)
    by_uid = {e["uid"]: e for e in read["events"]}
    checked = 0
    for ref, _, task in plan.iter_tasks():
        if not task.milestone:
            continue
        uid = f"milestone-{ref.replace('/', '.')}@{plan.id}"
        day = computed.tasks[ref].early_finish
        assert by_uid[uid]["start"] == day.isoformat()
        assert by_uid[uid]["end"] == (day + timedelta(days=1)).isoformat()
        checked += 1
    assert checked > 0


def test_icaljs_reads_a_tracked_feed_from_the_store(nasty_plan: Any, tmp_path: Path) -> None:
    plan = nasty_plan(extra_tasks=[EVIL])
    moments = iter([datetime(2024, 11, 1, tzinfo=UTC), datetime(2024, 12, 1, tzinfo=UTC)])
    with Store(f"sqlite:///{tmp_path / 'r.db'}", plan=plan, clock=lambda: next(moments)) as store:
        store.save_revision(plan, "DX推進課", "当初")
        store.record_status("a/evil", "cancelled", actor="総務部")
        built = FeedBuilder(plan, store, alarm_days=3).build(FeedRequest("milestones"))
    read = read_with_icaljs(built.body, tmp_path)
    cancelled = [e for e in read["events"] if e["status"] == "CANCELLED"]
    assert [e["uid"] for e in cancelled] == ["milestone-a.evil@test-plan"]
    assert cancelled[0]["sequence"] == 1 and cancelled[0]["alarms"] == 0
    assert all(e["alarms"] == 1 for e in read["events"] if e["status"] == "CONFIRMED")
    assert {e["start"] for e in read["events"]} <= {
        d.isoformat() for d in (date(2024, 4, 1) + timedelta(days=n) for n in range(1100))
    }


def test_icaljs_reads_the_sequence_status_changes_raised(
    tmp_path: Path, one_initiative: Callable[..., Plan]
) -> None:
    study = {"id": "study", "name": "検討", "start": "R6下期", "duration": "3mo"}
    plan = one_initiative([study, {"id": "m", "name": "開始", "milestone": True, "after": "study"}])
    days = (datetime(2024, 10, 1, tzinfo=UTC) + timedelta(days=n) for n in (0, 45, 55, 75, 76))
    moments = iter(days)
    with Store(f"sqlite:///{tmp_path / 's.db'}", plan=plan, clock=lambda: next(moments)) as store:
        store.save_revision(plan, "DX推進課", "当初")
        store.record_status("a/study", "in_progress", actor="総務部")  # late: moves m
        store.record_status("a/study", "in_progress", actor="総務部", progress=50)  # nothing
        store.record_status("a/study", "done", actor="総務部")  # early: moves m again
        built = FeedBuilder(plan, store).build(FeedRequest("milestones"))
    (event,) = read_with_icaljs(built.body, tmp_path)["events"]
    assert (event["uid"], event["sequence"]) == ("milestone-a.m@p", 2)
