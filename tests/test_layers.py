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
    "holidays": ("calendar/workdays.py",),
    "networkx": ("engine/schedule.py",),
    "ics": ("export/ical.py",),
    "openpyxl": ("export/excel.py", "workbook/"),
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


# The layers, lowest first. A module may import its own layer and those below it, never one
# above; imports inside functions count (they run too), those under ``if TYPE_CHECKING:`` do
# not. A path is a file or a folder ending in "/"; the first match decides.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("errors.py", "i18n.py", "formats.py", "parallel.py")),
    ("calendar", ("calendar/",)),
    ("plan", ("plan/model.py", "plan/checks.py", "plan/sources.py", "plan/__init__.py")),
    ("engine", ("engine/",)),
    # The loader checks a plan the way the scheduler will read it: it sits above the engine.
    ("plan files", ("plan/loader.py", "plan/schema.py")),
    ("store", ("store/",)),
    ("views", ("views/",)),
    ("export", ("export/", "workbook/", "site/")),
    ("application", ("cli/", "server.py", "notify.py", "demo.py", "__init__.py")),
)


def layer_of(where: str) -> int:
    for rank, (_, paths) in enumerate(LAYERS):
        if any(where == p or (p.endswith("/") and where.startswith(p)) for p in paths):
            return rank
    raise AssertionError(f"{where}: in no layer; add it to LAYERS")


def _module_file(dotted: str) -> str | None:
    """``aomori_roadmap.store.tables`` → ``store/tables.py`` (or a package's ``__init__.py``)."""
    parts = dotted.split(".")
    if parts[0] != "aomori_roadmap":
        return None
    rest = parts[1:]
    while rest:
        path = "/".join(rest)
        if (PACKAGE / f"{path}.py").is_file():
            return f"{path}.py"
        if (PACKAGE / path / "__init__.py").is_file():
            return f"{path}/__init__.py"
        rest = rest[:-1]  # ``from aomori_roadmap.x import name``: the name is not a module
    return "__init__.py"


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Line numbers of imports under ``if TYPE_CHECKING:``."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, ast.Import | ast.ImportFrom):
                        lines.add(sub.lineno)
    return lines


def package_imports(path: Path, where: str | None = None) -> list[tuple[str, int]]:
    """The package's modules that ``path`` imports at run time, as files, with their lines."""
    where = where or path.relative_to(PACKAGE).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    package = where.rsplit("/", 1)[0].replace("/", ".") if "/" in where else ""
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif node.level:  # relative: from . import x / from .x import y
            base = package.split(".") if package else []
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            stem = ".".join(["aomori_roadmap", *base, *([node.module] if node.module else [])])
            names = [f"{stem}.{alias.name}" for alias in node.names]
        elif node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            target = _module_file(name)
            if target is not None and target != where:
                found.append((target, node.lineno))
    return found


def upward_imports(path: Path, where: str | None = None) -> list[str]:
    where = where or path.relative_to(PACKAGE).as_posix()
    mine = layer_of(where)
    return [
        f"{where}:{line}: imports {target} ({LAYERS[layer_of(target)][0]}), above {LAYERS[mine][0]}"
        for target, line in package_imports(path, where)
        if layer_of(target) > mine
    ]


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_imports_a_layer_above_its_own(path: Path) -> None:
    assert upward_imports(path) == []


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other round a circle."""
    import networkx as nx

    found = nx.strongly_connected_components(nx.DiGraph([(a, b) for a in graph for b in graph[a]]))
    return sorted(sorted(group) for group in found if len(group) > 1)


def _is_own_package(module: str, target: str) -> bool:
    """A package's ``__init__`` importing its own modules, and they the package's other
    modules through it, is how a package is assembled, not a circle of dependencies."""
    return target.endswith("__init__.py") and module.startswith(target[: -len("__init__.py")])


def test_no_modules_import_each_other_in_a_circle() -> None:
    graph: dict[str, set[str]] = {}
    for path in modules():
        where = path.relative_to(PACKAGE).as_posix()
        graph[where] = {
            target
            for target, _ in package_imports(path, where)
            if not _is_own_package(where, target)
        }
    assert import_circles(graph) == []


def test_the_layer_check_catches_an_upward_import_and_a_circle(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "from aomori_roadmap.errors import PlanError\n"
        "if TYPE_CHECKING:\n"
        "    from aomori_roadmap.store import Store\n"
        "def f():\n"
        "    from aomori_roadmap.export.gantt import gantt_json\n"
        "    from . import store\n"
    )
    assert upward_imports(probe, "engine/probe.py") == [
        "engine/probe.py:6: imports export/gantt.py (export), above engine"
    ]
    assert [t for t, _ in package_imports(probe, "engine/probe.py")] == [
        "errors.py",
        "export/gantt.py",
        "engine/__init__.py",  # ``from . import store``: no engine/store.py, so the package
    ]
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_circles({"a": {"b"}, "b": set()}) == []
