"""Fixtures of the workbook tests: the test plan's store (on SQLite and PostgreSQL), and
LibreOffice headless, as a department's office suite."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from filling import make_plan
from storetest import Clock, jst

from aomori_roadmap.store import Store

NOW = jst(2025, 10, 6)


@pytest.fixture
def clock() -> Clock:
    """Recorded times start on 2025-10-06 09:00 JST, after the test cycle's snapshot."""
    return Clock(NOW)


@pytest.fixture
def store(db_url: str, clock: Clock) -> Iterator[Store]:
    """The test plan's store: alerts/study started on 2025-04-07, the rest not yet."""
    with Store(db_url, plan=make_plan(), clock=clock) as opened:
        opened.record_status(
            "alerts/study", "in_progress", actor="危機管理局", progress=20,
            effective=jst(2025, 4, 7, 0), note="着手",
        )  # fmt: skip
        yield opened


#: Converts files with LibreOffice: ``convert(files, "pdf" | "xlsx")`` → the converted files.
Convert = Callable[[Sequence[Path], str], list[Path]]


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> Convert:
    """LibreOffice headless (``soffice``) with a profile of this test session's own.

    A private ``-env:UserInstallation`` keeps parallel runs (and a person's own LibreOffice)
    from sharing, and locking, one profile. The converted files go to a new folder per call,
    named as LibreOffice names them (``book.xlsx`` → ``book.pdf``); a conversion that makes no
    file, or ends with an error, fails the test.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    profile = tmp_path_factory.mktemp("libreoffice-profile").as_uri()

    def convert(files: Sequence[Path], to: str) -> list[Path]:
        out = tmp_path_factory.mktemp(f"libreoffice-{to}")
        done = subprocess.run(
            [
                soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                "--nolockcheck", "--convert-to", to, "--outdir", str(out),
                *(str(f) for f in files),
            ],
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        made = [out / f"{Path(f).stem}.{to}" for f in files]
        missing = [m.name for m in made if not m.exists() or m.stat().st_size == 0]
        assert done.returncode == 0 and not missing, (done.returncode, missing, done.stderr)
        assert "Error" not in done.stderr, done.stderr
        return made

    return convert
