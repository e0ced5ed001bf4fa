"""The drawing vocabulary of our Gantt chart: safe text, numbers, widths, styles and shapes.

Everything that reaches the markup goes through :func:`esc`: control characters (C0, C1),
bidirectional overrides, lone surrogates and the XML non-characters are removed first, then
``&``, ``<``, ``>`` and both quotes are escaped. Widths are estimated, not measured: a wide
(Japanese) character counts one em, anything else a little over half an em, which errs on the
side of room to spare with the Japanese fonts the chart asks for. Colours live in one style
sheet (:data:`STYLE`), scoped to ``.gantt`` so that a page embedding the chart keeps its own.

>>> esc('<script>alert("1")</script>')
'&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;'
>>> num(12.0), num(3.14159), num(-0.04)
('12', '3.1', '0')
>>> ellipsize("青森県DX推進プラン", 60, 12)
'青森県D…'
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

__all__ = [
    "DEFS",
    "FONT_STACK",
    "LEGEND_ROW",
    "MILESTONE",
    "PAGE_STYLE",
    "STATUS_COLOURS",
    "STUB",
    "STYLE",
    "clean",
    "connector",
    "ellipsize",
    "esc",
    "esc_label",
    "legend",
    "legend_layout",
    "num",
    "swatch",
    "text_width",
    "title_of",
    "tooltip",
]

FONT_STACK = (
    '"IPAexGothic","IPAGothic","Noto Sans CJK JP","Hiragino Kaku Gothic ProN",'
    '"Yu Gothic","Meiryo",sans-serif'
)
"""The font stack of every chart text: Japanese fonts first so kanji never turn into boxes."""

# C0 and C1 controls, bidi embeddings/overrides/isolates (they can reorder what people read),
# lone surrogates (unencodable) and U+FFFE/U+FFFF (not allowed in XML).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_BREAKS = re.compile("[\t\n\r]+")
_SPECIAL = re.compile("[&<>\"']")


def clean(text: object) -> str:
    """Return ``text`` as one line of printable text: unsafe characters dropped, breaks as spaces.

    >>> clean("A\\x00B\\tC\\u202eD\\nE")
    'AB CD E'
    """
    value = str(text)
    if value.isprintable():
        return value
    return _BREAKS.sub(" ", _UNSAFE.sub("", value))


def esc(text: object) -> str:
    """Return ``text`` cleaned (see :func:`clean`) and escaped for element text or attributes.

    >>> esc("A & B 'x'")
    'A &amp; B &#x27;x&#x27;'
    """
    value = text if type(text) is str else str(text)
    if not value.isprintable():
        value = _BREAKS.sub(" ", _UNSAFE.sub("", value))  # as clean() does, without a call
    if _SPECIAL.search(value) is None:  # most text has nothing to escape: one C-level scan
        return value
    return html.escape(value, quote=True)


@lru_cache(maxsize=4096)
def esc_label(text: str) -> str:
    """:func:`esc` of one of the library's own labels (a status, a date, a count), kept: the
    same few come over and over on a chart or a page. Not for user text, which varies.

    >>> esc_label("完了 <100%>")
    '完了 &lt;100%&gt;'
    """
    return esc(text)


def tooltip(*lines: object) -> str:
    """Return a ``<title>`` element: one tooltip line per argument, each cleaned and escaped.

    >>> tooltip("A & B", "2024-04-01\\nx")
    '<title>A &amp; B\\n2024-04-01 x</title>'
    """
    return title_of(map(esc, lines))


def title_of(escaped: Iterable[str]) -> str:
    """A ``<title>`` element of lines escaped already (:func:`tooltip` escapes them)."""
    return "<title>" + "\n".join(escaped) + "</title>"


@lru_cache(maxsize=65536)
def num(value: float) -> str:
    """Format a coordinate with at most one decimal, the same way every time.

    >>> num(10.25), num(7.0), num(-0.0)
    ('10.2', '7', '0')
    """
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


@lru_cache(maxsize=4096)
def _char_em(char: str) -> float:
    if unicodedata.east_asian_width(char) in "WFA":
        return 1.0
    if char.isupper() or char.isdigit() or char in "%&@#mwMW":
        return 0.66
    return 0.56


def text_width(text: str, size: float) -> float:
    """Estimate the width in pixels of ``text`` at font size ``size`` (errs on the wide side).

    >>> text_width("令和6年度", 10)
    46.6
    """
    return round(sum(map(_char_em, text)) * size, 1)  # map: no Python frame per character


def ellipsize(text: str, width: float, size: float) -> str:
    """Return ``text``, or its longest head that fits ``width`` pixels followed by ``…``.

    >>> ellipsize("工程表", 100, 12), ellipsize("工程表", 5, 12)
    ('工程表', '')
    """
    if text_width(text, size) <= width:
        return text
    room = width - size  # the ellipsis is wide in Japanese fonts
    used = 0.0
    for i, char in enumerate(text):
        used += _char_em(char) * size
        if used > room:
            return text[:i] + "…" if i else ""
    return text


# --- colours and classes ---------------------------------------------------------------------

STATUS_COLOURS = {
    "planned": ("#e3e9f0", "#8b9cb2", "#7d90aa"),
    "in_progress": ("#cfe0f7", "#3f76c6", "#3f76c6"),
    "done": ("#cbe8d3", "#2f8a4b", "#2f8a4b"),
    "on_hold": ("url(#ar-hatch)", "#8a9099", "#8a9099"),
    "cancelled": ("#f4f4f5", "#a1a1aa", "#c4c4c8"),
}
"""Bar fill, bar outline and progress fill of each status code."""

_LATE, _RISK, _CRITICAL = "#d62828", "#e08600", "#10243e"
_AS_OF, _MEETING, _REPORT, _LINK = "#e8590c", "#7b4fc9", "#0f8a8a", "#7d8a9c"
_HALO = "paint-order:stroke;stroke-width:4px;stroke-linejoin:round"

_RULES = {
    "": f"font-family:{FONT_STACK};background:#fff",
    "text": "fill:#1f2a37;font-size:12px",
    ".ttl": "font-size:20px;font-weight:700",
    ".sub": "font-size:12px;fill:#4b5563",
    ".lg": "font-size:11px;fill:#374151",
    ".fy": f"font-size:13px;font-weight:700;text-anchor:middle;stroke:#eef2f7;{_HALO}",
    ".wk": f"font-size:11px;fill:#4b5563;text-anchor:middle;stroke:#eef2f7;{_HALO}",
    ".hf": f"font-size:11px;fill:#374151;text-anchor:middle;stroke:#eef2f7;{_HALO}",
    ".hd": "font-size:11px;font-weight:700;fill:#374151",
    ".n0": "font-size:13px;font-weight:700",
    ".n1": "font-weight:700",
    ".n2": "font-weight:600",
    ".info": "font-size:11px;fill:#4b5563",
    ".nlate,.ilate": "fill:#b91c1c",
    ".nrisk,.irisk": "fill:#a35c00",
    ".ilate,.irisk": "font-weight:700",
    ".ncan": "fill:#8b8f98;text-decoration:line-through",
    ".badge": "fill:#fff4e0;stroke:#e0a84a;stroke-width:.8",
    ".bt": "font-size:10px;fill:#8a5300",
    ".band0": "fill:#e9eef5",
    ".band1": "fill:#f4f6f9",
    ".sum0": "fill:#3b4758",
    ".sum1": "fill:#6b7788",
    ".sum2": "fill:#8c97a7",
    ".grid": "stroke:#e3e8ef;stroke-width:1;fill:none",
    ".grid.fyl": "stroke:#b8c2cf",
    ".sep": "stroke:#eef1f5;stroke-width:1",
    ".frame": "fill:none;stroke:#b8c2cf;stroke-width:1",
    ".hbg": "fill:#eef2f7",
    ".hbg2": "fill:#f7f9fb",
    ".bl": "fill:#9aa3ae",
    ".o": "fill:none;stroke-width:1",
    ".o.crit": f"stroke:{_CRITICAL};stroke-width:2.2",
    ".o.late": f"stroke:{_LATE};stroke-width:1.8",
    ".o.risk": f"stroke:{_RISK};stroke-width:1.8",
    ".o.crit.late,.o.crit.risk": "stroke-width:2.6",
    ".ln": f"fill:none;stroke:{_LINK};stroke-width:1",
    ".ln.c": f"stroke:{_CRITICAL};stroke-width:1.6",
    ".far": f"fill:#fff;stroke:{_LINK};stroke-width:1",
    ".due": f"fill:#fff;stroke:{_LATE};stroke-width:1.2",
    ".ms": "font-size:10px;fill:#4b5563",
    ".pc": "font-size:10px;fill:#1f2a37",
    ".pc.in": f"text-anchor:end;stroke:#fff;{_HALO}",
    ".asof": f"stroke:{_AS_OF};stroke-width:1.6",
    ".asoft": f"fill:{_AS_OF}",
    ".asofl": "font-size:11px;font-weight:700;fill:#fff",
    ".mt": f"stroke:{_MEETING};stroke-width:1;stroke-dasharray:4 3;opacity:.45",
    ".rt": f"stroke:{_REPORT};stroke-width:1;stroke-dasharray:4 3;opacity:.55",
    ".mk-meeting,.mk-submission": f"fill:{_MEETING}",
    ".mk-snapshot": "fill:#374151",
    ".mk-annual_report": f"fill:{_REPORT}",
    ".mk-publication": "fill:#9ca3af",
    ".ml": f"font-size:10px;fill:{_MEETING}",
    ".rl": f"font-size:10px;fill:{_REPORT}",
    ".empty": "font-size:13px;fill:#6b7280",
}
for _code, (_fill, _line, _progress) in STATUS_COLOURS.items():
    _dash = ";stroke-dasharray:3 2" if _code == "cancelled" else ""
    _RULES[f".s-{_code}"] = f"fill:{_fill};stroke:{_line};stroke-width:.8{_dash}"
    _RULES[f".p-{_code}"] = f"fill:{_progress}"
    _RULES[f".m-{_code}"] = f"fill:{'#2b4a75' if _code == 'planned' else _line}"


def _scoped(selectors: str) -> str:
    return ",".join(f".gantt {s}".rstrip() for s in selectors.split(","))


STYLE = "".join(f"{_scoped(sel)}{{{rules}}}" for sel, rules in _RULES.items())
"""The chart's style sheet: one class per look, every selector under ``.gantt``."""

