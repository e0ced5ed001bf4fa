"""Odd values for plan files, and YAML that writes them as a person would have typed them.

The values the fuzzer (``planmutate``) puts into plan files: text that is hard to read, show or
export; periods, dates, durations and lags as people write or mistype them; values of another
type than a field wants. :func:`dump` writes data as block-style YAML where :class:`Raw` text
stays unquoted (``2025-02-30``, ``.inf``) and :class:`Merged` mappings become merge keys.

>>> print(dump({"start": Raw("2025-02-30"), "after": ["a", "b/c"]}), end="")
start: 2025-02-30
after:
- a
- b/c
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml
from hypothesis import strategies as st

__all__ = [
    "Merged",
    "Raw",
    "dates",
    "dump",
    "durations",
    "odd_texts",
    "odd_values",
    "periods",
]


# --- YAML written the way a mutation needs it --------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """A scalar written as is, unquoted where YAML allows (``2025-02-30``, ``.inf``, ``0x1F``)."""

    text: str


@dataclass(eq=False)
class Merged:
    """A mapping written as ``{<<: *base, **own}``; ``base`` is an object found elsewhere."""

    base: Any
    own: dict[Any, Any]


# Characters YAML reads as line breaks (or drops) when written as they are inside a quoted
# scalar: a text holding one is written double-quoted with every such character escaped.
_ESCAPED = frozenset("\r\x85\u2028\u2029\ufeff")


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper with :class:`Raw` and :class:`Merged`; every text reads back equal."""

    def choose_scalar_style(self) -> str:
        if isinstance(self.event, yaml.ScalarEvent) and not _ESCAPED.isdisjoint(self.event.value):
            return '"'
        style: str = super().choose_scalar_style()
        return style

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        if _ESCAPED.isdisjoint(text):
            super().write_double_quoted(text, split)
            return
        allow_unicode, self.allow_unicode = self.allow_unicode, False
        try:
            super().write_double_quoted(text, split)
        finally:
            self.allow_unicode = allow_unicode


def _represent_raw(dumper: yaml.SafeDumper, raw: Raw) -> yaml.Node:
    # The tag YAML gives the text when read back: the emitter then writes it plain.
    tag = dumper.resolve(yaml.ScalarNode, raw.text, (True, False))  # type: ignore[no-untyped-call]
    return dumper.represent_scalar(tag, raw.text)


def _represent_merged(dumper: yaml.SafeDumper, merged: Merged) -> yaml.Node:
    node = yaml.MappingNode("tag:yaml.org,2002:map", [], flow_style=False)
    merge = yaml.ScalarNode("tag:yaml.org,2002:merge", "<<")
    node.value.append((merge, dumper.represent_data(merged.base)))
    for key, value in merged.own.items():
        node.value.append((dumper.represent_data(key), dumper.represent_data(value)))
    return node


_Dumper.add_representer(Raw, _represent_raw)
_Dumper.add_representer(Merged, _represent_merged)


