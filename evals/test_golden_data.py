"""The golden set is well formed, covers every category, and is grounded in the source text."""

from __future__ import annotations

import pytest

from evals.dataset import CATEGORIES, GOLDEN_PATH, Case, load_cases
from evals.support import terms
from ingest.loader import load_document
from settings import ROOT

CASES = load_cases(GOLDEN_PATH)
SOURCE = load_document(ROOT / "data" / "corpus" / "work-together-to-build-a-healthy-cyberspace.txt").text
IDS = [c.id for c in CASES]


def test_size_and_coverage() -> None:
    assert len(CASES) >= 80
    assert len(set(IDS)) == len(IDS)
    counts = {category: sum(c.category == category for c in CASES) for category in CATEGORIES}
    assert min(counts.values()) >= 8, counts


def test_unanswerable_cases_include_related_passages_and_injections() -> None:
    related = [c for c in CASES if not c.answerable and "related passage" in c.note]
    assert len(related) >= 5
    assert sum(c.category == "adversarial" and not c.answerable for c in CASES) >= 5


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_case_is_grounded(case: Case) -> None:
    assert all(quote in SOURCE for quote in case.gold_quotes), "gold quotes must be verbatim spans"
    assert not any(f.lower() in SOURCE.lower() for f in case.forbidden), "a forbidden string is in the text"
    if case.answerable:
        assert case.gold_quotes and case.key_facts
        assert all(any(a.lower() in SOURCE.lower() for a in fact) for fact in case.key_facts)
    else:
        assert not case.gold_quotes and not case.key_facts and case.forbidden


@pytest.mark.parametrize("case", [c for c in CASES if c.category == "paraphrase"], ids=lambda c: c.id)
def test_paraphrases_share_no_content_word_with_their_gold_quotes(case: Case) -> None:
    shared = terms(case.question) & set().union(*(terms(q) for q in case.gold_quotes))
    assert not shared


def test_follow_ups_carry_history_and_non_english_cases_are_not_critical() -> None:
    assert all(c.history for c in CASES if c.category == "followup")
    assert not any(c.history for c in CASES if c.category != "followup")
    assert all(c.lang != "en" and not c.critical for c in CASES if c.category == "non_english")
