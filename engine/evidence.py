"""Evidence: the source sentences inside the retrieved passages, scored against the question.

The LLM gets these sentences instead of whole passages (a 135M model reads short
prompts faster and strays less), the extractive fallback quotes them, and the
refusal decision weighs them. Every sentence keeps its offsets inside its passage,
so whatever quotes it quotes the source exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine import lexical
from engine.question import WH_WORD, Ask, anchor_phrases, has_kind, holds, parse, specifies
from ingest.passage import Passage

Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Evidence:
    """One source sentence of a retrieved passage, with how well it matches the question."""

    passage: Passage
    rank: int  # retrieval rank of its passage, 0-based
    start: int  # offsets inside passage.text
    end: int
    lexical: float  # weighted share of the question's content terms found here
    cosine: float  # embedding similarity with the question
    typed: bool  # holds the kind of fact the question asks for (a date for "when")
    focused: bool  # its passage mentions what the question must have named ("city" in "which city")
    labeled: bool  # its passage is what the question calls the answer ("problem" in "what problem", a note)
    score: float
    # The sentence itself uses the question's focus noun ("convention" in "what sort of
    # international convention", "outcomes" in "chances for what kind of outcomes"): among a
    # labeled passage's sentences, that one answers.
    names: bool = False
    pinned: bool = False  # found by the text's structure, not by similarity alone (see pinned())
    # The start of the sentence before, when this one leans on it (see readings()); else None.
    read_from: int | None = None

    @property
    def eligible(self) -> bool:
        """Could answer the question: right kind of fact, about the right thing."""
        return self.typed and self.focused

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]

    @property
    def marker_text(self) -> str:
        """What the LLM and the embedder see: structural passages need their context to mean anything."""
        return with_context(self.passage, self.text)


STRUCTURAL = frozenset({"note", "date", "title", "heading"})


def with_context(passage: Passage, sentence: str) -> str:
    """A note ("1 Mo Zi."), a date or a title says nothing alone; with its context it does."""
    return f"{sentence} ({passage.context})" if passage.kind in STRUCTURAL and passage.context else sentence


# A sentence that leans on the one before it: a pointer among its first three words ("To this
# end, I wish to propose five points.") or "such" ("... remain immune from such challenge.").
_LEANS_BACK = re.compile(
    r"^\W*(?:\w+\W+){0,2}?(this|these|those|it|its|they|their)\b"
    r"|\bsuch\b(?!(\s+\w+){0,2}\s+as\b)",  # not "such problems as ...": that names what it means
    re.IGNORECASE,
)


def readings(passage: Passage) -> list[tuple[int, int, int]]:
    """Each sentence of the passage as (start, end, read_from).

    ``read_from`` is the start of the sentence before when this one leans on it, else
    ``start``: the sentence is scored on that stretch (an extractive answer quotes both
    sentences, each on its own span; see engine._extract). Alone, "To this end,
    I wish to propose five points." scores 0.34 against "How many proposals does the speaker
    put forward for a community of shared future in cyberspace?"; read with the sentence
    that says what "this end" is, 0.60.
    """
    spans = passage.sentence_spans()
    return [
        (start, end, spans[i - 1][0] if i and _LEANS_BACK.search(passage.text[start:end]) else start)
        for i, (start, end) in enumerate(spans)
    ]


# "this strategy", "these measures": a demonstrative and the noun it points with.
_DEMONSTRATIVE = re.compile(r"\b(?:this|that|these|those)\s+([^\W\d_]+)", re.IGNORECASE)
# How many sentences back the noun of a demonstrative is looked for.
ANTECEDENT_REACH = 3


def antecedent(passage: Passage, start: int) -> tuple[int, int] | None:
    """The span of the earlier sentence that names what a demonstrative in this one points at.

    "The 'last kilometer' ... will be linked up thanks to this strategy" never says which
    strategy; two sentences earlier, "China is now implementing the Broadband China strategy."
    does, and "Which strategy is that?" needs the name. The sentence is still scored alone:
    the sentences between would otherwise lend it words it does not have.
    """
    spans = passage.sentence_spans()
    at = next((i for i, span in enumerate(spans) if span[0] == start), 0)
    nouns = {
        term
        for match in _DEMONSTRATIVE.finditer(passage.text[slice(*spans[at])] if spans else "")
        for term in lexical.content_terms(match.group(1))
    }
    for earlier in range(at - 1, max(at - ANTECEDENT_REACH, 0) - 1, -1):
        if nouns & set(lexical.content_terms(passage.text[slice(*spans[earlier])])):
            return spans[earlier]
    return None


def _lexical(question_terms: list[str], sentence_terms: set[str], context_terms: set[str]) -> float:
    """Question-term recall where a term found only in the passage's context counts half."""
    distinct = set(question_terms)
    if not distinct:
        return 0.0
    in_sentence = distinct & sentence_terms
    in_context = (distinct - in_sentence) & context_terms
    return (len(in_sentence) + 0.5 * len(in_context)) / len(distinct)


