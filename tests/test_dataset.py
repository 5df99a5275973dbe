"""The dev and held-out question sets are well formed and grounded in the corpus text."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.dataset import BLIND_SETS, CATEGORIES, DEV_PATH, HELDOUT_PATH, Case, load_cases

CORPUS = (
    Path(__file__).resolve().parent.parent
    / "data"
    / "corpus"
    / "work-together-to-build-a-healthy-cyberspace.txt"
)
SOURCE = CORPUS.read_text(encoding="utf-8")
DEV = load_cases(DEV_PATH)
HELDOUT = load_cases(HELDOUT_PATH)
BLIND = [case for path in BLIND_SETS.values() for case in load_cases(path)]
ALL = DEV + HELDOUT + BLIND


def _ids(cases: list[Case]) -> list[str]:
    return [case.id for case in cases]


def test_both_files_have_cases() -> None:
    assert len(DEV) >= 40
    assert len(HELDOUT) >= 30
    assert len(BLIND) >= 100


def test_ids_unique_across_files() -> None:
    ids = _ids(ALL)
    assert len(ids) == len(set(ids))


def test_no_question_in_two_files() -> None:
    seen = {case.question.strip().lower() for case in DEV}
    for cases in (HELDOUT, BLIND):
        shared = [case.question for case in cases if case.question.strip().lower() in seen]
        assert not shared
        seen |= {case.question.strip().lower() for case in cases}


def test_categories_valid() -> None:
    assert {case.category for case in ALL} <= CATEGORIES


@pytest.mark.parametrize("case", ALL, ids=_ids(ALL))
def test_gold_quotes_are_exact_substrings(case: Case) -> None:
    for quote in case.gold_quotes:
        assert quote in SOURCE, quote


@pytest.mark.parametrize("case", [c for c in ALL if c.answerable], ids=_ids([c for c in ALL if c.answerable]))
def test_answerable_cases_are_grounded(case: Case) -> None:
    assert case.gold_quotes
    assert case.key_facts
    assert all(fact for fact in case.key_facts)
    source = SOURCE.lower()
    missing = [alias for fact in case.key_facts for alias in fact if alias.lower() not in source]
    if missing:
        # Only paraphrase / multi-fact cases may use aliases worded differently from the text,
        # and they must say why in their note.
        assert case.category in ("paraphrase", "multi_fact"), missing
        assert case.note.strip(), missing


@pytest.mark.parametrize(
    "case", [c for c in ALL if not c.answerable], ids=_ids([c for c in ALL if not c.answerable])
)
def test_unanswerable_cases_have_no_gold(case: Case) -> None:
    assert not case.gold_quotes
    assert not case.key_facts


def test_unanswerable_category_is_never_answerable() -> None:
    assert all(not case.answerable for case in ALL if case.category == "unanswerable")


def test_load_cases_rejects_unknown_category(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "x", "question": "q", "category": "trivia", "answerable": false}\n', encoding="utf-8"
    )
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        load_cases(bad)
