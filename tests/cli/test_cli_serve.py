"""The ``serve`` and ``tokens`` commands."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

import aomori_roadmap.cli.serve  # noqa: F401  (registers serve and tokens until cli/__init__ does)
from aomori_roadmap.cli import app
from aomori_roadmap.store import Store
from aomori_roadmap.store.feed_tokens import hash_token

runner = CliRunner()
BASE = "https://dx.example.jp/roadmap"
URL = re.compile(r"^(https|webcal)://dx\.example\.jp/roadmap/feeds/([A-Za-z0-9_-]+)/(\w+)\.ics$")


def _db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'roadmap.db'}"


def _create(tmp_path: Path, *args: str) -> tuple[str, str]:
    result = runner.invoke(
        app,
        [
            "--db",
            _db(tmp_path),
            "tokens",
            "create",
            "--base-url",
            BASE,
            "--actor",
            "DX推進課",
            *args,
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    https, webcal = (URL.match(line) for line in lines)
    assert https is not None and webcal is not None
    assert (https[1], webcal[1]) == ("https", "webcal")
    assert https[2] == webcal[2] and https[3] == webcal[3]
    return https[2], result.stderr


def test_tokens_create_prints_an_https_and_a_webcal_url(tmp_path: Path) -> None:
    token, note = _create(
        tmp_path, "--feed", "reviews", "--department", "kikikanri", "--name", "危機"
    )
    assert len(token) >= 43
    assert "#1 危機" in note and "担当課=kikikanri" in note and "今だけ" in note
    with Store(_db(tmp_path)) as store, store._engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT token_hash, feed, filters, name FROM feed_tokens").all()
    assert [tuple(r) for r in rows] == [
        (hash_token(token), "reviews", '{"department":"kikikanri"}', "危機")
    ]


def test_tokens_list_shows_last_use_never_the_token(tmp_path: Path) -> None:
    token, _ = _create(tmp_path, "--feed", "milestones", "--name", "全庁")
    table = runner.invoke(app, ["--db", _db(tmp_path), "tokens", "list"])
    assert table.exit_code == 0 and "全庁" in table.output and "milestones" in table.output
    assert "有効" in table.output and "最終利用" in table.output
    listed = runner.invoke(app, ["--db", _db(tmp_path), "tokens", "list", "--format", "json"])
    data = json.loads(listed.stdout)
    assert [(t["id"], t["name"], t["feed"], t["last_used"]) for t in data] == [
        (1, "全庁", "milestones", None)
    ]
    for output in (table.output, listed.output):
        assert token not in output and hash_token(token) not in output


def test_tokens_revoke_by_name_and_by_id(tmp_path: Path) -> None:
    _create(tmp_path, "--feed", "reviews", "--name", "会議")
    _create(tmp_path, "--feed", "all")
    db = ["--db", _db(tmp_path)]
    by_name = runner.invoke(app, [*db, "tokens", "revoke", "会議"])
    assert by_name.exit_code == 0 and "#1 会議 を無効にしました" in by_name.output
    by_id = runner.invoke(app, [*db, "--lang", "en", "tokens", "revoke", "2"])
    assert by_id.exit_code == 0 and "Revoked token #2" in by_id.output
    again = runner.invoke(app, [*db, "tokens", "revoke", "2"])
    assert again.exit_code == 0 and "既に無効" in again.output
    active = runner.invoke(app, [*db, "tokens", "list", "--active"])
    assert "トークンはありません" in active.output
    unknown = runner.invoke(app, [*db, "tokens", "revoke", "nobody"])
    assert unknown.exit_code == 2 and "nobody" in unknown.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--feed", "nope"], "フィード 'nope'"),
        (["--department", "ghost"], "担当課 'ghost'"),
        (["--priority", "観光"], "重点 '観光'"),
        (["--base-url", "ftp://example.jp"], "基点URL"),
        (["--name", "123"], "数字だけ"),
    ],
)
def test_bad_token_requests_write_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(
        app, ["--db", _db(tmp_path), "tokens", "create", "--actor", "DX推進課", *args]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "://" not in result.stdout
    assert not (tmp_path / "roadmap.db").exists()


def test_tokens_list_and_revoke_without_a_store(tmp_path: Path) -> None:
    listed = runner.invoke(app, ["--db", _db(tmp_path), "tokens", "list"])
    assert listed.exit_code == 0 and "トークンはありません" in listed.output
    revoked = runner.invoke(app, ["--db", _db(tmp_path), "tokens", "revoke", "1"])
    assert revoked.exit_code == 2
    assert not (tmp_path / "roadmap.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--public", "nope"], "公開フィード nope"),
        (["--base-url", "javascript:alert(1)"], "基点URL"),
        (["--port", "0"], "--port"),
    ],
)
def test_serve_refuses_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["--db", _db(tmp_path), "serve", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "roadmap.db").exists()


def test_serve_refuses_an_in_memory_database() -> None:
    for memory in ("sqlite://", "sqlite:///:memory:", "sqlite:///file:shared?mode=memory&uri=true"):
        result = runner.invoke(app, ["--db", memory, "serve"])
        assert result.exit_code == 2 and "sqlite://" in result.output


def test_serve_runs_a_server_on_loopback(
    tmp_path: Path, free_port: Callable[[], int], server_process: Any
) -> None:
    token, _ = _create(tmp_path, "--feed", "reviews")
    port = free_port()
    code = (
        "import sys\n"
        "import aomori_roadmap.cli.serve\n"
        "from aomori_roadmap.cli import main\n"
        "sys.argv = ['aomori-roadmap', *sys.argv[1:]]\n"
        "main()\n"
    )
    args = ["--db", _db(tmp_path), "serve", "--port", str(port), "--public", "milestones"]
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-u", "-c", code, *args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        base = f"http://127.0.0.1:{port}"
        assert server_process.answers(base, process, 60), log.read_text()
        feed = httpx.get(f"{base}/feeds/{token}/reviews.ics", timeout=30)
        assert feed.status_code == 200 and feed.content.startswith(b"BEGIN:VCALENDAR")
        assert httpx.get(f"{base}/feeds/public/milestones.ics", timeout=30).status_code == 200
    finally:
        server_process.stop_process(process)
    output = log.read_text()
    assert f"{base}/feeds/public/milestones.ics" in output
    assert f"http://127.0.0.1:{port}" in output
    assert token not in output