# How far below the best score a sentence whose passage uses a preferred label ("what remedy")
# may sit and still come first.
LABEL_MARGIN = 0.1


@dataclass(frozen=True)
class Weights:
    """How a sentence's score mixes its signals (tuned on the development set)."""

    cosine: float = 0.45  # sentence embedding vs question
    lexical: float = 0.2  # question terms found in the sentence (context counts half)
    passage_rank: float = 0.05  # bonus 1/(1+rank) for the passage's retrieval rank


def gather(
    question: str, passages: Sequence[Passage], embed: Embed, weights: Weights = Weights()
) -> list[Evidence]:
    """Every sentence of the passages, best first: eligible, labeled, holding the question's
    anchor phrases (see anchor_phrases), naming its focus, then by score.

    (Weighting sentences by their passage's fused retrieval score was tried and lowered
    gold-passage accuracy on the development set; only the rank keeps a small bonus.)
    """
    ask = parse(question)
    spans = [(rank, p, s, e, r) for rank, p in enumerate(passages) for s, e, r in readings(p)]
    if not spans:
        return []
    vectors = embed([question] + [with_context(p, p.text[r:e]) for _, p, _, e, r in spans])
    cosines = vectors[1:] @ vectors[0]
    terms = {p.id: _passage_terms(p) for p in passages}  # once per passage, not per sentence
    found = [
        _score(ask, question, rank, passage, (start, end, read), float(cosine), weights, *terms[passage.id])
        for (rank, passage, start, end, read), cosine in zip(spans, cosines, strict=True)
    ]
    anchors = anchor_phrases(question)
    best = max((e.score for e in found if e.eligible), default=0.0)

    def preferred(e: Evidence) -> bool:
        """A label the question requires (a note, "which city") always counts; one it merely
        prefers ("what larger benefit", "what overall goal") only near the best score: the
        text's "mutual benefit" or "the goal of security" is the same word, not the thing."""
        return e.labeled and (ask.about_note or ask.identifies or e.score >= best - LABEL_MARGIN)

    found.sort(
        key=lambda e: (
            not e.eligible,
            not preferred(e),
            not holds(e.text, anchors),  # the text's own words, repeated by the asker
            not (e.names and preferred(e)),
            -e.score,
            e.rank,
            e.start,
        )
    )
    return found


def _passage_terms(passage: Passage) -> tuple[set[str], set[str]]:
    """Content terms of a passage's context, and of its text and context together."""
    context_terms = set(lexical.content_terms(passage.context))
    return context_terms, set(lexical.content_terms(passage.text)) | context_terms


# A sentence this similar to the question is about its topic even when it shares few of its words:
# "For my article I need the official name of the national broadband programme the speaker says
# China is carrying out" has more words of the asker's errand than of the topic. Only for a name:
# counts and dates are everywhere ("To this end, I wish to propose five points" is as similar to
# "How often should countries meet under the improved dialogue mechanisms?").
TOPICAL_COSINE = 0.6

