"""Plan files ⇄ :class:`~aomori_roadmap.plan.model.Plan`: the only code that reads plan files.

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

from aomori_roadmap.engine.network import prepare
from aomori_roadmap.errors import PlanError, PlanValidationError, Problem, RoadmapError, shown
from aomori_roadmap.i18n import N_, _
from aomori_roadmap.plan.checks import graph_problems
from aomori_roadmap.plan.model import PERIOD_EXAMPLES, Initiative, Loc, Plan, check_plan
from aomori_roadmap.plan.sources import register

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
_MERGED_BY_ID = (
    "fields",
    "items",
    "foundations",
    "priorities",
    "departments",
    "kpis",
    "indicators",
)

_CLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_CLoader):  # type: ignore[valid-type,misc]
    """PyYAML's C safe loader, made strict and safe for plan files.

    - Booleans are read the YAML 1.2 way: YAML 1.1 reads ``on``, ``off``, ``yes`` and ``no``
      as booleans, which turns the ``on:`` key of a dependency into ``True``.
    - A key written twice in one mapping is remembered in :attr:`duplicates` (the second
      occurrence), not silently overwritten.
    - A scalar that YAML would turn into a date, number or boolean but cannot (``2025-02-30``,
      ``0b_``, a 5,000-digit number) stays the text that was written, so that the field it is
      in reports it with its place instead of the whole file failing with a traceback.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[Any, yaml.Mark]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        written = list(node.value)  # before merges (<<) are flattened into it
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        if len(mapping) < len(node.value):  # a key came twice, or a merged one was overridden
            self._note_duplicates(written)
        if not all(type(key) is str for key in mapping):
            # Plan files name their keys: a key YAML read as a date or a number (2025-01-01:,
            # 1:) is kept as written, so that a message quotes it as the user wrote it.
            named: dict[Any, Any] = {}
            for key_node, _value in node.value:
                key = self.construct_object(key_node)  # already made: read from the cache
                text_key = isinstance(key_node, yaml.ScalarNode) and type(key) is not str
                named[key_node.value if text_key else key] = mapping[key]
            mapping = named
        return mapping

    def _note_duplicates(self, written: list[tuple[yaml.Node, yaml.Node]]) -> None:
        """Remember each key written twice among a mapping's own keys (not merged ones)."""
        seen: set[Any] = set()
        for key_node, _value in written:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node)
            if key in seen:
                self.duplicates.append((key, key_node.start_mark))
            seen.add(key)


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _as_written(
    construct: Any,
) -> Any:
    """A scalar constructor that gives back the text as written when it cannot read it."""

    def read(loader: _Loader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            return str(node.value)

    return read


for _tag in ("bool", "int", "float", "timestamp", "binary"):
    _full_tag = f"tag:yaml.org,2002:{_tag}"
    _Loader.add_constructor(_full_tag, _as_written(_CLoader.yaml_constructors[_full_tag]))

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
        return (path, *self.within(path, inner))

    def within(self, path: str | None, inner: Loc) -> tuple[int | None, int | None]:
        """The line and column of ``inner`` in the file ``path``, as far as it goes; the
        start of the file for a file with nothing in it."""
        if path is None or path not in self.texts:
            return None, None
        node = self._node(path)
        if node is None:
            return 1, 1
        for key in inner:
            child = _child(node, key)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1, node.start_mark.column + 1

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


def _duplicate_key(label: str, key: object, line: int | None, column: int | None) -> Problem:
    return Problem(
        _(
            "The key '{key}' is written twice in one mapping (the second value would silently win)."
        ).format(key=shown(key)),
        path=label,
        line=line,
        column=column,
        hint=_("remove one of them"),
        code="duplicate-key",
    )


def _parse_file(path: Path, text_: str, label: str) -> tuple[Any, list[Problem]]:
    """The data of a file, and a problem for each key written twice in a mapping."""
    if path.suffix == ".json":
        twice: list[object] = []

        def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
            result: dict[str, Any] = {}
            for key, value in items:
                if key in result:
                    twice.append(key)
                result[key] = value
            return result

        data = json.loads(text_, object_pairs_hook=pairs, parse_int=_json_int)
        half = _LONE_SURROGATE.search(text_)
        if half is not None and _holds_surrogate(data):
            line, column = _line_and_column(text_, half.start())
            return None, [
                Problem(
                    _("the escape {escape} is not a character (half a surrogate pair).").format(
                        escape=half.group(0)
                    ),
                    path=label,
                    line=line,
                    column=column,
                    code="syntax",
                )
            ]
        if not twice:
            return data, []
        return data, [_duplicate_key(label, key, *where) for key, where in _json_twice(text_)]
    loader = _Loader(text_)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    return data, [
        _duplicate_key(label, key, mark.line + 1, mark.column + 1)
        for key, mark in loader.duplicates
    ]


_LONE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _holds_surrogate(data: Any) -> bool:
    """True when a text in ``data`` holds half a surrogate pair (JSON's ``\\udfff``)."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _json_int(digits: str) -> int | str:
    # Python refuses to convert thousands of digits; the field then says what it wants.
    return int(digits) if len(digits) <= 100 else digits


def _json_twice(text_: str) -> list[tuple[object, tuple[int | None, int | None]]]:
    """Each key written twice in a JSON text, with its line and column (JSON is YAML)."""
    try:
        root = yaml.compose(text_, Loader=_Loader)
    except yaml.YAMLError:
        root = None
    found: list[tuple[object, tuple[int | None, int | None]]] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if key_node.value in seen:
                    mark = key_node.start_mark
                    found.append((key_node.value, (mark.line + 1, mark.column + 1)))
                seen.add(key_node.value)
                stack.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    found.sort(key=lambda entry: entry[1][0] or 0)
    return found or [("?", (None, None))]


def _syntax_problem(path: str, error: Exception, content: str = "") -> Problem:
    if isinstance(error, json.JSONDecodeError):
        return Problem(
            _("not valid JSON: {detail}").format(detail=error.msg),
            path=path,
            line=error.lineno,
            column=error.colno,
            code="syntax",
        )
    if isinstance(error, RecursionError):
        return Problem(
            _("nested too deeply to be read."),
            path=path,
            code="syntax",
        )
    if not isinstance(error, yaml.YAMLError):  # a number JSON cannot convert, and the like
        return Problem(
            _("a value cannot be read: {value}").format(value=shown(error)),
            path=path,
            code="syntax",
        )
    if isinstance(error, yaml.reader.ReaderError):
        line, column = _line_and_column(content, error.position)
        return Problem(
            _("the character U+{code:04X} is not allowed (a control character).").format(
                code=error.character
            )
            if isinstance(error.character, int)
            else _("a character that cannot be read."),
            path=path,
            line=line,
            column=column,
            code="syntax",
        )
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    what = str(getattr(error, "problem", None) or error)
    return Problem(
        _("not valid YAML: {detail}").format(detail=_yaml_words(what)),
        path=path,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        hint=_("check the indentation, the space after each colon and unclosed quotes"),
        code="syntax",
    )


# What PyYAML's words say, in the user's language: a part of PyYAML's (English) problem, and
# our text for it (formatted, so braces are doubled).
_YAML_WORDS = (
    ("mapping values are not allowed", N_("a key and a value (:) cannot be written here")),
    ("could not find expected ':'", N_("':' was not found")),
    (
        "cannot start any token",
        N_(
            "a character that cannot begin an indentation or a value "
            "(tabs cannot be used to indent)"
        ),
    ),
    ("expected <block end>", N_("the indentation is not aligned")),
    ("expected ',' or ']'", N_("',' or ']' was not found")),
    ("expected ',' or '}'", N_("',' or '}}' was not found")),
    (
        "found unexpected end of stream",
        N_("the file ends too early (an unclosed quote or bracket)"),
    ),
    ("found undefined alias", N_("an alias (*name) that is not defined")),
    ("found duplicate anchor", N_("an anchor (&name) is defined twice")),
    ("found unhashable key", N_("a list or a mapping cannot be a key")),
    ("could not determine a constructor", N_("a tag (!!…) that cannot be used")),
    ("for merging", N_("a merge (<<) takes a mapping (or a list of them)")),
    ("expected a sequence node", N_("the tag (!!seq) does not match the form of the value")),
    ("expected a mapping node", N_("the tag (!!map) does not match the form of the value")),
    ("expected a scalar node", N_("the tag does not match the form of the value")),
    ("found unknown escape character", N_("an escape character (\\…) that cannot be used")),
    ("another document", N_("write one document in a file only (there is more than one ---)")),
    (
        "expected a single document",
        N_("write one document in a file only (there is more than one ---)"),
    ),
    ("directive", N_("a directive (%…) that cannot be used")),
    ("found character that cannot start any token", N_("a character that cannot be used")),
    (
        "did not find expected",
        N_("the text breaks off (check the brackets, quotes and indentation)"),
    ),
)
# What is said when PyYAML's words are none of the above: never its English in Japanese.
_YAML_OTHER = N_("the YAML is not written correctly")


def _yaml_words(problem: str) -> str:
    for english, ours in _YAML_WORDS:
        if english in problem:
            return _(ours).format()
    return _(_YAML_OTHER)


def _line_and_column(content: str, position: int) -> tuple[int | None, int | None]:
    """The 1-based line and column of a character offset in ``content``."""
    if not content:
        return None, None
    before = content[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _decode(raw: bytes, label: str) -> tuple[str | None, Problem | None]:
    """The text of a plan file, which must be UTF-8 (a byte order mark is allowed)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem(
            _("the file is saved as UTF-16; save it as UTF-8."),
            path=label,
            line=1,
            column=1,
            code="encoding",
        )
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, Problem(
            _("a byte that is not UTF-8 (byte {n}).").format(n=error.start + 1),
            path=label,
            line=line,
            column=column,
            hint=_("if it was saved as Shift_JIS or another encoding, save it as UTF-8"),
            code="encoding",
        )


_WHOLE = N_("write a whole number")
_NUMBER = N_("write a number")
_BOOLEAN = N_("write true or false")
_MAPPING = N_("write a mapping of keys and values")
_DATE = N_("write a date YYYY-MM-DD")
_CHOICE = N_("not one of the allowed values")
_SMALL = N_("the value is too small")
_LARGE = N_("the value is too large")
# Our words for each kind of pydantic error, in English: translated where they are used.
_MESSAGES = {
    "missing": N_("this entry is required"),
    "extra_forbidden": N_("this entry is not allowed here"),
    "string_type": N_("write a text"),
    "string_too_short": N_("must not be empty"),
    "string_too_long": N_("too long"),
    "string_unicode": N_("not valid text"),
    **dict.fromkeys(("int_parsing", "int_type", "int_from_float"), _WHOLE),
    "int_parsing_size": N_("the number is too large"),
    **dict.fromkeys(("float_parsing", "float_type"), _NUMBER),
    "finite_number": N_("write a finite number"),
    **dict.fromkeys(("bool_parsing", "bool_type"), _BOOLEAN),
    "list_type": N_("write a list"),
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type"), _MAPPING),
    **dict.fromkeys(("date_type", "date_parsing", "date_from_datetime_parsing"), _DATE),
    "date_from_datetime_inexact": N_("write a date without a time of day"),
    **dict.fromkeys(("literal_error", "enum"), _CHOICE),
    **dict.fromkeys(("greater_than_equal", "greater_than"), _SMALL),
    **dict.fromkeys(("less_than_equal", "less_than"), _LARGE),
    "too_short": N_("too few entries"),
    "too_long": N_("too many entries"),
}
# Any other kind of problem pydantic may report: never its English wording or class names.
_OTHER = N_("the value has the wrong form")


def _message(kind: str, detail: Mapping[str, Any]) -> str:
    """A user's message for one pydantic error: ours, in the chosen language."""
    ctx = detail.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])  # our own parsers write messages for the user
    if kind == "string_pattern_mismatch":  # the only patterns are those of ids and refs
        return _("an id may hold ASCII letters, digits, '.', '_' and '-' only (no '/')")
    if kind == "is_instance_of":
        expected = ctx.get("class", "")
        if expected == "Duration":
            return _("write a duration (e.g. 10bd, 4mo, 1half)")
        return _("write a period (e.g. {examples})").format(examples=PERIOD_EXAMPLES)
    message = _(_MESSAGES.get(kind, _OTHER))
    if kind in ("literal_error", "enum") and "expected" in ctx:
        message = _("{message} ({expected})").format(message=message, expected=ctx["expected"])
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next((ctx[k] for k in ("ge", "le", "gt", "lt") if k in ctx), None)
        if bound is not None:
            sign = {
                "greater_than_equal": "≥",
                "less_than_equal": "≤",
                "greater_than": ">",
                "less_than": "<",
            }[kind]
            message += f" ({sign} {bound})"
    elif kind in ("string_too_long", "too_long") and "max_length" in ctx:
        message += f" (≤ {ctx['max_length']})"
    return message


