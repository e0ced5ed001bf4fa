"""Calendar feeds against baselines measured in the same run.

1. **Build and serialize** a 10,000-event feed with our code (``FeedEvent`` objects, then
   ``serialize_feed``: escaping, control characters, folding at 75 octets, CRLF, calendar
   properties first — conformance included) against the ``icalendar`` package building
   ``Event`` components with the same properties and serializing them (``to_ical``).
   Best of three each. Target: ratio ≤ 1.0.
2. **A conditional GET** with a matching ETag, over loopback, against a real uvicorn serving
   the ``tasks`` feed of a 10,000-task plan (10,000 events) from a SQLite store: the median
   of 300 requests (target < 5 ms), and its ratio to a full rebuild of that feed
   (``FeedBuilder.build`` from a cold builder: store queries, schedule, events, change
   tracking, bytes; target ≥ 20×).

Run with ``pytest tests/benchmarks/bench_feeds.py -s``. These print numbers; they assert that
the work was complete and correct, never a time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from plangen import generate, write_plan_folder
from serving import answers, free_port, stop_process
from timing import best_of

from aomori_roadmap.export.feeds import FeedBuilder, FeedCache, FeedRequest
from aomori_roadmap.export.ical import FeedEvent, serialize_feed
from aomori_roadmap.plan.loader import load_plan
from aomori_roadmap.store import Store
from aomori_roadmap.store.feed_tokens import FeedTokens

EVENTS = 10_000
STAMP = datetime(2025, 1, 6, 0, 30, tzinfo=UTC)
Row = tuple[str, str, date, date, str, tuple[str, ...]]


def _rows() -> list[Row]:
    """10,000 all-day events as a roadmap has them: Japanese, some long, some multi-line."""
    rows = []
    for n in range(EVENTS):
        start = date(2024, 4, 1) + timedelta(days=n % 1500)
        summary = f"【令和{6 + n % 5}年度上期】工程{n}; 検討, 実証 " + "青森県の取組" * (n % 9)
        description = f"取組{n // 20}\n担当: 総務部 DX推進課\\予備"
        rows.append(
            (
                f"task-i{n // 20:04d}.t{n % 20:03d}@bench",
                summary,
                start,
                start + timedelta(days=1 + n % 30),
                description,
                ("工程",),
            )
        )
    return rows


def ours(rows: list[Row]) -> bytes:
    events = [
        FeedEvent(uid, summary, start, end, description=text, categories=categories)
        for uid, summary, start, end, text, categories in rows
    ]
    return serialize_feed(events, name="ベンチマーク 工程", stamp=STAMP)


def with_icalendar(rows: list[Row]) -> bytes:
    import icalendar

    calendar = icalendar.Calendar()
    for name, value in (
        ("version", "2.0"),
        ("prodid", "-//bench//JA"),
        ("calscale", "GREGORIAN"),
        ("method", "PUBLISH"),
        ("x-wr-calname", "ベンチマーク 工程"),
        ("x-wr-timezone", "Asia/Tokyo"),
    ):
        calendar.add(name, value)
    for uid, summary, start, end, text, categories in rows:
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("dtstamp", STAMP)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", summary)
        event.add("description", text)
        event.add("categories", list(categories))
        event.add("status", "CONFIRMED")
        event.add("sequence", 0)
        event.add("last-modified", STAMP)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def _conformant(data: bytes) -> None:
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    for line in data[:-2].split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")


def test_a_10000_event_feed_against_icalendar() -> None:
    icalendar = pytest.importorskip("icalendar")
    rows = _rows()
    mine, data = best_of(3, lambda: ours(rows))
    theirs, reference = best_of(3, lambda: with_icalendar(rows))
    _conformant(data)
    read = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert len(read) == EVENTS == len(icalendar.Calendar.from_ical(reference).walk("VEVENT"))
    assert {str(e["SUMMARY"]) for e in read} == {row[1] for row in rows}
    print(
        f"\nfeed of {EVENTS:,} events, build + serialize: ours {mine:.2f} s "
        f"({len(data) / 1e6:.1f} MB), icalendar {theirs:.2f} s, "
        f"ratio {mine / theirs:.2f} (target ≤ 1.0)"
    )


_RUN = (
    "import json, sys\n"
    "from aomori_roadmap.server import serve\n"
    "a = json.loads(sys.argv[1])\n"
    "serve(a['plan'], a['db'], host='127.0.0.1', port=a['port'], log_level='warning')\n"
)


@contextmanager
def _server(plan: Path, db_url: str) -> Iterator[str]:
    port = free_port()
    args = json.dumps({"plan": str(plan), "db": db_url, "port": port})
    process = subprocess.Popen(
        [sys.executable, "-c", _RUN, args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert answers(base, process, 120), "the server did not start"
        yield base
    finally:
        stop_process(process)


def test_conditional_get_against_a_full_rebuild(tmp_path: Path) -> None:
    folder = write_plan_folder(generate(EVENTS, 3 * EVENTS), tmp_path / "plan")
    plan = load_plan(folder)
    db_url = f"sqlite:///{tmp_path / 'bench.db'}"
    request = FeedRequest("tasks")
    with Store(db_url, plan=plan) as store:
        store.save_revision(plan, "ベンチ課", "当初")
        token, _ = FeedTokens(store).create("tasks", actor="ベンチ課")
        rebuild, built = best_of(3, lambda: FeedBuilder(plan, store).build(request))
        cache = FeedCache(FeedBuilder(plan, store))
        cache.get(request)
        hit, _ = best_of(50, lambda: cache.get(request))
    assert built.events == EVENTS

    with _server(folder, db_url) as base, httpx.Client(base_url=base, timeout=120) as client:
        path = f"/feeds/{token}/tasks.ics"
        first = client.get(path)
        assert first.status_code == 200 and first.content == built.body
        etag = first.headers["etag"]
        timings = []
        for _ in range(300):
            start = time.perf_counter()
            response = client.get(path, headers={"If-None-Match": etag})
            timings.append(time.perf_counter() - start)
            assert response.status_code == 304
        full = [0.0] * 5
        for n in range(5):
            start = time.perf_counter()
            assert len(client.get(path).content) == len(built.body)
            full[n] = time.perf_counter() - start
    median = statistics.median(timings)
    print(
        f"\nconditional GET of a {EVENTS:,}-event feed over loopback: median "
        f"{median * 1000:.2f} ms (target < 5 ms), p95 "
        f"{sorted(timings)[int(len(timings) * 0.95)] * 1000:.2f} ms; full rebuild "
        f"{rebuild:.2f} s, ratio {rebuild / median:,.0f}× (target ≥ 20×); "
        f"for the record: a cached 200 of {len(built.body) / 1e6:.1f} MB "
        f"{statistics.median(full) * 1000:.1f} ms, an in-process cache hit "
        f"{hit * 1e6:.0f} µs (one store query)"
    )
