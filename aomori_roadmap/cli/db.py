"""The ``db`` command group: the store's database schema."""

from typing import Annotated

import typer

from aomori_roadmap.cli.application import app, options_of
from aomori_roadmap.cli.console import fail, out
from aomori_roadmap.errors import RoadmapError
from aomori_roadmap.i18n import _

db_app = typer.Typer(help=_("The database of the status store"), no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade", help=_("Upgrade the database to the schema of this version."))
def db_upgrade(
    ctx: typer.Context,
    plan_id: Annotated[
        str | None,
        typer.Option(
            "--plan-id",
            help=_(
                "The plan whose history a single-plan database holds, where its revisions do "
                "not say it"
            ),
        ),
    ] = None,
    with_rls: Annotated[
        bool,
        typer.Option(
            "--with-rls",
            help=_(
                "Also switch PostgreSQL's row-level security on: each role reads and writes "
                "only the plans granted to it (plans grant)"
            ),
        ),
    ] = False,
) -> None:
    """データベースをこの版のスキーマに更新します。"""
    from aomori_roadmap.store import upgrade_database
    from aomori_roadmap.store.security import enable_row_security

    options = options_of(ctx)
    try:
        result = upgrade_database(options.db, plan_id=plan_id)
        if with_rls:
            enable_row_security(options.db)
    except RoadmapError as error:
        fail(error)
    if with_rls:
        out.print(_("row-level security: on"))
    if result.changed:
        before = result.before or _("(empty)")
        out.print(f"{before} → {result.after}")
    else:
        out.print(_("up to date ({version})").format(version=result.after))
