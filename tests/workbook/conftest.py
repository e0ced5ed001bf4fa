"""Fixtures of the workbook tests: LibreOffice headless, as a department's office suite."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

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
