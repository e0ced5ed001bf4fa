"""The ``serve`` command: calendar feeds and read-only JSON over HTTP."""

import os
from typing import Annotated

import typer

from aomori_roadmap.cli.application import app, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, fail
from aomori_roadmap.cli.inputs import AlarmDaysOption, load
from aomori_roadmap.errors import RoadmapError
from aomori_roadmap.formats import FEEDS
from aomori_roadmap.i18n import _

DEFAULT_BASE_URL = "http://127.0.0.1:8765"


def base_url_of(given: str | None) -> str:
    return given or os.environ.get("AOMORI_ROADMAP_BASE_URL") or DEFAULT_BASE_URL


@app.command(
    help=_("Serve the calendar feeds and read-only JSON over HTTP (by default on 127.0.0.1 only).")
)
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help=_("Address to listen on (default: 127.0.0.1)"))
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=_("Port number"))] = 8765,
    base_url: Annotated[
        str | None,
        typer.Option(
            help=_(
                "Base of the public URLs (for the links in the descriptions and the output;"
                " for example https://dx.example.jp)"
            )
        ),
    ] = None,
    public: Annotated[
        list[str] | None,
        typer.Option(
            "--public",
            help=_("A feed served without a token (may be repeated): {feeds}").format(
                feeds=" | ".join(FEEDS)
            )
            + _("; site: the progress site at /site/ without a token"),
        ),
    ] = None,
    alarm_days: AlarmDaysOption = None,
) -> None:
    """カレンダー配信と読み取り専用のJSONをHTTPで提供します（既定は 127.0.0.1 のみ）。"""
    from aomori_roadmap.export.feeds import feed_urls

    options = options_of(ctx)
    plan = load(options)
    public_site = "site" in (public or [])
    public_feeds = [name for name in public or [] if name != "site"]
    if not 0 < port < 65536:
        err.print(_("--port is 1–65535 ({port} cannot be used)").format(port=port))
        raise typer.Exit(EXIT_BAD_INPUT)
    from aomori_roadmap.server import create_app, run  # FastAPI only when serving

    try:
        server_app = create_app(
            plan,
            options.db,
            base_url=base_url,
            public_feeds=public_feeds,
            public_site=public_site,
            lang=options.lang,
            alarm_days=alarm_days,
        )
    except RoadmapError as error:
        fail(error)
    shown = base_url or f"http://{host}:{port}"
    err.print(f"{plan.name}: {shown}", markup=False)
    public_word = _("public")
    for name in public_feeds:
        https, webcal = feed_urls(shown, "public", name)
        err.print(f"  {public_word} {name}: {https}  {webcal}", markup=False)
    if public_site:
        err.print(f"  {public_word} site: {shown.rstrip('/')}/site/", markup=False)
    run(server_app, host=host, port=port)