DEFS = (
    "<defs>"
    '<pattern id="ar-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#eceef1"/>'
    '<path d="M0 0V6" stroke="#a3a9b3" stroke-width="2"/></pattern>'
    '<marker id="ar-ah" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" '
    f'orient="auto" markerUnits="userSpaceOnUse"><path d="M0 0L8 4L0 8z" fill="{_LINK}"/></marker>'
    '<marker id="ar-ahc" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" markerHeight="8" '
    f'orient="auto" markerUnits="userSpaceOnUse"><path d="M0 0L8 4L0 8z" fill="{_CRITICAL}"/>'
    "</marker></defs>"
)
"""Shared definitions: the on-hold hatching and the two arrowheads."""

PAGE_STYLE = (
    "@page{size:A3 landscape;margin:8mm}"
    "html,body{margin:0;background:#f3f5f8}"
    "main{padding:16px;overflow-x:auto}"
    "main svg{display:block;margin:0 auto;box-shadow:0 1px 4px rgba(15,23,42,.15)}"
    "@media print{html,body{background:#fff}main{padding:0;overflow:visible}"
    "main svg{width:100%;height:auto;box-shadow:none}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}"
)
"""The style of the HTML page around the chart: A3 landscape on paper, colours kept."""

# --- shapes ------------------------------------------------------------------------------------

