"""The package's rooms: each third-party library in its own, and no module in another's
private members.

Checked on the source with ``ast`` (imports inside functions count too), so that a shortcut
fails here before anyone has to untangle it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "aomori_roadmap"

# A library, and the only places (files, or folders ending in "/") that may import it.
HOMES = {
    "sqlalchemy": ("store/",),
    "sqlmodel": ("store/",),
    "alembic": ("store/",),
    "networkx": ("engine/schedule.py",),
    "ics": ("export/ical.py",),
    "openpyxl": ("export/excel.py",),
    "fastapi": ("server.py",),
    "uvicorn": ("server.py", "cli/serve.py"),
    "typer": ("cli/",),
    "rich": ("cli/",),
}

# Private names of other libraries that are their public interface.
FOREIGN_PUBLIC = {"_mapping", "_asdict", "_replace", "_fields", "_getframe", "_exit"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imported(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module.split(".")[0], node.lineno))
    return found


def offences(path: Path, where: str | None = None) -> list[str]:
    where = where or path.relative_to(PACKAGE).as_posix()
    found = []
    for library, line in imported(ast.parse(path.read_text(encoding="utf-8"))):
        homes = HOMES.get(library)
        if homes and not any(
            where == h or (h.endswith("/") and where.startswith(h)) for h in homes
        ):
            found.append(f"{where}:{line}: imports {library}, which lives in {', '.join(homes)}")
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_third_party_libraries_stay_in_their_rooms(path: Path) -> None:
    assert offences(path) == []


def private_reaches(path: Path, where: str | None = None) -> list[str]:
    """``x._name`` where ``x`` is not ``self`` or ``cls`` and the module defines no ``_name``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            own.add(node.name)
        elif isinstance(node, ast.Name):
            own.add(node.id)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            own.add(node.attr)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or name.startswith("__") or name in FOREIGN_PUBLIC:
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        if name not in own:
            found.append(f"{where or path.name}:{node.lineno}: {ast.unparse(node)}")
    return found


# The migration runner asks Alembic for its upgrade steps, which Alembic keeps private.
KNOWN = {"store/schema.py": {"script._upgrade_revs"}}


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_reaches_into_another_modules_private_members(path: Path) -> None:
    allowed = KNOWN.get(path.relative_to(PACKAGE).as_posix(), set())
    assert [r for r in private_reaches(path) if r.rsplit(": ", 1)[1] not in allowed] == []


def test_the_checks_catch_a_violation(tmp_path: Path) -> None:
    # A deliberate offence of each kind, so that neither check can pass by seeing nothing.
    bad = tmp_path / "probe.py"
    bad.write_text("import sqlalchemy\n\ndef f(store):\n    return store._engine\n")
    assert offences(bad, "export/probe.py") == [
        "export/probe.py:1: imports sqlalchemy, which lives in store/"
    ]
    assert private_reaches(bad, "export/probe.py") == ["export/probe.py:4: store._engine"]


def test_format_names_are_written_in_the_registry_only() -> None:
    # The names of the Gantt formats are data of ``formats.py``: a list of them written again
    # elsewhere would be a second place to update when a format is added.
    from aomori_roadmap.formats import GANTT_FORMATS

    tuples = []
    for path in modules():
        if path.name == "formats.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                words = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                # Three names or more, one of them a Gantt tool's (report formats share html).
                if len(words & set(GANTT_FORMATS)) >= 3 and words & {"frappe", "dhtmlx", "mspdi"}:
                    tuples.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert tuples == []
