"""The main job on the embedded plan: ``aomori-roadmap demo``.

It validates and schedules the plan, keeps a status store in the output folder with a
believable history for the illustrative roadmaps (so that every view has something to show),
records the FY2024 half-year reviews (the departments' self-assessments and the plan office's
ratings), and writes what the plan office would hand out: the Gantt chart (HTML), its JSON and
the Excel 工程表, the review and milestone calendar feeds, the schedule, and the FY2024 annual
report (HTML and Excel). It also gives the reminders of a day in that history, and runs the
half-year loop with the departments: it writes every department's progress workbook for the
half that ended last, fills one in as the department would (a task reported done on a date
typed in 和暦, a self-assessment and its achievements) and imports it back into the store.

The history is made up, deterministically: every task starts on its planned start or a few
working days later, reports progress, and is done on its planned finish or a little later;
one task is put on hold. Every event lies before ``today`` (the store refuses events
later than the time it records them). It is recorded against the baseline ``当初計画`` (the plan as saved
before any history). Nothing here reads the clock: ``today`` is a parameter.

>>> import tempfile
>>> from datetime import date
>>> from pathlib import Path
>>> from aomori_roadmap.plan.loader import default_plan
>>> with tempfile.TemporaryDirectory() as tmp:
...     result = run_demo(default_plan(), Path(tmp), today=date(2026, 11, 26))
...     sorted(p.relative_to(tmp).as_posix() for p in result.files)[:3]
['aomori-roadmap.db', 'feed-milestones.ics', 'feed-reviews.ics']
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aomori_roadmap.calendar import Half
from aomori_roadmap.engine.reminders import reminders, reminders_text, window_end
from aomori_roadmap.engine.schedule import Schedule, plan_calendar, schedule
from aomori_roadmap.engine.status import Status, StatusChange
from aomori_roadmap.export import annual_report, report_html, report_xlsx
from aomori_roadmap.export.render import render_feed, render_gantt
from aomori_roadmap.i18n import language
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.site import write_site
from aomori_roadmap.store import Store
from aomori_roadmap.views.snapshot import Snapshot, take_snapshot

__all__ = ["BASELINE", "REMINDERS_DAY", "DemoResult", "demo_history", "run_demo"]

BASELINE = "当初計画"
FY2024_H2_END = Half(2024, 2).end
REMINDERS_DAY = date(2025, 10, 6)
"""A day in the demo's history: a week before the FY2025-H1 submissions are due."""

# The demo's history is made-up data about the embedded (Japanese) plan, stored as it would be
# written by the plan office: its department, the notes and the review texts stay in Japanese.
_PLAN_OFFICE = "DX推進課"
_HOLD_NOTE = "予算措置待ちのため一時保留"

