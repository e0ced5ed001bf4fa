"""The annual progress report (年次進捗報告) to the 青森県DX推進本部: data, Markdown and HTML.

:func:`annual_report` gathers, from one :class:`~aomori_roadmap.views.snapshot.Snapshot` (as of the
end of the fiscal year, or an earlier date for an interim report), the review records and the
KPI actual values, everything the report says, as one JSON-ready dict:

- **per field and item** (分野・項目), the initiatives with their status, progress, lateness,
  planned span and the latest ratings of the year's two reviews (self-assessment and the
  office's rating, with the department's 成果・課題・今後の取組);
- the **rating distribution** of each review of the year;
- the **KPI table**: baseline, target, the year's actual, the expected value (to two
  decimals), the achievement rate and the status (``未設定`` when a value is missing);
- the **tasks slipped** against the baseline (or the plan, without one), in working days;
- **what changed since the previous report**, marked as the prefecture's progress dashboard
  marks it: ``新規`` (new), ``変更`` (changed: dates or status), ``完了`` (done);
- the **next fiscal year's milestones**.

:func:`report_markdown` and :func:`report_html` render that dict; the Excel workbook is
:func:`aomori_roadmap.export.excel.report_xlsx`. The HTML page is self-contained (no script,
no network: its Content-Security-Policy forbids both), prints on A4 portrait and draws the
rating distribution and the KPI progress as inline SVG. Every text from the plan, the store or
the reviews is cleaned and escaped. The same input gives the same output.

>>> from datetime import date
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.views.snapshot import take_snapshot
>>> snap = take_snapshot(default_plan(), as_of=date(2025, 3, 31))
>>> report = annual_report(snap, [], [], fy=2024)
>>> report["fy_label"], [f["name"] for f in report["fields"]]
('2024年度（令和6年度）', ['産業・しごと', '暮らし・まち', '行政経営'])
>>> report["kpis"][0]["status"]
'unset'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeAlias

from aomori_roadmap.calendar import FiscalYear, format_wareki, parse_period
from aomori_roadmap.engine.kpi import KpiStatus, progress
from aomori_roadmap.engine.status import Lateness, Status
from aomori_roadmap.errors import PlanError
from aomori_roadmap.export.svg import FONT_STACK, clean, esc, num

if TYPE_CHECKING:  # type-only: the report reads what the store and the snapshot give it
    from aomori_roadmap.store.review_log import KpiActual, ReviewRecord
    from aomori_roadmap.views.snapshot import Snapshot

__all__ = [
    "MARKS",
    "annual_report",
    "report_html",
    "report_markdown",
]


MARKS = {
    "ja": {"new": "新規", "changed": "変更", "done": "完了"},
    "en": {"new": "New", "changed": "Changed", "done": "Done"},
}
"""The marks of the changes since the previous report, as the prefecture's dashboard shows them."""

_WORST = {Lateness.ON_TRACK.value: 0, Lateness.AT_RISK.value: 1, Lateness.LATE.value: 2}


# --- the data -------------------------------------------------------------------------------


def _fiscal_year(fy: int | str | FiscalYear) -> FiscalYear:
    if isinstance(fy, FiscalYear):
        return fy
    if isinstance(fy, int) and not isinstance(fy, bool):
        return FiscalYear(fy)
    if isinstance(fy, str):
        text = fy.strip()
        period = FiscalYear(int(text)) if text.isdigit() else parse_period(text)
        if isinstance(period, FiscalYear):
            return period
    raise PlanError(f"'{fy}' は年度ではありません（例: 2025, FY2025, 令和7年度）。")


Reviews: TypeAlias = "dict[tuple[str, str, str], ReviewRecord]"
"""The standing record of each ``(cycle, initiative, stage)`` of the year's cycles."""


def _standing(records: Iterable[ReviewRecord], cycles: list[str]) -> Reviews:
    latest: Reviews = {}
    for record in sorted(records, key=lambda r: r.id):  # later records replace earlier ones
        if record.corrected_by is None and record.cycle in cycles:
            latest[(record.cycle, record.initiative, record.stage)] = record
    return latest


def _review_entry(reviews: Reviews, cycle: str, initiative: str) -> dict[str, Any]:
    own = reviews.get((cycle, initiative, "submitted"))
    office = reviews.get((cycle, initiative, "reviewed"))
    texts = {key: "" if own is None else getattr(own, key)
             for key in ("achievements", "issues", "next_steps")}  # fmt: skip
    return {
        "cycle": cycle, "self": None if own is None else own.rating,
        "office": None if office is None else office.rating, **texts,
        "comment": "" if office is None else office.comment,
    }  # fmt: skip


