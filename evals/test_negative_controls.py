"""Negative controls: broken pipelines the suite must catch, so a green run means something.

Each control breaks one thing and asserts that the very gates ``pytest evals/`` applies
(the baseline comparison of evals.baseline.compare and the per-case hard checks) fail
on it. The reference is this session's own unbroken golden run, not the stored baseline,
so the controls hold whatever state the baseline file is in.

Most controls transform the finished answers (no production code is patched, nothing is
re-asked): retrieval results are shuffled or replaced by random passages, citations
stripped, an unsupported sentence injected, or the verifier's rejected sentences shown
as if it had been switched off. The halved corpus is real: a fresh engine over a copy
of the library with the second half of the speech cut away.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import pytest

from engine.engine import Engine
from engine.types import Answer
from evals import golden
from evals.baseline import Change, compare
from evals.golden import Run
from evals.harness import CaseResult
from evals.metrics import OVERALL, aggregate
from settings import Settings

INJECTED = "The speech was given in Paris by Barack Obama in 2019 [1]."


def _regressed(reference: Run, broken: Run) -> list[Change]:
    return compare(reference.metrics, broken.metrics, reference.backend)[0]


def _metrics(changes: list[Change], group: str = OVERALL) -> set[str]:
    return {c.metric for c in changes if c.group == group}


def _failing(run: Run, check: str) -> list[str]:
    return [s.id for s in run.scores if check in s.failures]


def _answered(result: CaseResult) -> bool:
    return not result.answer.refused


def test_random_retrieval_fails_hit_at_k_and_the_critical_retrieval_checks(golden_run: Run) -> None:
    passages = sorted(golden_run.sources.passages)

    def random_passages(result: CaseResult) -> Answer:
        rng = random.Random(result.case.id)
        return replace(result.answer, retrieved=rng.sample(passages, len(result.answer.retrieved)))

    broken = golden_run.transformed(random_passages)
    assert {"hit_at_k", "mrr"} <= _metrics(_regressed(golden_run, broken))
    assert _failing(broken, "gold passage not retrieved")


def test_shuffled_retrieval_fails_mrr(golden_run: Run) -> None:
    def shuffled(result: CaseResult) -> Answer:
        order = list(result.answer.retrieved)
        random.Random(result.case.id).shuffle(order)
        return replace(result.answer, retrieved=order)

    assert "mrr" in _metrics(_regressed(golden_run, golden_run.transformed(shuffled)))


def test_stripped_citations_fail_citation_recall_and_the_citation_checks(golden_run: Run) -> None:
    def stripped(result: CaseResult) -> Answer:
        return replace(result.answer, answer=re.sub(r"\s*\[\d+\]", "", result.answer.answer), citations=[])

    broken = golden_run.transformed(stripped)
    assert "citation_recall" in _metrics(_regressed(golden_run, broken))
    answered = [s.id for s in golden_run.scores if not s.refused]
    assert _failing(broken, "sentence without citation") == answered


def test_an_injected_unsupported_sentence_fails_citation_recall_and_precision(golden_run: Run) -> None:
    def injected(result: CaseResult) -> Answer:
        if not _answered(result):
            return result.answer
        return replace(result.answer, answer=f"{result.answer.answer} {INJECTED}")

    broken = golden_run.transformed(injected)
    assert {"citation_recall", "citation_precision"} <= _metrics(_regressed(golden_run, broken))


def test_disabling_the_verifier_fails_citation_recall(golden_run: Run) -> None:
    """Shows every drafted sentence, as an answer would read with the verifier switched off.

    The engine lists the sentences its verifier rejected (status "unsupported", no marker)
    beside the answer; putting them back into the text is what disabling it would do.
    """

    def unverified(result: CaseResult) -> Answer:
        rejected = [s.text for s in result.answer.sentences if s.status == "unsupported"]
        if not rejected or not _answered(result):
            return result.answer
        return replace(result.answer, answer=" ".join([result.answer.answer, *rejected]))

    broken = golden_run.transformed(unverified)
    assert broken.metrics != golden_run.metrics, "no answer had a rejected sentence: the control is vacuous"
    assert "citation_recall" in _metrics(_regressed(golden_run, broken))
    assert _failing(broken, "sentence without citation")


@pytest.fixture(scope="module")
def halved_run(golden_run: Run, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The critical answerable cases, asked of an engine whose library holds half the speech."""
    library = tmp_path_factory.mktemp("halved") / "corpus"
    library.mkdir()
    for path in sorted(settings.data_dir.iterdir()):
        text = path.read_text(encoding="utf-8")
        cut = text.rindex("\n", 0, len(text) // 2) + 1  # keep the first half, whole lines
        (library / path.name).write_text(text[:cut], encoding="utf-8")
    halved = Engine(settings.with_(data_dir=library, index_dir=tmp_path_factory.mktemp("halved_index")))
    return golden.run(halved, [r.case for r in golden_run.results if r.case.critical and r.case.answerable])


def test_a_corpus_cut_in_half_fails_retrieval_facts_and_the_critical_checks(
    golden_run: Run, halved_run: Run
) -> None:
    ids = {s.id for s in halved_run.scores}
    reference = aggregate([s for s in golden_run.scores if s.id in ids])
    regressed = _metrics(compare(reference, halved_run.metrics, golden_run.backend)[0])
    assert {"hit_at_k", "mrr", "fact_recall"} <= regressed
    assert _failing(halved_run, "gold passage not retrieved")


def test_the_halved_library_really_lost_half_the_text(halved_run: Run, settings: Settings) -> None:
    full = sum(len(p.read_text(encoding="utf-8")) for p in Path(settings.data_dir).iterdir())
    kept = sum(len(text) for text in halved_run.sources.texts.values())
    assert 0.4 * full < kept < 0.6 * full