def dump(data: Any) -> str:
    """``data`` as block-style YAML, Japanese kept readable; shared objects become aliases."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
    )


# --- values ------------------------------------------------------------------------------------

ODD_CHARACTERS = (
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f",
    "\t", "\n", "\r", "\r\n", " ", "\u00a0", "\u200b", "\u200d", "\u200e", "\u200f", "\u202e",
    "\u2066", "\u2028", "\u2029", "\u3000", "\ufeff", "\ufffd", "\ufffe", "\uffff", "\u0301",
    "\u3099", "e\u0301", "🎌", "👨\u200d👩\u200d👧", "🇯🇵", "\U0001d400", "\U00020000",
    "\U000e0001", "\U000f0000", "\U0010fffd", "０", "１２", "ＦＹ", "ｱ", "青森", "Ω",
    "\\", "'", '"', ":", ": ", " #", "&", "*", "!", "%", "@", "`", "{", "}", "[", "]", ",",
    "|", ">", "-", "- ", "?", "/", ".", "..", "_", "<", "</svg>", "&amp;", "]]>", "%s", "{0}",
    "\\N", "\\u0000", "BEGIN:VEVENT", ";", "=", "+", "$", "\u0130", "ß", "ﬁ",
)  # fmt: skip

odd_texts: st.SearchStrategy[str] = st.one_of(
    st.lists(st.sampled_from(ODD_CHARACTERS), min_size=1, max_size=8).map("".join),
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12),
    st.builds(
        lambda c, n: c * n,
        st.sampled_from(["a", "青", "🎌", "\u0301", "-", "x/"]),
        st.sampled_from([201, 402, 5_000, 100_000]),
    ),
    st.sampled_from(["", " ", "\n", "null", "~", "true", "no", "0", "-1", "1e9", "FY2025"]),
)
"""Text that is hard to read, show or export."""

_PERIODS: tuple[Any, ...] = (
    "R99上期", "R7下期", "R7中期", "R0上期", "R-1上期", "令和元年度", "令和元年度下期", "令和0年度",
    "令和１０年度", "令和７年度上期", "平成31年度", "平成30年度", "昭和64年度", "明治元年度", "大正15年度",
    "元年度", "H31", "R1", "FY9999", "FY10000", "FY0", "FY1", "FY-1", "FY2024-H3", "FY2025-H0",
    "FY2025-Q5", "FY2025-Q0", "FY2025H1", "fy2025", "FY 2025", "FY2025-h1", "ＦＹ２０２５",
    "FY２０２５", "FY20244", "FY2025-H1 ", " FY2025", "FY2025-H1-H2", "FY2025/H1", "2025",
    "2025年度", "2025-04", "2025-4-1", "20250401", "2025/04/01", "R99999999999999999999上期",
    "FY99999999999999999999", "令和99999999999999999年度", 2025, 2025.5, -1, 10**30, None, True,
    [], {}, ["FY2025"], {"fy": 2025}, date(1, 1, 1), date(9999, 12, 31), date(1873, 1, 1),
)  # fmt: skip

_DATES = (
    "2025-02-30", "2025-02-29", "2024-02-29", "2025-13-01", "2025-00-10", "2025-04-31",
    "2025-04-00", "0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "1900-02-29",
    "2025-4-1", "2025-04-01T09:00:00+09:00", "2025-04-01 09:00", "2025-04-01T25:00:00",
)  # fmt: skip

dates: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(_DATES).map(Raw),
    st.sampled_from([date(1, 1, 1), date(9999, 12, 31), "R7上期", "2025/04/01", 20250401, None]),
)
"""What people write where a date goes."""

periods: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(_PERIODS),
    dates,
    st.integers(-(10**6), 10**6).map(lambda n: f"FY{n}"),
    st.integers(-(10**4), 10**4).map(lambda n: f"R{n}上期"),
)
"""What people write (or mistype) where a period goes."""

_DURATIONS: tuple[Any, ...] = (
    "99999y", "-99999bd", "P9999Y", "1e9bd", "0bd", "-0bd", "-1mo", "1.5mo", "nanbd", "infbd",
    "1_000bd", "１０bd", "P1Y2M10DT2H30M", "PT1H", "P0D", "P-1D", "0", "10", "10 bd", "10BD",
    " 10bd ", "bd", "1half", "-1half", "9" * 30 + "bd", "2y6mo", "+5bd", "--5bd", "10bd10bd",
    "1e400bd", 10, -10, 0, 10**30, 1.5, math.nan, math.inf, None, True, [], {}, Raw(".inf"),
)  # fmt: skip
_UNITS = ("bd", "d", "w", "mo", "half", "y", "q", "h", "", "BD", "ヶ月", "日")

durations: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(_DURATIONS),
    st.builds(
        lambda n, unit: f"{n}{unit}",
        st.integers(-(10**12), 10**12) | st.sampled_from([0, 1, -1, 365, 99999]),
        st.sampled_from(_UNITS),
    ),
)
"""Durations and lags: extreme, negative, malformed."""

_OTHER_TYPES: tuple[Any, ...] = (
    None, True, False, 0, -1, 1, 2**31, 2**63, 10**30, -(10**30), 0.5, -0.0, math.nan, math.inf,
    -math.inf, "", " ", "\t", [], {}, [[]], [None], [{}], {"": None}, {1: 2}, {None: 1},
    {True: "x"}, {"id": {}}, date(2025, 4, 1),
)  # fmt: skip
_RAW_SCALARS = (
    ".inf", "-.inf", ".nan", ".NaN", "0x1F", "0o17", "0b101", "1_000", "~", "null", "yes", "on",
    "Off", "9" * 5000, "1e400", "12:30:00", "-0", "+1", "0.", ".5", "1e3", "2025-02-30",
)  # fmt: skip

odd_values: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(_OTHER_TYPES),
    st.sampled_from(_RAW_SCALARS).map(Raw),
    st.integers(),
    st.floats(),
    odd_texts,
    st.lists(st.integers() | odd_texts, max_size=3),
    st.dictionaries(odd_texts, st.integers() | st.none(), max_size=2),
)
"""A value of another type than the one a field wants."""
