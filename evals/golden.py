"""Runs the golden set (evals/data/golden.jsonl) through an engine and compares it with its baseline.

Gold quotes are mapped to passages at run time by the harness (offsets in the source),
so re-chunking never breaks the set. Follow-up cases pass their earlier turns as history.
Non-English cases are never ``critical``: the local 135M model mostly refuses them, so
only the checks that hold for any model gate them (exact quotes, resolvable markers,
citations on every sentence, no forbidden strings); their other scores are measured.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from engine.engine import Engine
from engine.types import Answer, Turn
from evals import baseline
from evals.dataset import GOLDEN_PATH, Case, load_cases
from evals.harness import CaseResult, SourceTexts, check_answer
from evals.metrics import CaseScore, Metrics, aggregate, score

Transform = Callable[[CaseResult], Answer]


def answer_case(engine: Engine, case: Case) -> Answer:
    """The engine's answer to a case, given the case's earlier turns as history."""
    if not case.history:
        return engine.answer(case.question)
    return engine.answer(case.question, history=[Turn(question=q, answer=a) for q, a in case.history])


def run_cases(engine: Engine, sources: SourceTexts, cases: Sequence[Case]) -> list[CaseResult]:
    """Answer and check every case, in order."""
    return [check_answer(sources, case, answer_case(engine, case)) for case in cases]


@dataclass
class Run:
    """One golden run: results, scores, metrics, and how they compare with the stored baseline."""

    backend: str
    fingerprint: dict[str, object]
    sources: SourceTexts
    results: list[CaseResult]
    scores: list[CaseScore] = field(init=False)
    metrics: dict[str, Metrics] = field(init=False)
    stored: dict | None = None  # the baseline on disk when the run started

    def __post_init__(self) -> None:
        self.scores = [score(r) for r in self.results]
        self.metrics = aggregate(self.scores)

    @property
    def snapshot(self) -> dict[str, dict]:
        return {s.id: s.snapshot() for s in self.scores}

    def as_baseline(self) -> dict:
        return {"fingerprint": self.fingerprint, "metrics": self.metrics, "cases": self.snapshot}

    def fingerprint_changes(self) -> list[str]:
        if not self.stored:
            return []
        return baseline.fingerprint_changes(self.stored["fingerprint"], self.fingerprint)

    def comparison(self) -> tuple[list[baseline.Change], list[baseline.Change]]:
        """(regressions, improvements) against the stored baseline; nothing when there is none."""
        if not self.stored:
            return [], []
        return baseline.compare(self.stored["metrics"], self.metrics, self.backend)

    def changed_cases(self) -> dict[str, list[str]]:
        return baseline.changed_cases(self.stored["cases"], self.snapshot) if self.stored else {}

    def transformed(self, transform: Transform) -> Run:
        """The same run with every answer replaced by ``transform(result)`` (negative controls)."""
        results = [check_answer(self.sources, r.case, transform(r)) for r in self.results]
        return Run(self.backend, self.fingerprint, self.sources, results, self.stored)

    def report(self) -> dict:
        """The machine-readable report: everything the table shows, plus every case's answer."""
        regressions, improvements = self.comparison()
        return {
            "backend": self.backend,
            "fingerprint": self.fingerprint,
            "baseline": str(baseline.baseline_path(self.backend)) if self.stored else None,
            "fingerprint_changes": self.fingerprint_changes(),
            "metrics": self.metrics,
            "baseline_metrics": self.stored["metrics"] if self.stored else None,
            "regressions": [str(c) for c in regressions],
            "improvements": [str(c) for c in improvements],
            "changed_cases": self.changed_cases(),
            "hard_failures": {s.id: list(s.failures) for s in self.scores if s.failures},
            "cases": [
                {
                    "id": r.case.id,
                    "category": r.case.category,
                    "question": r.case.question,
                    **s.snapshot(),
                    "retrieved": r.answer.retrieved,
                    "gold_passages": sorted(r.gold_passages),
                    "citations": [c.passage_id for c in r.answer.citations],
                }
                for r, s in zip(self.results, self.scores, strict=True)
            ],
        }


def run(engine: Engine, cases: Sequence[Case] | None = None) -> Run:
    """Run the golden set (or some cases of it) and load the backend's stored baseline."""
    settings, sources = engine.settings, SourceTexts(engine)
    return Run(
        backend=settings.backend,
        fingerprint=baseline.fingerprint(settings, GOLDEN_PATH),
        sources=sources,
        results=run_cases(engine, sources, cases if cases is not None else load_cases(GOLDEN_PATH)),
        stored=baseline.load(settings.backend),
    )

