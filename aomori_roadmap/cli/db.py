"""The ``db`` command group: the store's database schema."""

import typer

from aomori_roadmap.cli.app import app, options_of
from aomori_roadmap.cli.console import fail, out
from aomori_roadmap.errors import RoadmapError

db_app = typer.Typer(help="状況ストアのデータベース", no_args_is_help=True)
app.add_typer(db_app, name="db")


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