STUB = 7
"""Horizontal run of a connector out of and into a bar, in pixels."""

MILESTONE = 6
"""Half the width of a ▲, in pixels."""


def connector(
    xa: float, ya: float, out: int, xb: float, yb: float, into: int, turn: float, low: float
) -> str:
    """Path data of an orthogonal connector between two bar edges.

    It leaves (xa, ya) towards ``out`` (+1 right, -1 left) and reaches (xb, yb) while moving
    towards ``into``; when the two runs cannot meet in one vertical, it turns at height
    ``turn`` (the edge of the target's row). No vertical run lies left of ``low``.

    >>> connector(100, 10, 1, 150, 40, 1, 29, 0)  # finish-to-start, room to spare
    'M100 10H107V40H150'
    >>> connector(100, 10, 1, 60, 40, 1, 29, 0)   # finish-to-start into an earlier start
    'M100 10H107V29H53V40H60'
    """
    sa, sb = max(xa + out * STUB, low), max(xb - into * STUB, low)
    if out != into:
        xv = max(sa, sb) if out > 0 else min(sa, sb)
    elif (sb - sa) * out >= 0:
        xv = sa
    else:
        return f"M{num(xa)} {num(ya)}H{num(sa)}V{num(turn)}H{num(sb)}V{num(yb)}H{num(xb)}"
    return f"M{num(xa)} {num(ya)}H{num(xv)}V{num(yb)}H{num(xb)}"