def _task_rows(snapshot: Snapshot) -> list[dict[str, Any]]:
    rows = []
    for ref, initiative, task in snapshot.plan.iter_tasks():
        current = snapshot.current.tasks.get(ref)
        if current is None:
            continue
        state, lateness = snapshot.states.get(ref), snapshot.lateness.get(ref)
        rows.append({
            "ref": ref, "initiative": initiative.id, "initiative_name": initiative.name,
            "name": task.name, "milestone": task.milestone,
            "status": Status.PLANNED.value if state is None else state.status.value,
            "progress": 0 if state is None else state.progress,
            "lateness": None if lateness is None else lateness.value,
            "start": current.early_start.isoformat(), "finish": current.early_finish.isoformat(),
            "duration_days": current.duration_days,
        })  # fmt: skip
    return rows


def _count(rows: Iterable[Mapping[str, Any]], key: str, value: str) -> int:
    return sum(1 for row in rows if row[key] == value)


def _initiative_status(own: Any, tasks: list[dict[str, Any]]) -> tuple[str, int]:
    """An initiative's status and progress: its own state, else what its tasks add up to."""
    if own is not None:
        return own.status.value, own.progress
    live = [t for t in tasks if t["status"] != Status.CANCELLED.value]
    if not tasks:
        return Status.PLANNED.value, 0
    if not live:
        return Status.CANCELLED.value, 0
    weights = [max(t["duration_days"], 1) for t in live]
    share = sum(w * t["progress"] for w, t in zip(weights, live, strict=True)) / sum(weights)
    statuses = {t["status"] for t in live}
    if statuses == {Status.DONE.value}:
        return Status.DONE.value, 100
    if statuses & {Status.IN_PROGRESS.value, Status.DONE.value}:
        return Status.IN_PROGRESS.value, round(share)
    if Status.ON_HOLD.value in statuses:
        return Status.ON_HOLD.value, round(share)
    return Status.PLANNED.value, round(share)


def _initiatives(
    snapshot: Snapshot, tasks: list[dict[str, Any]], reviews: Reviews, cycles: list[str]
) -> dict[str, dict[str, Any]]:
    plan = snapshot.plan
    departments = {d.id: d.name for d in plan.departments}
    by_initiative: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        by_initiative.setdefault(task["initiative"], []).append(task)
    found = {}
    for initiative in plan.initiatives:
        own = by_initiative.get(initiative.id, [])
        status, share = _initiative_status(snapshot.states.get(initiative.id), own)
        worst = max((_WORST.get(t["lateness"] or "", 0) for t in own), default=0)
        span = snapshot.current.initiatives.get(initiative.id)
        found[initiative.id] = {
            "id": initiative.id, "name": initiative.name, "department": initiative.department,
            "department_name": departments.get(initiative.department or ""),
            "status": status, "progress": share,
            "lateness": next(k for k, v in _WORST.items() if v == worst) if own else None,
            "start": None if span is None else span.start.isoformat(),
            "finish": None if span is None else span.finish.isoformat(),
            "tasks": len(own), "tasks_done": _count(own, "status", Status.DONE),
            "late": _count(own, "lateness", Lateness.LATE),
            "at_risk": _count(own, "lateness", Lateness.AT_RISK),
            "reviews": [_review_entry(reviews, code, initiative.id) for code in cycles],
            "change": None,
        }  # fmt: skip
    return found


