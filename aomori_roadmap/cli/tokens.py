"""The ``tokens`` command group: private feed URLs, created, listed and revoked."""

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from aomori_roadmap.cli.app import Options, app, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, fail, out
from aomori_roadmap.cli.inputs import actor_of, check_format, load
from aomori_roadmap.cli.serve import base_url_of
from aomori_roadmap.cli.stores import existing_store, writing_store
from aomori_roadmap.errors import PlanError, RoadmapError
from aomori_roadmap.formats import FEEDS

if TYPE_CHECKING:
    from aomori_roadmap.store.feed_tokens import FeedToken


tokens_app = typer.Typer(help="非公開フィードのURL（トークン）を扱います", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")


_FILTER_LABELS = {"department": "担当課", "initiative": "取組", "field": "分野", "priority": "重点"}


def _when(moment: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


def _filters_text(token: "FeedToken", options: Options) -> str:
    parts = []
    for key, value in token.filters.items():
        label = options.pick(_FILTER_LABELS.get(key, key), key)
        parts.append(f"{label}={value}")
    return ", ".join(parts) or options.pick("なし", "none")


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    feed: Annotated[str, typer.Option(help=" | ".join(FEEDS))] = "reviews",
    department: Annotated[str | None, typer.Option(help="担当課ID")] = None,
    initiative: Annotated[str | None, typer.Option(help="取組ID")] = None,
    field: Annotated[str | None, typer.Option(help="分野ID")] = None,
    priority: Annotated[str | None, typer.Option(help="重点（ID か 産業/教育/防災）")] = None,
    name: Annotated[
        str | None, typer.Option(help="トークンの名前（tokens revoke で使えます）")
    ] = None,
    actor: Annotated[str | None, typer.Option(help="作成者（既定: ログイン名）")] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="サーバーの公開URL（既定: $AOMORI_ROADMAP_BASE_URL か http://127.0.0.1:8765）"
        ),
    ] = None,
) -> None:
    """非公開フィードのURLを作ります。URLはこの一度だけ表示されます。"""
    from aomori_roadmap.store.feed_tokens import FeedTokens, check_request
    from aomori_roadmap.views.feeds import feed_urls

    options = options_of(ctx)
    if name is not None and not name.strip():
        # Asked for a name and gave none: a token without one is made by leaving --name out.
        err.print(
            options.pick(
                "--name が空です（名前なしなら --name を省いてください）",
                "--name is empty (leave it out for a token without a name)",
            ),
            markup=False,
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    name = name or ""
    plan = load(options)
    base = base_url_of(base_url)
    who = actor_of(actor)
    wanted = {"department": department, "initiative": initiative}
    wanted |= {"field": field, "priority": priority}
    try:  # the address, the feed, its filters and the labels, before anything is written
        feed_urls(base, "x", feed)
        check_request(plan, feed, wanted, actor=who, name=name)
    except PlanError as error:
        fail(error)
    with writing_store(options, plan) as store:
        token, info = FeedTokens(store, plan).create(
            feed,
            actor=who,
            name=name,
            department=department,
            initiative=initiative,
            field=field,
            priority=priority,
        )
    https, webcal = feed_urls(base, token, info.feed)
    label = f" {info.name}" if info.name else ""
    err.print(
        options.pick(
            f"トークン #{info.id}{label} を作りました（{info.feed}; {_filters_text(info, options)}）。"
            "URLは今だけ表示されます。再表示はできません。",
            f"Created token #{info.id}{label} ({info.feed}; {_filters_text(info, options)}). "
            "The URL is shown now and never again.",
        ),
        markup=False,
    )
    out.print(https, markup=False)
    out.print(webcal, markup=False)


@tokens_app.command("list")
def tokens_list(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    active: Annotated[bool, typer.Option("--active", help="有効なトークンだけ")] = False,
) -> None:
    """トークンの一覧（最終利用日時つき）。トークンそのものは表示しません。"""
    from aomori_roadmap.store.feed_tokens import FeedTokens

    options = options_of(ctx)
    check_format(format, ("table", "json"))
    plan = load(options)
    store = existing_store(options, plan)
    found: list[FeedToken] = []
    if store is not None:
        try:
            found = FeedTokens(store, plan).list(include_revoked=not active)
        except RoadmapError as error:
            fail(error)
        finally:
            store.close()
    if format == "json":
        text = json.dumps([t.to_json() for t in found], ensure_ascii=False, indent=2)
        out.print(text, markup=False)
        return
    if not found:
        out.print(options.pick("トークンはありません。", "No tokens."))
        return
    from rich.table import Table

    table = Table(title=options.pick("フィードのトークン", "Feed tokens"), title_justify="left")
    for heading in (
        ("#", "#"),
        ("名前", "Name"),
        ("フィード", "Feed"),
        ("絞り込み", "Filters"),
        ("作成者", "Actor"),
        ("作成", "Created"),
        ("最終利用", "Last used"),
        ("状態", "State"),
    ):
        table.add_column(options.pick(*heading))
    for token in found:
        state = options.pick("有効", "active")
        if token.revoked is not None:
            state = options.pick("無効", "revoked") + f" {_when(token.revoked, plan.timezone)}"
        used = "—" if token.last_used is None else _when(token.last_used, plan.timezone)
        table.add_row(
            str(token.id),
            token.name,
            token.feed,
            _filters_text(token, options),
            token.actor,
            _when(token.created, plan.timezone),
            used,
            state,
        )
    out.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    ctx: typer.Context,
    token: Annotated[str, typer.Argument(help="トークンの番号か名前（tokens list）")],
) -> None:
    """トークンを無効にします。そのURLは以後 404 になります。"""
    from aomori_roadmap.store.feed_tokens import FeedTokens

    options = options_of(ctx)
    plan = load(options)
    store = existing_store(options, plan)
    if store is None:
        fail(PlanError(f"トークン '{token}' がありません（状況ストアがまだありません）。"))
    try:
        before = FeedTokens(store, plan).get(token)
        after = FeedTokens(store, plan).revoke(before.id)
    except RoadmapError as error:
        fail(error)
    finally:
        store.close()
    label = f" {after.name}" if after.name else ""
    if not before.active:
        out.print(
            options.pick(
                f"トークン #{after.id}{label} は既に無効です。",
                f"Token #{after.id}{label} was already revoked.",
            ),
            markup=False,
        )
        return
    out.print(
        options.pick(
            f"トークン #{after.id}{label} を無効にしました。",
            f"Revoked token #{after.id}{label}.",
        ),
        markup=False,
    )
