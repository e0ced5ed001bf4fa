"""Commands on the review rhythm: reviews list/due/record, reminders, kpi show/record, report."""

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from aomori_roadmap.cli.app import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    Options,
    actor_of,
    app,
    as_of_date,
    check_format,
    err,
    fail,
    load,
    options_of,
    out,
    reading_store,
    write_output,
    writing_store,
)
from aomori_roadmap.errors import PlanError, RoadmapError, visible

if TYPE_CHECKING:
    from aomori_roadmap.calendar import FiscalYear
    from aomori_roadmap.model import Plan
    from aomori_roadmap.notify import SmtpSettings
    from aomori_roadmap.reminders import (
        DepartmentReminders,
    )
    from aomori_roadmap.snapshot import Snapshot
    from aomori_roadmap.store import Store

reviews_app = typer.Typer(help="半期見直しのサイクルと記録", no_args_is_help=True)
kpi_app = typer.Typer(help="成果指標（KPI）の実績と進捗", no_args_is_help=True)
app.add_typer(reviews_app, name="reviews")
app.add_typer(kpi_app, name="kpi")

ENV = "AOMORI_ROADMAP_SMTP_"
"""The prefix of the SMTP environment variables: ``AOMORI_ROADMAP_SMTP_HOST`` and so on."""

WithinOption = Annotated[
    str, typer.Option("--within", help="先の期間: 14d, 2w, 10bd（勤務日）など")
]
DepartmentOption = Annotated[
    list[str] | None, typer.Option("--department", help="担当課のIDか名前（複数可）")
]
ActorOption = Annotated[
    str | None, typer.Option(help="記録する人・課（既定: AOMORI_ROADMAP_ACTOR かログイン名）")
]
OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="書き出し先ファイル")]


# --- plumbing -------------------------------------------------------------------------------


