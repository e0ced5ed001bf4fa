"""A fast start: the front door and the command line import only what a command uses.

Checked in fresh interpreters, where ``sys.modules`` shows what an import really pulled in.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "sqlmodel", "openpyxl", "fastapi", "uvicorn", "numpy", "networkx", "ics")


def loaded_after(code: str) -> set[str]:
    """The heavy top-level packages in ``sys.modules`` after running ``code`` in a new process."""
    probe = (
        "import sys\n"
        f"{code}\n"
        f"print(__import__('json').dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_import_pulls_in_nothing_heavy() -> None:
    assert loaded_after("import aomori_roadmap") == set()


def test_import_loads_not_even_the_models() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import sys, aomori_roadmap; print('pydantic' in sys.modules)"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert out.strip() == "False"


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["validate"],
        ["validate", "--help"],
        ["status", "set", "--help"],
        ["gantt", "--help"],
    ],
)
def test_command_line_pulls_in_nothing_heavy(argv: list[str]) -> None:
    code = (
        "from aomori_roadmap.cli import main\n"
        f"sys.argv = ['aomori-roadmap', *{argv!r}]\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as exit:\n"
        "        assert exit.code in (0, None), exit.code\n"
    )
    assert loaded_after(code) == set()


def test_names_load_on_first_use() -> None:
    import aomori_roadmap as ar

    plan = ar.default_plan()
    assert ar.schedule(plan).finish is not None
    assert callable(ar.reminders) and callable(ar.schedule)
    assert set(ar.__all__) <= set(dir(ar))


def test_functions_named_like_their_modules_stay_functions() -> None:
    # Importing the module ``aomori_roadmap.engine.schedule`` must not hide the function.
    code = (
        "import aomori_roadmap.engine.schedule, aomori_roadmap.engine.reminders\n"
        "import aomori_roadmap as ar\n"
        "print(callable(ar.schedule), callable(ar.reminders))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_unknown_name_is_an_attribute_error() -> None:
    import aomori_roadmap as ar

    with pytest.raises(AttributeError, match="no_such_thing"):
        ar.no_such_thing  # noqa: B018


def test_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "aomori_roadmap.cli", "--version"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    import aomori_roadmap

    assert done.stdout == f"aomori-roadmap {aomori_roadmap.__version__}\n"
