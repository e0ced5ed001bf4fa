"""The message catalogs: up to date with the code, complete in both languages, placeholders
that agree, compiled files that match, and no message left outside them.

The texts are extracted from the code with Babel, as ``bash .ci/catalog`` does, and compared
with ``aomori_roadmap/locale/<lang>/LC_MESSAGES/aomori_roadmap.po``.
"""

from __future__ import annotations

import ast
import gettext
import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from aomori_roadmap.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

PACKAGE = Path(__file__).resolve().parent.parent / "aomori_roadmap"
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")


def catalog(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as file:
        return read_po(file, locale=lang)


def key(message: Message) -> tuple[str | None, str]:
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return message.context, msgid


def in_code() -> dict[tuple[str | None, str], tuple[str, int]]:
    """Every text marked in the code, with where it is first marked."""
    found: dict[tuple[str | None, str], tuple[str, int]] = {}
    keywords = {**DEFAULT_KEYWORDS, "NC_": ((1, "c"), 2)}  # as .ci/catalog extracts
    for filename, line, msgid, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=keywords
    ):
        text = msgid[0] if isinstance(msgid, tuple) else msgid
        found.setdefault((context, text), (filename, line))
    return found


@pytest.fixture(scope="module")
def code_texts() -> dict[tuple[str | None, str], tuple[str, int]]:
    return in_code()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalog_holds_exactly_the_texts_of_the_code(
    lang: str, code_texts: dict[tuple[str | None, str], tuple[str, int]]
) -> None:
    entries = {key(m) for m in catalog(lang) if m.id}
    missing = sorted(
        f"{code_texts[k][0]}:{code_texts[k][1]}: {k[1]!r}" for k in set(code_texts) - entries
    )
    stale = sorted(repr(k[1]) for k in entries - set(code_texts))
    assert (missing, stale) == ([], []), "run: bash .ci/catalog"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_is_translated_and_none_is_fuzzy(lang: str) -> None:
    lacking = []
    for message in catalog(lang):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            lacking.append(key(message)[1])
    assert lacking == []


def fields(text: str) -> list[str]:
    """The ``{placeholders}`` of a text, with their format specs, sorted."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        return [f"unreadable: {error}"]
    return sorted(f"{name}:{spec}" for _, name, spec, _ in parsed if name is not None)


MARKERS = {"_": 0, "N_": 0, "gettext": 0, "ngettext": 0, "pgettext": 1}


def supplied() -> dict[tuple[str | None, str], set[str]]:
    """For each text marked and formatted on the spot (``_("...").format(a=..)``), the names
    every call site gives it. A translation may use any of them: Japanese writes a fiscal year
    with its era, ``{year}年度（{wareki}）``, where English needs only ``FY{year}``."""
    given: dict[tuple[str | None, str], set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
                and isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Name)
                and node.func.value.func.id in MARKERS
            ):
                continue
            marked = node.func.value
            at = MARKERS[marked.func.id]  # type: ignore[union-attr]
            args = [a.value for a in marked.args if isinstance(a, ast.Constant)]
            if len(args) <= at or any(k.arg is None for k in node.keywords):
                continue
            context = args[0] if at else None
            names = {k.arg for k in node.keywords if k.arg}
            key = (context, args[at])
            given[key] = given[key] & names if key in given else names
    return given


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_agree_between_a_text_and_its_translation(lang: str) -> None:
    """A translation uses only values the code gives, and the Japanese drops none."""
    given = supplied()
    wrong = []
    for message in catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        written = {f.split(":")[0] for i in ids for f in fields(i)}
        allowed = written | given.get(key(message), set())
        for translated in strings:
            names = {f.split(":")[0] for f in fields(translated)}
            if any(f.startswith("unreadable") for f in fields(translated)):
                wrong.append(f"{ids[0]!r} → {translated!r}: not a format string")
            elif names - allowed:
                wrong.append(f"{ids[0]!r} → {translated!r}: {sorted(names - allowed)} not given")
            elif lang == "ja" and written - names and not names - written:
                # Dropped with nothing in its place (a Japanese form may say the year by its
                # era, {wareki}, instead of {year}; one form serves every count).
                lost = written - names
                if not (len(ids) > 1 and lost == {"n"}):
                    wrong.append(f"{ids[0]!r} → {translated!r}: drops {sorted(lost)}")
    assert wrong == []


def test_texts_in_the_code_are_english(
    code_texts: dict[tuple[str | None, str], tuple[str, int]],
) -> None:
    japanese = sorted(
        f"{where[0]}:{where[1]}: {k[1]!r}"
        for k, where in code_texts.items()
        if JAPANESE.search(k[1])
    )
    assert japanese == []


def test_english_and_japanese_differ_where_words_are_translated() -> None:
    # A Japanese entry that only repeats the English is an untranslated text in disguise
    # (numbers, symbols and names of formats may stay the same).
    same = [
        m.id
        for m in catalog("ja")
        if m.id
        and isinstance(m.id, str)
        and m.string == m.id
        and re.search(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", "", m.id))
        and not re.fullmatch(r"[A-Z0-9 ./:%()-]+|FY\d+|\w+\.\w+", m.id)
    ]
    assert same == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalog_matches_its_source(lang: str) -> None:
    """The shipped ``.mo`` is what compiling the ``.po`` gives (``bash .ci/catalog compile``)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with path.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for message in catalog(lang):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            for n, form in enumerate(message.string):
                got = (
                    compiled.npgettext(message.context, message.id[0], message.id[1], n + 1)
                    if message.context
                    else compiled.ngettext(message.id[0], message.id[1], n + 1)
                )
                if lang == "ja":
                    assert got == form, message.id
        else:
            got = (
                compiled.pgettext(message.context, message.id)
                if message.context
                else compiled.gettext(message.id)
            )
            assert got == message.string, message.id


