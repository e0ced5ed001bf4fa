"""The site's one style sheet: readable on a phone, printable on A4, marks not by colour alone.

Colours meet WCAG 2.1 AA on their backgrounds (text 4.5:1, marks and lines 3:1). A change
is marked by a symbol and a word as well as its red, and the print rules drop the navigation
and keep tables whole where they fit.
"""

from __future__ import annotations

__all__ = ["SITE_CSS"]

# Proportional Japanese fonts first: IPAGothic (fixed width) would set Latin text like code.
_FONTS = (
    '"IPAexGothic","IPAPGothic","Noto Sans CJK JP","Hiragino Kaku Gothic ProN","Yu Gothic",'
    '"Meiryo","IPAGothic",sans-serif'
)

SITE_CSS = (
    """\
:root{--ink:#1a1a1a;--muted:#4a4a4a;--line:#8a8a8a;--soft:#f3f4f6;--link:#0b4ea2;
--changed:#a3001b;--changed-bg:#fdecee;--ok:#1d6b32;--warn:#8a4b00;--late:#a3001b}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:"""
    + _FONTS
    + """;color:var(--ink);background:#fff;line-height:1.6;font-size:16px}
a{color:var(--link)}
a:focus-visible,[tabindex]:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0;background:#fff;padding:.5em}
.skip:focus{left:.5em}
header.site{background:#0b3d6e;color:#fff;padding:.75em 1em}
header.site a{color:#fff}
header.site .plan{font-weight:bold;margin:0;font-size:1.1em}
header.site .asof{margin:.25em 0 0}
nav.top ul{list-style:none;margin:.5em 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.25em 1.25em}
main{max-width:72em;margin:0 auto;padding:1em}
nav.crumbs ol{list-style:none;margin:0 0 .5em;padding:0;display:flex;flex-wrap:wrap;gap:.25em}
nav.crumbs li+li::before{content:"\\203A";margin-right:.25em;color:var(--muted)}
h1{font-size:1.5em;line-height:1.3;margin:.25em 0 .5em}
h2{font-size:1.25em;margin:1.5em 0 .5em;border-bottom:2px solid #0b3d6e}
h3{font-size:1.05em;margin:1.25em 0 .5em}
p.lead{color:var(--muted)}
.counts{display:grid;grid-template-columns:repeat(auto-fit,minmax(9em,1fr));gap:.5em;margin:0;padding:0}
.counts div{background:var(--soft);padding:.5em .75em;border-radius:4px}
.counts dt{font-size:.85em;color:var(--muted)}
.counts dd{margin:0;font-size:1.4em;font-weight:bold}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(16em,1fr));gap:.75em;padding:0;list-style:none}
.card{border:1px solid var(--line);border-radius:6px;padding:.75em}
.card h3{margin:0 0 .25em;font-size:1em}
.card dl{display:grid;grid-template-columns:auto 1fr;gap:0 .75em;margin:.25em 0}
.card dt{color:var(--muted)}
.card dd{margin:0}
.card.changed{border:2px solid var(--changed)}
.grade{display:inline-block;padding:0 .4em;border:1px solid currentColor;border-radius:3px;font-weight:bold}
.g-achieved,.g-on_track{color:var(--ok)}
.g-behind{color:var(--late)}
.g-unset{color:var(--muted)}
.mark{color:var(--changed);background:var(--changed-bg);font-weight:bold;padding:0 .3em;
border-radius:3px;white-space:nowrap}
td.changed,li.changed{background:var(--changed-bg)}
.legend{border:1px solid var(--line);padding:.5em .75em;border-radius:4px;font-size:.9em}
.table{overflow-x:auto;margin:.5em 0 1em}
table{border-collapse:collapse;width:100%;font-size:.95em}
caption{text-align:left;font-weight:bold;padding:.25em 0}
th,td{border:1px solid var(--line);padding:.3em .5em;text-align:left;vertical-align:top}
thead th{background:var(--soft)}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.chart{max-width:34em;margin:0 0 1em}
.chart svg{width:100%;height:auto;display:block}
.gantt-wrap{overflow-x:auto;border:1px solid var(--line);margin:.5em 0}
.gantt-wrap svg{display:block;max-width:none;height:auto}
.text{white-space:pre-wrap}
footer{max-width:72em;margin:2em auto 0;padding:1em;border-top:1px solid var(--line);color:var(--muted);font-size:.9em}
@media (max-width:40em){body{font-size:15px}main{padding:.75em}th,td{padding:.25em .35em}}
@media print{@page{size:A4;margin:15mm}
body{font-size:10.5pt}header.site{background:none;color:#000;padding:0}header.site a{color:#000}
nav.top,.skip,footer nav{display:none}main{max-width:none;padding:0}
a{color:#000;text-decoration:none}.table,.gantt-wrap{overflow:visible}
table,figure,.card{break-inside:avoid}h2,h3{break-after:avoid}
.mark,td.changed,li.changed{background:none}}
"""
)
"""The style sheet every page links to (``assets/site.css``)."""
