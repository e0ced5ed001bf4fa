"""Commands on the plan itself: validate, demo, schedule, gantt, ics and schema export."""

import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aomori_roadmap.cli.application import Options, app, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, EXIT_FAILURE, err, fail, out, write_output
from aomori_roadmap.cli.inputs import (
    AlarmDaysOption,
    DepartmentIdOption,
    FieldOption,
    InitiativeOption,
    OutputOption,
    PriorityOption,
    as_of_date,
    check_format,
    load,
    schedule_for,
)
from aomori_roadmap.cli.stores import existing_store, snapshot_for
from aomori_roadmap.errors import RoadmapError
from aomori_roadmap.formats import FEEDS, GANTT_FORMATS, gantt_format
from aomori_roadmap.i18n import N_, _

if TYPE_CHECKING:
    from rich.table import Table

    from aomori_roadmap.engine.schedule import Schedule
    from aomori_roadmap.plan.model import Plan
    from aomori_roadmap.views.snapshot import Snapshot

schema_app = typer.Typer(help=_("The JSON Schemas of the plan's files"), no_args_is_help=True)
app.add_typer(schema_app, name="schema")


# The parts of the plan counted in its summary, and their headings (translated where shown).
_COUNTED = (
    ("fields", N_("Fields")),
    ("items", N_("Items")),
    ("policies", N_("Policies")),
    ("foundations", N_("Foundations")),
    ("priorities", N_("Priority DX areas")),
    ("kpis", N_("KPIs")),
    ("departments", N_("Departments")),
    ("initiatives", N_("Initiatives")),
    ("tasks", N_("Tasks")),
)


def summary_table(plan: "Plan") -> "Table":
    counts = plan.counts()
    from rich.table import Table

    summary = _("Summary")
    table = Table(title=f"{plan.name} — {summary}", title_justify="left")
    table.add_column(summary)
    table.add_column(_("Count"), justify="right")
    for key, heading in _COUNTED:
        table.add_row(_(heading), str(counts[key]))
    return table


def print_summary(plan: "Plan", options: Options) -> None:
    start, end = plan.period.start, plan.period.end
    out.print(f"{plan.name}  {plan.subtitle or ''}".rstrip(), markup=False)
    period = _("Period")
    out.print(f"{period}: {start.label(options.lang)} – {end.label(options.lang)}")
    out.print(summary_table(plan))
    unset = sum(1 for k in plan.kpis if k.baseline.value is None or k.target.value is None)
    if unset:
        out.print(_("KPIs without a baseline or target value: {n}").format(n=unset))
    for initiative in plan.initiatives:
        name = initiative.name
        if initiative.illustrative:
            name = _("{name} (illustrative)").format(name=name)
        out.print(f"  • {name}  [{len(initiative.tasks)}]", markup=False)


def schedule_table(plan: "Plan", computed: "Schedule", options: Options) -> "Table":
    from aomori_roadmap.calendar import Half

    lang = options.lang
    from rich.table import Table

    table = Table(title=plan.name, title_justify="left", show_lines=False)
    for heading, justify in (
        (_("Task"), "left"),
        (_("Start"), "left"),
        (_("Finish"), "left"),
        (_("Half"), "left"),
        (_("Days"), "right"),
        (_("Slack"), "right"),
    ):
        table.add_column(heading, justify=justify)  # type: ignore[arg-type]
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
            name = f"▲ {task.name}" if task.milestone else task.name
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

    names = {ref: task.name for ref, _initiative, task in plan.iter_tasks()}
    half = Half.of(computed.finish).label(options.lang)
    out.print(_("Plan finish") + f": {computed.finish} ({half})")
    for path in computed.critical_paths[:3]:
        chain = " → ".join(names[ref] for ref in path)
        out.print(_("Critical path") + f": {chain}", markup=False)
    if computed.violations:
        out.print(_("Deadline and fixed-date violations") + ":")
        for violation in computed.violations:
            out.print(f"  {violation.message}", markup=False)
    else:
        out.print(_("No deadline or fixed-date violations"))


