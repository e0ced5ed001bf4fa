"""The ``baseline`` command group: named revisions to compare with."""

from typing import Annotated

import typer

from aomori_roadmap.cli.application import app, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, out
from aomori_roadmap.cli.inputs import actor_of, load, revision_ref
from aomori_roadmap.cli.stores import reading_store, writing_store
from aomori_roadmap.i18n import _

baseline_app = typer.Typer(
    help=_("Baselines: named revisions to compare with"), no_args_is_help=True
)
app.add_typer(baseline_app, name="baseline")


@baseline_app.command(
    "set", help=_("Set a baseline. Without a revision, the current plan is saved and used.")
)
def baseline_set(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help=_("Name of the baseline (for example: original plan)"))
    ],
    revision: Annotated[
        str | None,
        typer.Argument(help=_("Revision (default: save the current plan and use that)")),
    ] = None,
    actor: Annotated[str | None, typer.Option(help=_("Person or department setting it"))] = None,
    note: Annotated[str, typer.Option(help=_("Note"))] = "",
) -> None:
    """基準線を設定します。改訂を省くと今のプランを保存して基準にします。"""
    options = options_of(ctx)
    if not name.strip():  # refused here, or the revision would be saved before the name is
        err.print(_("the baseline's name is empty"), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    plan = load(options)
    who = actor_of(actor)  # before the store is opened
    with writing_store(options, plan) as store:
        target: int | str
        if revision is None:
            target = store.save_revision(
                plan, who, note or _("baseline {name}").format(name=name)
            ).id
        else:
            target = revision_ref(revision)
        baseline = store.set_baseline(name, target, actor=who, note=note)
    out.print(f"{baseline.name} → #{baseline.revision.id}", markup=False)


@baseline_app.command("list", help=_("List the baselines."))
def baseline_list(ctx: typer.Context) -> None:
    """基準線の一覧を表示します。"""
    options = options_of(ctx)
    # The plan names its part of the store; reading never creates a database file.
    with reading_store(options, load(options)) as store:
        for baseline in [] if store is None else store.baselines():
            out.print(f"{baseline.name} → #{baseline.revision.id} ({baseline.actor})", markup=False)