# A sentence holding at least this many of the question's other terms, and all of them,
# needs no mention of the focus noun.
FOCUS_FREE_TERMS = 3


def _focused(ask: Ask, passage_terms: set[str], sentence_terms: set[str]) -> bool:
    """Whether the passage mentions the question's focus, or the sentence matches all the rest.

    The focus noun is often the asker's label for the answer, not the text's word: "Which
    global trends make the internet play a bigger role in human civilization?" is answered
    by a sentence that has every other word of the question and lists the trends without
    calling them that. A question naming a thing the text never gives ("Which government
    body organized the conference?") leaves more than its focus unmatched.
    """
    if not ask.identifies or set(ask.focus) <= passage_terms:
        return True
    others = set(ask.terms) - set(ask.focus)
    return len(others) >= FOCUS_FREE_TERMS and others <= sentence_terms


def _specified(ask: Ask, question: str, sentence: str, sentence_terms: set[str]) -> bool:
    """Whether a sentence can answer "which specific X": it says which X, or names something.

    A sentence that uses the noun without saying which ("hacker attacks against government
    networks") answers no "which particular hacker attack"; nor do its neighbours that do not
    use the noun and name nothing ("Cyber security poses a global challenge").
    """
    if set(ask.focus) <= sentence_terms:
        return specifies(ask.focus, sentence, question)
    return has_kind("name", sentence, question)


def _score(
    ask: Ask,
    question: str,
    rank: int,
    passage: Passage,
    reading: tuple[int, int, int],
    cosine: float,
    weights: Weights,
    context_terms: set[str],
    passage_terms: set[str],
) -> Evidence:
    start, end, read_from = reading
    sentence = passage.text[read_from:end]
    sentence_terms = set(lexical.content_terms(sentence))
    lex = _lexical(list(ask.terms), sentence_terms, context_terms) if ask.terms else cosine
    return Evidence(
        passage=passage,
        rank=rank,
        start=start,
        end=end,
        lexical=lex,
        cosine=cosine,
        # A date or count answers only when it sits in a sentence about the question's topic.
        typed=has_kind(ask.kind, sentence, question)
        and (
            not ask.kind
            or not ask.topic
            or _lexical(list(ask.topic), sentence_terms, context_terms) >= 0.3
            or (ask.kind == "name" and cosine >= TOPICAL_COSINE)
        )
        and not (ask.specific and ask.focus and not _specified(ask, question, sentence, sentence_terms))
        # "Per the Mo Zi quotation, what feeling plunges the world into chaos?": the note "Mo Zi."
        # only repeats the question, so it answers no wh-question (it still confirms a yes/no one,
        # and a question about the note itself, "the line right after the note naming Mo Zi").
        and not (
            passage.kind == "note"
            and not ask.about_note
            and sentence_terms <= set(ask.terms)
            and WH_WORD.search(question)
        ),
        # The asker pointed at this sentence by quoting it ("the 'global scourge' sentence") or
        # saying its words recur: the focus noun ("which cyber threat") is their label for what
        # the sentence lists. ("Besides Mo Zi, which other philosopher" points away from its
        # phrase: not a pointer.)
        focused=_focused(ask, passage_terms, sentence_terms | context_terms) or holds(sentence, ask.pointed),
        labeled=passage.kind == "note" if ask.about_note else set(ask.focus) <= passage_terms,
        score=weights.cosine * cosine + weights.lexical * lex + weights.passage_rank / (1 + rank),
        names=bool(ask.focus) and set(ask.focus) <= sentence_terms,
        read_from=read_from if read_from < start else None,
    )


def pinned(passage: Passage, span: tuple[int, int]) -> Evidence:
    """Evidence found by the text's structure (the n-th item of a list), not by similarity.

    It answers outright, so it is eligible and scores the maximum.
    """
    start, end = span
    return Evidence(
        passage, 0, start, end, 1.0, 1.0,
        typed=True, focused=True, labeled=True, score=1.0, names=True, pinned=True,
    )  # fmt: skip
