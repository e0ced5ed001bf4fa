"""Plan files ⇄ :class:`~aomori_roadmap.model.Plan`: the only code that reads plan files.

A plan is one YAML or JSON file, or a folder of them: ``plan.yaml`` (the header: the plan's
structure) and one file per initiative (``initiatives: [...]``). A header that says
``base: aomori-dx-2024-2028`` builds on the embedded plan's structure, so that a department's
folder holds only its own initiatives.

Every problem in the input is reported at once, each with ``file:line:column``: malformed YAML
in one file does not hide a wrong reference in another. Files are parsed with PyYAML's C
loader; line numbers are looked up only for the places that have a problem.

>>> plan = default_plan()
>>> plan.counts()["items"], plan.counts()["policies"]
(14, 53)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from aomori_roadmap._network import prepare
from aomori_roadmap.errors import PlanError, PlanValidationError, Problem
from aomori_roadmap.model import Initiative, Loc, Plan, check_plan

__all__ = [
    "DEFAULT_PLAN_ID",
    "PLAN_SUFFIXES",
    "default_plan",
    "dump_plan",
    "load_plan",
    "plan_from_data",
]

DEFAULT_PLAN_ID = "aomori-dx-2024-2028"
PLAN_SUFFIXES = (".yaml", ".yml", ".json")
HEADER_NAMES = ("plan.yaml", "plan.yml", "plan.json")

# Lists of the plan's structure merged by id when a header builds on a base plan.
_MERGED_BY_ID = ("fields", "items", "foundations", "priorities", "departments", "kpis")

_CLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_CLoader):  # type: ignore[valid-type,misc]
    """PyYAML's C safe loader, reading booleans the YAML 1.2 way.

    YAML 1.1 reads ``on``, ``off``, ``yes`` and ``no`` as booleans, which turns the ``on:`` key
    of a dependency into ``True``; plan files mean the words.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _CLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_initiative_list = TypeAdapter(list[Initiative])


class _Origins:
    """Where each part of a merged plan came from, and how to find its line.

    Keys are loc prefixes in the merged plan (``("initiatives", 12)``); values are the file and
    the loc of the same part inside that file. Line numbers are found by composing the file's
    YAML nodes, once per file and only when a problem needs them.
    """

    def __init__(self) -> None:
        self.prefixes: dict[Loc, tuple[str | None, Loc]] = {}
        self.texts: dict[str, str] = {}
        self._nodes: dict[str, yaml.Node | None] = {}

    def add(self, merged: Loc, path: str | None, loc: Loc) -> None:
        self.prefixes[merged] = (path, loc)

    def find(self, loc: Loc) -> tuple[str | None, Loc]:
        for cut in range(len(loc), -1, -1):
            hit = self.prefixes.get(loc[:cut])
            if hit is not None:
                return hit[0], hit[1] + loc[cut:]
        return None, loc

    def locate(self, loc: Loc) -> tuple[str | None, int | None, int | None]:
        """The file, line and column of ``loc`` (line and column 1-based, or ``None``)."""
        path, inner = self.find(loc)
        if path is None or path not in self.texts:
            return path, None, None
        node = self._node(path)
        if node is None:
            return path, None, None
        for key in inner:
            child = _child(node, key)
            if child is None:
                break
            node = child
        return path, node.start_mark.line + 1, node.start_mark.column + 1

    def _node(self, path: str) -> yaml.Node | None:
        if path not in self._nodes:
            try:
                self._nodes[path] = yaml.compose(self.texts[path], Loader=_Loader)
            except yaml.YAMLError:
                self._nodes[path] = None
        return self._nodes[path]

    def problem(self, problem: Problem) -> Problem:
        """``problem`` with its file, line and column filled in from its ``loc``."""
        path, line, column = self.locate(problem.loc)
        return Problem(
            problem.message,
            path=path,
            line=line,
            column=column,
            hint=problem.hint,
            code=problem.code,
            loc=problem.loc,
        )


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                found: yaml.Node = value_node
                return found
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        child: yaml.Node = node.value[key]
        return child
    return None


def _parse_file(path: Path, text: str) -> Any:
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=_Loader)


def _syntax_problem(path: str, error: Exception) -> Problem:
    if isinstance(error, json.JSONDecodeError):
        return Problem(
            f"JSONとして読めません: {error.msg}",
            path=path,
            line=error.lineno,
            column=error.colno,
            code="syntax",
        )
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    what = getattr(error, "problem", None) or str(error)
    return Problem(
        f"YAMLとして読めません: {what}",
        path=path,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        hint="インデント、コロンの後の空白、引用符の閉じ忘れを確かめてください",
        code="syntax",
    )


