"""The promise of ``validate``, fuzzed from real plan folders (hypothesis).

A plan that passes ``validate`` schedules, renders every Gantt format and builds every calendar
feed without an error; a plan that does not pass gets exit status 2 with every problem located,
never a traceback. The folders come from ``planmutate``, the checks from ``planpromise``.

This file runs a fixed set of examples (``derandomize``: the same ones on every run) with every
kind of mutation represented, and each folder the fuzzer once broke the promise with.
``tests/benchmarks/bench_fuzz.py`` runs many more examples, drawn afresh each time.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from planmutate import KINDS, SEEDS, Draft, Folder, plan_folders
from planpromise import AS_OF_DATES, run_promise

# Shrinking would rerun the CLI hundreds of times; a failure prints its folder as a diff instead.
FIXED = settings(
    deadline=None,
    database=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
AS_OF = st.sampled_from(AS_OF_DATES)
LANG = st.sampled_from(["ja", "en"])

HEADER = "id: p\nname: P\nperiod: {start: FY2025, end: FY2027}\n"

# What the fuzzer found, each made as small as it goes: the promise must hold for these too.
FOUND = {
    "yaml-directive-in-english": {"plan.yaml": "%FOO bar\n---\n" + HEADER},
    "two-documents-in-english": {"plan.yaml": HEADER + "---\nid: q\n"},
    "merge-of-a-scalar-in-english": {"plan.yaml": HEADER + "subtitle: &s x\ncalendar: {<<: *s}\n"},
    "merge-of-a-list-of-scalars-in-english": {
        "plan.yaml": HEADER + "subtitle: &s x\ncalendar: {<<: [*s]}\n"
    },
    "sequence-tag-on-a-mapping-in-english": {"plan.yaml": HEADER + "positioning: !!seq {a: 1}\n"},
    "lone-surrogate-in-a-json-period": {
        "plan.yaml": HEADER,
        "extra.json": '{"initiatives": [{"id": "x", "name": "X", "tasks": '
        '[{"id": "t", "name": "T", "start": "\\udfff"}]}]}',
    },
    "day-both-closed-and-open": {
        "plan.yaml": HEADER + "calendar: {closed_days: [2026-01-05], open_days: [2026-01-05]}\n"
    },
    "unhashable-id-in-a-merged-list": {
        "plan.yaml": "base: aomori-dx-2024-2028\ndepartments: [{id: [x], name: y}]\n"
    },
    "date-as-a-key-in-python-words": {
        "plan.yaml": HEADER + "initiatives: [{id: a, name: A, tasks: "
        "[{id: t, name: T, duration: 1mo, 2025-01-01: 1}]}]\n"
    },
    "task-a-year-before-the-plan": {
        "plan.yaml": HEADER
        + "initiatives:\n- {id: a, name: A, tasks: [{id: t, name: T, start: FY2024, duration: 1mo}]}\n"
    },
}


@pytest.mark.parametrize("seed", sorted(SEEDS))
@pytest.mark.parametrize("rewritten", [False, True], ids=["as-written", "rewritten"])
def test_every_seed_folder_validates_and_renders(seed: str, rewritten: bool) -> None:
    # The fuzzer's starting points pass, also when written back the way mutated files are.
    draft = Draft.of(seed)
    if rewritten:
        draft.changed |= set(draft.data)
    assert run_promise(draft.folder(), date(2026, 1, 1), "ja") == 0


@pytest.mark.parametrize("name", sorted(FOUND))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_what_the_fuzzer_found_keeps_the_promise(name: str, lang: str) -> None:
    run_promise(Folder.of(FOUND[name], name), date(2026, 1, 1), lang)


@pytest.mark.parametrize("kind", KINDS)
@settings(FIXED, max_examples=4)
@given(data=st.data(), as_of=AS_OF, lang=LANG)
def test_each_kind_of_mutation_keeps_the_promise(
    kind: str, data: st.DataObject, as_of: date, lang: str
) -> None:
    folder = data.draw(plan_folders((kind,)), label="folder")
    event(f"seed {folder.seed}, exit {run_promise(folder, as_of, lang)}")


@settings(FIXED, max_examples=30)
@given(folder=plan_folders(), as_of=AS_OF, lang=LANG)
def test_mixed_mutations_keep_the_promise(folder: Folder, as_of: date, lang: str) -> None:
    event(f"seed {folder.seed}, exit {run_promise(folder, as_of, lang)}")
