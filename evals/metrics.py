"""Per-case scores, per-case hard checks and the aggregates of the golden suite.

Built on ``evals.harness.CaseResult`` (exact quotes, resolvable markers, forbidden strings
and the gold passage's retrieval rank are the harness's checks, shared with the dev and
held-out sets); this module adds what the regression suite needs on top: fact recall,
ALCE-style citation scores, answer length and the hard checks of DESIGN.md section 8.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from evals.harness import CaseResult
from evals.support import score_citations, statements

# Aggregate metrics, in report order. Retrieval ones are gated with zero tolerance.
RETRIEVAL = ("hit_at_k", "mrr")
GENERATION = (
    "fact_recall",
    "citation_recall",
    "citation_precision",
    "refusal_accuracy",
    "false_refusal_rate",
)
LENGTH = "answer_words"
METRICS = (*RETRIEVAL, *GENERATION, LENGTH)
LOWER_IS_BETTER = frozenset({"false_refusal_rate"})
OVERALL = "overall"


@dataclass(frozen=True)
class CaseScore:
    """What one case scored; ``failures`` names the hard checks it broke (empty: all held)."""

    id: str
    category: str
    answerable: bool
    refused: bool
    rank: int | None  # 1-based rank of the first gold passage among those retrieved
    fact_recall: float | None  # share of key facts present (answerable cases only)
    citation_recall: float | None
    citation_precision: float | None
    words: int | None  # answer length in words (answers only, not refusals)
    failures: tuple[str, ...]
    answer: str

    def snapshot(self) -> dict[str, object]:
        """The fields stored in a baseline and compared to find changed cases."""
        fields = asdict(self)
        del fields["id"], fields["category"], fields["answerable"]
        fields["failures"] = list(self.failures)
        return fields


def score(result: CaseResult) -> CaseScore:
    """Score one checked answer and run the hard checks that hold for any model."""
    case, answer = result.case, result.answer
    text = answer.answer.lower()
    cited = score_citations(answer.answer, {c.marker: c.text for c in answer.citations})
    facts = [any(alias.lower() in text for alias in fact) for fact in case.key_facts]
    return CaseScore(
        id=case.id,
        category=case.category,
        answerable=case.answerable,
        refused=answer.refused,
        rank=result.gold_retrieved_rank,
        fact_recall=_round(sum(facts) / len(facts)) if case.answerable and facts else None,
        citation_recall=None if answer.refused else _round(cited.recall),
        citation_precision=None if answer.refused else _round(cited.precision),
        words=None if answer.refused else len(answer.answer.split()),
        failures=tuple(hard_failures(result)),
        answer=answer.answer,
    )


def hard_failures(result: CaseResult) -> list[str]:
    """The per-case checks of DESIGN.md section 8 this answer breaks.

    For every case: quotes are exact, markers resolve, forbidden strings are absent, a
    refusal cites nothing and every sentence of an answer carries a marker. For critical
    cases: an answerable one retrieves a gold passage, an unanswerable one is refused.
    """
    case, answer = result.case, result.answer
    missed = result.gold_retrieved_rank is None
    checks = {
        "quote not exact": not result.quotes_exact,
        "marker unresolved": not result.markers_resolve,
        "forbidden string present": not result.forbidden_absent,
        "refusal cites": answer.refused and bool(answer.citations or "[" in answer.answer),
        "sentence without citation": not answer.refused
        and (not answer.citations or any(not s.markers for s in statements(answer.answer))),
        "gold passage not retrieved": case.critical and case.answerable and missed,
        "not refused": case.critical and not case.answerable and not answer.refused,
    }
    return [name for name, failed in checks.items() if failed]


Metrics = dict[str, float | None]


def aggregate(scores: Sequence[CaseScore]) -> dict[str, Metrics]:
    """Every metric per category (in first-seen order) and over all cases."""
    groups: dict[str, list[CaseScore]] = {}
    for s in scores:
        groups.setdefault(s.category, []).append(s)
    groups[OVERALL] = list(scores)
    return {name: _metrics(rows) for name, rows in groups.items()}


def _metrics(rows: Sequence[CaseScore]) -> Metrics:
    answerable = [s for s in rows if s.answerable]
    unanswerable = [s for s in rows if not s.answerable]
    answered = [s for s in rows if not s.refused]
    return {
        "cases": len(rows),
        "hit_at_k": _mean(answerable, lambda s: s.rank is not None),
        "mrr": _mean(answerable, lambda s: 1 / s.rank if s.rank else 0.0),
        "fact_recall": _mean(answerable, lambda s: s.fact_recall),
        "citation_recall": _mean(answered, lambda s: s.citation_recall),
        "citation_precision": _mean(answered, lambda s: s.citation_precision),
        "refusal_accuracy": _mean(unanswerable, lambda s: s.refused),
        "false_refusal_rate": _mean(answerable, lambda s: s.refused),
        LENGTH: _mean(answered, lambda s: s.words),
    }


def _mean(rows: Sequence[CaseScore], value: Callable[[CaseScore], float | int | bool | None]) -> float | None:
    """Mean over the rows where the value is defined; None when there is none."""
    values = [float(v) for v in map(value, rows) if v is not None]
    return _round(sum(values) / len(values)) if values else None


def _round(value: float | None) -> float | None:
    """Four decimals: enough to see one case move, and stable in JSON diffs."""
    return None if value is None else round(value, 4)
