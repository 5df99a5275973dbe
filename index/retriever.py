"""Hybrid retrieval: BM25, phrase and vector search over the same passages, fused by reciprocal rank.

BM25 catches rare exact terms (names, "Broadband China"), the vectors catch
paraphrases ("mutual care" for a quoted saying), and the phrase ranking (BM25 over
adjacent word pairs, the ordered-bigram part of Metzler and Croft's sequential
dependence model) rewards passages that use the question's words together, as a
phrase, over passages that merely contain them somewhere. Fusing ranks rather than
scores needs no calibration between the very different score scales.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
import Stemmer
from llama_index.core.schema import TextNode
from llama_index.retrievers.bm25 import BM25Retriever

from index.build import PassageIndex
from index.fusion import reciprocal_rank_fusion
from index.phrases import PhraseIndex
from ingest.passage import Passage

# bm25s sets its own logger to DEBUG and would print a line for every index it builds.
logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass(frozen=True)
class ScoredPassage:
    """A retrieved passage, with its fused score and how each retriever ranked it (1 = best)."""

    passage: Passage
    score: float  # reciprocal-rank-fusion score
    bm25_rank: int | None  # None: BM25 did not return it (or matched no query term)
    phrase_rank: int | None  # None: it shares no adjacent word pair with the question
    vector_rank: int | None
    vector_score: float | None  # cosine similarity between question and passage


class HybridRetriever:
    """Retrieves ``candidates`` passages from each ranking, fuses them, keeps the best ``k``.

    Both retrievers can be scoped to some documents: BM25 through a weight mask over its
    corpus, the vectors through a Chroma ``where`` filter, so a question about one document
    gets that document's best passages however many other documents outrank them.
    """

    def __init__(self, index: PassageIndex, candidates: int) -> None:
        self._passages = index.passages
        self._ids = list(index.passages)
        self._docs = np.array([p.doc for p in index.passages.values()], dtype=object)
        self._order = {pid: i for i, pid in enumerate(index.passages)}
        self._top_k = min(candidates, len(index.passages))
        self._collection = index.collection
        self._embedder = index.embedder
        self._stemmer = Stemmer.Stemmer("english")
        self._bm25: BM25Retriever | None = None
        self._phrases = PhraseIndex((p.search_text for p in index.passages.values()), self._stemmer)
        if self._top_k:  # BM25Retriever refuses an empty corpus; an empty index simply retrieves nothing
            # No metadata on the nodes: BM25Retriever would tokenize it along with the text.
            nodes = [TextNode(id_=p.id, text=p.search_text) for p in index.passages.values()]
            self._bm25 = BM25Retriever.from_defaults(
                nodes=nodes, stemmer=self._stemmer, language="en", similarity_top_k=self._top_k
            )

    def retrieve(self, question: str, k: int, documents: Sequence[str] | None = None) -> list[ScoredPassage]:
        """The ``k`` best passages for ``question``, best first; ties go to the earlier passage.

        ``documents`` (slugs) limits retrieval to those documents; None searches them all.
        """
        if self._bm25 is None or (documents is not None and not documents):
            return []
        mask = None if documents is None else np.isin(self._docs, list(documents)).astype(np.float32)
        bm25 = self._bm25_ranked(question, mask)
        phrases = self._phrase_ranked(question, mask)
        cosine = self._vector_scored(question, documents)
        vector = sorted(cosine, key=lambda pid: (-cosine[pid], self._order[pid]))
        fused = reciprocal_rank_fusion([bm25, phrases, vector], tie_key=self._order.__getitem__)
        bm25_rank, phrase_rank, vector_rank = (
            {pid: rank for rank, pid in enumerate(ranking, start=1)} for ranking in (bm25, phrases, vector)
        )
        return [
            ScoredPassage(
                passage=self._passages[pid],
                score=score,
                bm25_rank=bm25_rank.get(pid),
                phrase_rank=phrase_rank.get(pid),
                vector_rank=vector_rank.get(pid),
                vector_score=cosine.get(pid),
            )
            for pid, score in fused[:k]
        ]

    def knows(self, stem: str) -> bool:
        """Whether any passage of the library uses the (stemmed) word or a kin form of it."""
        return self._phrases.knows(stem)

    def _bm25_ranked(self, question: str, mask: np.ndarray | None) -> list[str]:
        """Passages by BM25 over single words, tokenized exactly as BM25Retriever does.

        Its bm25s index is called directly to pass a mask (only some documents).
        """
        assert self._bm25 is not None
        tokens = bm25s.tokenize(question, stemmer=self._stemmer, show_progress=False)
        bm25 = self._bm25.bm25
        indexes, scores = bm25.retrieve(tokens, k=self._top_k, weight_mask=mask, show_progress=False)
        return self._in_order(zip(indexes[0], scores[0], strict=True))

    def _phrase_ranked(self, question: str, mask: np.ndarray | None) -> list[str]:
        """Passages by BM25 over adjacent word pairs (see index.phrases)."""
        return self._in_order(self._phrases.ranked(question, self._top_k, mask))

    def _in_order(self, scored: Iterable[tuple[int, float]]) -> list[str]:
        """Passage ids by score, equal scores in document order.

        A zero score means no query token occurs in the passage: that is no evidence, not rank n.
        """
        hits = [(self._ids[int(i)], float(s)) for i, s in scored if s > 0.0]
        return [pid for pid, _ in sorted(hits, key=lambda hit: (-hit[1], self._order[hit[0]]))]

    def _vector_scored(self, question: str, documents: Sequence[str] | None) -> dict[str, float]:
        """Cosine similarity of the nearest passages (Chroma's cosine distance is 1 - cosine).

        Ids this index does not know (another instance sharing the server added them after we
        opened) are left out: only passages loaded with the index can be cited.
        """
        found = self._collection.query(
            query_embeddings=self._embedder.embed([question]),
            n_results=self._top_k,
            where=None if documents is None else {"doc": {"$in": list(documents)}},
            include=["distances"],
        )
        return {
            pid: 1.0 - float(distance)
            for pid, distance in zip(found["ids"][0], found["distances"][0], strict=True)
            if pid in self._passages
        }
