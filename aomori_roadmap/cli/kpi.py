"""The ``kpi`` command group: KPI actuals and progress."""

from typing import Annotated, Any

import typer

from aomori_roadmap.cli.application import app, options_of
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
from aomori_roadmap.i18n import _, pgettext

kpi_app = typer.Typer(help=_("KPI actuals and progress"), no_args_is_help=True)
app.add_typer(kpi_app, name="kpi")


@kpi_app.command(
    "show",
    help=_(
        "Show the KPIs and their intermediate indicators: baseline, target and actual values"
        " by fiscal year, the rate of achievement and the status."
    ),
)
def kpi_show(
    ctx: typer.Context,
    fy: Annotated[
        str | None,
        typer.Option(
            help=_(
                "Fiscal year of the rate of achievement (default: the one before the reference date)"
            )
        ),
    ] = None,
    format: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """成果指標の基準値・目標値・年度ごとの実績、達成率と状況を示します。"""
    from aomori_roadmap.calendar import FiscalYear
    from aomori_roadmap.engine.kpi import KpiMark, entries_of, progress
    from aomori_roadmap.plan.model import Indicator, Kpi
    from aomori_roadmap.store.review_log import KpiLog

    options = options_of(ctx)
    check_format(format, ("table", "json"))
    plan = load(options)
    year = fiscal_year_of(fy, FiscalYear.of(as_of_date(options)).previous())
    with reading_store(options, plan) as store:
        values = KpiLog(store, plan).values() if store is not None else {}
    years = list(range(plan.period.start.year, plan.period.end.year + 1))
    rows: list[dict[str, Any]] = []
    standings = []
    subjects: list[Kpi | Indicator] = [*plan.kpis, *plan.indicators]  # 中間指標 after the KPIs
    for kpi in subjects:
        actuals = entries_of(kpi, values.get(kpi.id, {}))  # an indicator's published too
        standing = progress(kpi, year.year, actuals.get(year.year))
        standings.append(standing)
        indicator = isinstance(kpi, Indicator)
        rows.append(
            {
                "kpi": kpi.id, "kind": "indicator" if indicator else "kpi",
                "of": (kpi.kpi or kpi.initiative) if isinstance(kpi, Indicator) else None,
                "name": kpi.name, "unit": kpi.unit, "direction": kpi.direction,
                "baseline": None if kpi.baseline is None else kpi.baseline.value,
                "target": None if kpi.target is None else kpi.target.value,
                "actuals": {str(y): actuals.get(y) for y in years}, "fy": year.year,
                "mark": standing.mark, "expected": standing.expected, "rate": standing.rate,
                "status": standing.status.value,
            }
        )  # fmt: skip
    if format == "json":
        print_json(rows)
        return
    unset = _("not set")

    def shown(value: float | KpiMark | None) -> str:
        if isinstance(value, KpiMark):
            return value.label(options.lang)
        return unset if value is None else f"{value:g}"

    from rich.table import Table

    table = Table(title=f"{plan.name} — {year.label(options.lang)}", title_justify="left")
    heads = [_("KPI"), pgettext("KPI", "Baseline"), pgettext("KPI", "Target")]
    heads += [f"FY{y}" for y in years] + [pgettext("KPI", "Rate"), pgettext("KPI", "Status")]
    for n, head in enumerate(heads):
        table.add_column(head, justify="left" if n == 0 else "right", overflow="fold")
    # The year's standing as computed above: --fy may be a year outside the plan's columns.
    for kpi, row, standing in zip(subjects, rows, standings, strict=True):
        rate = unset if row["rate"] is None else f"{row['rate']:.1f}%"
        name = kpi.name
        if row["kind"] == "indicator":  # an intermediate indicator, under what it belongs to
            name = _("{name} (indicator of {of})").format(name=kpi.name, of=row["of"])
        table.add_row(
            name, shown(row["baseline"]), shown(row["target"]),
            *(shown(row["actuals"][str(y)]) for y in years), rate,
            standing.status.label(options.lang),
        )  # fmt: skip
    out.print(table)


@kpi_app.command(
    "record",
    help=_(
        "Record the actual value of a KPI for a fiscal year (a correction is a new record,"
        " with --corrects)."
    ),
)
def kpi_record(
    ctx: typer.Context,
    kpi: Annotated[str, typer.Argument(help=_("ID of the KPI"))],
    fy: Annotated[str, typer.Argument(help=_("Fiscal year (2025, FY2025)"))],
    value: Annotated[
        str,
        typer.Argument(help=_("Actual value: a number, or unknown / surveying")),
    ],
    source: Annotated[
        str, typer.Option(help=_("Source (default: the source of the KPI in the plan)"))
    ] = "",
    note: Annotated[str, typer.Option(help=_("Remarks"))] = "",
    corrects: Annotated[
        int | None, typer.Option(help=_("Number of the record this one corrects"))
    ] = None,
    actor: ActorOption = None,
) -> None:
    """成果指標の年度の実績値を記録します（訂正は --corrects で新しい記録として）。"""
    from aomori_roadmap.engine.kpi import KpiMark
    from aomori_roadmap.store.review_log import KpiLog

    options = options_of(ctx)
    entry: float | str
    if KpiMark.read(value) is not None:
        entry = value
    else:
        try:
            entry = float(value.replace(",", ""))
        except ValueError:
            err.print(
                _(
                    "write the actual value as a number or one of {marks} (cannot read '{value}')"
                ).format(marks=", ".join(KpiMark.forms(options.lang)), value=value)
            )
            raise typer.Exit(EXIT_BAD_INPUT) from None
    plan = load(options)
    who = actor_of(actor)  # before the store is opened
    with writing_store(options, plan) as store:
        actual = KpiLog(store).record(kpi, fy, entry, source, note, actor=who, corrects=corrects)
    measured = actual.measured
    shown = measured.label(options.lang) if isinstance(measured, KpiMark) else f"{measured:g}"
    out.print(f"#{actual.id} {actual.kpi} FY{actual.fy}: {shown}", markup=False)
