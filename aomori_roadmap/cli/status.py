"""Commands on the status history: status set/show/history, revisions, baselines, db upgrade."""

import csv
import io
import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from aomori_roadmap.cli.app import (
    EXIT_BAD_INPUT,
    actor_of,
    app,
    check_format,
    err,
    fail,
    load,
    options_of,
    out,
    snapshot_for,
    write_output,
    writing_store,
)
from aomori_roadmap.errors import RoadmapError

if TYPE_CHECKING:
    from aomori_roadmap.status import StatusEvent

status_app = typer.Typer(help="工程・取組の状況（履歴つき）", no_args_is_help=True)
revisions_app = typer.Typer(help="プランの改訂", no_args_is_help=True)
baseline_app = typer.Typer(help="基準線（ベースライン）", no_args_is_help=True)
db_app = typer.Typer(help="状況ストアのデータベース", no_args_is_help=True)
app.add_typer(status_app, name="status")
app.add_typer(revisions_app, name="revisions")
app.add_typer(baseline_app, name="baseline")
app.add_typer(db_app, name="db")

TOKYO = ZoneInfo("Asia/Tokyo")
FormatOption = Annotated[str, typer.Option("--format", help="table | json")]


def _moment(text: str | None, option: str) -> datetime | None:
    """A date (the start of that day in Tokyo) or a date-time (Tokyo when no offset)."""
    if text is None:
        return None
    import pendulum  # only --at pays for the parser

    try:
        parsed = pendulum.parse(text, tz="Asia/Tokyo")
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        parsed = None
    if not isinstance(parsed, datetime):
        err.print(f"{option} は 2025-04-01 か 2025-04-01T09:00 の形で書いてください（'{text}'）")
        raise typer.Exit(EXIT_BAD_INPUT)
    return parsed


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        err.print(f"{option} は YYYY-MM-DD の日付です（'{text}' は読めません）")
        raise typer.Exit(EXIT_BAD_INPUT) from None


@status_app.command("set")
def status_set(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="工程（取組ID/工程ID）か取組のID")],
    status: Annotated[
        str, typer.Argument(help="planned|in_progress|on_hold|done|cancelled（日本語も可）")
    ],
    progress: Annotated[int | None, typer.Option(help="進捗 0–100")] = None,
    note: Annotated[str, typer.Option(help="メモ（再開・復活には必須）")] = "",
    actor: Annotated[
        str | None, typer.Option(help="記録する人・課（既定: AOMORI_ROADMAP_ACTOR）")
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help="いつ起きたか（遡及可）")] = None,
    expected_from: Annotated[
        str | None, typer.Option(help="今の状況がこれでなければ競合として拒否")
    ] = None,
) -> None:
    """工程・取組の状況を記録します（履歴に追記、書き換えはしません）。"""
    from aomori_roadmap.status import parse_status

    options = options_of(ctx)
    plan = load(options)
    try:
        new = parse_status(status)
        expected = None if expected_from is None else parse_status(expected_from)
    except RoadmapError as error:
        fail(error)
    with writing_store(options, plan) as store:
        event = store.record_status(
            ref,
            new,
            actor=actor_of(actor),
            progress=progress,
            effective=_moment(at, "--at"),
            note=note,
            expected_from=expected,
        )
    out.print(
        f"#{event.id} {event.ref}: {event.from_status.label(options.lang)} → "
        f"{event.status.label(options.lang)} ({event.progress}%)",
        markup=False,
    )


@status_app.command("show")
def status_show(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="基準日（既定: 今日）")] = None,
    known_at: Annotated[str | None, typer.Option(help="この日に分かっていたこととして")] = None,
    format: FormatOption = "table",
) -> None:
    """基準日の状況と遅れ（計算値）を表示します。"""
    from aomori_roadmap.status import Status

    options = options_of(ctx)
    check_format(format, ("table", "json"))
    if as_of is not None:
        options.as_of = as_of
    plan = load(options)
    snapshot = snapshot_for(options, plan, known_at=_day(known_at, "--known-at"))
    if format == "json":
        rows = []
        for ref, _, task in plan.iter_tasks():
            state = snapshot.states.get(ref)
            rows.append(
                {
                    "ref": ref,
                    "name": task.name,
                    "status": state.status.value if state else Status.PLANNED.value,
                    "progress": state.progress if state else 0,
                    "lateness": snapshot.lateness[ref].value,
                    "state": state.to_json() if state else None,
                }
            )
        payload = {"as_of": snapshot.as_of.isoformat(), "known_at": known_at, "tasks": rows}
        write_output(None, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    from rich.table import Table

    table = Table(title=f"{plan.name} — {options.pick('状況', 'Status')} {snapshot.as_of}")
    for column in (
        options.pick("工程", "Task"),
        options.pick("状況", "Status"),
        options.pick("進捗", "Progress"),
        options.pick("遅れ", "Lateness"),
        options.pick("更新", "Updated"),
    ):
        table.add_column(column)
    for ref, _, task in plan.iter_tasks():
        state = snapshot.states.get(ref)
        status = state.status if state else Status.PLANNED
        lateness = snapshot.lateness[ref]
        colour = {"late": "red", "at_risk": "yellow"}.get(lateness.value, "")
        shown = lateness.label(options.lang)
        table.add_row(
            f"{task.name}\n[dim]{ref}[/dim]",
            status.label(options.lang),
            f"{state.progress if state else 0}%",
            f"[{colour}]{shown}[/{colour}]" if colour else shown,
            state.updated.astimezone(TOKYO).date().isoformat() if state else "",
        )
    out.print(table)


def _history_rows(events: "list[StatusEvent]") -> list[dict[str, object]]:
    return [event.to_json() for event in events]


@status_app.command("history")
def status_history(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="工程か取組のID")],
    format: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
) -> None:
    """ひとつの工程・取組の状況の履歴を、訂正も含めてすべて表示します。"""
    options = options_of(ctx)
    check_format(format, ("table", "json", "csv"))
    plan = load(options)
    with writing_store(options, plan) as store:
        events = store.history(ref)
    rows = _history_rows(events)
    if format == "json":
        write_output(None, json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["ref"])
        writer.writeheader()
        writer.writerows(rows)
        # UTF-8 with BOM: Excel opens Japanese text correctly.
        write_output(None, "\ufeff" + buffer.getvalue())
        return
    from rich.table import Table

    table = Table(title=ref)
    for column in ("#", "effective", "recorded", "from → to", "%", "actor", "note"):
        table.add_column(column)
    for event in events:
        corrected = " [dim](訂正済み)[/dim]" if event.corrected_by else ""
        table.add_row(
            str(event.id) + corrected,
            _tokyo(event.effective),
            _tokyo(event.recorded),
            f"{event.from_status.label(options.lang)} → {event.status.label(options.lang)}",
            str(event.progress),
            event.actor,
            event.note,
        )
    out.print(table)


