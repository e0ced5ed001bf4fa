"""The examples run, and the documentation's relative links point at files that exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import aomori_roadmap as ar

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
MINIMAL = EXAMPLES / "minimal-roadmap"
SCRIPT = EXAMPLES / "fiscal_spans.py"

# [text](target) and ![alt](target); code is removed first so YAML lists in it never match.
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _relative_links(path: Path) -> list[str]:
    text = _CODE.sub("", _FENCE.sub("", path.read_text(encoding="utf-8")))
    targets = (match.group(1) for match in _LINK.finditer(text))
    return [t for t in targets if not _EXTERNAL.match(t) and not t.startswith("#")]


def test_minimal_roadmap_loads_with_its_counts() -> None:
    plan = ar.load_plan(MINIMAL)

    assert plan.id == "sample-dx-2025-2027"
    assert plan.base is None
    assert str(plan.period.start) == "FY2025"
    assert str(plan.period.end) == "FY2027"
    assert plan.counts() == {
        "fields": 2,
        "items": 2,
        "policies": 4,
        "foundations": 0,
        "priorities": 0,
        "kpis": 2,
        "departments": 2,
        "initiatives": 2,
        "tasks": 11,
    }


def test_minimal_roadmap_shows_every_link_kind_it_promises() -> None:
    plan = ar.load_plan(MINIMAL)
    links = [link for _, _, task in plan.iter_tasks() for link in task.links]

    assert {link.type for link in links} == {ar.LinkType.FS, ar.LinkType.SS}
    assert any(link.lag.is_working_days and link.lag.amount > 0 for link in links)
    assert any(link.lag.amount < 0 for link in links)
    assert any("/" in link.on for link in links)
    assert any(task.milestone and task.due is not None for _, _, task in plan.iter_tasks())


def test_minimal_roadmap_departments_have_contacts() -> None:
    plan = ar.load_plan(MINIMAL)

    assert all(department.contact for department in plan.departments)


def test_minimal_roadmap_kpis_are_not_set_yet() -> None:
    plan = ar.load_plan(MINIMAL)

    assert all(k.baseline.value is None and k.target.value is None for k in plan.kpis)


def test_fiscal_spans_script_prints_japanese_spans() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT / "tests",  # the default plan is found next to the script, not in the cwd
        check=False,
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "サンプル県DX推進プラン  2025年度（令和7年度） – 2027年度（令和9年度）"
    assert "  半期: 令和7年度上期 – 令和9年度下期" in lines
    assert "  半期: 令和7年度下期 – 令和8年度下期" in lines
    assert "  年度: 2025年度（令和7年度） – 2027年度（令和9年度）" in lines


def test_fiscal_spans_script_takes_a_plan_path() -> None:
    embedded = Path(ar.__file__).parent / "data" / "aomori-dx-2024-2028"

    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(embedded)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "青森県DX推進プラン  2024年度（令和6年度） – 2028年度（令和10年度）"
    )
    assert "\nbousai-dx-alerts  " in result.stdout
    assert "  半期: 令和6年度上期 – 令和10年度下期" in result.stdout


def test_fiscal_spans_script_reports_a_bad_plan(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(
        "base: aomori-dx-2024-2028\n"
        "initiatives:\n"
        "  - {id: a, name: A, tasks: [{id: t, name: T, duration: 4months}]}\n",
        encoding="utf-8",
    )

    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )

    assert result.returncode == 2
    assert "plan.yaml:3:" in result.stderr
    assert "'4months'" in result.stderr


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_at_existing_files(path: Path) -> None:
    missing = [
        target
        for target in _relative_links(path)
        if not (path.parent / target.split("#", 1)[0]).exists()
    ]

    assert missing == []
