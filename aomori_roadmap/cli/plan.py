"""Commands on the plan itself: validate, demo, schedule, gantt, ics and schema export."""

import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aomori_roadmap.cli.app import Options, app, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, EXIT_FAILURE, err, fail, out, write_output
from aomori_roadmap.cli.inputs import as_of_date, check_format, load, schedule_for
from aomori_roadmap.cli.stores import existing_store, snapshot_for
from aomori_roadmap.errors import RoadmapError
from aomori_roadmap.formats import FEEDS, GANTT_FORMATS, gantt_format

if TYPE_CHECKING:
    from rich.table import Table

    from aomori_roadmap.engine.schedule import Schedule
    from aomori_roadmap.plan.model import Plan
    from aomori_roadmap.views.snapshot import Snapshot

schema_app = typer.Typer(help="JSON Schema を扱います", no_args_is_help=True)
app.add_typer(schema_app, name="schema")


def summary_table(plan: "Plan", options: Options) -> "Table":
    counts = plan.counts()
    from rich.table import Table

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


def print_summary(plan: "Plan", options: Options) -> None:
    start, end = plan.period.start, plan.period.end
    out.print(f"{plan.name}  {plan.subtitle or ''}".rstrip(), markup=False)
    out.print(f"{options.label('period')}: {start.label(options.lang)} – {end.label(options.lang)}")
    out.print(summary_table(plan, options))
    unset = sum(1 for k in plan.kpis if k.baseline.value is None or k.target.value is None)
    if unset:
        out.print(options.label("kpi_unset", n=unset))
    for initiative in plan.initiatives:
        mark = options.label("illustrative") if initiative.illustrative else ""
        out.print(f"  • {initiative.name}{mark}  [{len(initiative.tasks)}]", markup=False)


def schedule_table(plan: "Plan", computed: "Schedule", options: Options) -> "Table":
    from aomori_roadmap.calendar import Half

    lang = options.lang
    from rich.table import Table

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


def print_schedule_findings(plan: "Plan", computed: "Schedule", options: Options) -> None:
    from aomori_roadmap.calendar import Half

    names = {ref: task.name for ref, _, task in plan.iter_tasks()}
    out.print(
        f"{options.label('plan_finish')}: {computed.finish} ({Half.of(computed.finish).label(options.lang)})"
    )
    for path in computed.critical_paths[:3]:
        chain = " → ".join(names[ref] for ref in path)
        out.print(f"{options.label('critical_path')}: {chain}", markup=False)
    if computed.violations:
        out.print(f"{options.label('violations')}:")
        for violation in computed.violations:
            out.print(f"  {violation.message}", markup=False)
    else:
        out.print(options.label("no_violations"))