def swatch(kind: str, x: float, y: float) -> str:
    """The little picture of a legend entry, 20×11 pixels at (x, y).

    >>> swatch("s-done", 0, 0)
    '<rect class="s-done" x="0" y="0" width="20" height="11" rx="2"/>'
    """
    box = f'x="{num(x)}" y="{num(y)}" width="20" height="11" rx="2"'
    if kind.startswith("s-"):
        return f'<rect class="{kind}" {box}/>'
    if kind == "progress":
        part = f'x="{num(x)}" y="{num(y)}" width="9" height="11" rx="2"'
        return f'<rect class="s-in_progress" {box}/><rect class="p-in_progress" {part}/>'
    if kind in ("late", "risk", "crit"):
        return f'<rect class="s-planned" {box}/><rect class="o {kind}" {box}/>'
    if kind == "milestone":
        s = MILESTONE
        return (
            f'<path class="m-planned" d="M{num(x + 10)} {num(y + 5.5 - s)}'
            f'L{num(x + 10 + s)} {num(y + 4.5 + s)}H{num(x + 10 - s)}z"/>'
        )
    if kind == "due":
        return f'<path class="due" d="M{num(x + 6)} {num(y + 1)}H{num(x + 14)}L{num(x + 10)} {num(y + 8)}z"/>'
    if kind == "baseline":
        return f'<rect class="bl" x="{num(x)}" y="{num(y + 4)}" width="20" height="3.5"/>'
    if kind == "link":
        return (
            f'<path class="ln" d="M{num(x)} {num(y + 1)}H{num(x + 7)}V{num(y + 5.5)}'
            f'H{num(x + 20)}" marker-end="url(#ar-ah)"/>'
        )
    if kind == "far":
        return (
            f'<path class="ln" d="M{num(x + 5)} {num(y + 5.5)}H{num(x + 20)}" '
            f'marker-end="url(#ar-ah)"/><circle class="far" cx="{num(x + 3)}" '
            f'cy="{num(y + 5.5)}" r="2.5"/>'
        )
    line = {"asof": "asof", "meeting": "mt", "report": "rt"}[kind]
    return f'<path class="{line}" d="M{num(x + 10)} {num(y - 2)}V{num(y + 13)}"/>'


LEGEND_ROW = 20
"""Height of one row of the legend, in pixels."""

LegendRows = list[list[tuple[float, str, str]]]


def legend_layout(items: list[tuple[str, str]], room: float) -> LegendRows:
    """Lay ``(kind, label)`` entries out in rows no wider than ``room``: ``(x, kind, label)``.

    >>> legend_layout([("s-done", "完了"), ("due", "期限")], 80)
    [[(0.0, 's-done', '完了')], [(0.0, 'due', '期限')]]
    """
    rows: LegendRows = [[]]
    x = 0.0
    for kind, label in items:
        step = 26 + text_width(label, 11) + 18
        if x + step > room and rows[-1]:
            rows.append([])
            x = 0.0
        rows[-1].append((x, kind, label))
        x += step
    return rows


def legend(rows: LegendRows, x: float, y: float) -> list[str]:
    """Draw legend rows (see :func:`legend_layout`) from (x, y): a swatch, then the label.

    >>> legend([[(0.0, "s-done", "完了")]], 0, 0)[2]
    '<text class="lg" x="26" y="13">完了</text>'
    """
    out = ['<g class="legend">']
    for n, row in enumerate(rows):
        top = y + n * LEGEND_ROW
        for dx, kind, label in row:
            out.append(swatch(kind, x + dx, top + 4))
            out.append(
                f'<text class="lg" x="{num(x + dx + 26)}" y="{num(top + 13)}">{esc(label)}</text>'
            )
    out.append("</g>")
    return out