_REPORTED = "予定した工程を完了した（例示）"  # what the department writes in its workbook
_RATINGS = ("◎", "○", "○", "○", "△", "△", "×")
_OFFICE_COMMENTS = {
    "◎": "予定を上回って進んでいる。成果を他分野へ展開されたい。",
    "○": "概ね予定どおり。引き続き着実に進められたい。",
    "△": "一部に遅れがある。次期の工程を見直し、遅れを取り戻されたい。",
    "×": "遅れている。原因を分析し、ロードマップの見直しを検討されたい。",
}


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What the demo wrote and the two snapshots it reports."""

    files: list[Path]
    store_url: str
    recorded: int
    end_of_fy2024: Snapshot
    today: Snapshot
    reminders: str
    workbook: list[str]
    """What the filled workbook changed, as the import shows it (empty: nothing new)."""


def _noon(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(12, 0), tz)


def _draw(ref: str, salt: str, modulo: int) -> int:
    """A stable pseudo-random number per task: the demo gives the same history every run."""
    return zlib.crc32(f"{salt}:{ref}".encode()) % modulo


def _task_history(
    ref: str, actor: str, planned: Schedule, today: date, tz: ZoneInfo
) -> Iterator[StatusChange]:
    task = planned.tasks[ref]
    calendar = planned.calendar
    start = calendar.add_working_days(task.early_start, _draw(ref, "start", 6))
    if task.milestone:
        if task.early_finish < today:
            yield StatusChange(ref, "done", actor, effective=_noon(task.early_finish, tz))
        return
    if start >= today:
        return
    yield StatusChange(ref, "in_progress", actor, progress=5, effective=_noon(start, tz))
    finish = calendar.add_working_days(task.early_finish, _draw(ref, "finish", 12) - 3)
    middle = start + (min(finish, today) - start) / 2
    if start < middle < today:
        share = 30 + _draw(ref, "progress", 40)
        yield StatusChange(ref, "in_progress", actor, progress=share, effective=_noon(middle, tz))
    if finish < today:
        yield StatusChange(ref, "done", actor, effective=_noon(max(finish, start), tz))
    elif _draw(ref, "hold", 9) == 0:
        held = min(middle + timedelta(days=7), today - timedelta(days=1))
        yield StatusChange(ref, "on_hold", actor, effective=_noon(held, tz), note=_HOLD_NOTE)


def demo_history(plan: Plan, planned: Schedule, today: date) -> list[StatusChange]:
    """A believable status history of the plan's illustrative roadmaps up to ``today``.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> plan = default_plan()
    >>> changes = demo_history(plan, schedule(plan), date(2025, 3, 31))
    >>> {c.status for c in changes} >= {"in_progress", "done"}
    True
    """
    tz = ZoneInfo(plan.timezone)
    names = {d.id: d.name for d in plan.departments}
    changes: list[StatusChange] = []
    for ref, initiative, _task in plan.iter_tasks():
        if not initiative.illustrative:
            continue
        actor = names.get(initiative.department or "", _PLAN_OFFICE)
        changes.extend(_task_history(ref, actor, planned, today, tz))
    changes += _one_on_hold(changes, today, tz)
    changes.sort(key=lambda c: (c.effective or datetime.min.replace(tzinfo=tz), c.ref))
    return changes


def _one_on_hold(changes: list[StatusChange], today: date, tz: ZoneInfo) -> list[StatusChange]:
    """Put one task that is still running on hold, a week after its last report."""
    last: dict[str, StatusChange] = {}
    for change in changes:
        last[change.ref] = change
    running = sorted(
        (c for c in last.values() if c.status == "in_progress" and c.effective is not None),
        key=lambda c: _draw(c.ref, "hold", 1 << 30),
    )
    if not running or running[0].effective is None:
        return []
    chosen, reported = running[0], running[0].effective.date()
    held = min(reported + timedelta(days=7), today - timedelta(days=1))
    if held <= reported:
        return []
    note = _HOLD_NOTE
    return [StatusChange(chosen.ref, "on_hold", chosen.actor, effective=_noon(held, tz), note=note)]


class _HistoryClock:
    """The time the demo's records are made at: when they happened, moved on by hand.

    The store then knows each record from the day it was made, as a real one would, so a
    view of a past day as known on that day (the progress site of a cycle) shows what was
    known then.
    """

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def _record_as_it_happened(
    plan: Plan, store: Store, clock: _HistoryClock, history: list[StatusChange]
) -> int:
    """Record the history and the FY2024 reviews in the order they happened, each change an
    hour after it happened, each review step on its cycle's due date or meeting day."""
    tz = ZoneInfo(plan.timezone)
    steps: list[tuple[datetime, int, Callable[[], int]]] = []
    for n, change in enumerate(history):
        when = (change.effective or clock.now) + timedelta(hours=1)
        steps.append((when, n, lambda change=change: store.record_batch([change])))  # type: ignore[misc]
    for n, (when, step) in enumerate(_review_steps(plan, store, tz), start=len(history)):
        steps.append((when, n, step))
    recorded = 0
    for when, _n, step in sorted(steps, key=lambda s: (s[0], s[1])):
        clock.now = max(clock.now, when)
        recorded += step()
    return recorded


def _review_steps(
    plan: Plan, store: Store, tz: ZoneInfo
) -> Iterator[tuple[datetime, Callable[[], int]]]:
    """The FY2024 reviews: every covered illustrative initiative submitted (on its cycle's due
    date) and was rated (on the meeting day)."""
    names = {d.id: d.name for d in plan.departments}
    for cycle in store.reviews.cycles():
        if cycle.code not in ("FY2024-H1", "FY2024-H2"):
            continue
        for initiative_id in cycle.initiatives:
            initiative = plan.initiative(initiative_id)
            if not initiative.illustrative:
                continue
            own = _RATINGS[_draw(initiative_id + cycle.code, "self", len(_RATINGS))]
            rated = _RATINGS[_draw(initiative_id + cycle.code, "office", len(_RATINGS))]
            actor = names.get(initiative.department or "", _PLAN_OFFICE)

            def submit(code: str = cycle.code, key: str = initiative_id, rating: str = own,
                       who: str = actor) -> int:  # fmt: skip
                store.reviews.submit(
                    code, key, rating=rating, actor=who,
                    achievements="計画した工程を実施した（例示）",
                    issues="関係機関との調整に時間を要している（例示）",
                    next_steps="次期の工程を着実に進める（例示）",
                )  # fmt: skip
                return 1

            def review(
                code: str = cycle.code, key: str = initiative_id, rating: str = rated
            ) -> int:
                store.reviews.review(
                    code, key, rating=rating, actor=_PLAN_OFFICE, comment=_OFFICE_COMMENTS[rating]
                )
                return 1

            yield _noon(cycle.submission_due, tz), submit
            yield _noon(cycle.meeting_by, tz), review


def _write(path: Path, payload: str | bytes) -> Path:
    if isinstance(payload, bytes):
        path.write_bytes(payload)
    else:
        path.write_text(payload, encoding="utf-8")
    return path


