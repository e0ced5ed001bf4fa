"""Random fills of random workbooks: imported, the store holds exactly what was filled in.

For a store in a random state, a random department's workbook in a random language is
filled at random, the way people write values (labels in either language, dates in any
accepted form, percentages typed into percentage cells, numbers with separators), with legal
changes of each row from the state it shows. Then:

- importing it writes the changes, and the store's state equals the filled values;
- importing the same workbook again writes nothing;
- exporting again and importing that writes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filling import CYCLE, Filler, export, footprint, make_plan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storetest import jst

from aomori_roadmap.calendar.eras import format_wareki, wareki
from aomori_roadmap.engine.status import Status
from aomori_roadmap.store import Store
from aomori_roadmap.workbook.changes import strip_provenance
from aomori_roadmap.workbook.read import read_department_workbook

PLAN = make_plan()
SHM = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # a database per example, fast
TOKYO = dt.timezone(dt.timedelta(hours=9))
TODAY = dt.date(2025, 10, 6)
FIRST = dt.date(2024, 4, 1)
SNAPSHOT = dt.date(2025, 9, 30)
REFS = {
    "kiki": ["alerts/study", "alerts/build", "alerts/launch", "portal/plan", "portal/run"],
    "kyoiku": ["learning/model", "learning/expand"],
}
INITIATIVES = {"kiki": ["alerts", "portal"], "kyoiku": ["learning"]}
KPIS = {"kiki": ["sns"], "kyoiku": ["schools"]}
FULL_WIDTH = str.maketrans("0123456789/.-%,", "０１２３４５６７８９／．－％，")


@dataclass(frozen=True)
class Row:
    """A task row's values as the store should hold them."""

    status: Status
    progress: int
    started: dt.date | None
    finished: dt.date | None
    note: str


def days(low: dt.date, high: dt.date) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=low, max_value=max(low, high))


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), TOKYO).astimezone(dt.UTC)


@st.composite
def initial(draw: st.DrawFn) -> Row:
    """A state the store may be in before the export (dates before the snapshot)."""
    kind = draw(st.sampled_from(list(Status)))
    if kind is Status.PLANNED:
        return Row(kind, 0, None, None, "")
    if kind is Status.CANCELLED:
        return Row(kind, 0, None, None, "")
    start = draw(days(FIRST, SNAPSHOT - dt.timedelta(days=10)))
    progress = draw(st.integers(0, 99))
    if kind is Status.DONE:
        return Row(kind, 100, start, draw(days(start, SNAPSHOT)), "")
    return Row(kind, progress, start, None, "")


def record(store: Store, ref: str, row: Row) -> None:
    if row.status is Status.PLANNED:
        return
    if row.status is Status.CANCELLED:
        store.record_status(ref, "cancelled", actor="準備", effective=midnight(FIRST))
        return
    assert row.started is not None
    store.record_status(ref, "in_progress", actor="準備", progress=row.progress,
                        effective=midnight(row.started))  # fmt: skip
    if row.status is Status.DONE:
        assert row.finished is not None
        store.record_status(ref, "done", actor="準備", effective=midnight(row.finished))
    elif row.status is Status.ON_HOLD:
        store.record_status(ref, "on_hold", actor="準備", effective=midnight(SNAPSHOT))


NOTES = st.text(alphabet="進捗あい理由 abc", min_size=1, max_size=8).map(str.strip).filter(bool)


@st.composite
def target(draw: st.DrawFn, now: Row) -> Row:
    """A legal new state of a row in the state ``now``, with the dates it needs."""
    s = now.status
    if draw(st.booleans()):
        return now  # left as exported
    note = draw(st.one_of(st.just(now.note), NOTES))
    if s is Status.PLANNED:
        kind = draw(st.sampled_from([Status.IN_PROGRESS, Status.DONE, Status.ON_HOLD,
                                     Status.CANCELLED]))  # fmt: skip
        if kind is Status.IN_PROGRESS:
            start = draw(days(FIRST, TODAY))
            return Row(kind, draw(st.integers(0, 100)), start, None, note)
        if kind is Status.DONE:
            start = draw(st.one_of(st.none(), days(FIRST, TODAY)))
            return Row(kind, 100, start, draw(days(start or FIRST, TODAY)), note)
        return Row(kind, 0, None, None, note)
    if s is Status.IN_PROGRESS:
        assert now.started is not None
        kind = draw(st.sampled_from(["report", "restart", "done", "hold", "cancel"]))
        if kind == "report":
            return Row(s, draw(st.integers(0, 100)), now.started, None, note)
        if kind == "restart":  # the start date corrected
            return Row(s, now.progress, draw(days(FIRST, TODAY)), None, now.note)
        if kind == "done":
            return Row(Status.DONE, 100, now.started, draw(days(now.started, TODAY)), note)
        status = Status.ON_HOLD if kind == "hold" else Status.CANCELLED
        return Row(status, now.progress, now.started, None, note)
    if s is Status.DONE:
        assert now.finished is not None
        if draw(st.booleans()):  # the finish date corrected
            return Row(s, 100, now.started, draw(days(now.started or FIRST, TODAY)), now.note)
        return Row(Status.IN_PROGRESS, draw(st.integers(0, 100)), now.started, None,
                   draw(NOTES))  # a reopening, with its reason  # fmt: skip
    if s is Status.ON_HOLD:
        kind = draw(st.sampled_from([Status.IN_PROGRESS, Status.CANCELLED, Status.PLANNED]))
        if kind is Status.IN_PROGRESS:
            return Row(kind, draw(st.integers(0, 100)), now.started, None, note)
        return Row(kind, 0 if kind is Status.PLANNED else now.progress, now.started, None, note)
    return Row(Status.PLANNED, 0, None, None, draw(NOTES))  # cancelled: reinstated


