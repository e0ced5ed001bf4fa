"""The ``revisions`` command group: stored versions of the plan."""

import json
from typing import Annotated

import typer

from aomori_roadmap.cli.app import app, options_of
from aomori_roadmap.cli.console import fail, out, tokyo_time, write_output
from aomori_roadmap.cli.inputs import FormatOption, actor_of, check_format, load, revision_ref
from aomori_roadmap.cli.stores import reading_store, writing_store
from aomori_roadmap.errors import PlanError

revisions_app = typer.Typer(help="プランの改訂", no_args_is_help=True)
app.add_typer(revisions_app, name="revisions")


@revisions_app.command("list")
def revisions_list(ctx: typer.Context) -> None:
    """保存された改訂の一覧を表示します。"""
    options = options_of(ctx)
    with reading_store(options, None) as store:  # reading never creates a database file
        found = [] if store is None else store.revisions()
    from rich.table import Table

    table = Table()
    for column in ("#", "hash", options.pick("保存", "Saved"), options.pick("誰が", "By"), "note"):
        table.add_column(column)
    for revision in found:
        table.add_row(
            str(revision.id),
            revision.hash[:12],
            tokyo_time(revision.recorded),
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
    who = actor_of(actor)  # before the store is opened
    with writing_store(options, plan) as store:
        revision = store.save_revision(plan, who, note)
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
    with reading_store(options, None) as store:  # reading never creates a database file
        if store is None:
            missing = options.pick(
                f"改訂 '{old}' がありません（状況ストアがまだありません）。",
                f"there is no revision '{old}' (the status store does not exist yet).",
            )
            fail(PlanError(missing))
        found = store.diff(revision_ref(old), revision_ref(new))
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
