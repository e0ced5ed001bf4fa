"""Change tracking of feeds built from the store: stable bytes, SEQUENCE, cancelled events."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from storetest import Clock

from aomori_roadmap.export.feeds import FeedBuilder, FeedCache, FeedRequest, etag_of
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.views.events import DEFAULT_RETENTION

T0 = datetime(2024, 10, 1, 0, 0, tzinfo=UTC)
MILESTONES = FeedRequest("milestones")

BASE: dict[str, Any] = yaml.safe_load("""
id: track-plan
name: 追跡テスト
period: {start: FY2024, end: FY2027}
departments:
  - {id: somu, name: 総務部}
  - {id: kikaku, name: 企画部}
initiatives:
  - id: a
    name: 取組A
    department: somu
    tasks:
      - {id: study, name: 検討, start: R6下期, duration: 3mo}
      - {id: m, name: 運用開始, milestone: true, after: study}
      - {id: x, name: 廃止する節目, milestone: true, after: study}
      - {id: c, name: 中止する節目, milestone: true, after: study}
  - id: b
    name: 取組B
    department: kikaku
    tasks:
      - {id: work, name: 作業, start: R6下期, duration: 2mo}
      - {id: done, name: 完了, milestone: true, after: work}
""")


def make_plan(
    *, move: str | None = None, drop: str | None = None, rename: str | None = None
) -> Plan:
    data = copy.deepcopy(BASE)
    tasks = data["initiatives"][0]["tasks"]
    if move is not None:
        next(t for t in tasks if t["id"] == "m")["start"] = move
    if drop is not None:
        data["initiatives"][0]["tasks"] = [t for t in tasks if t["id"] != drop]
    if rename is not None:
        tasks[0]["name"] = rename
    return plan_from_data(data)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'feeds.db'}", plan=make_plan(), clock=clock) as opened:
        yield opened


def _unfold(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def _events(data: bytes) -> dict[str, dict[str, str]]:
    """UID → {property: value} of every VEVENT (first value of each property)."""
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in _unfold(data):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT" and current is not None:
            found[current["UID"]] = current
            current = None
        elif current is not None and ":" in line:
            name, value = line.split(":", 1)
            current.setdefault(name.split(";")[0], value)
    return found


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def build(plan: Plan, store: Store, request: FeedRequest = MILESTONES, **options: Any) -> bytes:
    return FeedBuilder(plan, store, **options).build(request).body


UID_M = "milestone-a.m@track-plan"
UID_X = "milestone-a.x@track-plan"
UID_C = "milestone-a.c@track-plan"


def test_same_inputs_give_byte_identical_feeds(tmp_path: Path) -> None:
    bodies = []
    for n in range(2):
        clock = Clock(T0)
        with Store(f"sqlite:///{tmp_path / f'{n}.db'}", plan=make_plan(), clock=clock) as store:
            store.save_revision(make_plan(), "DX推進課", "当初")
            clock.advance(days=10)
            store.save_revision(make_plan(move="FY2025-H2"), "DX推進課", "延期")
            clock.advance(days=1)
            store.record_status("a/c", "cancelled", actor="総務部")
            served = make_plan(move="FY2025-H2")
            bodies += [build(served, store), build(served, store, FeedRequest("all"))]
            bodies.append(build(served, store))  # a fresh builder, the same store
    assert bodies[0] == bodies[2] == bodies[3] == bodies[5]
    assert bodies[1] == bodies[4]


def test_a_moved_milestone_keeps_its_uid_and_raises_sequence(store: Store, clock: Clock) -> None:
    store.save_revision(make_plan(), "DX推進課", "当初")
    first = _events(build(make_plan(), store))[UID_M]
    assert first["SEQUENCE"] == "0"
    moved_at = clock.advance(days=30)
    store.save_revision(make_plan(move="FY2025-H2"), "DX推進課", "延期")
    moved = _events(build(make_plan(move="FY2025-H2"), store))[UID_M]
    assert moved["SEQUENCE"] == "1"
    assert moved["DTSTART"] != first["DTSTART"]
    assert moved["LAST-MODIFIED"] == _stamp(moved_at)
    # A later revision that leaves the milestone alone keeps its SEQUENCE and LAST-MODIFIED.
    clock.advance(days=30)
    store.save_revision(make_plan(move="FY2025-H2", rename="検討（改）"), "DX推進課")
    same = _events(build(make_plan(move="FY2025-H2", rename="検討（改）"), store))[UID_M]
    assert (same["SEQUENCE"], same["LAST-MODIFIED"]) == ("1", _stamp(moved_at))
    # Moving it again raises it again.
    clock.advance(days=30)
    store.save_revision(make_plan(move="FY2026-H1", rename="検討（改）"), "DX推進課")
    again = _events(build(make_plan(move="FY2026-H1", rename="検討（改）"), store))[UID_M]
    assert again["SEQUENCE"] == "2"


def test_a_cancelled_task_appears_as_cancelled_then_drops_after_the_retention(
    store: Store, clock: Clock
) -> None:
    store.save_revision(make_plan(), "DX推進課", "当初")
    cancelled_at = clock.advance(days=3)
    store.record_status("a/c", "cancelled", actor="総務部", note="方針変更")
    event = _events(build(make_plan(), store))[UID_C]
    assert (event["STATUS"], event["SEQUENCE"]) == ("CANCELLED", "1")
    assert event["LAST-MODIFIED"] == _stamp(cancelled_at)
    # Other changes later do not move the cancellation's time...
    clock.advance(days=45)
    store.record_status("b/work", "in_progress", actor="企画部")
    event = _events(build(make_plan(), store))[UID_C]
    assert (event["STATUS"], event["LAST-MODIFIED"]) == ("CANCELLED", _stamp(cancelled_at))
    # ...and once an input is more than the retention time later, the event is gone.
    clock.advance(days=DEFAULT_RETENTION.days)
    store.record_status("b/work", "in_progress", actor="企画部", progress=50)
    after = _events(build(make_plan(), store))
    assert UID_C not in after and UID_M in after


def test_a_task_removed_from_the_plan_appears_as_cancelled_then_drops(
    store: Store, clock: Clock
) -> None:
    store.save_revision(make_plan(), "DX推進課", "当初")
    assert _events(build(make_plan(), store))[UID_X]["STATUS"] == "CONFIRMED"
    removed_at = clock.advance(days=7)
    store.save_revision(make_plan(drop="x"), "DX推進課", "節目を削除")
    event = _events(build(make_plan(drop="x"), store))[UID_X]
    assert (event["STATUS"], event["SEQUENCE"]) == ("CANCELLED", "1")
    assert event["LAST-MODIFIED"] == _stamp(removed_at)
    short = timedelta(days=10)
    clock.advance(days=11)
    store.record_status("b/work", "in_progress", actor="企画部")
    assert UID_X in _events(build(make_plan(drop="x"), store))  # default retention: 90 days
    assert UID_X not in _events(build(make_plan(drop="x"), store, retention=short))


def test_taking_a_cancellation_back_raises_sequence_again(store: Store, clock: Clock) -> None:
    store.save_revision(make_plan(), "DX推進課", "当初")
    sequences = []
    for status in ("cancelled", "planned"):
        clock.advance(days=1)
        store.record_status("a/c", status, actor="総務部", note="見直し")
        event = _events(build(make_plan(), store))[UID_C]
        sequences.append((event["STATUS"], event["SEQUENCE"]))
    assert sequences == [("CANCELLED", "1"), ("CONFIRMED", "2")]


def test_sequence_never_goes_down_as_inputs_accumulate(store: Store, clock: Clock) -> None:
    plans = [make_plan(), make_plan(move="FY2025-H2"), make_plan(move="FY2025-H2", drop="x")]
    seen: dict[str, int] = {}
    for n, plan in enumerate(plans):
        clock.advance(days=5)
        store.save_revision(plan, "DX推進課", f"改訂{n}")
        clock.advance(days=1)
        store.record_status("b/work", "in_progress", actor="企画部", progress=10 * (n + 1))
        for uid, event in _events(build(plan, store, FeedRequest("all"))).items():
            assert int(event["SEQUENCE"]) >= seen.get(uid, 0)
            seen[uid] = int(event["SEQUENCE"])


def test_the_cache_builds_once_per_change_of_inputs(store: Store, clock: Clock) -> None:
    store.save_revision(make_plan(), "DX推進課", "当初")
    cache = FeedCache(FeedBuilder(make_plan(), store))
    request = FeedRequest("milestones", department="somu")
    first = cache.get(request)
    assert cache.get(request) is first and cache.get(request) is first
    assert cache.builds == 1
    assert first.etag == etag_of(first.body)
    assert first.last_modified == T0
    # A status change elsewhere: rebuilt once, the same bytes, a later Last-Modified.
    later = clock.advance(hours=2)
    store.record_status("b/work", "in_progress", actor="企画部")
    second = cache.get(request)
    assert cache.builds == 2 and cache.get(request) is second
    assert second.body == first.body and second.etag == first.etag
    assert second.last_modified == later
    # A change in this feed: new bytes, new ETag.
    clock.advance(hours=2)
    store.record_status("a/c", "cancelled", actor="総務部")
    third = cache.get(request)
    assert cache.builds == 3 and third.etag != first.etag
    assert b"STATUS:CANCELLED" in third.body


def test_a_plan_not_stored_as_a_revision_is_modified_when_loaded(store: Store) -> None:
    store.save_revision(make_plan(), "DX推進課", "当初")
    loaded = T0 + timedelta(days=100, seconds=0.5)
    unsaved = FeedBuilder(make_plan(move="FY2026-H1"), store, loaded=loaded).build(MILESTONES)
    assert unsaved.last_modified == loaded.replace(microsecond=0)
    saved = FeedBuilder(make_plan(), store, loaded=loaded).build(MILESTONES)
    assert saved.last_modified == T0
    assert _events(unsaved.body)[UID_M]["SEQUENCE"] == "1"


def test_without_a_store_the_feed_has_no_history() -> None:
    built = FeedBuilder(make_plan()).build(MILESTONES)
    assert {e["SEQUENCE"] for e in _events(built.body).values()} == {"0"}


def test_a_filter_unknown_to_an_old_revision_is_no_history_not_an_error(
    store: Store, clock: Clock
) -> None:
    old = copy.deepcopy(BASE)
    old["departments"] = old["departments"][:1]
    old["initiatives"] = old["initiatives"][:1]
    store.save_revision(plan_from_data(old), "DX推進課", "企画部なし")
    clock.advance(days=1)
    store.save_revision(make_plan(), "DX推進課", "企画部あり")
    events = _events(build(make_plan(), store, FeedRequest("milestones", department="kikaku")))
    assert {e["SEQUENCE"] for e in events.values()} == {"0"}
    assert events


def test_parsers_read_sequence_and_status(store: Store, clock: Clock) -> None:
    icalendar = pytest.importorskip("icalendar")
    store.save_revision(make_plan(), "DX推進課", "当初")
    clock.advance(days=1)
    store.save_revision(make_plan(move="FY2025-H2", drop="x"), "DX推進課")
    calendar = icalendar.Calendar.from_ical(build(make_plan(move="FY2025-H2", drop="x"), store))
    read = {str(e["UID"]): (str(e["STATUS"]), int(e["SEQUENCE"])) for e in calendar.walk("VEVENT")}
    assert read[UID_M] == ("CONFIRMED", 1)
    assert read[UID_X] == ("CANCELLED", 1)
    assert read[UID_C] == ("CONFIRMED", 0)


def test_a_status_change_that_moves_dates_raises_sequence(store: Store, clock: Clock) -> None:
    # The milestone m follows the study (R6下期, 3 months): when the study starts late, and
    # when it finishes, the milestone moves, and subscribers must see a new SEQUENCE.
    store.save_revision(make_plan(), "DX推進課", "当初")
    planned = _events(build(make_plan(), store))[UID_M]
    assert planned["SEQUENCE"] == "0"
    started = clock.advance(days=45)  # 2024-11-15: six weeks late
    store.record_status("a/study", "in_progress", actor="総務部", effective=started)
    late = _events(build(make_plan(), store))[UID_M]
    assert late["DTSTART"] > planned["DTSTART"]
    assert (late["SEQUENCE"], late["LAST-MODIFIED"]) == ("1", _stamp(started))
    # Progress alone moves nothing: no new SEQUENCE.
    clock.advance(days=10)
    store.record_status("a/study", "in_progress", actor="総務部", progress=50)
    assert _events(build(make_plan(), store))[UID_M]["SEQUENCE"] == "1"
    # Finished early: the milestone moves again.
    finished = clock.advance(days=20)
    store.record_status("a/study", "done", actor="総務部", effective=finished)
    done = _events(build(make_plan(), store))[UID_M]
    assert done["DTSTART"] < late["DTSTART"]
    assert (done["SEQUENCE"], done["LAST-MODIFIED"]) == ("2", _stamp(finished))


def test_parsers_read_the_sequence_a_status_change_raised(store: Store, clock: Clock) -> None:
    icalendar = pytest.importorskip("icalendar")
    store.save_revision(make_plan(), "DX推進課", "当初")
    started = clock.advance(days=45)
    store.record_status("a/study", "in_progress", actor="総務部", effective=started)
    calendar = icalendar.Calendar.from_ical(build(make_plan(), store))
    read = {str(e["UID"]): int(e["SEQUENCE"]) for e in calendar.walk("VEVENT")}
    assert read[UID_M] == 1 and read["milestone-b.done@track-plan"] == 0
