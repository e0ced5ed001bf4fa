"""The ``kpi`` command group: KPI actuals and progress."""

from typing import Annotated, Any

import typer

from aomori_roadmap.cli.app import app, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, out, print_json
from aomori_roadmap.cli.inputs import (
    ActorOption,
    actor_of,
    as_of_date,
    check_format,
    fiscal_year_of,
    load,
)
from aomori_roadmap.cli.stores import reading_store, writing_store

kpi_app = typer.Typer(help="成果指標（KPI）の実績と進捗", no_args_is_help=True)
app.add_typer(kpi_app, name="kpi")


@kpi_app.command("show")
def kpi_show(
    ctx: typer.Context,
    fy: Annotated[str | None, typer.Option(help="達成率を見る年度（既定: 基準日の前年度）")] = None,
    format: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """成果指標の基準値・目標値・年度ごとの実績、達成率と状況を示します。"""
    from aomori_roadmap.calendar import FiscalYear
    from aomori_roadmap.engine.kpi import progress
    from aomori_roadmap.store.review_log import KpiLog

    options = options_of(ctx)
    check_format(format, ("table", "json"))
    plan = load(options)
    year = fiscal_year_of(fy, FiscalYear.of(as_of_date(options)).previous())
    with reading_store(options, plan) as store:
        values = KpiLog(store, plan).values() if store is not None else {}
    years = list(range(plan.period.start.year, plan.period.end.year + 1))
    rows: list[dict[str, Any]] = []
    for kpi in plan.kpis:
        actuals = values.get(kpi.id, {})
        standing = progress(kpi, year.year, actuals.get(year.year))
        rows.append(
            {
                "kpi": kpi.id, "name": kpi.name, "unit": kpi.unit, "direction": kpi.direction,
                "baseline": kpi.baseline.value, "target": kpi.target.value,
                "actuals": {str(y): actuals.get(y) for y in years}, "fy": year.year,
                "expected": standing.expected, "rate": standing.rate,
                "status": standing.status.value,
            }
        )  # fmt: skip
    if format == "json":
        print_json(rows)
        return
    unset = options.pick("未設定", "not set")

    def shown(value: float | None) -> str:
        return unset if value is None else f"{value:g}"

    from rich.table import Table

    table = Table(title=f"{plan.name} — {year.label(options.lang)}", title_justify="left")
    heads = options.pick("成果指標,基準値,目標値", "KPI,Baseline,Target").split(",")
    heads += [f"FY{y}" for y in years] + options.pick("達成率,状況", "Rate,Status").split(",")
    for n, head in enumerate(heads):
        table.add_column(head, justify="left" if n == 0 else "right", overflow="fold")
    for kpi, row in zip(plan.kpis, rows, strict=True):
        rate = unset if row["rate"] is None else f"{row['rate']:.1f}%"
        table.add_row(
            kpi.name, shown(row["baseline"]), shown(row["target"]),
            *(shown(row["actuals"][str(y)]) for y in years), rate,
            progress(kpi, year.year, row["actuals"][str(year.year)]).status.label(options.lang),
        )  # fmt: skip
    out.print(table)


@kpi_app.command("record")
def kpi_record(
    ctx: typer.Context,
    kpi: Annotated[str, typer.Argument(help="成果指標のID")],
    fy: Annotated[str, typer.Argument(help="年度（2025, FY2025, 令和7年度）")],
    value: Annotated[str, typer.Argument(help="実績値（数値）")],
    source: Annotated[str, typer.Option(help="出典（既定: プランの成果指標の出典）")] = "",
    note: Annotated[str, typer.Option(help="備考")] = "",
    corrects: Annotated[int | None, typer.Option(help="訂正する記録の番号")] = None,
    actor: ActorOption = None,
) -> None:
    """成果指標の年度の実績値を記録します（訂正は --corrects で新しい記録として）。"""
    from aomori_roadmap.store.review_log import KpiLog

    options = options_of(ctx)
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        err.print(f"実績値は数値で書いてください（'{value}' は読めません）")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    plan = load(options)
    who = actor_of(actor)  # before the store is opened
    with writing_store(options, plan) as store:
        actual = KpiLog(store).record(kpi, fy, number, source, note, actor=who, corrects=corrects)
    out.print(f"#{actual.id} {actual.kpi} FY{actual.fy}: {actual.value:g}", markup=False)