def _tokyo(moment: datetime) -> str:
    return moment.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")


@revisions_app.command("list")
def revisions_list(ctx: typer.Context) -> None:
    """保存された改訂の一覧を表示します。"""
    options = options_of(ctx)
    with writing_store(options, None) as store:
        found = store.revisions()
    from rich.table import Table

    table = Table()
    for column in ("#", "hash", options.pick("保存", "Saved"), options.pick("誰が", "By"), "note"):
        table.add_column(column)
    for revision in found:
        table.add_row(
            str(revision.id),
            revision.hash[:12],
            _tokyo(revision.recorded),
            revision.author,
            revision.note,
        )
    out.print(table)


@revisions_app.command("save")
def revisions_save(
    ctx: typer.Context,
    note: Annotated[str, typer.Option(help="改訂の説明")] = "",
    actor: Annotated[str | None, typer.Option(help="保存する人・課")] = None,
) -> None:
    """今のプランを改訂として保存します（同じ内容なら同じ改訂）。"""
    options = options_of(ctx)
    plan = load(options)
    with writing_store(options, plan) as store:
        revision = store.save_revision(plan, actor_of(actor), note)
    out.print(f"#{revision.id} {revision.hash[:12]}", markup=False)


@revisions_app.command("diff")
def revisions_diff(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="改訂（番号・基準線名・ハッシュ先頭）")],
    new: Annotated[str, typer.Argument(help="改訂（番号・基準線名・ハッシュ先頭）")],
    format: FormatOption = "table",
) -> None:
    """ふたつの改訂の差分（追加・削除・変更と、工程の日程のずれ）を表示します。"""
    options = options_of(ctx)
    check_format(format, ("table", "json"))
    with writing_store(options, None) as store:
        found = store.diff(_revision_ref(old), _revision_ref(new))
    if format == "json":
        write_output(None, json.dumps(found.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    for ref in found.added:
        out.print(f"[green]+ {ref}[/green]")
    for ref in found.removed:
        out.print(f"[red]- {ref}[/red]")
    for ref, fields in found.changed.items():
        out.print(f"~ {ref}: {', '.join(fields)}", markup=False)
    days = options.pick("稼働日", "working days")
    for ref, shift in found.shifts.items():
        out.print(f"  {ref}: {shift.finish_days:+d} {days}", markup=False)


def _revision_ref(text: str) -> int | str:
    return int(text) if text.isdigit() else text


@baseline_app.command("set")
def baseline_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="基準線の名前（例: 当初計画）")],
    revision: Annotated[
        str | None, typer.Argument(help="改訂（既定: 今のプランを保存して使う）")
    ] = None,
    actor: Annotated[str | None, typer.Option(help="設定する人・課")] = None,
    note: Annotated[str, typer.Option(help="メモ")] = "",
) -> None:
    """基準線を設定します。改訂を省くと今のプランを保存して基準にします。"""
    options = options_of(ctx)
    plan = load(options)
    with writing_store(options, plan) as store:
        target: int | str
        if revision is None:
            target = store.save_revision(plan, actor_of(actor), note or f"基準線 {name}").id
        else:
            target = _revision_ref(revision)
        baseline = store.set_baseline(name, target, actor=actor_of(actor), note=note)
    out.print(f"{baseline.name} → #{baseline.revision.id}", markup=False)


@baseline_app.command("list")
def baseline_list(ctx: typer.Context) -> None:
    """基準線の一覧を表示します。"""
    options = options_of(ctx)
    with writing_store(options, None) as store:
        for baseline in store.baselines():
            out.print(f"{baseline.name} → #{baseline.revision.id} ({baseline.actor})", markup=False)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """データベースをこの版のスキーマに更新します。"""
    from aomori_roadmap.store import upgrade_database

    options = options_of(ctx)
    try:
        result = upgrade_database(options.db)
    except RoadmapError as error:
        fail(error)
    if result.changed:
        out.print(f"{result.before or '(空)'} → {result.after}")
    else:
        out.print(options.pick(f"最新です（{result.after}）", f"up to date ({result.after})"))
