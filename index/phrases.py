"""BM25 over adjacent word pairs: the ordered-bigram part of a sequential dependence model.

A passage that uses the question's words together ("the door of opening up") is better
evidence than one that merely holds them somewhere: Metzler and Croft's sequential
dependence model (SIGIR 2005) adds exactly this to word-level ranking. Across a large
library, many passages share a question's words, far fewer share its phrases.

Written here rather than as a second ``bm25s`` index: bm25s keeps a Python dict entry per
distinct token, and word pairs are nearly all distinct (6 million at 100k passages, about
700 MB of dict). Postings in two NumPy arrays take 12 bytes per pair occurrence.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from functools import cached_property

import bm25s
import numpy as np
import Stemmer

_WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s's own token pattern, so both rankings see the same words
_STOPWORDS = frozenset(bm25s.stopwords.STOPWORDS_EN)  # the list BM25Retriever(language="en") drops
K1, B = 1.5, 0.75  # bm25s's defaults, so word and phrase scores behave alike
# Shortest shared stem that makes two word forms one word: the stemmer keeps "hacker" and
# "hacking" ("hack") apart, yet they name one thing; "pro" is no kin of "promote".
KIN_PREFIX = 4


def phrase_words(text: str, stemmer: Stemmer.Stemmer) -> list[str]:
    """Stemmed non-stopwords in order: the units a phrase pairs up.

    Stopwords are skipped before pairing, so "door of opening" and "door to opening" match
    but "opening door" does not.
    """
    return stemmer.stemWords([w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS])


class PhraseIndex:
    """Word-pair postings of a fixed list of texts, ranked by BM25."""

    def __init__(self, texts: Iterable[str], stemmer: Stemmer.Stemmer) -> None:
        self._stemmer = stemmer
        self._word_ids: dict[str, int] = {}
        pairs: list[np.ndarray] = []
        for text in texts:
            words = phrase_words(text, stemmer)
            ids = np.array([self._word_ids.setdefault(w, len(self._word_ids)) for w in words], dtype=np.int64)
            pairs.append(ids[:-1] << 32 | ids[1:])  # one 64-bit key per pair, empty for < 2 words
        lengths = np.array([len(p) for p in pairs], dtype=np.float32)
        self._norm = K1 * (1 - B + B * lengths / max(float(lengths.mean()) if len(pairs) else 0.0, 1.0))
        self._count = len(pairs)
        keys = np.concatenate(pairs) if pairs else np.zeros(0, np.int64)
        owners = np.repeat(np.arange(len(pairs), dtype=np.int32), [len(p) for p in pairs])
        order = np.argsort(keys, kind="stable")
        self._keys, self._owners = keys[order], owners[order]

    @cached_property
    def _sorted_words(self) -> list[str]:
        return sorted(self._word_ids)

    def knows(self, stem: str) -> bool:
        """Whether some text uses the stemmed word, or a kin form (one stem starts the other).

        A stopword counts as known: it is never indexed, so its absence says nothing.
        """
        if stem in self._word_ids or stem in _STOPWORDS:
            return True
        words = self._sorted_words
        at = bisect_left(words, stem)
        if at < len(words) and words[at].startswith(stem) and len(stem) >= KIN_PREFIX:
            return True  # "hack" of "hacking" and the text's "hacker"
        return any(stem[:end] in self._word_ids for end in range(KIN_PREFIX, len(stem)))

    def _pair_ids(self, question: str) -> list[int]:
        """The question's word pairs that occur somewhere in the texts."""
        ids = [self._word_ids.get(w) for w in phrase_words(question, self._stemmer)]
        return [a << 32 | b for a, b in zip(ids, ids[1:], strict=False) if a is not None and b is not None]

    def ranked(self, question: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to ``k`` (text index, score) pairs, best first; only texts sharing a pair score.

        ``mask`` (1.0 keep, 0.0 drop, one per text) restricts the ranking to some texts.
        """
        scores = np.zeros(self._count, dtype=np.float32)
        for pair in set(self._pair_ids(question)):
            start, end = np.searchsorted(self._keys, [pair, pair + 1])
            if start == end:
                continue
            owners, tf = np.unique(self._owners[start:end], return_counts=True)
            idf = np.log(1 + (self._count - len(owners) + 0.5) / (len(owners) + 0.5))
            scores[owners] += idf * tf * (K1 + 1) / (tf + self._norm[owners])
        if mask is not None:
            scores *= mask
        found = np.flatnonzero(scores > 0)
        best = found[np.argsort(-scores[found], kind="stable")][:k]
        return [(int(i), float(scores[i])) for i in best]
