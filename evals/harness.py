"""Runs question sets through the engine and scores them against the issue's targets.

Gold quotes are mapped to passages at run time by their offsets in the source, so
re-chunking never breaks the set. Used by the target tests and by bench/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from engine.engine import Engine
from engine.types import Answer
from evals.dataset import Case
from ingest.library import list_documents
from ingest.loader import load_document

_MARKER = re.compile(r"\[(\d+)\]")


@dataclass
class CaseResult:
    """What one case produced and which checks it passed."""

    case: Case
    answer: Answer
    gold_passages: set[str]
    quotes_exact: bool
    markers_resolve: bool
    gold_cited: bool
    gold_retrieved_rank: int | None  # 1-based rank of the first gold passage among retrieved, None if absent
    facts_present: bool
    forbidden_absent: bool

    @property
    def refused(self) -> bool:
        return self.answer.refused


@dataclass
class Summary:
    """Aggregates over a set: the numbers the issue's targets are stated in."""

    cases: int = 0
    answerable: int = 0
    unanswerable: int = 0
    quotes_exact: float = 0.0
    markers_resolve: float = 0.0
    gold_cited: float = 0.0  # share of answerable cases citing a gold passage
    facts_present: float = 0.0  # share of answerable cases whose answer contains every key fact
    refused_unanswerable: float = 0.0
    wrongly_refused: float = 0.0
    forbidden_absent: float = 0.0
    hit_at_k: float = 0.0
    failures: dict[str, list[str]] = field(default_factory=dict)


class SourceTexts:
    """Decoded source documents by slug: the ground truth quotes are checked against."""

    def __init__(self, engine: Engine) -> None:
        self.texts = {}
        for path in list_documents(engine.settings.data_dir):
            doc = load_document(path)
            self.texts[doc.slug] = doc.text
        self.passages = engine.index.passages

    def gold_passages(self, case: Case) -> set[str]:
        """Passages overlapping any gold quote, found by offset in the source."""
        found: set[str] = set()
        for quote in case.gold_quotes:
            for slug, text in self.texts.items():
                at = text.find(quote)
                if at < 0:
                    continue
                end = at + len(quote)
                found |= {
                    p.id for p in self.passages.values() if p.doc == slug and p.start < end and at < p.end
                }
        return found


def run_case(engine: Engine, sources: SourceTexts, case: Case) -> CaseResult:
    """Answer one case and check it."""
    return check_answer(sources, case, engine.answer(case.question))


def check_answer(sources: SourceTexts, case: Case, answer: Answer) -> CaseResult:
    """Check an answer to a case; the golden suite also feeds it transformed answers."""
    gold = sources.gold_passages(case)
    markers = {int(m) for m in _MARKER.findall(answer.answer)}
    cited = {c.passage_id for c in answer.citations}
    text = answer.answer.lower()
    rank = next((i for i, pid in enumerate(answer.retrieved, start=1) if pid in gold), None)
    return CaseResult(
        case=case,
        answer=answer,
        gold_passages=gold,
        quotes_exact=all(
            sources.texts.get(c.doc, "")[c.start : c.end] == c.quote != "" for c in answer.citations
        ),
        markers_resolve=markers <= {c.marker for c in answer.citations},
        gold_cited=bool(gold & cited),
        gold_retrieved_rank=rank,
        facts_present=all(any(alias.lower() in text for alias in fact) for fact in case.key_facts),
        forbidden_absent=not any(f.lower() in text for f in case.forbidden),
    )


def summarize(results: list[CaseResult]) -> Summary:
    """The target metrics over a list of case results."""
    answerable = [r for r in results if r.case.answerable]
    unanswerable = [r for r in results if not r.case.answerable]

    def share(rows: list[CaseResult], ok: str) -> float:
        return sum(bool(getattr(r, ok)) for r in rows) / len(rows) if rows else 1.0

    summary = Summary(
        cases=len(results),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        quotes_exact=share(results, "quotes_exact"),
        markers_resolve=share(results, "markers_resolve"),
        gold_cited=share(answerable, "gold_cited"),
        facts_present=share(answerable, "facts_present"),
        refused_unanswerable=share(unanswerable, "refused"),
        wrongly_refused=share(answerable, "refused"),
        forbidden_absent=share(results, "forbidden_absent"),
        hit_at_k=share(answerable, "gold_retrieved_rank"),
    )
    checks = {
        "quote not exact": [r for r in results if not r.quotes_exact],
        "marker unresolved": [r for r in results if not r.markers_resolve],
        "gold not cited": [r for r in answerable if not r.gold_cited],
        "fact missing": [r for r in answerable if not r.facts_present],
        "not refused": [r for r in unanswerable if not r.refused],
        "wrongly refused": [r for r in answerable if r.refused],
        "forbidden present": [r for r in results if not r.forbidden_absent],
    }
    summary.failures = {name: [r.case.id for r in rows] for name, rows in checks.items() if rows}
    return summary
