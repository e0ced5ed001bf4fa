"""The ``aomori-roadmap`` command: parse input, call the library, print. No logic of its own.

Exit status: 0 success, 2 bad input or usage (one clear message per problem on stderr, nothing
written), 3 store or server failure.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from aomori_roadmap.errors import PlanError, PlanValidationError, RoadmapError, StoreError
from aomori_roadmap.loader import default_plan, load_plan
from aomori_roadmap.model import Plan
from aomori_roadmap.schemas import export_schemas

__all__ = ["app", "main"]

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 3

_LABELS = {
    "ja": {
        "fields": "分野",
        "items": "項目",
        "policies": "取組方針",
        "foundations": "基盤",
        "priorities": "重点的に取り組むDX",
        "kpis": "成果指標（KPI）",
        "departments": "担当課",
        "initiatives": "取組",
        "tasks": "工程",
        "summary": "概要",
        "count": "件数",
        "period": "期間",
        "valid": "問題はありません",
        "wrote": "書き出しました",
        "kpi_unset": "基準値・目標値が未設定の成果指標: {n}件",
        "problems": "{n}件の問題があります",
        "illustrative": "（例示）",
    },
    "en": {
        "fields": "Fields",
        "items": "Items",
        "policies": "Policies",
        "foundations": "Foundations",
        "priorities": "Priority DX areas",
        "kpis": "KPIs",
        "departments": "Departments",
        "initiatives": "Initiatives",
        "tasks": "Tasks",
        "summary": "Summary",
        "count": "Count",
        "period": "Period",
        "valid": "No problems found",
        "wrote": "Wrote",
        "kpi_unset": "KPIs without a baseline or target value: {n}",
        "problems": "{n} problem(s) found",
        "illustrative": " (illustrative)",
    },
}


@dataclass
class _Options:
    plan: str | None = None
    db: str = "sqlite:///aomori-roadmap.db"
    lang: str = "ja"
    as_of: str | None = None

    def label(self, key: str, **values: object) -> str:
        return _LABELS[self.lang][key].format(**values)


app = typer.Typer(
    name="aomori-roadmap",
    help="青森県DX推進プランのロードマップ: 検証・工程・見直し・ガント・カレンダー配信",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
schema_app = typer.Typer(help="JSON Schema を扱います", no_args_is_help=True)
app.add_typer(schema_app, name="schema")

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _options(ctx: typer.Context) -> _Options:
    options = ctx.find_object(_Options)
    return options if options is not None else _Options()


def _fail(error: RoadmapError) -> NoReturn:
    if isinstance(error, PlanValidationError):
        for problem in error.problems:
            _err.print(str(problem), markup=False)
        _err.print(f"{len(error.problems)}件の問題があります / {len(error.problems)} problem(s)")
        raise typer.Exit(EXIT_BAD_INPUT)
    _err.print(str(error), markup=False)
    raise typer.Exit(EXIT_FAILURE if isinstance(error, StoreError) else EXIT_BAD_INPUT)


def _load(options: _Options, path: str | None = None) -> Plan:
    source = path or options.plan
    try:
        return load_plan(source) if source else default_plan()
    except RoadmapError as error:
        _fail(error)


@app.callback()
def _global(
    ctx: typer.Context,
    plan: Annotated[
        str | None,
        typer.Option(help="プランのファイルかフォルダ（既定: 組み込みの青森県DX推進プラン）"),
    ] = None,
    db: Annotated[
        str | None, typer.Option(help="状況ストアのURL（既定: sqlite:///aomori-roadmap.db）")
    ] = None,
    lang: Annotated[str, typer.Option(help="表示言語 ja|en")] = "ja",
    as_of: Annotated[str | None, typer.Option("--as-of", help="基準日（YYYY-MM-DD）")] = None,
) -> None:
    """Global options shared by every command."""
    if lang not in _LABELS:
        _err.print(f"--lang は ja か en です（'{lang}' は使えません）")
        raise typer.Exit(EXIT_BAD_INPUT)
    ctx.obj = _Options(
        plan=plan or os.environ.get("AOMORI_ROADMAP_PLAN") or None,
        db=db or os.environ.get("AOMORI_ROADMAP_DB") or "sqlite:///aomori-roadmap.db",
        lang=lang,
        as_of=as_of,
    )


def _summary_table(plan: Plan, options: _Options) -> Table:
    counts = plan.counts()
    table = Table(title=f"{plan.name} — {options.label('summary')}", title_justify="left")
    table.add_column(options.label("summary"))
    table.add_column(options.label("count"), justify="right")
    for key in (
        "fields",
        "items",
        "policies",
        "foundations",
        "priorities",
        "kpis",
        "departments",
        "initiatives",
        "tasks",
    ):
        table.add_row(options.label(key), str(counts[key]))
    return table


def _print_summary(plan: Plan, options: _Options) -> None:
    start, end = plan.period.start, plan.period.end
    _out.print(f"{plan.name}  {plan.subtitle or ''}".rstrip(), markup=False)
    _out.print(
        f"{options.label('period')}: {start.label(options.lang)} – {end.label(options.lang)}"
    )
    _out.print(_summary_table(plan, options))
    unset = sum(1 for k in plan.kpis for point in (k.baseline, k.target) if point.value is None)
    if unset:
        _out.print(options.label("kpi_unset", n=unset))
    for initiative in plan.initiatives:
        mark = options.label("illustrative") if initiative.illustrative else ""
        _out.print(f"  • {initiative.name}{mark}  [{len(initiative.tasks)}]", markup=False)


@app.command()
def validate(
    ctx: typer.Context,
    plan: Annotated[
        str | None, typer.Argument(help="検証するプラン（既定: --plan か組み込み）")
    ] = None,
) -> None:
    """プランを検証し、すべての問題をファイル:行:列つきで表示します。"""
    options = _options(ctx)
    loaded = _load(options, plan)
    counts = loaded.counts()
    _out.print(
        f"{options.label('valid')}: {loaded.name} "
        f"({options.label('initiatives')} {counts['initiatives']}, "
        f"{options.label('tasks')} {counts['tasks']})"
    )


@app.command()
def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="出力先フォルダ")] = Path("aomori-roadmap-demo"),
) -> None:
    """組み込みの青森県DX推進プランを検証し、概要を表示します。"""
    options = _options(ctx)
    plan = _load(options)
    _print_summary(plan, options)


@schema_app.command("export")
def schema_export(
    folder: Annotated[Path, typer.Argument(help="書き出し先フォルダ")] = Path("schemas"),
) -> None:
    """JSON Schema をフォルダに書き出します。"""
    try:
        written = export_schemas(folder)
    except OSError as error:
        _err.print(f"書き出せません: {error}", markup=False)
        raise typer.Exit(EXIT_FAILURE) from error
    for path in written:
        _out.print(str(path), markup=False)


def main() -> None:
    """Run the command line; the console script's entry point."""
    try:
        app()
    except PlanError as error:  # an error raised outside a command's own handling
        _err.print(str(error), markup=False)
        sys.exit(EXIT_BAD_INPUT)