def _pydantic_problems(error: PydanticValidationError, prefix: Loc) -> list[Problem]:
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        loc: Loc = prefix + tuple(detail["loc"])
        kind = detail["type"]
        message = _message(kind, detail)
        field = next((part for part in reversed(loc) if isinstance(part, str)), None)
        if field:
            message = f"'{shown(field)}': {message}"
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
        # An id that is not text (a list, a mapping) replaces nothing: the model says what is wrong.
        if isinstance(ident, str) and ident in where:
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
            _("there is no base plan '{base}'; the one available is '{plan}'.").format(
                base=shown(base), plan=DEFAULT_PLAN_ID
            )
        )
    folder = resources.files("aomori_roadmap") / "data" / DEFAULT_PLAN_ID
    content = (folder / "plan.yaml").read_text(encoding="utf-8")
    data = yaml.load(content, Loader=_Loader)
    return data, content


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
            raw = path.read_bytes()
        except OSError as error:
            self.problems.append(
                Problem(
                    _("cannot read the file: {reason}").format(reason=error.strerror),
                    path=label,
                    code="io",
                )
            )
            return None
        content, problem = _decode(raw, label)
        if content is None:
            assert problem is not None
            self.problems.append(problem)
            return None
        self.origins.texts[label] = content
        try:
            data, twice = _parse_file(path, content, label)
        except (yaml.YAMLError, ValueError, RecursionError) as error:
            self.problems.append(_syntax_problem(label, error, content))
            return None
        self.problems += twice
        return data

    def set_header(self, data: Any, label: str | None) -> None:
        if data is None and any(p.path == label for p in self.problems):
            return  # the file could not be read: that problem is reported, not a second one
        if not isinstance(data, Mapping):
            self.problems.append(
                Problem(
                    _("write the plan header as a mapping (key: value)."),
                    path=label,
                    line=1,
                    column=1,
                    code="syntax",
                )
            )
            return
        header = dict(data)
        self.header_path = label
        self.origins.add((), label, ())  # a key missing from the header: at its start
        for key in header:
            self.origins.add((key,), label, (key,))
        base = header.get("base")
        if isinstance(base, str):
            try:
                base_data, base_text = _base_header(base)
            except PlanError as error:
                self.problems.append(Problem(str(error), code="unknown-reference", loc=("base",)))
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
            line, column = self.origins.within(label, key)
            self.problems.append(
                Problem(
                    _("write initiatives as a list."),
                    path=label,
                    line=line,
                    column=column,
                    code="list_type",
                )
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
                    _("an initiative file holds an 'initiatives:' list (or one initiative)."),
                    path=label,
                    line=1,
                    column=1,
                    hint=_("the plan's structure goes in the header plan.yaml"),
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
            register(plan, self.origins.locate)
            problems += _graph_problems(plan, alone=not problems)
        if problems or plan is None:
            located = [self.origins.problem(p) if p.path is None else p for p in problems]
            located.sort(key=lambda p: (p.path or "", p.line or 0, p.column or 0))
            raise PlanValidationError(located)
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


def _graph_problems(plan: Plan, alone: bool) -> list[Problem]:
    """What the scheduler would refuse: circles of links, and (for a plan with no other
    problem) dates beyond the calendar. Builds the plan's graph, which every schedule of it
    then shares."""
    try:
        graph = prepare(plan)
    except PlanError:  # a link to a task that is not there: already reported
        return []
    return graph_problems(plan, graph, dates=alone, schedules=_schedules)


def _schedules(plan: Plan) -> bool:
    """Whether the scheduler computes every date of ``plan`` (the judge of the date bound)."""
    from aomori_roadmap.engine.schedule import schedule  # only for the rare suspect plan

    try:
        tasks = schedule(plan).tasks
        if tasks:
            tasks[next(iter(tasks))]  # the records hold the late dates: make them now
    except (RoadmapError, ValueError, OverflowError, ArithmeticError):
        return False
    return True


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
        raise PlanError(_("there is no plan '{path}'; give a file or a folder.").format(path=root))
    assembly = _Assembly()
    if root.is_dir():
        files = _plan_files(root)
        headers = [root / name for name in HEADER_NAMES if (root / name).is_file()]
        if not headers:
            raise PlanError(
                _(
                    "the folder '{path}' has no plan.yaml; write the plan's header "
                    "(id, name, and period or base) in plan.yaml."
                ).format(path=root)
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
            Problem(
                _("the plan header is empty."),
                path=str(root),
                line=1,
                column=1,
                code="empty",
            )
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
        dumped = yaml.dump(data, allow_unicode=True, sort_keys=False, width=100)
        path.write_text(dumped, encoding="utf-8")


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
