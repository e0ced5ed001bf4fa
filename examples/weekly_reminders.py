"""Weekly reminders for cron: what is due soon and what is overdue, one message per department.

The script loads the plan and the status store, takes one snapshot of the roadmap as of today
(Asia/Tokyo) and prints the reminders of every department, or mails them (``--send``). It is
a dry run until ``--really`` is given: ``--send`` alone shows the messages it would send.

Settings come from the environment, as for the ``aomori-roadmap`` command, or from options:

=================================  ============================================================
``AOMORI_ROADMAP_PLAN``            the plan file or folder (default: the embedded plan)
``AOMORI_ROADMAP_DB``              the store (default: ``sqlite:///aomori-roadmap.db``)
``AOMORI_ROADMAP_SMTP_HOST``       the SMTP server (with ``--send``)
``AOMORI_ROADMAP_SMTP_PORT``       its port (default: 587 with STARTTLS, else 25)
``AOMORI_ROADMAP_SMTP_SENDER``     the From address
``AOMORI_ROADMAP_SMTP_STARTTLS``   ``1`` to use STARTTLS
``AOMORI_ROADMAP_SMTP_USER``       login name; ``AOMORI_ROADMAP_SMTP_PASSWORD`` its password
=================================  ============================================================

A crontab line that mails every Monday at 8:00 what is due in the next two weeks::

    0 8 * * 1  cd /srv/roadmap && .venv/bin/python examples/weekly_reminders.py --send --really >> reminders.log 2>&1

Exit status: 0 done, 2 bad input (plan, options), 3 the store or the mail server failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aomori_roadmap import PlanError, RoadmapError, StoreError, default_plan, load_plan
from aomori_roadmap.engine.reminders import reminders, reminders_text, window_end
from aomori_roadmap.notify import DeliveryError, Mail, SmtpSettings, send_mails
from aomori_roadmap.store import Store
from aomori_roadmap.store.review_log import ReviewLog
from aomori_roadmap.views.snapshot import take_snapshot

SMTP = "AOMORI_ROADMAP_SMTP_"


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="担当課ごとのリマインダー（cron 用）")
    parser.add_argument("--plan", default=os.environ.get("AOMORI_ROADMAP_PLAN"))
    parser.add_argument(
        "--db", default=os.environ.get("AOMORI_ROADMAP_DB", "sqlite:///aomori-roadmap.db")
    )
    parser.add_argument("--as-of", type=date.fromisoformat, help="基準日（既定: 今日）")
    parser.add_argument("--within", default="14d", help="先の期間（14d, 2w, 10bd）")
    parser.add_argument("--department", action="append", help="担当課のIDか名前（複数可）")
    parser.add_argument("--lang", choices=("ja", "en"), default="ja")
    parser.add_argument("--send", action="store_true", help="メールで送る（既定はドライラン）")
    parser.add_argument("--really", action="store_true", help="--send で本当に送信する")
    return parser.parse_args(argv)


def _settings() -> SmtpSettings:
    host, sender = os.environ.get(SMTP + "HOST"), os.environ.get(SMTP + "SENDER")
    if not host or not sender:
        raise PlanError(f"--send には {SMTP}HOST と {SMTP}SENDER が必要です。")
    port = os.environ.get(SMTP + "PORT")
    return SmtpSettings(
        host=host,
        sender=sender,
        port=int(port) if port else None,
        starttls=os.environ.get(SMTP + "STARTTLS", "").lower() in ("1", "true", "yes", "on"),
        username=os.environ.get(SMTP + "USER") or None,
        password=os.environ.get(SMTP + "PASSWORD") or None,
    )


def run(args: argparse.Namespace) -> int:
    """Print or send the reminders; return the exit status."""
    plan = load_plan(args.plan) if args.plan else default_plan()
    as_of = args.as_of or datetime.now(ZoneInfo(plan.timezone)).date()
    file = args.db.removeprefix("sqlite:///")
    missing = args.db.startswith("sqlite:///") and not os.path.exists(file)
    store = None if missing else Store(args.db, plan=plan)  # reading never creates a database
    try:
        snapshot = take_snapshot(plan, store, as_of=as_of)
        stages = ReviewLog(store).stages() if store is not None else {}
    finally:
        if store is not None:
            store.close()
    groups = reminders(
        plan, snapshot, stages, within=args.within, departments=args.department, lang=args.lang
    )
    if not args.send:
        until = window_end(snapshot, args.within)
        print(reminders_text(groups, lang=args.lang, as_of=as_of, until=until), end="")
        return 0
    for group in groups:
        if group.no_contact:
            print(f"宛先未設定のため送れません: {group.name}", file=sys.stderr)
    mails = [
        Mail(g.department or "-", g.contact or "", g.subject(args.lang), g.body(args.lang), g.name)
        for g in groups
        if not g.no_contact
    ]
    delivery = send_mails(mails, _settings(), dry_run=not args.really)
    for message in delivery.messages:
        print(f"To: {message['To']}\nSubject: {message['Subject']}\n")
        body = message.get_body()
        if not args.really and body is not None:
            print(body.get_content().replace("\r\n", "\n"))  # MIME text ends lines in CRLF
    done = "送信しました" if args.really else "ドライラン（--really で送信）"
    print(f"{len(delivery.messages)}通: {done}")
    return 0


def main(argv: list[str]) -> int:
    """Run with command-line arguments; errors are one clear line on stderr."""
    args = _arguments(argv)
    try:
        return run(args)
    except (StoreError, DeliveryError) as error:
        print(error, file=sys.stderr)
        return 3
    except RoadmapError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
