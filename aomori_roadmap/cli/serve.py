"""The ``serve`` command: calendar feeds and read-only JSON over HTTP."""

import os
from typing import Annotated

import typer

from aomori_roadmap.cli.app import app, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, fail
from aomori_roadmap.cli.inputs import load
from aomori_roadmap.errors import RoadmapError
from aomori_roadmap.formats import FEEDS

DEFAULT_BASE_URL = "http://127.0.0.1:8765"


def base_url_of(given: str | None) -> str:
    return given or os.environ.get("AOMORI_ROADMAP_BASE_URL") or DEFAULT_BASE_URL


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="待ち受けるアドレス（既定: 127.0.0.1）")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="ポート番号")] = 8765,
    base_url: Annotated[
        str | None,
        typer.Option(help="公開URLの基点（説明のリンクと表示用; 例 https://dx.example.jp）"),
    ] = None,
    public: Annotated[
        list[str] | None,
        typer.Option(
            "--public", help=f"トークンなしで公開するフィード（繰り返し可）: {' | '.join(FEEDS)}"
        ),
    ] = None,
    alarm_days: Annotated[int | None, typer.Option(help="N日前に通知（VALARM）")] = None,
) -> None:
    """カレンダー配信と読み取り専用のJSONをHTTPで提供します（既定は 127.0.0.1 のみ）。"""
    from aomori_roadmap.views.feeds import feed_urls

    options = options_of(ctx)
    plan = load(options)
    public_feeds = public or []
    if not 0 < port < 65536:
        err.print(f"--port は 1–65535 です（{port} は使えません）")
        raise typer.Exit(EXIT_BAD_INPUT)
    from aomori_roadmap.server import create_app, run  # FastAPI only when serving

    try:
        server_app = create_app(
            plan,
            options.db,
            base_url=base_url,
            public_feeds=public_feeds,
            lang=options.lang,
            alarm_days=alarm_days,
        )
    except RoadmapError as error:
        fail(error)
    shown = base_url or f"http://{host}:{port}"
    err.print(f"{plan.name}: {shown}", markup=False)
    for name in public_feeds:
        https, webcal = feed_urls(shown, "public", name)
        err.print(f"  {options.pick('公開', 'public')} {name}: {https}  {webcal}", markup=False)
    run(server_app, host=host, port=port)
