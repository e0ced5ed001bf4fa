"""Mail delivery end to end, against a real SMTP server on 127.0.0.1 (aiosmtpd, from PyPI).

Each test starts its own server on a free port; the server keeps every message it accepts
as the bytes it received, so that the tests read them the way a mail client would.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import aomori_roadmap.cli.reviews  # noqa: F401  (registers the commands until cli/__init__ does)
from aomori_roadmap.cli import app
from aomori_roadmap.engine.reminders import reminders
from aomori_roadmap.errors import PlanError
from aomori_roadmap.notify import DeliveryError, Mail, SmtpSettings, send_mails
from aomori_roadmap.plan.loader import load_plan
from aomori_roadmap.views.snapshot import take_snapshot

controller = pytest.importorskip("aiosmtpd.controller", reason="pip install aiosmtpd (test extra)")

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "examples" / "minimal-roadmap"  # two departments, both with a contact
AS_OF = "2025-10-06"
runner = CliRunner()


@dataclass
class Received:
    """What the server accepted: the envelope recipients and the raw bytes of each message."""

    refuse: set[str] = field(default_factory=set)
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def parsed(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(raw, policy=email.policy.default) for _, raw in self.messages
        ]


@pytest.fixture
def server(free_port: Any) -> Iterator[tuple[Received, int]]:
    received = Received()
    port = free_port()
    running = controller.Controller(received, hostname="127.0.0.1", port=port)
    running.start()
    try:
        yield received, port
    finally:
        running.stop()


def settings(port: int, **options: Any) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, sender="dx@pref.example.jp", **options)


def mails(*keys: str) -> list[Mail]:
    return [
        Mail(
            key,
            f"{key}@pref.example.jp",
            f"【DX推進プラン】{key}課へのお知らせ",
            f"{key}課 御中\n本文\n",
        )
        for key in keys
    ]


def test_each_department_gets_one_message_with_its_japanese_text_intact(
    server: tuple[Received, int], tmp_path: Path
) -> None:
    received, port = server
    env = {
        "AOMORI_ROADMAP_SMTP_HOST": "127.0.0.1",
        "AOMORI_ROADMAP_SMTP_PORT": str(port),
        "AOMORI_ROADMAP_SMTP_SENDER": "dx-suishin@pref.example.jp",
    }
    db = f"sqlite:///{tmp_path / 'none.db'}"
    result = runner.invoke(
        app,
        ["--plan", str(MINIMAL), "--db", db, "--as-of", AS_OF, "reminders", "--send",
         "--no-dry-run"],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output

    plan = load_plan(MINIMAL)
    groups = reminders(plan, take_snapshot(plan, as_of=date.fromisoformat(AS_OF)), {})
    expected = {g.contact or "": g for g in groups}
    assert len(expected) == 2
    assert sorted(rcpt for rcpts, _ in received.messages for rcpt in rcpts) == sorted(expected)
    for (rcpts, raw), message in zip(received.messages, received.parsed(), strict=True):
        group = expected[rcpts[0]]
        headers = raw.split(b"\r\n\r\n", 1)[0]
        headers.decode("ascii")  # every header is 7-bit: the Japanese is in encoded-words
        assert b"Subject: =?utf-8?" in headers
        assert message["Subject"] == group.subject()
        assert message["From"].addresses[0].addr_spec == "dx-suishin@pref.example.jp"
        assert message["To"].addresses[0].display_name == group.name
        assert message["MIME-Version"] == "1.0"
        assert message.get_content_type() == "text/plain"
        assert message.get_content_charset() == "utf-8"
        assert message["Content-Transfer-Encoding"] == "base64"
        assert message["Date"] is not None and message["Message-ID"].endswith("@pref.example.jp>")
        # MIME text is in canonical form: CRLF line ends, as every mail client reads it.
        assert message.get_content().replace("\r\n", "\n") == group.body()
        assert "御中" in message.get_content()


def test_send_is_a_dry_run_by_default(server: tuple[Received, int], tmp_path: Path) -> None:
    received, port = server
    result = runner.invoke(
        app,
        ["--plan", str(MINIMAL), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--as-of", AS_OF,
         "reminders", "--send", "--smtp-host", "127.0.0.1", "--smtp-port", str(port),
         "--smtp-sender", "dx@pref.example.jp"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert received.messages == []
    assert "To: DX推進課 <dx-suishin@pref.example.jp>" in result.output
    assert "ドライラン" in result.output


def test_a_refused_connection_is_a_clear_failure_and_sends_nothing(
    free_port: Any, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(DeliveryError, match=f"127.0.0.1:{port} に接続できません") as error:
        send_mails(mails("a", "b"), settings(port), dry_run=False)
    assert (error.value.sent, error.value.failed) == ((), None)

    result = runner.invoke(
        app,
        ["--plan", str(MINIMAL), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--as-of", AS_OF,
         "reminders", "--send", "--no-dry-run", "--smtp-host", "127.0.0.1",
         "--smtp-port", str(port), "--smtp-sender", "dx@pref.example.jp"],
    )  # fmt: skip
    assert result.exit_code == 3
    assert "接続できません" in result.stderr and "何も送信していません" in result.stderr


def test_a_failure_midway_says_what_was_sent_and_a_rerun_sends_nothing_twice(
    server: tuple[Received, int],
) -> None:
    received, port = server
    received.refuse = {"b@pref.example.jp"}
    batch = mails("a", "b", "c")
    with pytest.raises(DeliveryError, match="送信済み: a。未送信: b、c") as error:
        send_mails(batch, settings(port), dry_run=False)
    assert (error.value.sent, error.value.unsent, error.value.failed) == (("a",), ("b", "c"), "b")
    assert [rcpts for rcpts, _ in received.messages] == [["a@pref.example.jp"]]

    received.refuse = set()
    rest = [mail for mail in batch if mail.key in error.value.unsent]
    assert send_mails(rest, settings(port), dry_run=False).sent == ("b", "c")
    recipients = [rcpts[0] for rcpts, _ in received.messages]
    assert sorted(recipients) == ["a@pref.example.jp", "b@pref.example.jp", "c@pref.example.jp"]


def test_starttls_on_a_server_without_it_fails_before_sending(server: tuple[Received, int]) -> None:
    received, port = server
    with pytest.raises(DeliveryError, match="STARTTLS"):
        send_mails(mails("a"), settings(port, starttls=True), dry_run=False)
    assert received.messages == []


def test_a_password_is_never_sent_without_starttls(server: tuple[Received, int]) -> None:
    received, port = server
    with pytest.raises(DeliveryError, match="STARTTLS"):
        send_mails(mails("a"), settings(port, username="dx", password="x"), dry_run=False)
    assert received.messages == []


def test_a_bad_address_stops_the_run_before_anything_leaves(server: tuple[Received, int]) -> None:
    received, port = server
    batch = [*mails("a"), Mail("b", "not an address", "件名", "本文")]
    with pytest.raises(PlanError, match="'not an address'"):
        send_mails(batch, settings(port), dry_run=False)
    assert received.messages == []


def test_a_subject_never_carries_a_line_break_into_the_headers(
    server: tuple[Received, int],
) -> None:
    received, port = server
    send_mails([Mail("a", "a@pref.example.jp", "件名\r\nBcc: x@evil.example", "本文")],
               settings(port), dry_run=False)  # fmt: skip
    message = received.parsed()[0]
    assert message["Bcc"] is None and message["Subject"] == "件名 Bcc: x@evil.example"
    assert received.messages[0][0] == ["a@pref.example.jp"]


def test_sending_needs_a_server_and_a_sender(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["--plan", str(MINIMAL), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--as-of", AS_OF,
         "reminders", "--send"],
        env={"AOMORI_ROADMAP_SMTP_HOST": "", "AOMORI_ROADMAP_SMTP_SENDER": ""},
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--smtp-host" in result.stderr


def test_attach_workbooks_sends_each_department_its_own_sheet(
    server: tuple[Received, int], tmp_path: Path
) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from aomori_roadmap.workbook.layout import ORIGIN_SHEET, Origin
    from aomori_roadmap.workbook.out import workbook_file_name

    received, port = server
    result = runner.invoke(
        app,
        ["--plan", str(MINIMAL), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--as-of", AS_OF,
         "reminders", "--send", "--no-dry-run", "--attach-workbooks", "--smtp-host",
         "127.0.0.1", "--smtp-port", str(port), "--smtp-sender", "dx@pref.example.jp"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    plan = load_plan(MINIMAL)
    contacts = {d.contact: d.id for d in plan.departments}
    messages = received.parsed()
    assert messages and len(messages) == len(received.messages)
    for message in messages:
        department = contacts[message["To"].addresses[0].addr_spec]
        files = list(message.iter_attachments())
        assert len(files) == 1
        # The next cycle to submit on 2025-10-06 is the first half of FY2025 (due in October).
        assert files[0].get_filename() == workbook_file_name(plan, "FY2025-H1", department)
        assert files[0].get_content_type() == (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        book = load_workbook(BytesIO(files[0].get_content()))
        origin = Origin.from_rows(list(book[ORIGIN_SHEET].iter_rows(values_only=True)))
        assert (origin.department, origin.cycle, origin.plan) == (department, "FY2025-H1", plan.id)
        assert "御中" in (message.get_body(("plain",)) or message).get_content()


def test_attach_workbooks_without_send_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["--plan", str(MINIMAL), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--as-of", AS_OF,
         "reminders", "--attach-workbooks"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--send" in result.stderr