_MESSAGES_JA = {
    "missing": "必須の項目がありません",
    "extra_forbidden": "この項目は使えません",
    "string_type": "文字列を書いてください",
    "string_pattern_mismatch": "IDには英数字と . _ - だけが使えます（'/' は不可）",
    "string_too_short": "空にはできません",
    "int_parsing": "整数を書いてください",
    "int_type": "整数を書いてください",
    "float_parsing": "数値を書いてください",
    "bool_parsing": "true か false を書いてください",
    "bool_type": "true か false を書いてください",
    "list_type": "リストを書いてください",
    "dict_type": "キーと値の組（マッピング）を書いてください",
    "model_type": "キーと値の組（マッピング）を書いてください",
    "date_from_datetime_parsing": "日付 YYYY-MM-DD を書いてください",
    "literal_error": "使える値ではありません",
    "enum": "使える値ではありません",
    "greater_than_equal": "値が小さすぎます",
    "less_than_equal": "値が大きすぎます",
}


def _pydantic_problems(error: PydanticValidationError, prefix: Loc) -> list[Problem]:
    problems = []
    for detail in error.errors(include_url=False):
        loc: Loc = prefix + tuple(detail["loc"])
        kind = detail["type"]
        if kind == "value_error":
            # Our own parsers raise messages written for the user; drop pydantic's prefix.
            message = str(detail["ctx"]["error"]) if "ctx" in detail else detail["msg"]
        else:
            message = _MESSAGES_JA.get(kind, detail["msg"])
            if kind in ("literal_error", "enum") and "ctx" in detail:
                message += f"（{detail['ctx'].get('expected', '')}）"
        field = next((part for part in reversed(loc) if isinstance(part, str)), None)
        if field:
            message = f"'{field}': {message}"
        problems.append(Problem(message, code=kind, loc=loc))
    return problems


def _merge_by_id(
    base: list[Any],
    extra: list[Any],
    key: str,
    base_path: str | None,
    path: str | None,
    origins: _Origins,
) -> list[Any]:
    merged = list(base)
    where = {e.get("id"): n for n, e in enumerate(merged) if isinstance(e, Mapping)}
    sources: list[tuple[str | None, Loc]] = [(base_path, (key, n)) for n in range(len(merged))]
    for k, entry in enumerate(extra):
        ident = entry.get("id") if isinstance(entry, Mapping) else None
        if ident is not None and ident in where:
            merged[where[ident]] = entry
            sources[where[ident]] = (path, (key, k))
        else:
            merged.append(entry)
            sources.append((path, (key, k)))
    for n, (source, loc) in enumerate(sources):
        origins.add((key, n), source, loc)
    return merged


