"""The ``aomori-roadmap`` command: parse input, call the library, print. No logic of its own.

Exit status: 0 success, 2 bad input or usage (one clear message per problem on stderr, nothing
written), 3 store or server failure.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import pendulum
import typer
from rich.console import Console
from rich.table import Table

from aomori_roadmap.errors import PlanError, PlanValidationError, RoadmapError, StoreError
from aomori_roadmap.export import FEEDS
from aomori_roadmap.fiscal import Half
from aomori_roadmap.loader import default_plan, load_plan
from aomori_roadmap.model import Plan
from aomori_roadmap.schedule import Schedule, schedule
from aomori_roadmap.schemas import export_schemas
from aomori_roadmap.snapshot import GANTT_FORMATS, Snapshot, take_snapshot
from aomori_roadmap.store import Store

__all__ = ["app", "main"]

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 3

_LABELS = {
    "ja": {
        "fields": "分野",
        "items": "項目",
        "policies": "取組方針",
        "foundations": "基盤",
        "priorities": "重点的に取り組むDX",
        "kpis": "成果指標（KPI）",
        "departments": "担当課",
        "initiatives": "取組",
        "tasks": "工程",
        "summary": "概要",
        "count": "件数",
        "period": "期間",
        "valid": "問題はありません",
        "wrote": "書き出しました",
        "kpi_unset": "基準値・目標値が未設定の成果指標: {n}件",
        "problems": "{n}件の問題があります",
        "illustrative": "（例示）",
        "task": "工程",
        "start": "開始",
        "finish": "終了",
        "half": "期",
        "days": "日数",
        "slack": "余裕",
        "critical_path": "クリティカルパス",
        "violations": "期限・固定日の違反",
        "no_violations": "期限・固定日の違反はありません",
        "plan_finish": "プランの完了日",
        "milestone": "▲",
    },
    "en": {
        "fields": "Fields",
        "items": "Items",
        "policies": "Policies",
        "foundations": "Foundations",
        "priorities": "Priority DX areas",
        "kpis": "KPIs",
        "departments": "Departments",
        "initiatives": "Initiatives",
        "tasks": "Tasks",
        "summary": "Summary",
        "count": "Count",
        "period": "Period",
        "valid": "No problems found",
        "wrote": "Wrote",
        "kpi_unset": "KPIs without a baseline or target value: {n}",
        "problems": "{n} problem(s) found",
        "illustrative": " (illustrative)",
        "task": "Task",
        "start": "Start",
        "finish": "Finish",
        "half": "Half",
        "days": "Days",
        "slack": "Slack",
        "critical_path": "Critical path",
        "violations": "Deadline and fixed-date violations",
        "no_violations": "No deadline or fixed-date violations",
        "plan_finish": "Plan finish",
        "milestone": "▲",
    },
}


@dataclass
class _Options:
    plan: str | None = None
    db: str = "sqlite:///aomori-roadmap.db"
    lang: str = "ja"
    as_of: str | None = None

    def label(self, key: str, **values: object) -> str:
        return _LABELS[self.lang][key].format(**values)


app = typer.Typer(
    name="aomori-roadmap",
    help="青森県DX推進プランのロードマップ: 検証・工程・見直し・ガント・カレンダー配信",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
schema_app = typer.Typer(help="JSON Schema を扱います", no_args_is_help=True)
app.add_typer(schema_app, name="schema")

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _options(ctx: typer.Context) -> _Options:
    options = ctx.find_object(_Options)
    return options if options is not None else _Options()


def _fail(error: RoadmapError) -> NoReturn:
    if isinstance(error, PlanValidationError):
        for problem in error.problems:
            _err.print(str(problem), markup=False)
        _err.print(f"{len(error.problems)}件の問題があります / {len(error.problems)} problem(s)")
        raise typer.Exit(EXIT_BAD_INPUT)
    _err.print(str(error), markup=False)
    raise typer.Exit(EXIT_FAILURE if isinstance(error, StoreError) else EXIT_BAD_INPUT)


def _load(options: _Options, path: str | None = None) -> Plan:
    source = path or options.plan
    try:
        return load_plan(source) if source else default_plan()
    except RoadmapError as error:
        _fail(error)


@app.callback()
def _global(
    ctx: typer.Context,
    plan: Annotated[
        str | None,
        typer.Option(help="プランのファイルかフォルダ（既定: 組み込みの青森県DX推進プラン）"),
    ] = None,
    db: Annotated[
        str | None, typer.Option(help="状況ストアのURL（既定: sqlite:///aomori-roadmap.db）")
    ] = None,
    lang: Annotated[str, typer.Option(help="表示言語 ja|en")] = "ja",
    as_of: Annotated[str | None, typer.Option("--as-of", help="基準日（YYYY-MM-DD）")] = None,
) -> None:
    """Global options shared by every command."""
    if lang not in _LABELS:
        _err.print(f"--lang は ja か en です（'{lang}' は使えません）")
        raise typer.Exit(EXIT_BAD_INPUT)
    ctx.obj = _Options(
        plan=plan or os.environ.get("AOMORI_ROADMAP_PLAN") or None,
        db=db or os.environ.get("AOMORI_ROADMAP_DB") or "sqlite:///aomori-roadmap.db",
        lang=lang,
        as_of=as_of,
    )


def _summary_table(plan: Plan, options: _Options) -> Table:
    counts = plan.counts()
    table = Table(title=f"{plan.name} — {options.label('summary')}", title_justify="left")
    table.add_column(options.label("summary"))
    table.add_column(options.label("count"), justify="right")
    for key in (
        "fields",
        "items",
        "policies",
        "foundations",
        "priorities",
        "kpis",
        "departments",
        "initiatives",
        "tasks",
    ):
        table.add_row(options.label(key), str(counts[key]))
    return table


def _print_summary(plan: Plan, options: _Options) -> None:
    start, end = plan.period.start, plan.period.end
    _out.print(f"{plan.name}  {plan.subtitle or ''}".rstrip(), markup=False)
    _out.print(
        f"{options.label('period')}: {start.label(options.lang)} – {end.label(options.lang)}"
    )
    _out.print(_summary_table(plan, options))
    unset = sum(1 for k in plan.kpis for point in (k.baseline, k.target) if point.value is None)
    if unset:
        _out.print(options.label("kpi_unset", n=unset))
    for initiative in plan.initiatives:
        mark = options.label("illustrative") if initiative.illustrative else ""
        _out.print(f"  • {initiative.name}{mark}  [{len(initiative.tasks)}]", markup=False)


def _as_of(options: _Options) -> date:
    """The --as-of date, or today in Tokyo (the interface may read the clock; the engine not)."""
    if options.as_of is None:
        return pendulum.now("Asia/Tokyo").date()
    try:
        return date.fromisoformat(options.as_of)
    except ValueError:
        _err.print(f"--as-of は YYYY-MM-DD の日付です（'{options.as_of}' は読めません）")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _existing_store(options: _Options, plan: Plan) -> Store | None:
    """The store if it exists: reading views never create a database file."""
    url = options.db
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    try:
        return Store(url, plan=plan)
    except RoadmapError as error:
        _fail(error)


def _snapshot(options: _Options, plan: Plan, baseline: str | None = None) -> Snapshot:
    store = _existing_store(options, plan)
    try:
        return take_snapshot(plan, store, as_of=_as_of(options), baseline=baseline)
    except RoadmapError as error:
        _fail(error)
    finally:
        if store is not None:
            store.close()


def _write_output(output: Path | None, payload: str | bytes) -> None:
    if output is None:
        if isinstance(payload, bytes):
            sys.stdout.buffer.write(payload)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(payload)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(payload, bytes):
            output.write_bytes(payload)
        else:
            output.write_text(payload, encoding="utf-8")
    except OSError as error:
        _err.print(f"書き出せません / cannot write: {error}", markup=False)
        raise typer.Exit(EXIT_FAILURE) from error


def _schedule(plan: Plan) -> Schedule:
    try:
        return schedule(plan)
    except RoadmapError as error:
        _fail(error)


def _schedule_table(plan: Plan, computed: Schedule, options: _Options) -> Table:
    lang = options.lang
    table = Table(title=plan.name, title_justify="left", show_lines=False)
    for key, justify in (
        ("task", "left"),
        ("start", "left"),
        ("finish", "left"),
        ("half", "left"),
        ("days", "right"),
        ("slack", "right"),
    ):
        table.add_column(options.label(key), justify=justify)  # type: ignore[arg-type]
    for initiative in plan.initiatives:
        span = computed.initiatives.get(initiative.id)
        if span is None:
            continue
        table.add_section()
        table.add_row(f"[bold]{initiative.name}[/bold]", str(span.start), str(span.finish), "")
        for task in initiative.tasks:
            done = computed.tasks[f"{initiative.id}/{task.id}"]
            halves = Half.of(done.early_start).label(lang)
            end_half = Half.of(done.early_finish).label(lang)
            if end_half != halves:
                halves += f" – {end_half}"
            name = f"{options.label('milestone')} {task.name}" if task.milestone else task.name
            mark = "[red]*[/red]" if done.critical else ""
            table.add_row(
                f"  {name}{mark}",
                str(done.early_start),
                str(done.early_finish),
                halves,
                str(done.duration_days),
                str(done.total_slack),
            )
    return table


def _print_schedule_findings(plan: Plan, computed: Schedule, options: _Options) -> None:
    names = {ref: task.name for ref, _, task in plan.iter_tasks()}
    _out.print(
        f"{options.label('plan_finish')}: {computed.finish} ({Half.of(computed.finish).label(options.lang)})"
    )
    for path in computed.critical_paths[:3]:
        chain = " → ".join(names[ref] for ref in path)
        _out.print(f"{options.label('critical_path')}: {chain}", markup=False)
    if computed.violations:
        _out.print(f"{options.label('violations')}:")
        for violation in computed.violations:
            _out.print(f"  {violation.message}", markup=False)
    else:
        _out.print(options.label("no_violations"))


@app.command("schedule")
def schedule_command(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="書き出し先ファイル")
    ] = None,
) -> None:
    """依存関係と稼働日から工程の日付・余裕日数・クリティカルパスを計算します。"""
    options = _options(ctx)
    if format not in ("table", "json"):
        _err.print(f"--format は table か json です（'{format}' は使えません）")
        raise typer.Exit(EXIT_BAD_INPUT)
    plan = _load(options)
    computed = _schedule(plan)
    if format == "json":
        _write_output(output, json.dumps(computed.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    _out.print(_schedule_table(plan, computed, options))
    _print_schedule_findings(plan, computed, options)


@app.command()
def gantt(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", help=" | ".join(GANTT_FORMATS))] = "json",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="書き出し先ファイル")
    ] = None,
    field: Annotated[str | None, typer.Option(help="分野ID")] = None,
    item: Annotated[str | None, typer.Option(help="項目ID")] = None,
    initiative: Annotated[str | None, typer.Option(help="取組ID")] = None,
    department: Annotated[str | None, typer.Option(help="担当課ID")] = None,
    priority: Annotated[str | None, typer.Option(help="重点（ID か 産業/教育/防災）")] = None,
    baseline: Annotated[str | None, typer.Option(help="比べる基準線の名前")] = None,
) -> None:
    """ガントチャートを書き出します: JSON, Frappe, DHTMLX, Mermaid, HTML, SVG, Excel, MS Project。"""
    options = _options(ctx)
    if format not in GANTT_FORMATS:
        _err.print(
            f"--format は {', '.join(GANTT_FORMATS)} のどれかです（'{format}' は使えません）"
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    if format == "xlsx" and output is None and sys.stdout.isatty():
        _err.print("xlsx は -o FILE で書き出してください。")
        raise typer.Exit(EXIT_BAD_INPUT)
    plan = _load(options)
    snapshot = _snapshot(options, plan, baseline)
    filters = {"field": field, "item": item, "initiative": initiative}
    filters |= {"department": department, "priority": priority}
    try:
        payload = snapshot.gantt(format, lang=options.lang, **filters)
    except RoadmapError as error:
        _fail(error)
    _write_output(output, payload)


@app.command()
def ics(
    ctx: typer.Context,
    feed: Annotated[str, typer.Option(help=" | ".join(FEEDS))] = "reviews",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="書き出し先ファイル")
    ] = None,
    department: Annotated[str | None, typer.Option(help="担当課ID")] = None,
    initiative: Annotated[str | None, typer.Option(help="取組ID")] = None,
    field: Annotated[str | None, typer.Option(help="分野ID")] = None,
    priority: Annotated[str | None, typer.Option(help="重点（ID か 産業/教育/防災）")] = None,
    alarm_days: Annotated[int | None, typer.Option(help="N日前に通知（VALARM）")] = None,
    base_url: Annotated[str | None, typer.Option(help="説明に付けるリンクの基点URL")] = None,
) -> None:
    """カレンダー配信（iCalendar .ics）をファイルに書き出します。"""
    options = _options(ctx)
    plan = _load(options)
    snapshot = _snapshot(options, plan)
    try:
        payload = snapshot.feed(
            feed,
            department=department,
            initiative=initiative,
            field=field,
            priority=priority,
            base_url=base_url,
            alarm_days=alarm_days,
            lang=options.lang,
        )
    except RoadmapError as error:
        _fail(error)
    _write_output(output, payload)


@app.command()
def validate(
    ctx: typer.Context,
    plan: Annotated[
        str | None, typer.Argument(help="検証するプラン（既定: --plan か組み込み）")
    ] = None,
) -> None:
    """プランを検証し、すべての問題をファイル:行:列つきで表示します。"""
    options = _options(ctx)
    loaded = _load(options, plan)
    counts = loaded.counts()
    _out.print(
        f"{options.label('valid')}: {loaded.name} "
        f"({options.label('initiatives')} {counts['initiatives']}, "
        f"{options.label('tasks')} {counts['tasks']})"
    )


@app.command()
def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="出力先フォルダ")] = Path("aomori-roadmap-demo"),
) -> None:
    """組み込みの青森県DX推進プランを検証し、工程を計算して、概要と出力ファイルを示します。"""
    options = _options(ctx)
    plan = _load(options)
    _print_summary(plan, options)
    computed = _schedule(plan)
    _print_schedule_findings(plan, computed, options)
    written = [out / "schedule.json"]
    _write_output(written[0], json.dumps(computed.to_json(), ensure_ascii=False, indent=2) + "\n")
    for path in written:
        _out.print(f"{options.label('wrote')}: {path}", markup=False)


@schema_app.command("export")
def schema_export(
    folder: Annotated[Path, typer.Argument(help="書き出し先フォルダ")] = Path("schemas"),
) -> None:
    """JSON Schema をフォルダに書き出します。"""
    try:
        written = export_schemas(folder)
    except OSError as error:
        _err.print(f"書き出せません: {error}", markup=False)
        raise typer.Exit(EXIT_FAILURE) from error
    for path in written:
        _out.print(str(path), markup=False)


def main() -> None:
    """Run the command line; the console script's entry point."""
    try:
        app()
    except PlanError as error:  # an error raised outside a command's own handling
        _err.print(str(error), markup=False)
        sys.exit(EXIT_BAD_INPUT)
