"""The ``plans`` command group: the catalogue of the plans one store holds."""

from typing import TYPE_CHECKING, Annotated

import typer

from aomori_roadmap.cli.application import app, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, fail, out, print_json, tokyo_time
from aomori_roadmap.cli.inputs import JsonOption, actor_of, load
from aomori_roadmap.cli.stores import reading_store, writing_store
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _

if TYPE_CHECKING:
    from aomori_roadmap.store import PlanInfo

plans_app = typer.Typer(help=_("The plans one status store holds"), no_args_is_help=True)
app.add_typer(plans_app, name="plans")


def _json(info: "PlanInfo") -> dict[str, object]:
    return {
        "id": info.id,
        "name": info.name,
        "owner": info.owner,
        "period": info.period,
        "start_fy": info.start_fy,
        "end_fy": info.end_fy,
        "revision": info.revision,
        "recorded": info.recorded.isoformat(),
    }


def _catalogue(ctx: typer.Context) -> "list[PlanInfo]":
    options = options_of(ctx)
    with reading_store(options, None) as store:  # reading never creates a database file
        return [] if store is None else store.plans()


@plans_app.command(
    "list", help=_("List the plans of the store: id, name, owner, period, revision.")
)
def plans_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """ストアが持つプランの一覧（ID・名称・所管・期間・最新の改訂）を表示します。"""
    found = _catalogue(ctx)
    if as_json:
        print_json([_json(info) for info in found])
        return
    from rich.table import Table

    table = Table()
    for column in ("id", _("Name"), _("Owner"), _("Period"), _("Revision")):
        table.add_column(column)
    for info in found:
        revision = "" if info.revision is None else f"#{info.revision}"
        table.add_row(info.id, info.name, info.owner, info.period, revision)
    out.print(table)


@plans_app.command(
    "add",
    help=_(
        "Add the plan (--plan, or the file or folder given) to the store with the office that "
        "owns it, and save it as a revision; adding it again updates its name, owner and period."
    ),
)
def plans_add(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Argument(help=_("The plan's file or folder (default: --plan)"))
    ] = None,
    owner: Annotated[str, typer.Option(help=_("The office that keeps the plan"))] = "",
    actor: Annotated[str | None, typer.Option(help=_("Person or department adding it"))] = None,
    note: Annotated[str, typer.Option(help=_("Note"))] = "",
) -> None:
    """プラン（--plan または指定したファイル・フォルダ）を所管とともにストアに登録します。"""
    options = options_of(ctx)
    if not owner.strip():
        err.print(_("--owner is needed: the office that keeps the plan"), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    plan = load(options, source)
    who = actor_of(actor)  # before the store is opened
    with writing_store(options, plan) as store:
        info = store.add_plan(plan, owner=owner, actor=who, note=note)
    out.print(f"{info.id} #{info.revision} ({info.owner})", markup=False)


@plans_app.command("show", help=_("Show one plan of the store."))
def plans_show(
    ctx: typer.Context,
    plan_id: Annotated[str, typer.Argument(help=_("The plan's id"))],
    as_json: JsonOption = False,
) -> None:
    """ストアの一つのプランを表示します。"""
    found = {info.id: info for info in _catalogue(ctx)}
    info = found.get(plan_id)
    if info is None:
        fail(
            PlanError(
                _("There is no plan '{plan}' in the store. There are: {plans}").format(
                    plan=plan_id, plans=", ".join(found) or "-"
                )
            )
        )
    if as_json:
        print_json(_json(info))
        return
    revision = "-" if info.revision is None else f"#{info.revision}"
    for label, value in (
        ("id", info.id),
        (_("Name"), info.name),
        (_("Owner"), info.owner or "-"),
        (_("Period"), info.period or "-"),
        (_("Revision"), revision),
        (_("Added"), tokyo_time(info.recorded)),
    ):
        out.print(f"{label}: {value}", markup=False)


@plans_app.command(
    "grant",
    help=_(
        "Let a PostgreSQL role read and write one plan's rows (with db upgrade --with-rls). "
        "Run it as the owner of the tables."
    ),
)
def plans_grant(
    ctx: typer.Context,
    plan_id: Annotated[str, typer.Argument(help=_("The plan's id"))],
    role: Annotated[str, typer.Argument(help=_("The database role of the office"))],
    actor: Annotated[str | None, typer.Option(help=_("Person or department granting it"))] = None,
) -> None:
    """PostgreSQL のロールに一つのプランの行の読み書きを許可します（db upgrade --with-rls と併用）。"""
    from aomori_roadmap.errors import RoadmapError
    from aomori_roadmap.store.security import grant_plan

    options = options_of(ctx)
    who = actor_of(actor)
    try:
        grant_plan(options.db, plan_id, role, actor=who)
    except RoadmapError as error:
        fail(error)
    out.print(f"{plan_id} → {role}", markup=False)
