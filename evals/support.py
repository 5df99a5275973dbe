"""The evals' own deterministic support function, for ALCE-style citation precision and recall.

ALCE judges "does the cited text support this sentence?" with an NLI model; we use a
lexical stand-in that any run reproduces exactly: a sentence is supported when at least
``SUPPORT_SHARE`` of its stemmed content words occur in the cited passages. It is written
here, apart from the engine's verifier (engine/lexical.py, engine/verify.py), so a bug in
the code under test cannot also hide itself from the measurement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import Stemmer

SUPPORT_SHARE = 0.75  # share of a sentence's content words its citations must contain

_STOPWORDS = frozenset(
    """
    a an and are as at be been but by can could did do does for from had has have he her his how i if in
    into is it its itself may might must no nor not of on or our ours she should so such than that the
    their them then there these they this those to was we were what when where which while who whom why
    will with would you your also just only very more most all any both each other some same
    speech speaker text document says said
    """.split()
)  # the last line: words that name the source itself ("the speech says X" claims only X)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_MARKER = re.compile(r"\s*\[(\d+)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
_STEMMER = Stemmer.Stemmer("english")


def terms(text: str) -> set[str]:
    """Stemmed content words: lower-cased, possessive 's and stopwords dropped."""
    words = (w.lower().replace("’", "'").removesuffix("'s") for w in _WORD.findall(text))
    return {_STEMMER.stemWord(w) for w in words if w not in _STOPWORDS}


def supports(evidence: Iterable[str], sentence: str) -> bool:
    """Whether the evidence texts together hold enough of the sentence's content words."""
    wanted = terms(sentence)
    if not wanted:
        return False  # a sentence with no content claims nothing a citation could back
    have: set[str] = set().union(*(terms(text) for text in evidence))
    return len(wanted & have) >= SUPPORT_SHARE * len(wanted)


@dataclass(frozen=True)
class Statement:
    """One sentence of an answer's text with the marker numbers it carries."""

    text: str  # the sentence without its markers
    markers: tuple[int, ...]


def statements(answer_text: str) -> list[Statement]:
    """Split an answer's text into sentences, reading markers off the text itself.

    The text, not ``Answer.sentences``, is what the user sees, so transformations of it
    (stripped markers, an injected sentence) are measured as they would be read.
    """
    parts = [p for p in _SENTENCE_END.split(answer_text.strip()) if p.strip()]
    return [
        Statement(_MARKER.sub("", part).strip(), tuple(int(m) for m in _MARKER.findall(part)))
        for part in parts
    ]


@dataclass(frozen=True)
class CitationScore:
    """ALCE citation recall and precision of one answer (None when there is nothing to score)."""

    recall: float | None  # share of sentences their citations support
    precision: float | None  # share of (sentence, citation) pairs that are needed and valid


def score_citations(answer_text: str, cited: dict[int, str]) -> CitationScore:
    """ALCE's citation recall and precision with the lexical support function.

    ``cited`` maps each marker to the text it cites. A sentence counts for recall when
    its citations together support it (a sentence with none, or with unresolvable ones,
    does not). A citation of a supported sentence is precise unless it is superfluous:
    it does not support the sentence alone and the sentence stays supported without it.
    Citations of unsupported sentences are not precise.
    """
    found = statements(answer_text)
    if not found:
        return CitationScore(None, None)
    supported = 0
    pairs = precise = 0
    for statement in found:
        texts = [cited[m] for m in statement.markers if m in cited]
        whole = bool(texts) and supports(texts, statement.text)
        supported += whole
        pairs += len(statement.markers)
        if whole:
            precise += sum(
                supports([text], statement.text) or not supports(_without(texts, i), statement.text)
                for i, text in enumerate(texts)
            )
    return CitationScore(supported / len(found), precise / pairs if pairs else None)


def _without(texts: Sequence[str], index: int) -> list[str]:
    return [t for i, t in enumerate(texts) if i != index]