@app.command(
    "schedule",
    help=_(
        "Compute the dates of the tasks, their slack and the critical path from the"
        " dependencies and the working days."
    ),
)
def schedule_command(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    output: OutputOption = None,
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


@app.command(
    help=_("Write a Gantt chart: JSON, Frappe, DHTMLX, Mermaid, HTML, SVG, Excel, MS Project.")
)
def gantt(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", help=" | ".join(GANTT_FORMATS))] = "json",
    output: OutputOption = None,
    field: FieldOption = None,
    item: Annotated[str | None, typer.Option(help=_("ID of an item"))] = None,
    initiative: InitiativeOption = None,
    department: DepartmentIdOption = None,
    priority: PriorityOption = None,
    baseline: Annotated[
        str | None, typer.Option(help=_("Name of the baseline to compare with"))
    ] = None,
) -> None:
    """ガントチャートを書き出します: JSON, Frappe, DHTMLX, Mermaid, HTML, SVG, Excel, MS Project。"""

    options = options_of(ctx)
    try:
        chosen = gantt_format(format)
    except RoadmapError as error:
        fail(error)
    if chosen.binary and output is None and sys.stdout.isatty():
        err.print(_("write xlsx with -o FILE."))
        raise typer.Exit(EXIT_BAD_INPUT)
    plan = load(options)
    snapshot = snapshot_for(options, plan, baseline)
    filters = {"field": field, "item": item, "initiative": initiative}
    filters |= {"department": department, "priority": priority}
    from aomori_roadmap.export.render import render_gantt

    try:
        payload = render_gantt(snapshot, format, lang=options.lang, **filters)
    except RoadmapError as error:
        fail(error)
    write_output(output, payload)


@app.command(help=_("Write a calendar feed (iCalendar .ics): the same bytes as the server serves."))
def ics(
    ctx: typer.Context,
    feed: Annotated[str, typer.Option(help=" | ".join(FEEDS))] = "reviews",
    output: OutputOption = None,
    department: DepartmentIdOption = None,
    initiative: InitiativeOption = None,
    field: FieldOption = None,
    priority: PriorityOption = None,
    alarm_days: AlarmDaysOption = None,
    base_url: Annotated[
        str | None, typer.Option(help=_("Base URL of the links in the descriptions"))
    ] = None,
) -> None:
    """カレンダー配信（iCalendar .ics）を書き出します（サーバーが配信するものと同じバイト列）。"""
    from aomori_roadmap.export.feeds import FeedBuilder, FeedRequest

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


@app.command(help=_("Validate the plan and show every problem with its file:line:column."))
def validate(
    ctx: typer.Context,
    plan: Annotated[
        str | None,
        typer.Argument(help=_("The plan to validate (default: --plan or the embedded plan)")),
    ] = None,
) -> None:
    """プランを検証し、すべての問題をファイル:行:列つきで表示します。"""
    options = options_of(ctx)
    loaded = load(options, plan)
    counts = loaded.counts()
    valid, initiatives, tasks = _("No problems found"), _("Initiatives"), _("Tasks")
    out.print(
        f"{valid}: {loaded.name} "
        f"({initiatives} {counts['initiatives']}, {tasks} {counts['tasks']})",
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
    names = {ref: task.name for ref, _initiative, task in snapshot.plan.iter_tasks()}
    for ref in refs:
        lateness = snapshot.lateness[ref]
        if lateness is not Lateness.ON_TRACK:
            out.print(f"  {lateness.label(lang)}: {names[ref]} ({ref})", markup=False)


@app.command(
    help=_(
        "Demonstrate validation, scheduling, the status history, Gantt charts and calendar"
        " feeds on the embedded Aomori Prefecture DX Promotion Plan."
    )
)
def demo(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out", help=_("Folder for the outputs"))] = Path(
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
        out.print(_("Recorded {n} illustrative status changes").format(n=result.recorded))
    end = FY2024_H2_END.isoformat()
    print_state(
        result.end_of_fy2024, options, _("State on {date} (end of FY2024)").format(date=end)
    )
    print_state(result.today, options, _("Lateness on {date}").format(date=today))
    day = min(REMINDERS_DAY, today)
    heading = _("Reminders on {date} (14 days)").format(date=day)
    out.print(f"[bold]{heading}[/bold]")
    out.print(result.reminders, markup=False)
    if result.workbook:
        heading = _("A department's progress workbook, filled in and imported")
        out.print(f"[bold]{heading}[/bold]")
        out.print("\n".join(result.workbook), markup=False)
    for path in result.files:
        out.print(_("Wrote") + f": {path}", markup=False)


@schema_app.command("export", help=_("Write the JSON Schemas to a folder."))
def schema_export(
    folder: Annotated[Path, typer.Argument(help=_("Folder to write to"))] = Path("schemas"),
) -> None:
    """JSON Schema をフォルダに書き出します。"""
    from aomori_roadmap.export.schemas import export_schemas

    try:
        written = export_schemas(folder)
    except OSError as error:
        err.print(_("cannot write: {error}").format(error=error), markup=False)
        raise typer.Exit(EXIT_FAILURE) from error
    for path in written:
        out.print(str(path), markup=False)