def _structure(snapshot: Snapshot, initiatives: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Fields → items → initiatives, in plan order; initiatives without an item come last."""
    plan = snapshot.plan
    per_item: dict[str | None, list[dict[str, Any]]] = {}
    known_items = {item.id for item in plan.items}
    for initiative in plan.initiatives:
        key = initiative.item if initiative.item in known_items else None
        per_item.setdefault(key, []).append(initiatives[initiative.id])
    fields: list[dict[str, Any]] = []
    for f in plan.fields:
        items = [
            {"id": item.id, "name": item.name, "initiatives": per_item.get(item.id, [])}
            for item in plan.items
            if item.field == f.id
        ]
        fields.append({"id": f.id, "name": f.name, "items": items})
    if per_item.get(None):
        rest = {"id": None, "name": None, "initiatives": per_item[None]}
        fields.append({"id": None, "name": None, "items": [rest]})
    return fields


def _distribution(snapshot: Snapshot, reviews: Reviews, cycles: list[str]) -> list[dict[str, Any]]:
    scale = [r.symbol for r in snapshot.plan.review_policy.ratings]
    covered = {c.code: c.initiatives for c in snapshot.cycles}
    rows = []
    for code in cycles:
        for stage in ("submitted", "reviewed"):
            counts = dict.fromkeys(scale, 0)
            missing = 0
            for initiative in covered.get(code, ()):
                record = reviews.get((code, initiative, stage))
                if record is None or record.rating not in counts:
                    missing += 1
                else:
                    counts[record.rating] += 1
            rows.append({"cycle": code, "stage": stage, "counts": counts, "missing": missing})
    return rows


def _kpis(snapshot: Snapshot, values: Iterable[KpiActual], fy: int) -> list[dict[str, Any]]:
    by_kpi: dict[str, dict[int, float]] = {}
    for value in values:
        by_kpi.setdefault(value.kpi, {})[value.fy] = float(value.value)
    rows = []
    for kpi in snapshot.plan.kpis:
        actuals = by_kpi.get(kpi.id, {})
        standing = progress(kpi, fy, actuals.get(fy))
        rows.append({
            "id": kpi.id, "name": kpi.name, "unit": kpi.unit, "direction": kpi.direction,
            "field": kpi.field, "source": kpi.source,
            "baseline": kpi.baseline.value, "baseline_fy": kpi.baseline.fy,
            "target": kpi.target.value, "target_fy": kpi.target.fy,
            "actual": standing.actual, "rate": standing.rate,
            "expected": None if standing.expected is None else round(standing.expected, 2),
            "status": standing.status.value,
            "actuals": [{"fy": y, "value": v} for y, v in sorted(actuals.items())],
        })  # fmt: skip
    return rows


def _slipped(snapshot: Snapshot, tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tasks whose current finish is later than the baseline's (the plan's, without one)."""
    yardstick = snapshot.baseline or snapshot.planned
    calendar = snapshot.current.calendar
    rows = []
    for task in tasks:
        now, then = snapshot.current.tasks[task["ref"]], yardstick.tasks.get(task["ref"])
        if then is None or now.early_finish <= then.early_finish:
            continue
        rows.append({
            "ref": task["ref"], "initiative": task["initiative"],
            "initiative_name": task["initiative_name"], "name": task["name"],
            "planned_start": then.early_start.isoformat(),
            "planned_finish": then.early_finish.isoformat(),
            "start": task["start"], "finish": task["finish"],
            "days": calendar.working_days_between(then.early_finish, now.early_finish),
        })  # fmt: skip
    return sorted(rows, key=lambda r: (-r["days"], r["ref"]))


def _milestones(tasks: list[dict[str, Any]], fy: FiscalYear) -> list[dict[str, Any]]:
    following = fy.next()
    keys = ("ref", "initiative", "initiative_name", "name", "status")
    return [
        {**{key: task[key] for key in keys}, "date": task["finish"]}
        for task in sorted(tasks, key=lambda t: (t["finish"], t["ref"]))
        if task["milestone"] and following.contains(date.fromisoformat(task["finish"]))
    ]


def _changes(report: dict[str, Any], previous: Mapping[str, Any]) -> list[dict[str, Any]]:
    """New, changed and done initiatives and tasks since ``previous`` (an earlier report)."""
    changes = []
    before_initiatives = {
        i["id"]: i
        for f in previous.get("fields") or []
        for item in f.get("items") or []
        for i in item.get("initiatives") or []
    }
    before_tasks = {t["ref"]: t for t in previous.get("tasks") or []}
    now_initiatives = [
        i for f in report["fields"] for item in f["items"] for i in item["initiatives"]
    ]
    pairs: list[tuple[str, dict[str, Any], Mapping[str, Any] | None]] = [
        ("initiative", i, before_initiatives.get(i["id"])) for i in now_initiatives
    ]
    pairs += [("task", t, before_tasks.get(t["ref"])) for t in report["tasks"]]
    for kind, now, then in pairs:
        key = now["id"] if kind == "initiative" else now["ref"]
        details = []
        if then is None:
            mark = "new"
        elif now["status"] == Status.DONE.value and then.get("status") != Status.DONE.value:
            mark = "done"
        else:
            if then.get("status") != now["status"]:
                details.append(("status", then.get("status"), now["status"]))
            for part in ("start", "finish"):
                if then.get(part) != now[part]:
                    details.append((part, then.get(part), now[part]))
            if not details:
                continue
            mark = "changed"
        if kind == "initiative":
            now["change"] = mark
        changes.append({
            "mark": mark, "kind": kind, "ref": key, "name": now["name"],
            "initiative_name": now.get("initiative_name", now["name"]),
            "details": [{"what": w, "before": b, "after": a} for w, b, a in details],
        })  # fmt: skip
    return changes


def annual_report(
    snapshot: Snapshot,
    review_log_records: Iterable[ReviewRecord],
    kpi_actuals: Iterable[KpiActual],
    *,
    fy: int | str | FiscalYear,
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The annual progress report of fiscal year ``fy`` as JSON-ready data.

    Args:
        snapshot: the plan as of the report's date (normally the last day of ``fy``).
        review_log_records: review records (``ReviewLog.records()``); corrected ones and
            those of other years are left out here.
        kpi_actuals: the standing KPI values (``KpiLog.actuals()``).
        fy: the fiscal year reported (2025, ``FY2025``, ``令和7年度``).
        previous: the previous report (this function's result for the year before, or its
            JSON as saved then); ``None``: no changes section (``changes`` is ``None``).

    Raises:
        PlanError: ``fy`` is not a fiscal year, or lies outside the plan.
    """
    year = _fiscal_year(fy)
    plan = snapshot.plan
    if not plan.period.start <= year <= plan.period.end:
        raise PlanError(
            f"{year.code} はプランの期間（{plan.period.start.code}–{plan.period.end.code}）の外です。"
        )
    cycles = [half.code for half in year.halves()]
    reviews = _standing(review_log_records, cycles)
    tasks = _task_rows(snapshot)
    initiatives = _initiatives(snapshot, tasks, reviews, cycles)
    slipped = _slipped(snapshot, tasks)
    kpis = _kpis(snapshot, kpi_actuals, year.year)
    report: dict[str, Any] = {
        "report": "annual-progress", "plan": {"id": plan.id, "name": plan.name},
        "fy": year.year, "fy_label": year.label(),
        "period": {"start": year.start.isoformat(), "end": year.end.isoformat()},
        "as_of": snapshot.as_of.isoformat(), "baseline": snapshot.baseline_name,
        "cycles": cycles,
        "scale": [{"symbol": r.symbol, "label": r.label} for r in plan.review_policy.ratings],
        "distribution": _distribution(snapshot, reviews, cycles),
        "fields": _structure(snapshot, initiatives), "kpis": kpis, "slipped": slipped,
        "next_milestones": _milestones(tasks, year), "tasks": tasks,
        "changes": None, "previous": None,
    }  # fmt: skip
    if previous is not None:
        report["changes"] = _changes(report, previous)
        report["previous"] = {"fy": previous.get("fy"), "as_of": previous.get("as_of")}
    report["summary"] = {
        "initiatives": len(initiatives), "tasks": len(tasks),
        "done": _count(tasks, "status", Status.DONE),
        "in_progress": _count(tasks, "status", Status.IN_PROGRESS),
        "late": _count(tasks, "lateness", Lateness.LATE),
        "at_risk": _count(tasks, "lateness", Lateness.AT_RISK),
        "slipped": len(slipped), "kpis": len(kpis),
        "kpis_unset": _count(kpis, "status", KpiStatus.UNSET),
    }  # fmt: skip
    return report


# --- words ----------------------------------------------------------------------------------

_WORDS: dict[str, dict[str, Any]] = {
    "ja": {
        "title": "{plan} {fy} 進捗状況報告", "as_of": "基準日 {date}（{wareki}）",
        "yardstick": "遅れの基準: {name}", "plan_yardstick": "計画（基準線なし）",
        "baseline_yardstick": "基準線「{name}」", "summary": "概要",
        "summary_labels": {
            "initiatives": "取組", "tasks": "工程", "done": "完了した工程",
            "in_progress": "実施中の工程", "late": "遅延", "at_risk": "要注意",
            "slipped": "基準より遅れた工程", "kpis_unset": "未設定の成果指標",
        },
        "initiatives": "分野・項目別の取組の状況", "no_item": "（項目未設定）",
        "no_initiatives": "ロードマップのある取組がない項目: {names}",
        "columns": ("取組", "担当課", "状況", "進捗", "遅延", "工程（完了/全体）"),
        "self": "自己評価", "office": "県の評価", "achievements": "成果", "issues": "課題",
        "next_steps": "今後の取組", "comment": "県のコメント", "ratings": "評価の分布",
        "missing": {"submitted": "未提出", "reviewed": "未評価"},
        "stage": {"submitted": "自己評価", "reviewed": "県の評価"},
        "kpis": "成果指標（KPI）", "unset": "未設定", "direction": {"up": "↑", "down": "↓"},
        "kpi_columns": ("成果指標", "基準値", "目標値", "実績", "見込み値", "達成率", "状況"),
        "slipped": "基準より遅れた工程",
        "slipped_columns": ("取組", "工程", "基準の終了", "現在の終了", "遅れ（勤務日）"),
        "none": "ありません。", "changes": "前回の報告からの変更",
        "no_previous": "前回の報告がないため、変更は示していません。",
        "change_columns": ("種類", "取組・工程", "内容"),
        "kinds": {"initiative": "取組", "task": "工程"},
        "what": {"status": "状況", "start": "開始", "finish": "終了"},
        "milestones": "{fy}のマイルストーン",
        "milestone_columns": ("日付", "取組", "マイルストーン", "状況"),
        "footer": "aomori-roadmap report で作成",
    },
    "en": {
        "title": "{plan}: progress report {fy}", "as_of": "As of {date} ({wareki})",
        "yardstick": "Slips measured against: {name}", "plan_yardstick": "the plan (no baseline)",
        "baseline_yardstick": "baseline “{name}”", "summary": "Summary",
        "summary_labels": {
            "initiatives": "Initiatives", "tasks": "Tasks", "done": "Tasks done",
            "in_progress": "Tasks in progress", "late": "Late", "at_risk": "At risk",
            "slipped": "Tasks slipped", "kpis_unset": "KPIs not set",
        },
        "initiatives": "Initiatives by field and item", "no_item": "(no item)",
        "no_initiatives": "Items without an initiative with a roadmap: {names}",
        "columns": ("Initiative", "Department", "Status", "Progress", "Lateness",
                    "Tasks (done/all)"),
        "self": "Self-assessment", "office": "Office rating", "achievements": "Achievements",
        "issues": "Issues", "next_steps": "Next steps", "comment": "Office comment",
        "ratings": "Rating distribution",
        "missing": {"submitted": "not submitted", "reviewed": "not rated"},
        "stage": {"submitted": "Self-assessment", "reviewed": "Office rating"},
        "kpis": "KPIs", "unset": "not set", "direction": {"up": "↑", "down": "↓"},
        "kpi_columns": ("KPI", "Baseline", "Target", "Actual", "Expected", "Rate", "Status"),
        "slipped": "Tasks slipped against the yardstick",
        "slipped_columns": ("Initiative", "Task", "Planned finish", "Current finish",
                            "Slip (working days)"),
        "none": "None.", "changes": "Changes since the previous report",
        "no_previous": "No previous report: changes are not shown.",
        "change_columns": ("Kind", "Initiative / task", "Details"),
        "kinds": {"initiative": "Initiative", "task": "Task"},
        "what": {"status": "status", "start": "start", "finish": "finish"},
        "milestones": "Milestones in {fy}",
        "milestone_columns": ("Date", "Initiative", "Milestone", "Status"),
        "footer": "Made with aomori-roadmap report",
    },
}  # fmt: skip


def _words(lang: str) -> dict[str, Any]:
    if lang not in _WORDS:
        raise PlanError(f"ラベルの言語 {lang!r} は使えません。使える言語: ja, en")
    return _WORDS[lang]


def _number(value: float | None, unset: str) -> str:
    if value is None:
        return unset
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _rate(value: float | None, unset: str) -> str:
    return unset if value is None else f"{value:.1f}%"


def _status(code: str | None, lang: str) -> str:
    return Status(code or "planned").label(lang)


def _lateness(code: str | None, lang: str) -> str:
    return "" if not code else Lateness(code).label(lang)


def _cycle_label(code: str, lang: str) -> str:
    return parse_period(code).label(lang)


def _title(report: Mapping[str, Any], lang: str) -> str:
    fy = FiscalYear(int(report["fy"])).label(lang)
    return str(_words(lang)["title"].format(plan=report["plan"]["name"], fy=fy))


def _yardstick(report: Mapping[str, Any], lang: str) -> str:
    w = _words(lang)
    name = report.get("baseline")
    which = w["baseline_yardstick"].format(name=name) if name else w["plan_yardstick"]
    return str(w["yardstick"].format(name=which))


def _detail(change: Mapping[str, Any], lang: str) -> str:
    w = _words(lang)
    parts = []
    for d in change["details"]:
        before, after = d["before"], d["after"]
        if d["what"] == "status":
            before, after = _status(before, lang), _status(after, lang)
        parts.append(f"{w['what'][d['what']]} {before or '—'} → {after}")
    return "、".join(parts) if lang == "ja" else "; ".join(parts)


def _next_fy(report: Mapping[str, Any], lang: str) -> str:
    return FiscalYear(int(report["fy"]) + 1).label(lang)


# --- one document, two renderings -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cell:
    """A table cell: its text, a change mark, notes under it (成果・課題…), a style class."""

    text: str
    mark: str | None = None
    notes: tuple[tuple[str, str], ...] = ()
    kind: str = ""


Block = tuple[str, Any]
"""One piece of the document: ``(kind, content)``; kinds h1–h4, meta, p, cards, table, figure."""


def _rating_pair(review: Mapping[str, Any]) -> str:
    return f"{review['self'] or '－'} / {review['office'] or '－'}"


def _initiative_row(i: Mapping[str, Any], lang: str) -> list[_Cell]:
    w = _words(lang)
    notes = tuple(
        (f"{_cycle_label(review['cycle'], lang)} {w[key]}", review[key])
        for review in i["reviews"]
        for key in ("achievements", "issues", "next_steps", "comment")
        if review[key]
    )
    late = i["lateness"] if i["lateness"] in _LATE_COLOURS else ""
    return [
        _Cell(i["name"], i["change"], notes), _Cell(i["department_name"] or "", kind="s"),
        _Cell(_status(i["status"], lang), kind="s"), _Cell(f"{i['progress']}%", kind="n"),
        _Cell(_lateness(i["lateness"], lang), kind=f"s {late}".strip()),
        _Cell(f"{i['tasks_done']}/{i['tasks']}", kind="n"),
        *(_Cell(_rating_pair(r), kind="r") for r in i["reviews"]),
    ]  # fmt: skip


def _table(header: Iterable[str], rows: Iterable[Iterable[object]], kinds: str = "") -> Block:
    """A table block; ``kinds`` gives each column's class: ``n`` number, ``r`` centred."""
    cells = [
        [c if isinstance(c, _Cell) else _Cell(str(c), kind=kinds[n:n + 1].strip())
         for n, c in enumerate(row)]
        for row in rows
    ]  # fmt: skip
    return ("table", (list(header), cells))


def _section(
    title: str, rows: list[list[Any]], header: Iterable[str], kinds: str, none: str
) -> list[Block]:
    """A titled table, or the word for "none" when there are no rows."""
    return [("h2", title), _table(header, rows, kinds) if rows else ("p", none)]


def _blocks(report: Mapping[str, Any], lang: str) -> list[Block]:
    w = _words(lang)
    as_of = date.fromisoformat(report["as_of"])
    blocks: list[Block] = [
        ("h1", _title(report, lang)),
        ("meta", w["as_of"].format(date=as_of.isoformat(), wareki=format_wareki(as_of))),
        ("meta", _yardstick(report, lang)),
        ("h2", w["summary"]),
        ("cards", [(report["summary"][k], label) for k, label in w["summary_labels"].items()]),
        ("h2", w["initiatives"]),
    ]
    cycles = report["cycles"]
    header = [
        *w["columns"],
        *(f"{_cycle_label(c, lang)} {w['self']}/{w['office']}" for c in cycles),
    ]
    for f in report["fields"]:
        blocks.append(("h3", f["name"] or w["no_item"]))
        empty = [item["name"] or w["no_item"] for item in f["items"] if not item["initiatives"]]
        for item in f["items"]:
            if item["initiatives"]:
                rows = [_initiative_row(i, lang) for i in item["initiatives"]]
                blocks += [("h4", item["name"] or w["no_item"]), _table(header, rows)]
        if empty:
            blocks.append(
                (
                    "p",
                    w["no_initiatives"].format(names=("、" if lang == "ja" else ", ").join(empty)),
                )
            )
    scale = report["scale"]
    distribution = [
        [_cycle_label(d["cycle"], lang), w["stage"][d["stage"]],
         *(d["counts"][s["symbol"]] for s in scale), d["missing"]]
        for d in report["distribution"]
    ]  # fmt: skip
    labels = [f"{s['symbol']} {s['label']}" for s in scale]
    fallback = _table(["", "", *labels, "－"], distribution, "  " + "n" * (len(scale) + 1))
    blocks += [("h2", w["ratings"]), ("figure", (_distribution_svg(report, lang), fallback))]
    unset = w["unset"]
    kpis = [
        [f"{k['name']}（{k['unit']}）{w['direction'][k['direction']]}" if k["unit"]
         else f"{k['name']} {w['direction'][k['direction']]}",
         _number(k["baseline"], unset), _number(k["target"], unset), _number(k["actual"], unset),
         _number(k["expected"], unset), _rate(k["rate"], unset), KpiStatus(k["status"]).label(lang)]
        for k in report["kpis"]
    ]  # fmt: skip
    blocks += [("h2", w["kpis"]), ("figure", (_kpi_svg(report, lang), None))]
    blocks.append(_table(w["kpi_columns"], kpis, " nnnnn"))
    slipped = [
        [s["initiative_name"], s["name"], s["planned_finish"], s["finish"], s["days"]]
        for s in report["slipped"]
    ]
    blocks += _section(w["slipped"], slipped, w["slipped_columns"], "  nnn", w["none"])
    if report["changes"] is None:
        blocks += [("h2", w["changes"]), ("p", w["no_previous"])]
    else:
        changes = [
            [_Cell(w["kinds"][c["kind"]], c["mark"]), c["name"], _detail(c, lang)]
            for c in report["changes"]
        ]
        blocks += _section(w["changes"], changes, w["change_columns"], "", w["none"])
    milestones = [
        [m["date"], m["initiative_name"], m["name"], _status(m["status"], lang)]
        for m in report["next_milestones"]
    ]
    title = w["milestones"].format(fy=_next_fy(report, lang))
    blocks += _section(title, milestones, w["milestone_columns"], "n", w["none"])
    return blocks


# --- Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|#"})


def _md(value: object) -> str:
    """Any text as one line of Markdown, its special characters escaped."""
    return clean(" ".join(str(value).split())).translate(_MD_SPECIAL)


def _md_cell(cell: _Cell, lang: str) -> str:
    text = f"【{MARKS[lang][cell.mark]}】{cell.text}" if cell.mark else cell.text
    notes = "; ".join(f"{label}: {note}" for label, note in cell.notes)
    return _md(f"{text} — {notes}" if notes else text)


def report_markdown(report: Mapping[str, Any], *, lang: str = "ja") -> str:
    """The report as Markdown (GitHub-flavoured tables), for a wiki or a mail.

    >>> from datetime import date
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.views.snapshot import take_snapshot
    >>> snap = take_snapshot(default_plan(), as_of=date(2025, 3, 31))
    >>> report_markdown(annual_report(snap, [], [], fy=2024)).splitlines()[0]
    '# 青森県DX推進プラン 2024年度（令和6年度） 進捗状況報告'
    """
    lines: list[str] = []
    for kind, content in _blocks(report, lang):
        if kind.startswith("h"):
            lines += ["#" * int(kind[1]) + " " + _md(content), ""]
        elif kind in ("meta", "p"):
            lines += [_md(content), ""]
        elif kind == "cards":
            lines += _md_lines(("table", ([label for _, label in content],
                                          [[_Cell(str(n)) for n, _ in content]])), lang)  # fmt: skip
        elif kind == "figure" and content[1] is not None:
            lines += _md_lines(content[1], lang)
        elif kind == "table":
            lines += _md_lines((kind, content), lang)
    return "\n".join(lines)


def _md_lines(block: Block, lang: str) -> list[str]:
    header, rows = block[1]
    lines = ["| " + " | ".join(_md(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c, lang) for c in row) + " |" for row in rows]
    return [*lines, ""]


# --- HTML -----------------------------------------------------------------------------------

_RATING_COLOURS = ("#2f8a4b", "#3f76c6", "#e08600", "#d62828", "#7b4fc9", "#0f8a8a")
_MISSING_COLOUR = "#cfd5dd"
_MARK_COLOURS = {"new": "#2f8a4b", "changed": "#e08600", "done": "#3f76c6"}
_LATE_COLOURS = {"late": "#d62828", "at_risk": "#e08600"}
_KPI_COLOURS = {"achieved": "#2f8a4b", "on_track": "#3f76c6", "behind": "#d62828"}

_CSS = (
    "@page{size:A4 portrait;margin:14mm 12mm}"
    f"body{{font-family:{FONT_STACK};color:#1f2937;margin:0;font-size:10pt;line-height:1.5}}"
    "main{max-width:186mm;margin:0 auto;padding:8mm 0}"
    "h1{font-size:16pt;margin:0 0 2mm}h2{font-size:13pt;border-bottom:2px solid #3b4758;"
    "margin:7mm 0 3mm;break-after:avoid}h3{font-size:11.5pt;margin:5mm 0 2mm;break-after:avoid}"
    "h4{font-size:10.5pt;margin:3mm 0 1.5mm;color:#3b4758;break-after:avoid}"
    "p.meta{margin:0;color:#4b5563}"
    "table{width:100%;border-collapse:collapse;margin:0 0 3mm;font-size:9pt}"
    "thead{display:table-header-group}tr{break-inside:avoid}"
    "th,td{border:1px solid #c8d0da;padding:1mm 1.5mm;text-align:left;vertical-align:top}"
    "th{background:#eef2f7;font-weight:bold}td.n{text-align:right;white-space:nowrap}"
    "td.r{text-align:center;white-space:nowrap}td.s{white-space:nowrap}"
    ".mark{display:inline-block;color:#fff;border-radius:2px;padding:0 1.2mm;margin-right:1mm;"
    "font-size:8pt}.mark.new{background:#2f8a4b}.mark.changed{background:#e08600}"
    ".mark.done{background:#3f76c6}"
    ".note{color:#374151;font-size:8.5pt}.note b{color:#111827}"
    "td.late{color:#d62828;font-weight:bold}td.at_risk{color:#e08600;font-weight:bold}"
    ".cards{display:flex;flex-wrap:wrap;gap:2mm;margin:0 0 2mm}"
    ".card{border:1px solid #c8d0da;border-radius:2px;padding:1.5mm 2.5mm;min-width:26mm}"
    ".card b{display:block;font-size:14pt}.card span{font-size:8pt;color:#4b5563}"
    "figure{margin:0 0 3mm;break-inside:avoid}svg{display:block;max-width:100%;height:auto}"
    "footer{margin-top:8mm;font-size:8pt;color:#6b7280}"
    "@media print{main{padding:0}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}"
)


def _html_cell(cell: _Cell, lang: str) -> str:
    inner = esc(cell.text)
    if cell.mark:
        inner = f'<span class="mark {cell.mark}">{esc(MARKS[lang][cell.mark])}</span>{inner}'
    if cell.notes:
        notes = (
            f"<b>{esc(label)}</b>: " + "<br>".join(esc(x) for x in note.splitlines() if x.strip())
            for label, note in cell.notes
        )
        inner += '<div class="note">' + "<br>".join(notes) + "</div>"
    return f'<td class="{cell.kind}">{inner}</td>' if cell.kind else f"<td>{inner}</td>"


def _html_table(block: Block, lang: str) -> str:
    header, rows = block[1]
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_html_cell(c, lang) for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _svg_open(width: int, height: int, label: str, size: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(label)}" '
        f'font-family="{esc(FONT_STACK)}" font-size="{size}">'
    )


def _distribution_svg(report: Mapping[str, Any], lang: str) -> str:
    """Stacked horizontal bars: one per cycle and stage, a segment per rating."""
    w = _words(lang)
    scale, rows = report["scale"], report["distribution"]
    label_w, bar_w, row_h, top = 210, 440, 24, 30
    parts = [_svg_open(label_w + bar_w + 20, top + row_h * len(rows) + 10, w["ratings"], 11)]
    colours = [_RATING_COLOURS[n % len(_RATING_COLOURS)] for n in range(len(scale))]
    legend = [f"{s['symbol']} {s['label']}" for s in scale]
    legend.append(f"{w['missing']['submitted']}/{w['missing']['reviewed']}")
    for n, (text, colour) in enumerate(zip(legend, [*colours, _MISSING_COLOUR], strict=True)):
        x = label_w + n * 90
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="15">{esc(text)}</text>')
    for r, row in enumerate(rows):
        y = top + r * row_h
        label = f"{_cycle_label(row['cycle'], lang)} {w['stage'][row['stage']]}"
        parts.append(f'<text x="0" y="{y + 15}">{esc(label)}</text>')
        counts = [row["counts"].get(s["symbol"], 0) for s in scale] + [row["missing"]]
        names = [s["symbol"] for s in scale] + [w["missing"][row["stage"]]]
        total, x0 = sum(counts), float(label_w)
        if total == 0:
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="16" fill="none" '
                'stroke="#c8d0da"/>'
            )
        for count, colour, name in zip(counts, [*colours, _MISSING_COLOUR], names, strict=True):
            if not count:
                continue
            width = bar_w * count / total
            parts.append(
                f'<rect x="{num(x0)}" y="{y + 3}" width="{num(width)}" height="16" '
                f'fill="{colour}"><title>{esc(name)}: {count}</title></rect>'
            )
            if width >= 18:
                parts.append(
                    f'<text x="{num(x0 + width / 2)}" y="{y + 15}" text-anchor="middle" '
                    f'fill="#fff">{count}</text>'
                )
            x0 += width
    return "".join(parts) + "</svg>"


