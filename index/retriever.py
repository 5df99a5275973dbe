"""Hybrid retrieval: BM25 and vector search over the same passages, fused by reciprocal rank.

BM25 catches rare exact terms (names, "Broadband China"), the vectors catch
paraphrases ("mutual care" for a quoted saying); fusing ranks rather than
scores needs no calibration between the two very different score scales.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import Stemmer
from llama_index.core import VectorStoreIndex
from llama_index.core.schema import NodeWithScore, TextNode
from llama_index.retrievers.bm25 import BM25Retriever
from llama_index.vector_stores.chroma import ChromaVectorStore

from index.build import PassageIndex
from index.fusion import reciprocal_rank_fusion
from ingest.passage import Passage

# bm25s sets its own logger to DEBUG and would print a line for every index it builds.
logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass(frozen=True)
class ScoredPassage:
    """A retrieved passage, with its fused score and how each retriever ranked it (1 = best)."""

    passage: Passage
    score: float  # reciprocal-rank-fusion score
    bm25_rank: int | None  # None: BM25 did not return it (or matched no query term)
    vector_rank: int | None
    vector_score: float | None  # cosine similarity between question and passage


class HybridRetriever:
    """Retrieves ``candidates`` passages from each retriever, fuses them, keeps the best ``k``."""

    def __init__(self, index: PassageIndex, candidates: int) -> None:
        self._passages = index.passages
        self._order = {pid: i for i, pid in enumerate(index.passages)}
        top_k = min(candidates, len(index.passages))  # BM25Retriever warns when asked for more than it holds
        self._bm25: BM25Retriever | None = None
        self._vector = None
        if top_k:  # BM25Retriever refuses an empty corpus; an empty index simply retrieves nothing
            # No metadata on the nodes: BM25Retriever would tokenize it along with the text.
            nodes = [TextNode(id_=p.id, text=p.search_text) for p in index.passages.values()]
            self._bm25 = BM25Retriever.from_defaults(
                nodes=nodes, stemmer=Stemmer.Stemmer("english"), language="en", similarity_top_k=top_k
            )
            # Over the existing collection: only the question gets embedded, never the passages.
            vector_index = VectorStoreIndex.from_vector_store(
                ChromaVectorStore(chroma_collection=index.collection), embed_model=index.embedder
            )
            self._vector = vector_index.as_retriever(similarity_top_k=top_k)

    def retrieve(self, question: str, k: int) -> list[ScoredPassage]:
        """The ``k`` best passages for ``question``, best first; ties go to the earlier passage."""
        if self._bm25 is None or self._vector is None:
            return []
        # A zero BM25 score means no query term occurs in the passage: that is no evidence, not rank n.
        bm25 = self._ranked([hit for hit in self._bm25.retrieve(question) if hit.get_score() > 0.0])
        vector_hits = self._vector.retrieve(question)
        vector = self._ranked(vector_hits)
        cosine = {hit.node.node_id: _cosine(hit) for hit in vector_hits}
        fused = reciprocal_rank_fusion([bm25, vector], tie_key=self._order.__getitem__)
        bm25_rank = {pid: rank for rank, pid in enumerate(bm25, start=1)}
        vector_rank = {pid: rank for rank, pid in enumerate(vector, start=1)}
        return [
            ScoredPassage(
                passage=self._passages[pid],
                score=score,
                bm25_rank=bm25_rank.get(pid),
                vector_rank=vector_rank.get(pid),
                vector_score=cosine.get(pid),
            )
            for pid, score in fused[:k]
        ]

    def _ranked(self, hits: list[NodeWithScore]) -> list[str]:
        """Passage ids by score, equal scores in document order (neither retriever promises an order)."""
        ordered = sorted(hits, key=lambda hit: (-hit.get_score(), self._order[hit.node.node_id]))
        return [hit.node.node_id for hit in ordered]


def _cosine(hit: NodeWithScore) -> float:
    """Undo ChromaVectorStore's ``exp(-distance)``; with a cosine collection, distance = 1 - cosine."""
    return 1.0 + math.log(hit.get_score(raise_error=True))
