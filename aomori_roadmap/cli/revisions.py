"""The ``revisions`` command group: stored versions of the plan."""

import json
from typing import Annotated

import typer

from aomori_roadmap.cli.application import app, options_of
from aomori_roadmap.cli.console import fail, out, tokyo_time, write_output
from aomori_roadmap.cli.inputs import FormatOption, actor_of, check_format, load, revision_ref
from aomori_roadmap.cli.stores import reading_store, writing_store
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import N_, _

REVISION_HELP = N_("Revision (number, baseline name or start of the hash)")

revisions_app = typer.Typer(help=_("Revisions of the plan"), no_args_is_help=True)
app.add_typer(revisions_app, name="revisions")


@revisions_app.command("list", help=_("List the saved revisions."))
def revisions_list(ctx: typer.Context) -> None:
    """保存された改訂の一覧を表示します。"""
    options = options_of(ctx)
    # The plan names its part of the store; reading never creates a database file.
    with reading_store(options, load(options)) as store:
        found = [] if store is None else store.revisions()
    from rich.table import Table

    table = Table()
    for column in ("#", "hash", _("Saved"), _("By"), "note"):
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


@revisions_app.command(
    "save",
    help=_("Save the current plan as a revision (the same content is the same revision)."),
)
def revisions_save(
    ctx: typer.Context,
    note: Annotated[str, typer.Option(help=_("What the revision is about"))] = "",
    actor: Annotated[str | None, typer.Option(help=_("Person or department saving it"))] = None,
) -> None:
    """今のプランを改訂として保存します（同じ内容なら同じ改訂）。"""
    options = options_of(ctx)
    plan = load(options)
    who = actor_of(actor)  # before the store is opened
    with writing_store(options, plan) as store:
        revision = store.save_revision(plan, who, note)
    out.print(f"#{revision.id} {revision.hash[:12]}", markup=False)


@revisions_app.command(
    "diff",
    help=_(
        "Show the differences between two revisions: what was added, removed or changed, and"
        " how the dates of the tasks moved."
    ),
)
def revisions_diff(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help=_(REVISION_HELP))],
    new: Annotated[str, typer.Argument(help=_(REVISION_HELP))],
    format: FormatOption = "table",
) -> None:
    """ふたつの改訂の差分（追加・削除・変更と、工程の日程のずれ）を表示します。"""
    options = options_of(ctx)
    check_format(format, ("table", "json"))
    # The plan names its part of the store; reading never creates a database file.
    with reading_store(options, load(options)) as store:
        if store is None:
            missing = _("there is no revision '{ref}' (the status store does not exist yet).")
            fail(PlanError(missing.format(ref=old)))
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
    days = _("working days")
    for ref, shift in found.shifts.items():
        out.print(f"  {ref}: {shift.finish_days:+d} {days}", markup=False)