def _kpi_svg(report: Mapping[str, Any], lang: str) -> str:
    """One progress bar per KPI: the achievement rate up to 100 %, the expected value marked."""
    w = _words(lang)
    kpis = report["kpis"]
    label_w, bar_w, row_h = 300, 300, 20
    parts = [_svg_open(label_w + bar_w + 70, row_h * len(kpis) + 8, w["kpis"], 10)]
    for n, k in enumerate(kpis):
        y = 4 + n * row_h
        name = k["name"] if len(k["name"]) <= 28 else k["name"][:27] + "…"
        parts.append(f'<text x="0" y="{y + 12}"><title>{esc(k["name"])}</title>{esc(name)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="12" fill="#eef2f7" '
            'stroke="#c8d0da"/>'
        )
        rate = k["rate"]
        if rate is None:
            parts.append(
                f'<text x="{label_w + 6}" y="{y + 12}" fill="#6b7280">{esc(w["unset"])}</text>'
            )
            continue
        share = min(max(rate, 0.0), 100.0) / 100
        colour = _KPI_COLOURS.get(k["status"], "#8b9cb2")
        parts.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{num(bar_w * share)}" height="12" '
            f'fill="{colour}"/>'
        )
        base, target, expected = k["baseline"], k["target"], k["expected"]
        if base is not None and target is not None and expected is not None and target != base:
            mark = min(max((expected - base) / (target - base), 0.0), 1.0)
            x = num(label_w + bar_w * mark)
            parts.append(f'<path d="M{x} {y}V{y + 16}" stroke="#111827" stroke-width="1.5"/>')
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 12}">{esc(_rate(rate, ""))}</text>')
    return "".join(parts) + "</svg>"