def status_form(draw: st.DrawFn, status: Status) -> str:
    return draw(st.sampled_from([status.label("ja"), status.label("en"), status.value]))


def date_form(draw: st.DrawFn, day: dt.date) -> object:
    era, year = wareki(day)
    forms: list[object] = [
        day, dt.datetime.combine(day, dt.time()), f"{day.year}/{day.month}/{day.day}",
        day.isoformat(), format_wareki(day), f"{era.initial}{year}.{day.month}.{day.day}",
        f"{day.year}/{day.month}/{day.day}".translate(FULL_WIDTH),
        (day - dt.date(1899, 12, 30)).days,
    ]  # fmt: skip
    return draw(st.sampled_from(forms))


def percent_form(draw: st.DrawFn, n: int) -> tuple[object, str | None]:
    forms: list[tuple[object, str | None]] = [
        (n, None), (str(n), None), (f"{n}%", None), (f"{n}%".translate(FULL_WIDTH), None),
        (n / 100, "0%"),
    ]  # fmt: skip
    return draw(st.sampled_from(forms))


def stored_row(store: Store, ref: str) -> Row:
    state = store.status_as_of().get(ref)
    if state is None:
        return Row(Status.PLANNED, 0, None, None, "")

    def day(value: dt.datetime | None) -> dt.date | None:
        return None if value is None else value.astimezone(TOKYO).date()

    return Row(state.status, state.progress, day(state.started), day(state.finished),
               strip_provenance(state.note))  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_fills_import_exactly_once_and_the_store_holds_them(data: st.DataObject) -> None:
    draw = data.draw
    department = draw(st.sampled_from(sorted(REFS)))
    lang = draw(st.sampled_from(["ja", "en"]))
    folder = tempfile.TemporaryDirectory(dir=SHM, prefix="aomori-wb-property-")
    url = f"sqlite:///{Path(folder.name) / 'roadmap.db'}"
    with folder, Store(url, plan=PLAN, clock=lambda: jst(2025, 10, 6, 15)) as store:
        before = {ref: draw(initial(), label=ref) for ref in REFS[department]}
        for ref, row in before.items():
            record(store, ref, row)
        fill = Filler(export(store, department, lang=lang), PLAN)
        wanted: dict[str, Row] = {}
        for ref, now in before.items():
            new = draw(target(now), label=f"{ref} →")
            wanted[ref] = new
            if new == now:
                continue
            if new.status is not now.status:
                fill.set("tasks", "status", ref, status_form(draw, new.status))
            if new.progress != now.progress and new.status is Status.IN_PROGRESS:
                fill.set("tasks", "progress", ref, *percent_form(draw, new.progress))
            for key, value, old in (("started", new.started, now.started),
                                    ("finished", new.finished, now.finished)):  # fmt: skip
                if value != old:
                    fill.set("tasks", key, ref, None if value is None else date_form(draw, value))
            if new.note != now.note:
                fill.set("tasks", "note", ref, new.note)
        submissions: dict[str, tuple[str, str]] = {}
        for initiative in INITIATIVES[department]:
            if draw(st.booleans()):
                rating = draw(st.sampled_from(PLAN.review_policy.ratings))
                written = draw(st.sampled_from([rating.symbol, rating.label,
                                                f"{rating.symbol} {rating.label}"]))  # fmt: skip
                text = draw(NOTES)
                fill.set("initiatives", "rating", initiative, written)
                fill.set("initiatives", "achievements", initiative, text)
                submissions[initiative] = (rating.symbol, text)
        actuals: dict[str, float] = {}
        for kpi in KPIS[department]:
            if draw(st.booleans()):
                value = draw(st.integers(0, 10**7))
                written_value: Any = draw(
                    st.sampled_from(
                        [value, float(value), f"{value:,}", f"{value:,}".translate(FULL_WIDTH)]
                    )
                )
                fill.set("kpis", "actual", kpi, written_value)
                actuals[kpi] = float(value)
        data_filled = fill.bytes()

        changes = read_department_workbook(data_filled, store, name="random.xlsx")
        assert not changes.conflicts
        changes.apply()
        assert {ref: stored_row(store, ref) for ref in wanted} == wanted
        for initiative, (symbol, text) in submissions.items():
            submission = store.reviews.state(CYCLE, initiative).submission
            assert submission is not None
            assert (submission.rating, submission.achievements) == (symbol, text)
        assert {a.kpi: a.value for a in store.kpis.actuals() if a.fy == 2025} == actuals

        after = footprint(store.url)
        again = read_department_workbook(data_filled, store, name="random.xlsx")
        assert again.empty, again.lines("en")
        fresh = read_department_workbook(export(store, department, lang=lang), store)
        assert fresh.empty, fresh.lines("en")
        assert footprint(store.url) == after