def run_demo(plan: Plan, out_dir: Path, *, today: date) -> DemoResult:
    """Run the demo into ``out_dir``; its store is reused when it already has the history.

    The reminders and the files are in the language chosen now
    (:func:`aomori_roadmap.i18n.language`); the made-up history stays in Japanese, as data.

    Raises:
        RoadmapError: the plan cannot be scheduled, or the store refuses.
    """
    lang = language()
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = out_dir / "aomori-roadmap.db"
    url = f"sqlite:///{db_path}"
    calendar = plan_calendar(plan)
    planned = schedule(plan, calendar=calendar)
    history = demo_history(plan, planned, today)
    recorded = 0
    tz = ZoneInfo(plan.timezone)
    clock = _HistoryClock(datetime.combine(plan.period.start.start, time(9), tz))
    with Store(url, plan=plan, clock=clock) as store:
        if not store.revisions():
            store.save_revision(plan, _PLAN_OFFICE, "当初計画（デモ）")
            store.set_baseline(BASELINE, actor=_PLAN_OFFICE, note="デモの基準線")
            recorded = _record_as_it_happened(plan, store, clock, history)
        clock.now = max(clock.now, _noon(today, tz))  # the departments' half happens today
        # The departments' half first, so that every output below shows what they sent back.
        books, workbook = _department_loop(plan, store, history, today, out_dir / "workbooks")
        end_of_fy2024 = take_snapshot(plan, store, as_of=FY2024_H2_END, baseline=BASELINE)
        now = take_snapshot(plan, store, as_of=today, baseline=BASELINE)
        report = annual_report(
            end_of_fy2024, store.reviews.records(), store.kpis.actuals(), fy=2024
        )
        day = min(REMINDERS_DAY, today)
        at_day = take_snapshot(plan, store, as_of=day)
        groups = reminders(plan, at_day, store.reviews.stages(), as_of=day, within="14d", lang=lang)
        reminder_text = reminders_text(
            groups, lang=lang, as_of=day, until=window_end(at_day, "14d")
        )
    files = [db_path, *books]
    files.append(_write(out_dir / "schedule.json", _schedule_json(planned)))
    files.append(_write(out_dir / "gantt.html", render_gantt(now, "html", lang=lang)))
    files.append(_write(out_dir / "gantt.json", render_gantt(now, "json", lang=lang)))
    files.append(_write(out_dir / "gantt.xlsx", render_gantt(now, "xlsx", lang=lang)))
    files.append(_write(out_dir / "feed-reviews.ics", render_feed(now, "reviews", lang=lang)))
    files.append(_write(out_dir / "feed-milestones.ics", render_feed(now, "milestones", lang=lang)))
    files.append(_write(out_dir / "report-FY2024.html", report_html(report, lang=lang)))
    files.append(_write(out_dir / "report-FY2024.xlsx", report_xlsx(report, lang=lang)))
    with Store(url, plan=plan, clock=clock) as store:
        write_site(out_dir / "site", plan, store, as_of=today, lang=lang, today=today)
    files += [out_dir / "site" / page for page in ("index.html", "changes.html")]
    return DemoResult(files, url, recorded, end_of_fy2024, now, reminder_text, workbook)


def _reported_done(plan: Plan, history: list[StatusChange], covered: set[str]) -> str | None:
    """A task the demo history leaves running, in a covered initiative: the one the
    department reports done in its workbook (the same one on every run)."""
    last: dict[str, str] = {}
    for change in history:
        last[change.ref] = str(change.status)
    for ref, initiative, _task in plan.iter_tasks():
        if initiative.id in covered and initiative.department and last.get(ref) == "in_progress":
            return ref
    return None


def _department_loop(
    plan: Plan, store: Store, history: list[StatusChange], today: date, folder: Path
) -> tuple[list[Path], list[str]]:
    """Every department's workbook for the half that ended last; one filled in and imported."""
    from aomori_roadmap.calendar import format_wareki
    from aomori_roadmap.workbook import department_workbooks, read_department_workbook
    from aomori_roadmap.workbook.fill import fill_workbook
    from aomori_roadmap.workbook.out import workbook_file_name

    lang = language()
    snapshot = take_snapshot(plan, store, as_of=today)
    ended = [c for c in snapshot.cycles if c.snapshot <= today]
    if not ended:
        return [], []
    cycle = ended[-1]
    folder.mkdir(parents=True, exist_ok=True)
    books = department_workbooks(snapshot, cycle, store=store, lang=lang)
    files = [_write(folder / name, data) for name, data in books]
    ref = _reported_done(plan, history, set(cycle.initiatives))
    if ref is None:
        return files, []
    initiative = plan.initiative(ref.split("/")[0])
    department = initiative.department or ""
    name = workbook_file_name(plan, cycle, department, lang)
    sent = (folder / name).read_bytes()
    filled = fill_workbook(
        sent,
        plan,
        {
            ("tasks", ref, "status"): Status.DONE.label(lang),
            ("tasks", ref, "finished"): format_wareki(today),
            ("initiatives", initiative.id, "rating"): "○",
            ("initiatives", initiative.id, "achievements"): _REPORTED,
        },
    )
    files.append(_write(folder / f"filled-{name}", filled))
    changes = read_department_workbook(filled, store, name=f"filled-{name}")
    changes.apply(store)
    return files, changes.lines(lang)


def _schedule_json(computed: Schedule) -> str:
    return json.dumps(computed.to_json(), ensure_ascii=False, indent=2) + "\n"