def report_html(report: Mapping[str, Any], *, lang: str = "ja") -> str:
    """The report as one self-contained HTML page that prints on A4 portrait.

    >>> from datetime import date
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.views.snapshot import take_snapshot
    >>> snap = take_snapshot(default_plan(), as_of=date(2025, 3, 31))
    >>> page = report_html(annual_report(snap, [], [], fy=2024))
    >>> page.startswith("<!DOCTYPE html>"), "<script" in page, page.count("<svg")
    (True, False, 2)
    """
    w = _words(lang)
    body = []
    for kind, content in _blocks(report, lang):
        if kind.startswith("h"):
            body.append(f"<{kind}>{esc(content)}</{kind}>")
        elif kind == "meta":
            body.append(f'<p class="meta">{esc(content)}</p>')
        elif kind == "p":
            body.append(f"<p>{esc(content)}</p>")
        elif kind == "cards":
            cards = (f'<div class="card"><b>{n}</b><span>{esc(label)}</span></div>'
                     for n, label in content)  # fmt: skip
            body.append('<div class="cards">' + "".join(cards) + "</div>")
        elif kind == "figure":
            body.append(f"<figure>{content[0]}</figure>")
        elif kind == "table":
            body.append(_html_table((kind, content), lang))
    body.append(f"<footer>{esc(w['footer'])}</footer>")
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(_title(report, lang))}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        "<main>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )
