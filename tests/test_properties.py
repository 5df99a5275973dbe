"""Properties of the quote/offset mapping and the verifier, whatever the text and the claim.

tests/test_ingest.py already checks that the chunker's passages map back exactly; here the
spans the verifier picks and the citations built from them must too: a citation's quote is
always the source document's text at the citation's offsets, for any source and any claim.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.engine import citation_for
from engine.verify import Claim, best_span, parse_claims, support, verify
from ingest.chunker import chunk
from ingest.loader import SourceDoc

WORDS = st.sampled_from(
    ["The", "bridge", "opened", "in", "2019", ".", "?", "\n\n", "\n", " ", "Alpha", "not", "[1]", "é", "网络"]
)
TEXTS = st.one_of(st.text(min_size=1, max_size=300), st.lists(WORDS, min_size=1, max_size=80).map(" ".join))


def passages_of(text: str) -> list:  # list[Passage]
    return chunk(SourceDoc(path=Path("doc.txt"), slug="doc", text=text, sha256="", suffix=".txt"))


@settings(max_examples=150, deadline=None)
@given(source=TEXTS, claim=TEXTS, marker=st.integers(min_value=1, max_value=99))
def test_citations_quote_the_source_at_their_offsets(source: str, claim: str, marker: int) -> None:
    for passage in passages_of(source):
        score, span = support(claim, passage)
        assert 0.0 <= score <= 1.0 and 0 <= span[0] <= span[1] <= len(passage.text)
        citation = citation_for(passage, span, marker)
        assert source[citation.start : citation.end] == citation.quote == passage.text[span[0] : span[1]]
        start, end = best_span([claim], passage)
        assert source[passage.start + start : passage.start + end] == passage.text[start:end]


@settings(max_examples=100, deadline=None)
@given(source=TEXTS, draft=TEXTS)
def test_verdicts_only_point_at_given_passages_and_inside_them(source: str, draft: str) -> None:
    passages = passages_of(source)
    claims = parse_claims(draft)
    verdicts = verify(claims, dict(enumerate(passages, start=1)), passages, threshold=0.75, question="")
    assert [v.claim for v in verdicts] == claims and all(isinstance(c, Claim) for c in claims)
    for verdict in verdicts:
        if verdict.supported:
            assert verdict.passage in passages and verdict.support >= 0.75
            start, end = verdict.quote
            assert source[verdict.passage.start + start : verdict.passage.start + end].strip()