def _base_header(base: str) -> tuple[dict[str, Any], str]:
    if base != DEFAULT_PLAN_ID:
        raise PlanError(
            f"土台のプラン '{base}' はありません。使えるのは '{DEFAULT_PLAN_ID}' です。"
        )
    folder = resources.files("aomori_roadmap") / "data" / DEFAULT_PLAN_ID
    text = (folder / "plan.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_Loader)
    return data, text


class _Assembly:
    """Collects the files of one plan, then validates them together."""

    def __init__(self) -> None:
        self.origins = _Origins()
        self.problems: list[Problem] = []
        self.header: dict[str, Any] | None = None
        self.header_path: str | None = None
        self.initiatives: list[Any] = []
        self.base_failed = False

    def read(self, path: Path, label: str) -> Any:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.problems.append(Problem(f"ファイルを読めません: {error}", path=label, code="io"))
            return None
        self.origins.texts[label] = text
        try:
            return _parse_file(path, text)
        except (yaml.YAMLError, json.JSONDecodeError) as error:
            self.problems.append(_syntax_problem(label, error))
            return None

    def set_header(self, data: Any, label: str | None) -> None:
        if not isinstance(data, Mapping):
            self.problems.append(
                Problem("プランのヘッダーはマッピングで書いてください。", path=label, code="syntax")
            )
            return
        header = dict(data)
        self.header_path = label
        for key in header:
            self.origins.add((key,), label, (key,))
        base = header.get("base")
        if isinstance(base, str):
            try:
                base_data, base_text = _base_header(base)
            except PlanError as error:
                self.problems.append(
                    Problem(str(error), path=label, code="unknown-reference", loc=("base",))
                )
                self.base_failed = True
            else:
                base_label = f"<{DEFAULT_PLAN_ID}>/plan.yaml"
                self.origins.texts[base_label] = base_text
                merged = {k: v for k, v in base_data.items() if k != "initiatives"}
                for key in merged:
                    self.origins.add((key,), base_label, (key,))
                for key, value in header.items():
                    if key in _MERGED_BY_ID and isinstance(value, list):
                        merged[key] = _merge_by_id(
                            list(merged.get(key) or []),
                            value,
                            key,
                            base_label,
                            label,
                            self.origins,
                        )
                    else:
                        merged[key] = value
                        self.origins.add((key,), label, (key,))
                header = merged
        self.add_initiatives(header.pop("initiatives", None) or [], label)
        self.header = header

    def add_initiatives(self, entries: Any, label: str | None, key: Loc = ("initiatives",)) -> None:
        if not isinstance(entries, list):
            self.problems.append(
                Problem("initiatives はリストで書いてください。", path=label, code="list_type")
            )
            return
        for k, entry in enumerate(entries):
            self.origins.add(("initiatives", len(self.initiatives)), label, (*key, k))
            self.initiatives.append(entry)

    def add_file(self, data: Any, label: str) -> None:
        if data is None:
            return
        if isinstance(data, Mapping) and set(data) == {"initiatives"}:
            self.add_initiatives(data["initiatives"], label)
        elif isinstance(data, Mapping) and "id" in data and "name" in data:
            self.origins.add(("initiatives", len(self.initiatives)), label, ())
            self.initiatives.append(data)
        else:
            self.problems.append(
                Problem(
                    "取組のファイルには 'initiatives:' のリスト（または取組ひとつ）を書いてください。",
                    path=label,
                    line=1,
                    hint="プランの構成はヘッダー plan.yaml に書きます",
                    code="bad-file",
                )
            )

    def build(self) -> Plan:
        """Validate everything collected; raise with every problem, or return the plan."""
        if self.header is None:
            raise PlanValidationError(self.problems)
        problems = list(self.problems)
        plan: Plan | None = None
        try:
            plan = Plan.model_validate({**self.header, "initiatives": []})
        except PydanticValidationError as error:
            header_problems = _pydantic_problems(error, ())
            if self.base_failed:  # what the base would have given is not missing twice
                header_problems = [p for p in header_problems if p.code != "missing"]
            problems += header_problems
        initiatives, patched = self._validate_initiatives(problems)
        if plan is not None:
            values = {name: getattr(plan, name) for name in Plan.model_fields}
            values["initiatives"] = initiatives
            plan = Plan.model_construct(_fields_set=plan.model_fields_set, **values)
            problems += [p for p in check_plan(plan) if not _repeats(p, patched)]
        if problems or plan is None:
            located = [self.origins.problem(p) if p.path is None else p for p in problems]
            located.sort(key=lambda p: (p.path or "", p.line or 0, p.column or 0))
            raise PlanValidationError(located)
        plan._locator = self.origins.locate
        prepare(plan)  # the links as integer lists, so that every schedule of it costs the passes
        return plan

    def _validate_initiatives(self, problems: list[Problem]) -> tuple[list[Initiative], set[Loc]]:
        """Validate every initiative; salvage the invalid ones so later checks still see them.

        An invalid initiative is validated again without its offending keys, so that a bad
        duration does not hide an unknown reference next to it. Returns the initiatives (one
        per input, in order) and the task locs that were patched, whose derived "bad-task"
        problems would only repeat what was already said.
        """
        try:
            return _initiative_list.validate_python(self.initiatives), set()
        except PydanticValidationError:
            pass
        good: list[Initiative] = []
        patched: set[Loc] = set()
        for n, entry in enumerate(self.initiatives):
            try:
                good.append(Initiative.model_validate(entry))
                continue
            except PydanticValidationError as error:
                problems.extend(_pydantic_problems(error, ("initiatives", n)))
                salvaged = _salvage(entry, error, n, patched)
            try:
                good.append(Initiative.model_validate(salvaged))
            except PydanticValidationError:
                good.append(Initiative(id=f"invalid-{n}", name="?"))
                patched.add(("initiatives", n))
        return good, patched


def _salvage(entry: Any, error: PydanticValidationError, n: int, patched: set[Loc]) -> Any:
    """``entry`` without the keys that failed validation (tasks keep their place)."""
    if not isinstance(entry, Mapping):
        return {}
    data = dict(entry)
    tasks = list(data["tasks"]) if isinstance(data.get("tasks"), list) else []
    if "tasks" in data:
        data["tasks"] = tasks
    for detail in error.errors(include_url=False):
        loc = detail["loc"]
        if len(loc) >= 2 and loc[0] == "tasks" and isinstance(loc[1], int) and tasks:
            j = loc[1]
            patched.add(("initiatives", n, "tasks", j))
            task = tasks[j]
            if len(loc) >= 3 and isinstance(task, Mapping) and loc[2] not in ("id", "name"):
                tasks[j] = {k: v for k, v in task.items() if k != loc[2]}
            else:
                tasks[j] = {"id": f"invalid-{j}", "name": "?", "milestone": True}
        elif loc and loc[0] not in ("id", "name", "tasks"):
            data.pop(str(loc[0]), None)
        elif loc and loc[0] == "tasks":
            data["tasks"] = []
        else:
            data.setdefault("id", f"invalid-{n}")
            data.setdefault("name", "?")
            if loc:
                data[str(loc[0])] = data[str(loc[0])] if loc[0] == "name" else f"invalid-{n}"
    return data


def _repeats(problem: Problem, patched: set[Loc]) -> bool:
    """True when ``problem`` is only a consequence of a value already reported as invalid."""
    if ("initiatives", problem.loc[1] if len(problem.loc) > 1 else None) in patched:
        return True
    return problem.code == "bad-task" and problem.loc[:4] in patched


def _plan_files(folder: Path) -> list[Path]:
    # Hidden files and folders (.git, .github, editor backups) are not part of the plan.
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in PLAN_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def load_plan(path: str | Path) -> Plan:
    """Load a plan from a YAML or JSON file, or from a folder of them.

    Args:
        path: a plan file, or a folder with ``plan.yaml`` and one file per initiative.

    Raises:
        PlanValidationError: with every problem found, each with file, line and column.
        PlanError: the path does not exist.

    >>> plan = load_plan(resources.files("aomori_roadmap") / "data" / DEFAULT_PLAN_ID)
    >>> plan.id
    'aomori-dx-2024-2028'
    """
    root = Path(str(path))
    if not root.exists():
        raise PlanError(f"プラン '{root}' が見つかりません。ファイルかフォルダを指定してください。")
    assembly = _Assembly()
    if root.is_dir():
        files = _plan_files(root)
        headers = [root / name for name in HEADER_NAMES if (root / name).is_file()]
        if not headers:
            raise PlanError(
                f"フォルダ '{root}' に plan.yaml がありません。"
                "プランのヘッダー（id, name, period か base）を plan.yaml に書いてください。"
            )
        header = headers[0]
        assembly.set_header(assembly.read(header, str(header)), str(header))
        for file in files:
            if file != header:
                assembly.add_file(assembly.read(file, str(file)), str(file))
    else:
        assembly.set_header(assembly.read(root, str(root)), str(root))
    if assembly.header is None and not assembly.problems:
        assembly.problems.append(
            Problem("プランのヘッダーが空です。", path=str(root), code="empty")
        )
    return assembly.build()


def plan_from_data(data: Mapping[str, Any], *, source: str | None = None) -> Plan:
    """Build a plan from a mapping, as if read from a file named ``source``.

    >>> plan_from_data({"base": "aomori-dx-2024-2028", "initiatives": []}).counts()["kpis"]
    19
    """
    assembly = _Assembly()
    assembly.set_header(dict(data), source)
    return assembly.build()


@cache
def default_plan() -> Plan:
    """The embedded Aomori DX Promotion Plan 2024–2028, with its example roadmaps.

    >>> default_plan().name
    '青森県DX推進プラン'
    """
    folder = resources.files("aomori_roadmap") / "data" / DEFAULT_PLAN_ID
    with resources.as_file(folder) as path:
        return load_plan(path)


def _plain(plan: Plan) -> dict[str, Any]:
    data: dict[str, Any] = plan.model_dump(mode="json", exclude_defaults=True)
    # Keep the period and identity first, the way people write a header.
    return data


def _write(path: Path, data: Any) -> None:
    if path.suffix == ".json":
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        text = yaml.dump(data, allow_unicode=True, sort_keys=False, width=100)
        path.write_text(text, encoding="utf-8")


def dump_plan(plan: Plan, path: str | Path) -> list[Path]:
    """Write ``plan`` back: to one file (``.yaml``/``.json``), or to a folder otherwise.

    A folder gets ``plan.yaml`` and ``initiatives/<id>.yaml`` per initiative. Returns the files
    written. Loading what was written gives an equal plan.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = dump_plan(default_plan(), Path(tmp) / "plan")
    ...     load_plan(Path(tmp) / "plan") == default_plan()
    True
    """
    target = Path(path)
    data = _plain(plan)
    if target.suffix in PLAN_SUFFIXES:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write(target, data)
        return [target]
    initiatives = data.pop("initiatives", [])
    (target / "initiatives").mkdir(parents=True, exist_ok=True)
    written = [target / "plan.yaml"]
    _write(written[0], data)
    for initiative in initiatives:
        file = target / "initiatives" / f"{initiative['id']}.yaml"
        _write(file, {"initiatives": [initiative]})
        written.append(file)
    return written


def iter_plan_files(path: str | Path) -> Iterable[Path]:
    """The files that :func:`load_plan` reads for ``path``."""
    root = Path(path)
    return _plan_files(root) if root.is_dir() else [root]
