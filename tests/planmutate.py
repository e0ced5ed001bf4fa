"""Real plan folders, broken the ways people break them: hypothesis strategies for the fuzzer.

:func:`plan_folders` draws a :class:`Folder`: a real plan folder (a seed, :data:`SEEDS`) with
one to three mutations (:data:`KINDS`) applied in three layers:

- on the parsed YAML: a deleted key, swapped or retyped values, odd Unicode, impossible dates
  and periods, extreme durations and lags, odd plan-wide settings (time zones, review policy),
  cycles of links (across initiatives and files too), broken references, anchors, aliases and
  merge keys;
- on the YAML text: a key written twice, tabs, control characters and odd line breaks, broken
  syntax (tags, directives, several documents, unclosed brackets), a file cut short;
- on the bytes: UTF-16, Shift_JIS, a byte order mark, bytes that are not UTF-8, a file that is
  empty, a list or a scalar, extra files (JSON, hidden, nested, a second header).

The values come from ``planvalues``; ``planpromise`` checks what ``validate`` and the exports
make of the folders.

>>> sorted(SEEDS)
['based', 'embedded', 'minimal']
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from hypothesis import strategies as st
from planvalues import Merged, Raw, dates, dump, durations, odd_texts, odd_values, periods

__all__ = [
    "BASE_PLAN",
    "KINDS",
    "SEEDS",
    "Draft",
    "Folder",
    "plan_folders",
    "seed_texts",
]

Where = tuple[str | int, ...]
"""A place inside a parsed YAML document, as keys and list indexes."""

_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "minimal-roadmap"
BASE_PLAN = "aomori-dx-2024-2028"
"""The embedded plan: a seed, and the base a header may build on (``base:``)."""

# Seed folders: relative file name → where its text comes from. The embedded plan keeps two of
# its three initiative files: each example stays fast, and links can still cross files.
SEEDS: dict[str, dict[str, str]] = {
    "minimal": {
        "plan.yaml": "example:plan.yaml",
        "initiatives/disaster-alerts.yaml": "example:initiatives/disaster-alerts.yaml",
        "initiatives/online-procedures.yaml": "example:initiatives/online-procedures.yaml",
    },
    "embedded": {
        "plan.yaml": "embedded:plan.yaml",
        "initiatives/bousai-dx.yaml": "embedded:initiatives/bousai-dx.yaml",
        "initiatives/kyoiku-dx.yaml": "embedded:initiatives/kyoiku-dx.yaml",
    },
    "based": {
        "plan.yaml": f"text:# 組み込みのプランを土台にする部局のフォルダ\nbase: {BASE_PLAN}\n",
        "initiatives/sangyo-dx.yaml": "embedded:initiatives/sangyo-dx.yaml",
    },
}

KINDS = (
    "none", "delete-key", "extra-key", "swap-values", "retype", "odd-text", "bad-period",
    "bad-date", "bad-duration", "settings", "override", "cycle", "bad-ref", "alias",  # on data
    "duplicate-key", "tab", "control-char", "yaml-syntax", "truncate",  # on text
    "whole-file", "encoding", "extra-file",  # on bytes
)  # fmt: skip
"""Every kind of mutation, in the order they are applied."""


# --- seeds -------------------------------------------------------------------------------------


def _source_text(source: str) -> str:
    where, _, rest = source.partition(":")
    if where == "example":
        return (_EXAMPLE / rest).read_text(encoding="utf-8")
    if where == "embedded":
        folder = resources.files("aomori_roadmap") / "data" / BASE_PLAN
        return (folder / rest).read_text(encoding="utf-8")
    return rest


@cache
def seed_texts(seed: str) -> dict[str, str]:
    """The files of seed folder ``seed`` as written: ``{relative name: text}``."""
    return {name: _source_text(source) for name, source in SEEDS[seed].items()}


class _SeedLoader(yaml.SafeLoader):
    """PyYAML's safe loader reading booleans the YAML 1.2 way, as plan files are read.

    Read the YAML 1.1 way, the ``on:`` of every dependency would be written back as ``true:``.
    """


_SeedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SeedLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@cache
def _seed_data(seed: str) -> dict[str, Any]:
    return {name: yaml.load(text, Loader=_SeedLoader) for name, text in seed_texts(seed).items()}


# --- the draft of a folder ---------------------------------------------------------------------


@dataclass
class Draft:
    """A seed folder being mutated: parsed data first, then text, then bytes."""

    seed: str
    data: dict[str, Any]
    steps: list[str] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    texts: dict[str, str] = field(default_factory=dict)
    raw: dict[str, bytes] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, seed: str) -> Draft:
        """The seed folder as it is, ready to change."""
        return cls(seed, copy.deepcopy(_seed_data(seed)))

    def text(self, name: str) -> str:
        """The file's text: as written, or dumped once its data changed."""
        if name not in self.texts:
            original = seed_texts(self.seed).get(name)
            changed = name in self.changed or original is None
            self.texts[name] = dump(self.data[name]) if changed else str(original)
        return self.texts[name]

    def content(self, name: str) -> bytes:
        """The file's bytes as they will be written."""
        return self.raw[name] if name in self.raw else self.text(name).encode("utf-8")

    def folder(self) -> Folder:
        """The finished folder."""
        names = sorted((set(self.data) | set(self.raw)) - self.removed)
        files = {name: self.content(name) for name in names}
        return Folder(self.seed, files, tuple(self.steps), frozenset(self.changed))