# Japanese written in the code outside the catalog: only data, each with its reason. A new
# message written in Japanese fails here; write it in English, through ``_()``.
DATA: dict[str, set[str]] = {
    # Units of a duration as a plan writes them (3か月, 10営業日).
    "calendar/durations.py": {"営業日", "日", "週", "週間", "か月", "ヶ月", "カ月", "ケ月", "箇月",
                              "半期", "年"},
    # The eras, and the notation of a wareki date (令和元年5月1日), read and written as such.
    "calendar/eras.py": {"明治", "大正", "昭和", "平成", "令和", "年", "月", "日", "元"},
    # Periods as a plan writes them: examples quoted in messages, and the parser's words.
    "calendar/periods.py": {"2024年度", "令和6年度", "令和元年度", "令和6年度上期", "R6上期",
                            "R6下期", "度", "元", "上", "下"},
    # The names the holidays library and the office's calendar give days, kept as data.
    "calendar/workdays.py": {"振替休日", "国民の休日", "年末年始休暇", "閉庁日", "春分の日",
                             "秋分の日"},
    # The demo's made-up history of the embedded (Japanese) plan: data, like the plan.
    "demo.py": {"当初計画", "DX推進課", "予算措置待ちのため一時保留", "当初計画（デモ）",
                "デモの基準線", "予定を上回って進んでいる。成果を他分野へ展開されたい。",
                "概ね予定どおり。引き続き着実に進められたい。",
                "一部に遅れがある。次期の工程を見直し、遅れを取り戻されたい。",
                "遅れている。原因を分析し、ロードマップの見直しを検討されたい。",
                "計画した工程を実施した（例示）", "関係機関との調整に時間を要している（例示）",
                "次期の工程を着実に進める（例示）", "予定した工程を完了した（例示）"},
    # The Gantt JSON's short_ja values (上期, 下期) and the meanings of its fields in the
    # published JSON Schema, which name the plan's Japanese terms.
    "views/gantt.py": {"上期", "下期", "Status codes of a task (未着手, 実施中, 保留, 完了, 中止).",
                       "Its name in Japanese: 2024年度（令和6年度）.",
                       "Its name in the Japanese era: 令和6年度.",
                       "Its name in Japanese: 令和6年度上期.", "上期 or 下期, for a narrow column.",
                       "The id of its department 担当課.",
                       "The ids of the priority areas 重点 it serves.",
                       "An example made up for illustration, not the plan's text (例示)."},
    # Examples of a review cycle as one may write it.
    "engine/reviews.py": {"FY2025-H1, 令和7年度上期, R7下期"},
    # Status names accepted as input (状態 完了).
    "engine/status.py": {"未着手", "実施中", "保留", "完了", "中止"},
    # The bilingual refusal of an unknown language: no language is chosen yet to say it in.
    "i18n.py": {"言語は ja か en です: "},
    # Period examples of the JSON Schema and of messages, and the default rating scale, which
    # is plan data (a plan may define its own).
    "plan/model.py": {"FY2024, 令和6年度上期, 2024-04-01", "FY2024, 令和6年度", "令和6年度上期",
                      "令和6年度", "予定以上", "予定どおり", "やや遅れ", "遅れ"},
}  # fmt: skip


def japanese_literals(path: Path) -> list[tuple[int, str]]:
    """Japanese string literals of ``path`` that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and JAPANESE.search(node.value)
    ]


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(PACKAGE).as_posix()
)
def test_no_message_is_written_in_japanese_in_the_code(path: Path) -> None:
    where = path.relative_to(PACKAGE).as_posix()
    allowed = DATA.get(where, set())
    written = [
        f"{where}:{line}: {value!r}"
        for line, value in japanese_literals(path)
        if value not in allowed and not _example_or_pattern(value)
    ]
    assert written == []


def _example_or_pattern(value: str) -> bool:
    """A description that lists input forms (``A period: FY2024, 令和6年度, …``) or a regex."""
    return value.startswith(("A period: ", "A fiscal year: ")) or "(?P<" in value


def test_no_language_tables_or_branches_outside_the_catalog_module() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "i18n.py" and path.parent == PACKAGE:
            continue
        source = path.read_text(encoding="utf-8")
        for n, line in enumerate(source.splitlines(), 1):
            if re.search(r"""["']en["']\s*:|lang\s*[!=]=|==\s*["']en["']|\bpick\(""", line):
                found.append(f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}")
    assert found == []


GETTEXT_CALLS = {"_", "pgettext", "ngettext", "npgettext"}


def gettext_in_fstrings(path: Path) -> list[int]:
    """Lines where a gettext call sits inside an f-string: Babel does not extract it there,
    so its text would never reach the catalog (and would show untranslated)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.JoinedStr):
            continue
        for inner in ast.walk(node):
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Name)
                and inner.func.id in GETTEXT_CALLS
            ):
                found.append(inner.lineno)
    return found


def test_the_f_string_probe_finds_a_call_inside_one(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text('x = f"<p>{_(\'Hello\')}</p>"\ny = _("fine")\n', encoding="utf-8")
    assert gettext_in_fstrings(probe) == [1]


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(PACKAGE).as_posix()
)
def test_no_gettext_call_inside_an_f_string(path: Path) -> None:
    assert gettext_in_fstrings(path) == []
