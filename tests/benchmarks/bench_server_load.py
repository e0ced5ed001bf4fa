"""50 concurrent clients poll a real uvicorn for 20 s while the store changes: no error.

A soak of the server, run with the benchmarks (``pytest tests/benchmarks/bench_server_load.py
-s``) and not in the default suite: it takes about 20 seconds on purpose.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from serving import start_server

from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.store import Store
from aomori_roadmap.store.feed_tokens import FeedTokens

CLIENTS = 50
SECONDS = 20.0


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    etags: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, response: httpx.Response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code not in (200, 304):
                self.errors.append(f"{response.request.url.path[:20]}…: {response.status_code}")
            if "etag" in response.headers and response.request.url.path.endswith(".ics"):
                self.etags.add(response.headers["etag"])

    def fail(self, error: Exception) -> None:
        with self.lock:
            self.errors.append(f"{type(error).__name__}: {error}")


def _poll(base: str, paths: list[str], deadline: float, tally: Tally, n: int) -> None:
    etags: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        step = n
        while time.monotonic() < deadline:
            path = paths[step % len(paths)]
            step += 1
            headers = {"If-None-Match": etags[path]} if path in etags and step % 4 else {}
            try:
                response = client.get(path, headers=headers)
            except httpx.HTTPError as error:
                tally.fail(error)
                continue
            tally.note(response)
            if response.status_code == 200 and "etag" in response.headers:
                etags[path] = response.headers["etag"]
                if path.endswith(".ics") and not response.content.endswith(b"END:VCALENDAR\r\n"):
                    tally.fail(ValueError("a truncated feed"))


def test_50_clients_polling_for_20_seconds_get_no_error(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'load.db'}"
    plan = default_plan()
    with Store(db_url, plan=plan) as store:
        store.save_revision(plan, "DX推進課", "当初計画")
        tokens = FeedTokens(store)
        private = [
            tokens.create("reviews", actor="DX推進課", department="kikikanri")[0],
            tokens.create("milestones", actor="DX推進課")[0],
            tokens.create("all", actor="DX推進課", priority="防災")[0],
        ]
        paths = [
            f"/feeds/{private[0]}/reviews.ics",
            f"/feeds/{private[1]}/milestones.ics",
            f"/feeds/{private[2]}/all.ics",
            "/feeds/public/deadlines.ics",
            "/api/status",
        ]
        with start_server(tmp_path, db_url, public=["deadlines"]) as server:
            tally = Tally()
            deadline = time.monotonic() + SECONDS
            clients = [
                threading.Thread(target=_poll, args=(server.url, paths, deadline, tally, n))
                for n in range(CLIENTS)
            ]
            for thread in clients:
                thread.start()
            # Meanwhile the store changes: every feed is rebuilt while it is being polled.
            refs = ["bousai-dx-alerts/study", "bousai-dx-alerts/build", "bousai-dx-alerts/launch"]
            for ref in refs:
                time.sleep(SECONDS / (len(refs) + 1))
                store.record_status(ref, "cancelled", actor="危機管理局")
            for thread in clients:
                thread.join(timeout=SECONDS + 60)
            assert not any(thread.is_alive() for thread in clients)
            assert server.process.poll() is None, server.logs()
    print(f"\n{sum(tally.statuses.values())} requests: {dict(tally.statuses)}")
    assert tally.errors == [], tally.errors[:10]
    assert tally.statuses[200] > 0 and tally.statuses[304] > 0
    assert sum(tally.statuses.values()) > CLIENTS * 20  # they really polled
    assert len(tally.etags) > len(paths) - 1  # the feeds changed while polled