@app.command("schedule")
def schedule_command(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="書き出し先ファイル")
    ] = None,
) -> None:
    """依存関係と稼働日から工程の日付・余裕日数・クリティカルパスを計算します。"""
    options = options_of(ctx)
    check_format(format, ("table", "json"))
    plan = load(options)
    computed = schedule_for(plan)
    if format == "json":
        write_output(output, json.dumps(computed.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    out.print(schedule_table(plan, computed, options))
    print_schedule_findings(plan, computed, options)


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

    options = options_of(ctx)
    try:
        chosen = gantt_format(format)
    except RoadmapError as error:
        fail(error)
    if chosen.binary and output is None and sys.stdout.isatty():
        err.print("xlsx は -o FILE で書き出してください。")
        raise typer.Exit(EXIT_BAD_INPUT)
    plan = load(options)
    snapshot = snapshot_for(options, plan, baseline)
    filters = {"field": field, "item": item, "initiative": initiative}
    filters |= {"department": department, "priority": priority}
    try:
        payload = snapshot.gantt(format, lang=options.lang, **filters)
    except RoadmapError as error:
        fail(error)
    write_output(output, payload)


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
    """カレンダー配信（iCalendar .ics）を書き出します（サーバーが配信するものと同じバイト列）。"""
    from aomori_roadmap.views.feeds import FeedBuilder, FeedRequest

    options = options_of(ctx)
    plan = load(options)
    store = existing_store(options, plan)
    try:
        # The same builder as the server: with a store, the feed carries its history.
        builder = FeedBuilder(
            plan, store, base_url=base_url, lang=options.lang, alarm_days=alarm_days
        )
        request = FeedRequest(feed, department, initiative, field, priority)
        payload = builder.build(request).body
    except RoadmapError as error:
        fail(error)
    finally:
        if store is not None:
            store.close()
    write_output(output, payload)


@app.command()
def validate(
    ctx: typer.Context,
    plan: Annotated[
        str | None, typer.Argument(help="検証するプラン（既定: --plan か組み込み）")
    ] = None,
) -> None:
    """プランを検証し、すべての問題をファイル:行:列つきで表示します。"""
    options = options_of(ctx)
    loaded = load(options, plan)
    counts = loaded.counts()
    out.print(
        f"{options.label('valid')}: {loaded.name} "
        f"({options.label('initiatives')} {counts['initiatives']}, "
        f"{options.label('tasks')} {counts['tasks']})",
        markup=False,  # the plan's name is the user's text
    )


def print_state(snapshot: "Snapshot", options: Options, title: str) -> None:
    """Counts by status and by lateness on the snapshot's date, then what is late or at risk."""
    from aomori_roadmap.engine.status import Lateness, Status

    lang = options.lang
    refs = list(snapshot.planned.tasks)
    by_status = Counter(
        (snapshot.states[r].status if r in snapshot.states else Status.PLANNED) for r in refs
    )
    by_lateness = Counter(snapshot.lateness[r] for r in refs)
    out.print(f"[bold]{title}[/bold]")
    out.print(
        "  " + " / ".join(f"{s.label(lang)} {by_status[s]}" for s in Status if by_status[s]),
        markup=False,
    )
    out.print(
        "  " + " / ".join(f"{k.label(lang)} {by_lateness[k]}" for k in Lateness if by_lateness[k]),
        markup=False,
    )
    names = {ref: task.name for ref, _, task in snapshot.plan.iter_tasks()}
    for ref in refs:
        lateness = snapshot.lateness[ref]
        if lateness is not Lateness.ON_TRACK:
            out.print(f"  {lateness.label(lang)}: {names[ref]} ({ref})", markup=False)


@app.command()
def demo(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out", help="出力先フォルダ")] = Path(
        "aomori-roadmap-demo"
    ),
) -> None:
    """組み込みの青森県DX推進プランで、検証・工程計算・状況履歴・ガント・カレンダー配信を実演します。"""
    from aomori_roadmap.demo import FY2024_H2_END, REMINDERS_DAY, run_demo

    options = options_of(ctx)
    plan = load(options)
    print_summary(plan, options)
    today = as_of_date(options)
    try:
        result = run_demo(plan, out_dir, today=today)
    except RoadmapError as error:
        fail(error)
    print_schedule_findings(plan, result.today.planned, options)
    if result.recorded:
        out.print(
            options.pick(
                f"状況の履歴を{result.recorded}件記録しました（例示）",
                f"Recorded {result.recorded} illustrative status changes",
            )
        )
    end = FY2024_H2_END.isoformat()
    print_state(
        result.end_of_fy2024,
        options,
        options.pick(f"{end} 時点の状況（令和6年度末）", f"State on {end} (end of FY2024)"),
    )
    print_state(result.today, options, options.pick(f"{today} 時点の遅れ", f"Lateness on {today}"))
    day = min(REMINDERS_DAY, today)
    out.print(
        f"[bold]{options.pick(f'{day} 時点のリマインダー（14日以内）', f'Reminders on {day} (14 days)')}[/bold]"
    )
    out.print(result.reminders, markup=False)
    for path in result.files:
        out.print(f"{options.label('wrote')}: {path}", markup=False)


@schema_app.command("export")
def schema_export(
    folder: Annotated[Path, typer.Argument(help="書き出し先フォルダ")] = Path("schemas"),
) -> None:
    """JSON Schema をフォルダに書き出します。"""
    from aomori_roadmap.plan.schema import export_schemas

    try:
        written = export_schemas(folder)
    except OSError as error:
        err.print(f"書き出せません: {error}", markup=False)
        raise typer.Exit(EXIT_FAILURE) from error
    for path in written:
        out.print(str(path), markup=False)
