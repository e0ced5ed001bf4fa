"""The site command: the same files from one process or two, and bad options refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from forking import count_forks
from sitetest import files_under
from storetest import Clock, jst
from typer.testing import CliRunner

from aomori_roadmap.cli import app
from aomori_roadmap.parallel import can_fork
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.site import build
from aomori_roadmap.store import Store
from aomori_roadmap.views import site as views_site

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    """The default plan's store: work started before the previous cycle and after it."""
    plan = default_plan()
    url = f"sqlite:///{tmp_path / 'roadmap.db'}"
    clock = Clock(jst(2024, 4, 1))
    refs = [ref for ref, _, _ in plan.iter_tasks()]
    with Store(url, plan=plan, clock=clock) as store:
        clock.now = jst(2025, 2, 3)
        for ref in refs[:6]:
            store.record_status(ref, "in_progress", actor="DX推進課", effective=jst(2025, 1, 10))
        clock.now = jst(2025, 10, 1)
        store.record_status(refs[0], "done", actor="DX推進課", effective=jst(2025, 9, 12))
        for ref in refs[6:9]:
            store.record_status(ref, "in_progress", actor="DX推進課", effective=jst(2025, 9, 1))
    return url


@pytest.mark.skipif(not can_fork(), reason="this system does not fork")
def test_two_processes_write_the_same_site_as_one(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "SHARE_FROM", 1)  # share the pages of the default plan too
    forked = count_forks(monkeypatch, build, views_site)
    made = {}
    for jobs in ("1", "2"):
        folder = tmp_path / f"jobs{jobs}"
        result = runner.invoke(
            app, ["--db", db, "site", "-o", str(folder), "--as-of", "2025-11-05", "--jobs", jobs]
        )
        assert result.exit_code == 0, result.output
        made[jobs] = files_under(folder)
    assert forked == [
        "_facts_in_own_store",
        "their_pages",
    ]  # with --jobs 2 only: both halves shared
    assert made["2"] == made["1"]
    changes = made["1"]["data/changes.csv"].decode("utf-8-sig").splitlines()
    assert len(changes) > 1  # the two moments differ: the earlier one was compared too


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--jobs", "0"], "--jobs"),
        (["--lang", "fr"], "--lang"),
        (["--as-of", "2025-11-31"], "--as-of"),
        (["--as-of", "2025-11-05", "--cycle", "R7上期"], "--cycle"),
    ],
)
def test_bad_options_are_refused_and_nothing_is_written(
    db: str, tmp_path: Path, args: list[str], message: str
) -> None:
    folder = tmp_path / "site"
    result = runner.invoke(app, ["--db", db, "site", "-o", str(folder), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not folder.exists()


def test_the_roll_up_page_of_the_store(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "site"
    args = ["--db", db, "site", "-o", str(folder), "--as-of", "2025-11-05", "--jobs", "1"]
    result = runner.invoke(app, [*args, "--rollup"])
    assert result.exit_code == 0, result.output
    page = (folder / "rollup.html").read_text(encoding="utf-8")
    assert '<th scope="row">aomori-dx-2024-2028</th>' in page
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    refused = runner.invoke(app, ["--db", missing, *args[2:4], str(tmp_path / "x"), "--rollup"])
    assert refused.exit_code == 2 and "ストア（--db）が必要です" in refused.output  # not a crash
    assert not (tmp_path / "none.db").exists()  # reading never makes a database


def test_a_date_too_late_to_have_an_end_is_refused(tmp_path: Path) -> None:
    """The end of 9999-12-31 cannot be told: a clear refusal, with a store or without."""
    db = f"sqlite:///{tmp_path / 'roadmap.db'}"
    for store in ([], ["--db", db]):
        result = runner.invoke(app, [*store, "site", "--as-of", "9999-12-31", "-o", str(tmp_path)])
        assert result.exit_code == 2 and "9999-12-31" in result.output, result.output