def _visible(text: str) -> str:
    """``text`` with what a terminal would hide or act on written as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@dataclass(frozen=True)
class Folder:
    """A mutated plan folder: ``{relative name: bytes}`` and the steps that made it."""

    seed: str
    files: dict[str, bytes]
    steps: tuple[str, ...]
    reformatted: frozenset[str] = frozenset()

    @classmethod
    def of(cls, files: Mapping[str, str | bytes], step: str) -> Folder:
        """A folder written by hand (no seed): text is written as UTF-8."""
        written = {k: v.encode() if isinstance(v, str) else v for k, v in files.items()}
        return cls("", written, (step,))

    def write(self, root: Path) -> None:
        """Write every file under ``root``."""
        for name, content in self.files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # hypothesis prints a failing example with IPython's protocol: show the diff there too.
        printer.text(repr(self))

    def __repr__(self) -> str:
        """The seed, the steps, and a diff of every file against the seed (for a failure)."""
        lines = [f"Folder(seed={self.seed!r})", *(f"  step: {step}" for step in self.steps)]
        originals = seed_texts(self.seed) if self.seed else {}
        for name, content in self.files.items():
            original = originals.get(name)
            if original is not None and content == original.encode("utf-8"):
                continue
            if name in self.reformatted:  # compare with the seed dumped the same way
                original = dump(_seed_data(self.seed)[name])
            try:
                new = content.decode("utf-8")
            except UnicodeDecodeError:
                lines.append(f"--- {name} (not UTF-8): {content[:600]!r}")
                continue
            old = (original or "").splitlines()
            diff = difflib.unified_diff(old, new.splitlines(), f"seed/{name}", name, "", "", 2, "")
            lines += [_visible(line)[:300] for line in diff]
        return "\n".join(lines)


# --- walking parsed data -----------------------------------------------------------------------


def _walk(node: Any, where: Where = (), seen: set[int] | None = None) -> Iterator[Where]:
    """Every place in ``node`` (itself first), each shared or recursive part once."""
    seen = set() if seen is None else seen
    yield where
    if isinstance(node, dict | list):
        if id(node) in seen:
            return
        seen.add(id(node))
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if isinstance(key, str | int):
                yield from _walk(value, (*where, key), seen)
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _walk(value, (*where, n), seen)


def _get(root: Any, where: Where) -> Any:
    for part in where:
        root = root[part]
    return root


def _set(root: Any, where: Where, value: Any) -> None:
    _get(root, where[:-1])[where[-1]] = value


def _path(name: str, where: Where) -> str:
    return f"{name}:{'/'.join(map(str, where))}"


# Keys the engine reads (ids, references, dates), as opposed to prose it only shows.
_HOT = frozenset(
    {
        "id", "name", "field", "item", "department", "policies", "kpis", "priority",
        "foundations", "parent", "on", "type", "lag", "after", "depends", "start", "finish",
        "due", "duration", "milestone", "fy", "value", "period", "calendar", "closed_days",
        "open_days", "review_policy", "base", "timezone", "tasks", "initiatives", "baseline",
        "target", "direction", "category",
    }
)  # fmt: skip


def _pick(
    draw: st.DrawFn,
    draft: Draft,
    want: Callable[[Any], bool] = lambda value: True,
    prefer: frozenset[str] = _HOT,
) -> tuple[str, Where] | None:
    """A place (not a file's root) whose value ``want``s, mostly one under a key of ``prefer``
    (by default what the engine reads: ids, references, dates)."""
    places = [
        (name, where)
        for name, data in sorted(draft.data.items())
        for where in _walk(data)
        if where and want(_get(data, where))
    ]
    preferred = [place for place in places if any(part in prefer for part in place[1])]
    if preferred and draw(st.integers(0, 4)) > 0:
        places = preferred
    return draw(st.sampled_from(places)) if places else None


class _Task(NamedTuple):
    """A task mapping of the draft, where it is, and its initiative's mapping."""

    file: str
    ref: str  # initiative/task, as written (an id may have been retyped)
    task: dict[str, Any]
    initiative: dict[str, Any]


def _tasks(draft: Draft) -> list[_Task]:
    """Every task mapping in the draft."""
    found = []
    for name, data in sorted(draft.data.items()):
        initiatives = data.get("initiatives") if isinstance(data, dict) else None
        for initiative in initiatives if isinstance(initiatives, list) else []:
            tasks = initiative.get("tasks") if isinstance(initiative, dict) else None
            for task in tasks if isinstance(tasks, list) else []:
                if isinstance(task, dict):
                    ref = f"{initiative.get('id')}/{task.get('id')}"
                    found.append(_Task(name, ref, task, initiative))
    return found


# --- mutations on the data ---------------------------------------------------------------------


def _delete_key(draw: st.DrawFn, draft: Draft) -> None:
    place = _pick(draw, draft)  # a key of a mapping, or an entry of a list
    if place is None:
        return
    name, where = place
    del _get(draft.data[name], where[:-1])[where[-1]]
    draft.changed.add(name)
    draft.steps.append(f"delete {_path(name, where)}")


_ODD_KEYS: tuple[Any, ...] = (1, -1, 1.5, None, True, date(2025, 4, 1), "", " ", "<<", "🎌", "\x00")


def _extra_key(draw: st.DrawFn, draft: Draft) -> None:
    """A key the model does not have: a typo of a key next to it, or a key that is not text."""
    place = _pick(draw, draft, lambda value: isinstance(value, dict) and bool(value))
    if place is None:
        return
    name, where = place
    mapping = _get(draft.data[name], where)
    near = draw(st.sampled_from(sorted(mapping, key=str)))
    word = str(near)
    typos = [word.upper(), word + "s", word[:-1], f" {word}", f"{word} ", word.replace("_", "-")]
    key = draw(st.sampled_from([*typos, "ｉｄ", *_ODD_KEYS]))
    mapping[key] = copy.deepcopy(draw(st.sampled_from([mapping[near]]) | odd_values))
    draft.changed.add(name)
    draft.steps.append(f"add key {key!r} to {_path(name, where)}")


def _swap_values(draw: st.DrawFn, draft: Draft) -> None:
    first, second = _pick(draw, draft), _pick(draw, draft)
    if first is None or second is None:
        return
    (a_name, a), (b_name, b) = first, second
    if a_name == b_name and (a[: len(b)] == b or b[: len(a)] == a):
        return  # one holds the other
    a_value, b_value = _get(draft.data[a_name], a), _get(draft.data[b_name], b)
    _set(draft.data[a_name], a, b_value)
    _set(draft.data[b_name], b, a_value)
    draft.changed |= {a_name, b_name}
    draft.steps.append(f"swap {_path(a_name, a)} and {_path(b_name, b)}")


def _set_at(draw: st.DrawFn, draft: Draft, values: st.SearchStrategy[Any], label: str) -> None:
    place = _pick(draw, draft)
    if place is None:
        return
    name, where = place
    value = copy.deepcopy(draw(values))  # drawn constants must not be shared between places
    _set(draft.data[name], where, value)
    draft.changed.add(name)
    draft.steps.append(f"{label} {_path(name, where)} = {value!r:.200}")


# Text that is only shown: odd text there often passes validate, and so reaches every export.
_PROSE = frozenset({"name", "description", "note", "title", "subtitle", "unit", "source"})


def _odd_text(draw: st.DrawFn, draft: Draft) -> None:
    prefer = _PROSE if draw(st.booleans()) else _HOT
    place = _pick(draw, draft, lambda value: isinstance(value, str), prefer)
    if place is None:
        return
    name, where = place
    old, odd = _get(draft.data[name], where), draw(odd_texts)
    at = draw(st.sampled_from([None, 0, len(old)]) | st.integers(0, len(old)))
    new = odd if at is None else old[:at] + odd + old[at:]
    _set(draft.data[name], where, new)
    draft.changed.add(name)
    draft.steps.append(f"text {_path(name, where)} = {new!r:.200}")


def _set_on_task(
    draw: st.DrawFn, draft: Draft, keys: list[str], values: st.SearchStrategy[Any]
) -> None:
    tasks = _tasks(draft)
    if not tasks:
        return
    name, ref, task, _ = draw(st.sampled_from(tasks))
    key = draw(st.sampled_from(keys))
    task[key] = copy.deepcopy(draw(values))
    draft.changed.add(name)
    draft.steps.append(f"set {name}:{ref}.{key} = {task[key]!r:.200}")


def _set_in_header(draft: Draft, key: str, inner: str, value: Any) -> None:
    header = draft.data.get("plan.yaml")
    if not isinstance(header, dict):
        return
    section = header.get(key)
    section = dict(section) if isinstance(section, dict) else {}
    section[inner] = copy.deepcopy(value)
    header[key] = section
    draft.changed.add("plan.yaml")
    draft.steps.append(f"set plan.yaml:{key} = {section!r:.200}")


def _bad_period(draw: st.DrawFn, draft: Draft) -> None:
    if draw(st.integers(0, 3)) > 0:
        _set_on_task(draw, draft, ["start", "finish", "due"], periods)
        return
    key = draw(st.sampled_from(["start", "end"]))
    _set_in_header(draft, "period", key, draw(periods))


_RUN_STARTS = (date(2024, 4, 1), date(2025, 12, 20), date(2027, 3, 1))


def _bad_date(draw: st.DrawFn, draft: Draft) -> None:
    if draw(st.booleans()):
        _set_on_task(draw, draft, ["start", "finish", "due"], dates)
        return
    key = draw(st.sampled_from(["closed_days", "open_days"]))
    if draw(st.booleans()):
        _set_in_header(draft, "calendar", key, [draw(dates)])
        return
    # A run of days: closed, a calendar with no working day for a while; open, no weekend.
    first, days = draw(st.sampled_from(_RUN_STARTS)), draw(st.sampled_from([7, 366, 3000]))
    run = [first + timedelta(days=n) for n in range(days)]
    _set_in_header(draft, "calendar", key, run)


_SETTINGS: dict[tuple[str, str | None], tuple[Any, ...]] = {
    ("timezone", None): (
        "UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/St_Johns", "Asia/Kathmandu",
        "Etc/GMT+12", "Etc/GMT-14", "Europe/London", "America/Sao_Paulo", "Australia/Lord_Howe",
        "Antarctica/Troll", "Factory", "localtime", "Japan", "JST", "asia/tokyo", "Asia/Tokyo ",
        "../etc/passwd", "", None, 9,
    ),
    ("review_policy", "submission_working_days"): (0, 120, 121, -1, 10**30, "10", 1.5, None),
    ("review_policy", "publication_working_days"): (0, 250, 251, True),
    ("review_policy", "annual_report_month"): (3, 4, 12, 13),
    ("review_policy", "meeting"): ("next-month-end", "end", None),
    ("review_policy", "ratings"): (
        [], [{"symbol": "", "label": "x"}], [{"symbol": "🎌", "label": "\u202e逆"}] * 30, "◎",
        [{"symbol": "◎", "label": "予定以上", "extra": 1}], None,
    ),
    ("calendar", "year_end_closure"): (False, True, "yes", 1, None),
}  # fmt: skip


def _settings(draw: st.DrawFn, draft: Draft) -> None:
    """A plan-wide setting: odd but real time zones, review policy bounds, the year-end closure."""
    key, inner = draw(st.sampled_from(sorted(_SETTINGS, key=str)))
    value = draw(st.sampled_from(_SETTINGS[key, inner]))
    header = draft.data.get("plan.yaml")
    if inner is not None:
        _set_in_header(draft, key, inner, value)
    elif isinstance(header, dict):
        header[key] = value
        draft.changed.add("plan.yaml")
        draft.steps.append(f"set plan.yaml:{key} = {value!r}")


# The header's lists that are merged by id into those of the plan it builds on (``base:``).
_MERGED = ("fields", "items", "foundations", "priorities", "departments", "kpis")
_ODD_IDS: tuple[Any, ...] = (["x"], {"a": 1}, None, 1, True, "", "a/b", "新しい", "x" * 300)


def _entries(known: list[dict[str, Any]]) -> st.SearchStrategy[Any]:
    """Entries of a merged list: overriding one of ``known`` (whole or in part), new, odd."""
    some = st.sampled_from(known) if known else st.just({"id": "x", "name": "X"})
    return st.one_of(
        some,
        some.map(lambda entry: {**entry, "name": "上書きした名前"}),
        some.map(lambda entry: {"id": entry.get("id")}),
        st.just({"id": "new-entry", "name": "新しい項目"}),
        st.just({"name": "idのない項目"}),
        st.sampled_from(_ODD_IDS).map(lambda ident: {"id": ident, "name": "X"}),
        st.sampled_from(["x", None, 1, [], {}]),
    )


def _override(draw: st.DrawFn, draft: Draft) -> None:
    header = draft.data.get("plan.yaml")
    if not isinstance(header, dict):
        return
    key = draw(st.sampled_from(_MERGED))
    known = [e for e in _seed_data("embedded")["plan.yaml"].get(key) or [] if isinstance(e, dict)]
    if draw(st.integers(0, 5)) == 0:
        header[key] = draw(st.sampled_from([{}, "x", None, 1, [[]]]))
    else:
        old = header.get(key)
        added = copy.deepcopy(draw(st.lists(_entries(known), min_size=1, max_size=3)))
        header[key] = [*(old if isinstance(old, list) else []), *added]
    draft.changed.add("plan.yaml")
    draft.steps.append(f"plan.yaml:{key} = {header[key]!r:.300}")


def _add_link(task: dict[str, Any], key: str, link: Any) -> None:
    old = task.get(key)
    if key == "after" and old is None:
        task[key] = link  # ``after`` may be one ref or a list
    else:
        task[key] = [*(old if isinstance(old, list) else [] if old is None else [old]), link]


def _link(draw: st.DrawFn, task: dict[str, Any], ref: Any) -> str:
    """Make ``task`` wait for ``ref``, with ``after`` or ``depends``; say how."""
    if draw(st.booleans()):
        _add_link(task, "after", ref)
        return f"after {ref!r:.100}"
    link_type = draw(st.sampled_from(["FS", "SS", "FF", "SF"]))
    lag = draw(st.sampled_from(["0bd", "-5bd", "10bd", "1mo", "-1y"]))
    _add_link(task, "depends", {"on": ref, "type": link_type, "lag": lag})
    return f"depends on {ref!r:.100} {link_type} {lag}"


def _bad_duration(draw: st.DrawFn, draft: Draft) -> None:
    tasks = _tasks(draft)
    if draw(st.booleans()) or len(tasks) < 2:
        _set_on_task(draw, draft, ["duration"], durations)
        return
    name, ref, task, _ = draw(st.sampled_from(tasks))
    other = draw(st.sampled_from([t.ref for t in tasks if t.ref != ref]))
    lag = copy.deepcopy(draw(durations))
    _add_link(task, "depends", {"on": other, "type": "FS", "lag": lag})
    draft.changed.add(name)
    draft.steps.append(f"{name}:{ref} depends on {other} with lag {lag!r:.100}")


def _cycle(draw: st.DrawFn, draft: Draft) -> None:
    tasks = _tasks(draft)
    if not tasks:
        return
    size = draw(st.integers(1, min(len(tasks), 8)))
    order = st.sampled_from(range(len(tasks)))
    chosen = draw(st.lists(order, min_size=size, max_size=size, unique=True))
    said = []
    for k, n in enumerate(chosen):
        name, ref, task, _ = tasks[n]
        target = tasks[chosen[(k + 1) % size]].ref
        # A task of the same initiative may be named by its id alone.
        if target.split("/")[0] == ref.split("/")[0] and draw(st.booleans()):
            target = target.split("/", 1)[1]
        said.append(f"{ref} {_link(draw, task, target)}")
        draft.changed.add(name)
    draft.steps.append(f"cycle of {size}: " + "; ".join(said))


_BAD_REFS = (
    "nope", "nope/x", "a/b/c", "/x", "x/", "", " ", "../x", "x y", "X", "*", "study ", "ＳＴＵＤＹ",
    None, 1, True, ["x"], {"on": "x"},
)  # fmt: skip
_BAD_LINKS: tuple[Any, ...] = (
    {"on": None}, {"on": "study", "type": "XX"}, {"on": "study", "type": "fs"},
    {"on": "study", "type": None}, {"on": "study", "extra": 1}, {"task": "study"}, {},
    "study", {"on": ["study"]}, {"on": "study", "lag": None}, [], None,
)  # fmt: skip
_INITIATIVE_REFS = ("item", "department", "kpis", "policies", "foundations", "priority")
_BAD_IDS: tuple[Any, ...] = ("nope", "industry", "bousai", "kpi-nope", ["nope"], [], "", None)


def _bad_ref(draw: st.DrawFn, draft: Draft) -> None:
    tasks = _tasks(draft)
    if not tasks:
        return
    name, ref, task, owner = draw(st.sampled_from(tasks))
    initiative = ref.split("/")[0]
    what = draw(st.sampled_from(["task", "link", "initiative"]))
    if what == "task":
        own = [initiative, f"{initiative}/{initiative}", f"{initiative}/nope"]
        elsewhere = [t.ref.split("/")[1] for t in tasks]  # maybe not in this one
        target = draw(st.sampled_from([*_BAD_REFS, *own, *elsewhere]))
        said = _link(draw, task, copy.deepcopy(target))
    elif what == "link":
        link = copy.deepcopy(draw(st.sampled_from(_BAD_LINKS)))
        _add_link(task, "depends", link)
        said = f"depends {link!r}"
    else:
        key = draw(st.sampled_from(_INITIATIVE_REFS))
        owner[key] = copy.deepcopy(draw(st.sampled_from(_BAD_IDS)))
        said = f"{key} = {owner[key]!r}"
    draft.changed.add(name)
    draft.steps.append(f"reference {name}:{ref} {said}")


def _alias(draw: st.DrawFn, draft: Draft) -> None:
    how = draw(st.sampled_from(["share", "merge", "recursive", "laughs"]))
    source = _pick(draw, draft, lambda value: isinstance(value, dict | list))
    target = _pick(draw, draft, lambda value: how != "merge" or isinstance(value, dict))
    if source is None or target is None:
        return
    (name, where), (other_name, other) = source, target
    node = _get(draft.data[name], where)
    if other_name == name and (other[: len(where)] == where or where[: len(other)] == other):
        other_name, other = "", ()  # one holds the other: only "recursive" goes on
    if how == "share" and other:
        _set(draft.data[other_name], other, node)  # the same object: dumped as &anchor, *alias
        draft.steps.append(f"alias {_path(other_name, other)} = *{_path(name, where)}")
    elif how == "merge" and other:
        own = dict(_get(draft.data[other_name], other))
        for key in draw(st.lists(st.sampled_from(sorted(map(str, own)) or ["-"]), max_size=3)):
            own.pop(key, None)
        base = node if draw(st.integers(0, 4)) > 0 else draw(st.sampled_from([1, "x", None]))
        _set(draft.data[other_name], other, Merged(base, own))
        draft.steps.append(
            f"merge {_path(other_name, other)} <<: {base if base is not node else where}"
        )
    elif how == "recursive":
        if isinstance(node, list):
            node.append(node)
        else:
            node[draw(st.sampled_from(sorted(map(str, node)) or ["self"]))] = node
        draft.steps.append(f"recursive {_path(name, where)} holds itself")
    elif how == "laughs":
        bomb: Any = draw(st.sampled_from(["lol", "study", 1]))
        for _ in range(depth := draw(st.integers(2, 4))):
            bomb = [bomb] * 10
        _set(draft.data[name], where, bomb)
        draft.steps.append(f"laughs: 10**{depth} aliases at {_path(name, where)}")
    draft.changed |= {name, other_name} - {""}


# --- mutations on the text ---------------------------------------------------------------------

_KEY = r"(?P<key>[A-Za-z_][\w-]*|'[^']*'|\"[^\"]*\")"
_BLOCK_KEY = re.compile(rf"^(?P<indent> *)(?P<dash>- )?{_KEY}:(?P<rest>( .*)?)$")
_FLOW_KEY = re.compile(rf"\{{ *{_KEY}: ")
_SECOND_VALUES = ("dup", "0", "null", "[]", "{}", "FY2025", "1mo", "true", "x/y", "''")


def _text_file(draw: st.DrawFn, draft: Draft) -> tuple[str, list[str]]:
    name = draw(st.sampled_from(sorted(draft.data)))
    return name, draft.text(name).split("\n")


def _duplicate_key(draw: st.DrawFn, draft: Draft) -> None:
    name, lines = _text_file(draw, draft)
    sites: list[tuple[int, re.Match[str] | None]]
    sites = [(n, None) for n, line in enumerate(lines) if _BLOCK_KEY.match(line)]
    sites += [(n, m) for n, line in enumerate(lines) for m in _FLOW_KEY.finditer(line)]
    if not sites:
        return
    n, flow = draw(st.sampled_from(sites))
    value = draw(st.sampled_from(_SECOND_VALUES))
    line = lines[n]
    if flow is not None:  # {key: value, key: ...}
        lines[n] = f"{line[: flow.start()]}{{{flow['key']}: {value}, {line[flow.start() + 1 :]}"
    else:  # the key again on a line of its own, before the first one (its value may go on)
        match = _BLOCK_KEY.match(line)
        assert match is not None
        indent, key = match["indent"], match["key"]
        if match["dash"]:
            lines[n] = f"{indent}- {key}: {value}\n{indent}  {key}:{match['rest']}"
        else:
            lines[n] = f"{indent}{key}: {value}\n{line}"
    draft.texts[name] = "\n".join(lines)
    draft.steps.append(f"key written twice in {name} line {n + 1}: {lines[n]!r:.200}")


def _tab(draw: st.DrawFn, draft: Draft) -> None:
    name, lines = _text_file(draw, draft)
    n = draw(st.integers(0, len(lines) - 1))
    line = lines[n]
    how = draw(st.sampled_from(["indent", "after-colon", "inside", "alone"]))
    if how == "indent":
        stripped = line.lstrip(" ")
        lines[n] = "\t" * max(1, (len(line) - len(stripped)) // 2) + stripped
    elif how == "after-colon":
        lines[n] = line.replace(": ", ":\t", 1)
    elif how == "inside":
        at = draw(st.integers(0, len(line)))
        lines[n] = line[:at] + "\t" + line[at:]
    else:
        lines.insert(n, "\t")
    draft.texts[name] = "\n".join(lines)
    draft.steps.append(f"tab ({how}) in {name} line {n + 1}")


_RAW_CHARACTERS = (
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1a", "\x1b", "\x7f", "\x80", "\x85", "\x9f",
    "\r", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\u202e", "\u200b",
)  # fmt: skip


def _control_char(draw: st.DrawFn, draft: Draft) -> None:
    name, lines = _text_file(draw, draft)
    if draw(st.integers(0, 5)) == 0:
        ending = draw(st.sampled_from(["\r\n", "\r", "\u2028", "\x85"]))
        draft.texts[name] = ending.join(lines)
        draft.steps.append(f"line endings {ending!r} in {name}")
        return
    n = draw(st.integers(0, len(lines) - 1))
    at = draw(st.integers(0, len(lines[n])))
    char = draw(st.sampled_from(_RAW_CHARACTERS))
    lines[n] = lines[n][:at] + char + lines[n][at:]
    draft.texts[name] = "\n".join(lines)
    draft.steps.append(f"character {char!r} in {name} line {n + 1} column {at + 1}")


# How to break the syntax: where the text goes, and the texts.
_SYNTAX: dict[str, tuple[str, tuple[str, ...]]] = {
    "unclosed": ("end of line", ('"', "'", "[", "{", "]", "}", "|", ">", "&", "*")),
    "indent": ("start of line", (" ", "  ")),
    "alias": ("value", ("*nope", "&a *a", "*", "&", "&a [*a]", "&a {x: *a}")),
    "tag": ("value", (
        "!!python/object/apply:os.system ['true']", "!!python/name:os.system", "!!int abc",
        '!!binary "not base64!"', "!!binary aGVsbG8=", "!!timestamp 2025-02-30", "!!float x",
        "!!bool maybe", "!!null x", "!!str", "!!set {a, b}", "!!omap [a: 1, b: 2]",
        "!!pairs [a: 1, a: 2]", "!!map []", "!!seq {}", "!custom x", "!<tag:x.example,2000:x> y",
    )),
    "deep": ("value", tuple("[" * n + "]" * n for n in (100, 1_000, 20_000))),
    "documents": ("last line", ("---", "---\nid: other", "...", "...\njunk: 1", "--- |\n  x")),
    "directive": ("first line", ("%YAML 2.0\n---", "%YAML 1.1\n---", "%TAG ! x:\n---", "%FOO\n---")),
    "complex-key": ("first line", ("? [a, b]\n: 1", "? {a: 1}\n: 1", "[1]: x", "? |\n  k\n: 1")),
}  # fmt: skip
_VALUE = re.compile(r"^ *(- )?[\w'\"-]+: (?=\S)")


def _yaml_syntax(draw: st.DrawFn, draft: Draft) -> None:
    name, lines = _text_file(draw, draft)
    how = draw(st.sampled_from(sorted(_SYNTAX)))
    where, choices = _SYNTAX[how]
    text = draw(st.sampled_from(choices))
    n = draw(st.integers(0, len(lines) - 1))
    if where == "value":
        values = [k for k, line in enumerate(lines) if _VALUE.match(line)] or [n]
        n = draw(st.sampled_from(values))
        head = _VALUE.match(lines[n])
        lines[n] = (head.group(0) if head else lines[n] + ": ") + text
    elif where == "end of line":
        lines[n] += text
    elif where == "start of line":
        lines[n] = text + lines[n]
    elif where == "last line":
        lines.append(text)
    else:
        lines.insert(0, text)
    draft.texts[name] = "\n".join(lines)
    draft.steps.append(f"syntax ({how}) in {name} line {n + 1}: {text[:60]!r}")


def _truncate(draw: st.DrawFn, draft: Draft) -> None:
    name = draw(st.sampled_from(sorted(draft.data)))
    text = draft.text(name)
    at = draw(st.integers(0, max(0, len(text) - 1)))
    draft.texts[name] = text[:at]
    draft.steps.append(f"cut {name} after {at} characters")


# --- mutations on the bytes --------------------------------------------------------------------

_WHOLE_FILES = (
    b"", b"\n", b"   \n\n", b"# only a comment\n", b"---\n", b"...\n", b"~\n", b"null\n", b"[]\n",
    b"{}\n", b"- a\n- b\n", b"42\n", b"'text'\n", b"true\n", b"2025-04-01\n", b"initiatives:\n",
    b"initiatives: {}\n", b"initiatives: [1, 2]\n", b"initiatives: [null]\n", b"initiatives: []\n",
    b"initiatives: []\nextra: 1\n", b"id: x\n", b"\xef\xbb\xbf", b"\x00", b"base: nope\n",
    b"base: [aomori-dx-2024-2028]\n", b"base: null\n", b"base: ''\n",
    b"base: aomori-dx-2024-2028\nbase: aomori-dx-2024-2028\n",
    b"base: aomori-dx-2024-2028\nperiod: {start: FY2030, end: FY2020}\n",
    b"base: aomori-dx-2024-2028\ninitiatives: [{id: x, name: y, tasks: [{id: t, name: n, after: t}]}]\n",
    "id: x\nname: 名前\nperiod: {start: FY2025, end: FY2025}\n".encode(),
    "id: x\nname: 名前\nperiod: {start: FY1, end: FY9999}\n".encode(),
)  # fmt: skip


def _whole_file(draw: st.DrawFn, draft: Draft) -> None:
    name = draw(st.sampled_from(sorted(draft.data)))
    data = draft.data[name]
    items = data.get("initiatives") if isinstance(data, dict) else None
    content = draw(
        st.sampled_from(_WHOLE_FILES)
        | st.just(dump(items if isinstance(items, list) else [data]).encode())  # a list
        | st.just(dump(draft.text(name)[:200]).encode())  # a scalar
    )
    draft.raw[name] = content
    draft.steps.append(f"{name} is now {content[:120]!r}")


_INVALID_UTF8 = (
    b"\xff", b"\xfe", b"\x80", b"\xc3", b"\xc3\x28", b"\xc0\xaf", b"\xe3\x81", b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xef\xbf\xbe",
)  # fmt: skip
_ENCODINGS = (
    "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "cp932", "shift_jis", "euc-jp",
    "iso-2022-jp", "latin-1", "utf-8-sig", "utf-7",
)  # fmt: skip


def _encoding(draw: st.DrawFn, draft: Draft) -> None:
    name = draw(st.sampled_from(sorted(draft.data)))
    content = draft.content(name)
    how = draw(st.sampled_from(["encode", "insert", "cut", "two marks"]))
    if how == "insert":
        at = draw(st.integers(0, len(content)))
        junk = draw(st.sampled_from(_INVALID_UTF8))
        draft.raw[name] = content[:at] + junk + content[at:]
        draft.steps.append(f"bytes {junk!r} in {name} at byte {at}")
    elif how == "cut":
        starts = [n for n, byte in enumerate(content) if byte >= 0xC0] or [0]
        at = draw(st.sampled_from(starts)) + 1  # inside a multibyte character
        draft.raw[name] = content[:at] + (content[at + 2 :] if draw(st.booleans()) else b"")
        draft.steps.append(f"multibyte character cut in {name} at byte {at}")
    elif how == "two marks":
        draft.raw[name] = b"\xef\xbb\xbf\xef\xbb\xbf" + content
        draft.steps.append(f"two byte order marks before {name}")
    else:
        codec = draw(st.sampled_from(_ENCODINGS))
        draft.raw[name] = content.decode("utf-8", "replace").encode(codec, "replace")
        draft.steps.append(f"{name} saved as {codec}")


def _json_initiative(**task: str) -> bytes:
    """An initiatives file in JSON, with ``task``'s values written into its task as they are."""
    fields = {"id": '"t"', "name": '"T"', "start": '"FY2025"', "duration": '"1mo"'} | task
    body = ", ".join(f'"{key}": {value}' for key, value in fields.items())
    return f'{{"initiatives": [{{"id": "x", "name": "X", "tasks": [{{{body}}}]}}]}}'.encode()


_EXTRA_FILES = (
    ("initiatives/extra.json", b'{"initiatives": [], "initiatives": [{"id": "x", "name": "X"}]}'),
    ("initiatives/extra.json", b'{"initiatives": [{"id": "x", "name": "X", "name": "Y"}]}'),
    ("initiatives/extra.json", b'{"initiatives": [{"id": "x", "name": "X"},]}'),
    *(("initiatives/extra.json", _json_initiative(duration=number))
      for number in ("1" + "0" * 5000, "1e999", "-1e999", "NaN", "Infinity", "1.5", "-0")),
    *(("initiatives/extra.json", _json_initiative(**{key: f'"{escaped}"'}))
      for key in ("name", "id", "start")
      for escaped in ("\\ud800", "\\udfff", "\\u0000", "\\ufffe", "\\ud83c\\udf8c", "\\u2028")),
    (".hidden/broken.yaml", b"initiatives: [\x00\xff"),
    ("initiatives/.broken.yaml", b"initiatives: [\x00\xff"),
    ("notes.txt", b"\xff\xfe not a plan file"),
    ("initiatives/empty.yaml", b""),
)  # fmt: skip


def _extra_file(draw: st.DrawFn, draft: Draft) -> None:
    chosen = draw(st.sampled_from(sorted(draft.data)))
    donor = draft.data[chosen]
    initiatives = donor.get("initiatives") if isinstance(donor, dict) else None
    one = initiatives[0] if isinstance(initiatives, list) and initiatives else donor
    tasks = _tasks(draft)
    task = {"id": "t", "name": "T", "duration": "1mo", "after": tasks[0].ref if tasks else "x/y"}
    deeper = {"id": "deeper", "name": "深い", "tasks": [task]}
    made = {
        "copy": ("initiatives/extra.yaml", dump(donor).encode()),
        "single": ("initiatives/single.yaml", dump(one).encode()),
        "header": ("plan.yml", draft.content("plan.yaml")),
        "deeper": ("initiatives/sub/deeper.yaml", dump({"initiatives": [deeper]}).encode()),
    }
    if draw(st.integers(0, 3)) == 0:  # the file saved as JSON instead, with its changes
        draft.removed.add(chosen)
        name, content = str(Path(chosen).with_suffix(".json")), _json(donor, draft.seed, chosen)
        draft.steps.append(f"{chosen} saved as {name}")
    else:
        name, content = draw(st.sampled_from([*made.values(), *_EXTRA_FILES]))
        draft.steps.append(f"extra file {name}: {content[:120]!r}")
    draft.raw[name] = content


def _plain(value: Any) -> Any:
    """``value`` as JSON can hold it (a JSON file has no dates, merge keys or raw scalars)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Merged):
        return {**(value.base if isinstance(value.base, dict) else {}), **value.own}
    return str(value)


def _json(data: Any, seed: str, name: str) -> bytes:
    """``data`` as JSON; the seed's file instead where JSON cannot hold it."""
    try:
        return json.dumps(data, default=_plain, ensure_ascii=False).encode()
    except (ValueError, TypeError):  # it holds itself, or a key that is a date
        return json.dumps(_seed_data(seed)[name], default=_plain).encode()


_MUTATIONS: dict[str, Callable[[st.DrawFn, Draft], None]] = {
    "none": lambda draw, draft: None,
    "delete-key": _delete_key,
    "extra-key": _extra_key,
    "swap-values": _swap_values,
    "retype": lambda draw, draft: _set_at(draw, draft, odd_values, "set"),
    "odd-text": _odd_text,
    "bad-period": _bad_period,
    "bad-date": _bad_date,
    "bad-duration": _bad_duration,
    "settings": _settings,
    "override": _override,
    "cycle": _cycle,
    "bad-ref": _bad_ref,
    "alias": _alias,
    "duplicate-key": _duplicate_key,
    "tab": _tab,
    "control-char": _control_char,
    "yaml-syntax": _yaml_syntax,
    "truncate": _truncate,
    "whole-file": _whole_file,
    "encoding": _encoding,
    "extra-file": _extra_file,
}


@st.composite
def plan_folders(draw: st.DrawFn, kinds: tuple[str, ...] = KINDS, most: int = 3) -> Folder:
    """A seed folder with one to ``most`` mutations of ``kinds``, applied in :data:`KINDS` order."""
    draft = Draft.of(draw(st.sampled_from(sorted(SEEDS))))
    chosen = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=most))
    for kind in sorted(chosen, key=KINDS.index):
        _MUTATIONS[kind](draw, draft)
    return draft.folder()