def _json(data: Any, output: Path | None = None) -> None:
    write_output(output, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _snapshot(plan: "Plan", store: "Store | None", as_of: date, **options: Any) -> "Snapshot":
    from aomori_roadmap.snapshot import take_snapshot

    return take_snapshot(plan, store, as_of=as_of, **options)


# --- reviews --------------------------------------------------------------------------------


@reviews_app.command("list")
def reviews_list(
    ctx: typer.Context,
    cycle: Annotated[
        str | None, typer.Option(help="見直しサイクル（FY2025-H1, 令和7年度上期, R7上期）")
    ] = None,
    department: DepartmentOption = None,
    format: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """半期見直しのサイクルを一覧にします。--cycle を付けると取組ごとの提出・評価を示します。"""
    from aomori_roadmap.reviews import find_cycle
    from aomori_roadmap.store.review_log import ReviewLog, state_label

    options = options_of(ctx)
    check_format(format, ("table", "json"))
    plan = load(options)
    with reading_store(options, plan) as store:
        snap = _snapshot(plan, store, as_of_date(options))
        log = ReviewLog(store, plan) if store is not None else None
        states = log.states() if log is not None else {}
        if cycle is None:
            _print_cycles(snap, states, options, format)
            return
        chosen = find_cycle(snap.cycles, cycle)
        wanted = set(department or ())
        rows: list[dict[str, Any]] = []
        for initiative in plan.initiatives:
            if initiative.id not in chosen.initiatives:
                continue
            names = {initiative.department or ""} | {
                d.name for d in plan.departments if d.id == initiative.department
            }
            if wanted and not wanted & names:
                continue
            state = states.get((chosen.code, initiative.id))
            submission = None if state is None else state.submission
            review = None if state is None else state.review
            rows.append(
                {
                    "initiative": initiative.id,
                    "name": initiative.name,
                    "department": initiative.department,
                    "department_name": next(iter(names - {initiative.department or ""}), None),
                    "state": "not_submitted" if state is None else state.stage,
                    "self": None if submission is None else submission.rating,
                    "office": None if review is None else review.rating,
                    "submitted_by": None if submission is None else submission.actor,
                    "reviewed_by": None if review is None else review.actor,
                }
            )
    if format == "json":
        _json({"cycle": chosen.code, "initiatives": rows})
        return
    title = f"{chosen.label(options.lang)}（{chosen.code}）"
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for header in options.pick("取組,担当課,状況,自己評価,県の評価", "Initiative,Department,"
                               "State,Self,Office").split(","):  # fmt: skip
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(
            row["name"], row["department_name"] or row["department"] or "",
            state_label(row["state"], options.lang),
            row["self"] or "－", row["office"] or "－",
        )  # fmt: skip
    out.print(table)


def _print_cycles(snap: "Snapshot", states: dict[Any, Any], options: Options, format: str) -> None:
    rows: list[dict[str, Any]] = []
    for c in snap.cycles:
        stages = [states[(c.code, i)].stage for i in c.initiatives if (c.code, i) in states]
        rows.append(
            {
                "cycle": c.code,
                "label": c.label(options.lang),
                "snapshot": c.snapshot.isoformat(),
                "submission_due": c.submission_due.isoformat(),
                "meeting_by": c.meeting_by.isoformat(),
                "publication": c.publication.isoformat(),
                "annual_report_due": c.annual_report_due and c.annual_report_due.isoformat(),
                "initiatives": len(c.initiatives),
                "submitted": stages.count("submitted") + stages.count("reviewed"),
                "reviewed": stages.count("reviewed"),
                "predicted_holidays": c.predicted_holidays,
            }
        )
    if format == "json":
        _json(rows)
        return
    headers = options.pick(
        "サイクル,基準日,提出期限,見直し会議,公表,年次報告,取組,提出済,評価済",
        "Cycle,Snapshot,Submissions due,Meeting by,Publication,Annual report,Initiatives,"
        "Submitted,Reviewed",
    ).split(",")
    from rich.table import Table

    table = Table(title=snap.plan.name, title_justify="left")
    for n, header in enumerate(headers):
        table.add_column(header, justify="right" if n >= 6 else "left", overflow="fold")
    for row in rows:
        mark = "*" if row["predicted_holidays"] else ""
        table.add_row(
            row["label"], row["snapshot"], row["submission_due"] + mark, row["meeting_by"] + mark,
            row["publication"] + mark, (row["annual_report_due"] or "") + mark,
            str(row["initiatives"]), str(row["submitted"]), str(row["reviewed"]),
        )  # fmt: skip
    out.print(table)
    if any(row["predicted_holidays"] for row in rows):
        out.print(
            options.pick(
                "* 暦要項の公表前の予測の祝日による日付", "* dates from predicted holidays"
            )
        )


@reviews_app.command("due")
def reviews_due(
    ctx: typer.Context,
    within: WithinOption = "14d",
    department: DepartmentOption = None,
    format: Annotated[str, typer.Option("--format", help="text | json")] = "text",
) -> None:
    """提出期限が近い・過ぎた見直しと、近い見直し会議を担当課ごとに示します。"""
    from aomori_roadmap.reminders import DepartmentReminders, ReminderKind, reminders_json

    options = options_of(ctx)
    check_format(format, ("text", "json"))
    groups, as_of, until = _reminders(options, within, department)
    kinds = (ReminderKind.SUBMISSION, ReminderKind.MEETING)
    due = [
        DepartmentReminders(
            g.department,
            g.name,
            g.contact,
            g.as_of,
            g.until,
            tuple(item for item in g.items if item.kind in kinds),
        )
        for g in groups
    ]
    due = [g for g in due if g.items]
    if format == "json":
        _json(reminders_json(due, as_of=as_of, until=until))
        return
    if not due:
        out.print(
            options.pick("期限の近い・過ぎた見直しはありません。", "No review is due or overdue.")
        )
        return
    for group in due:
        flag = options.pick("（宛先未設定）", " (no contact)") if group.no_contact else ""
        out.print(f"{group.name}{flag}", markup=False)
        for item in group.items:
            out.print(f"  {item.text(options.lang)}", markup=False)


@reviews_app.command("record")
def reviews_record(
    ctx: typer.Context,
    cycle: Annotated[str, typer.Argument(help="見直しサイクル（FY2025-H1, R7上期 など）")],
    initiative: Annotated[str, typer.Argument(help="取組ID")],
    rating: Annotated[str, typer.Option(help="評価: ◎ ○ △ ×（または 予定どおり などの名前）")],
    stage: Annotated[
        str, typer.Option(help="submitted（担当課の提出）| reviewed（県の評価）")
    ] = "submitted",
    achievements: Annotated[str, typer.Option(help="成果")] = "",
    issues: Annotated[str, typer.Option(help="課題")] = "",
    next_steps: Annotated[str, typer.Option(help="今後の取組")] = "",
    comment: Annotated[str, typer.Option(help="県のコメント（reviewed）")] = "",
    revision: Annotated[
        str | None, typer.Option(help="見直しで決めた改訂（番号・基準線名・ハッシュ）")
    ] = None,
    corrects: Annotated[int | None, typer.Option(help="訂正する記録の番号")] = None,
    actor: ActorOption = None,
) -> None:
    """担当課の提出（自己評価・成果・課題・今後の取組）か、県の評価を記録します。"""
    from aomori_roadmap.store.review_log import ReviewLog

    options = options_of(ctx)
    if stage not in ("submitted", "reviewed"):
        err.print(f"--stage は submitted か reviewed です（'{stage}' は使えません）")
        raise typer.Exit(EXIT_BAD_INPUT)
    if stage == "submitted" and (comment or revision):
        err.print("--comment と --revision は県の評価（--stage reviewed）にだけ書けます。")
        raise typer.Exit(EXIT_BAD_INPUT)
    if stage == "reviewed" and (achievements or issues or next_steps):
        err.print("--achievements, --issues, --next-steps は担当課の提出（submitted）に書きます。")
        raise typer.Exit(EXIT_BAD_INPUT)
    plan = load(options)
    with writing_store(options, plan) as store:
        log = ReviewLog(store)
        if stage == "submitted":
            record = log.submit(
                cycle, initiative, rating=rating, actor=actor_of(actor), achievements=achievements,
                issues=issues, next_steps=next_steps, corrects=corrects,
            )  # fmt: skip
        else:
            record = log.review(
                cycle, initiative, rating=rating, actor=actor_of(actor), comment=comment,
                revision=revision, corrects=corrects,
            )  # fmt: skip
    what = options.pick("提出" if stage == "submitted" else "評価", stage)
    out.print(
        f"#{record.id} {record.cycle} {record.initiative}: {what} {record.rating}", markup=False
    )


# --- reminders ------------------------------------------------------------------------------


def _reminders(
    options: Options, within: str, departments: list[str] | None
) -> "tuple[list[DepartmentReminders], date, date]":
    from aomori_roadmap.reminders import reminders, window_end
    from aomori_roadmap.store.review_log import ReviewLog

    plan = load(options)
    as_of = as_of_date(options)
    with reading_store(options, plan) as store:
        snap = _snapshot(plan, store, as_of)
        stages = ReviewLog(store, plan).stages() if store is not None else {}
        groups = reminders(
            plan, snap, stages, within=within, departments=departments or None, lang=options.lang
        )
        until = window_end(snap, within)
    return groups, as_of, until


def _env(name: str) -> str | None:
    return os.environ.get(ENV + name) or None


def _settings(
    host: str | None,
    port: int | None,
    sender: str | None,
    starttls: bool | None,
    user: str | None,
    password: str | None,
) -> "SmtpSettings":
    """SMTP settings from the options, else from AOMORI_ROADMAP_SMTP_* variables."""
    from aomori_roadmap.notify import SmtpSettings

    host = host or _env("HOST")
    sender = sender or _env("SENDER")
    if not host or not sender:
        err.print(
            "送信には SMTP サーバーと送信元が必要です: --smtp-host と --smtp-sender "
            f"（または {ENV}HOST と {ENV}SENDER）を指定してください。"
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    text_port = _env("PORT")
    if port is None and text_port is not None:
        if not text_port.isdigit():
            err.print(f"{ENV}PORT はポート番号です（'{text_port}' は読めません）")
            raise typer.Exit(EXIT_BAD_INPUT)
        port = int(text_port)
    if starttls is None:
        starttls = (_env("STARTTLS") or "").lower() in ("1", "true", "yes", "on")
    return SmtpSettings(
        host=host,
        sender=sender,
        port=port,
        starttls=starttls,
        username=user or _env("USER"),
        password=password or _env("PASSWORD"),
    )


def _deliver(groups: "list[DepartmentReminders]", settings: "SmtpSettings", options: Options,
             dry_run: bool) -> None:  # fmt: skip
    from aomori_roadmap.notify import DeliveryError, Mail, send_mails

    sendable = [g for g in groups if not g.no_contact]
    for group in groups:
        if group.no_contact:
            err.print(
                options.pick(f"宛先未設定のため送れません: {group.name}",
                             f"No contact address, not sent: {group.name}"),
                markup=False,
            )  # fmt: skip
    mails = [
        Mail(g.department or "-", g.contact or "", g.subject(options.lang), g.body(options.lang),
             to_name=g.name)
        for g in sendable
    ]  # fmt: skip
    try:
        done = send_mails(mails, settings, dry_run=dry_run)
    except DeliveryError as error:
        err.print(visible(str(error)), markup=False)
        raise typer.Exit(EXIT_FAILURE) from error
    except RoadmapError as error:
        fail(error)
    if dry_run:
        for message in done.messages:
            out.print(f"To: {message['To']}\nSubject: {message['Subject']}", markup=False)
            body = message.get_body()
            text = "" if body is None else body.get_content().replace("\r\n", "\n")
            out.print(text, markup=False)  # MIME text has CRLF line ends; the terminal, LF
        out.print(
            options.pick(
                f"（ドライラン: {len(mails)}通を送信していません。送るには --no-dry-run を付けます）",
                f"(dry run: {len(mails)} message(s) not sent; add --no-dry-run to send)",
            )
        )
        return
    out.print(options.pick(f"{len(done.sent)}通を送信しました: ", f"Sent {len(done.sent)}: ")
              + ", ".join(done.sent), markup=False)  # fmt: skip


@app.command("reminders")
def reminders_command(
    ctx: typer.Context,
    within: WithinOption = "14d",
    department: DepartmentOption = None,
    format: Annotated[str, typer.Option("--format", help="text | markdown | json")] = "text",
    output: OutputOption = None,
    send: Annotated[bool, typer.Option("--send", help="担当課ごとにメールで送る")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run/--no-dry-run", help="送らずに送る内容を示す（既定）")
    ] = True,
    smtp_host: Annotated[str | None, typer.Option(help=f"SMTPサーバー（{ENV}HOST）")] = None,
    smtp_port: Annotated[int | None, typer.Option(help=f"ポート（{ENV}PORT）")] = None,
    smtp_sender: Annotated[str | None, typer.Option(help=f"送信元（{ENV}SENDER）")] = None,
    smtp_starttls: Annotated[
        bool | None, typer.Option("--smtp-starttls/--no-smtp-starttls", help=f"{ENV}STARTTLS")
    ] = None,
    smtp_user: Annotated[str | None, typer.Option(help=f"ログイン名（{ENV}USER）")] = None,
    smtp_password: Annotated[
        str | None, typer.Option(help=f"パスワード（{ENV}PASSWORD を推奨）")
    ] = None,
) -> None:
    """期限が近い・過ぎた見直しや工程を、担当課ごとに示します（--send でメール送信）。"""
    from aomori_roadmap.reminders import reminders_json, reminders_markdown, reminders_text

    options = options_of(ctx)
    check_format(format, ("text", "markdown", "json"))
    groups, as_of, until = _reminders(options, within, department)
    if send:
        settings = _settings(
            smtp_host, smtp_port, smtp_sender, smtp_starttls, smtp_user, smtp_password
        )
        _deliver(groups, settings, options, dry_run)
        return
    window = {"as_of": as_of, "until": until}
    if format == "json":
        _json(reminders_json(groups, **window), output)
    elif format == "markdown":
        write_output(output, reminders_markdown(groups, lang=options.lang, **window))
    else:
        write_output(output, reminders_text(groups, lang=options.lang, **window))


# --- KPIs -----------------------------------------------------------------------------------


def _fiscal_year(text: str | None, default: "FiscalYear") -> "FiscalYear":
    from aomori_roadmap.calendar import FiscalYear, parse_period

    if text is None:
        return default
    try:
        period = FiscalYear(int(text)) if text.strip().isdigit() else parse_period(text)
    except RoadmapError as error:
        fail(error)
    if not isinstance(period, FiscalYear):
        fail(
            PlanError(
                f"--fy は年度です（例: 2025, FY2025, 令和7年度）。'{text}' は年度ではありません。"
            )
        )
    return period


@kpi_app.command("show")
def kpi_show(
    ctx: typer.Context,
    fy: Annotated[str | None, typer.Option(help="達成率を見る年度（既定: 基準日の前年度）")] = None,
    format: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """成果指標の基準値・目標値・年度ごとの実績、達成率と状況を示します。"""
    from aomori_roadmap.calendar import FiscalYear
    from aomori_roadmap.kpi import progress
    from aomori_roadmap.store.review_log import KpiLog

    options = options_of(ctx)
    check_format(format, ("table", "json"))
    plan = load(options)
    year = _fiscal_year(fy, FiscalYear.of(as_of_date(options)).previous())
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
        _json(rows)
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
    with writing_store(options, plan) as store:
        actual = KpiLog(store).record(
            kpi, fy, number, source, note, actor=actor_of(actor), corrects=corrects
        )
    out.print(f"#{actual.id} {actual.kpi} FY{actual.fy}: {actual.value:g}", markup=False)


# --- the annual report ----------------------------------------------------------------------

REPORT_FORMATS = ("md", "markdown", "html", "xlsx", "json")


@app.command("report")
def report_command(
    ctx: typer.Context,
    fy: Annotated[str | None, typer.Option(help="報告する年度（既定: 基準日の前年度）")] = None,
    format: Annotated[str, typer.Option("--format", help="md | html | xlsx | json")] = "md",
    output: OutputOption = None,
    baseline: Annotated[str | None, typer.Option(help="遅れを測る基準線の名前")] = None,
    previous: Annotated[
        Path | None, typer.Option(help="前回の報告（--format json で保存したもの）")
    ] = None,
) -> None:
    """年次の進捗状況報告（推進本部への報告）を書き出します: Markdown, HTML, Excel, JSON。"""
    from aomori_roadmap.calendar import FiscalYear
    from aomori_roadmap.export.excel import report_xlsx
    from aomori_roadmap.export.report import annual_report, report_html, report_markdown
    from aomori_roadmap.store.review_log import KpiLog, ReviewLog

    options = options_of(ctx)
    check_format(format, REPORT_FORMATS)
    if format == "xlsx" and output is None and sys.stdout.isatty():
        err.print("xlsx は -o FILE で書き出してください。")
        raise typer.Exit(EXIT_BAD_INPUT)
    plan = load(options)
    today = as_of_date(options)
    year = _fiscal_year(fy, FiscalYear.of(today).previous())
    start, end = plan.period.start, plan.period.end
    if not start <= year <= end:
        fail(PlanError(f"{year.code} はプランの期間（{start.code}–{end.code}）の外です。"))
    # The report is about the year's end (or today, for an interim one), as known on --as-of.
    as_of = min(today, year.end)
    known_at = today if options.as_of is not None else None
    earlier = None
    if previous is not None:
        try:
            earlier = json.loads(previous.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            fail(PlanError(f"前回の報告 {previous} を読めません: {error}"))
    with reading_store(options, plan) as store:
        snap = _snapshot(plan, store, as_of, known_at=known_at, baseline=baseline)
        records = ReviewLog(store, plan).records() if store is not None else []
        values = KpiLog(store, plan).actuals() if store is not None else []
        last = year.previous()
        if earlier is None and plan.period.start <= last:
            # The previous report as it was made: the year's end, as known on its due date.
            due = next(
                (c.annual_report_due for c in snap.cycles if c.half == last.halves()[1]), None
            )
            known = due if due is not None and due < today else None
            then = _snapshot(plan, store, last.end, known_at=known, baseline=baseline)
            earlier = annual_report(then, records, values, fy=last)
        report = annual_report(snap, records, values, fy=year, previous=earlier)
    try:
        if format == "json":
            _json(report, output)
        elif format == "html":
            write_output(output, report_html(report, lang=options.lang))
        elif format == "xlsx":
            write_output(output, report_xlsx(report, lang=options.lang))
        else:
            write_output(output, report_markdown(report, lang=options.lang))
    except RoadmapError as error:
        fail(error)
