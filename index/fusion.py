"""Reciprocal rank fusion (Cormack et al., SIGIR 2009) of several rankings of passage ids.

Written here rather than using llama-index's ``QueryFusionRetriever``: that one
fuses nodes by ``node.hash`` (text plus metadata), and our BM25 nodes carry
``search_text`` while Chroma's carry the bare passage text, so one passage would
count as two; it also drops each retriever's rank, which callers report, and
breaks score ties by arrival order rather than by document position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

RRF_K = 60  # the constant of the paper: damps the weight of the very first ranks


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], tie_key: Callable[[str], int], k: int = RRF_K
) -> list[tuple[str, float]]:
    """Ids with their fused scores, best first: sum over rankings of 1 / (k + rank), rank from 1.

    Equal scores are ordered by ``tie_key`` (document order), so the result never
    depends on which retriever answered first.
    """
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], tie_key(pair[0])))
