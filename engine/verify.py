"""The verifier: every answer sentence is checked against the passages it cites.

Support is lexical and deterministic (so evals can reuse it as their support
function): the share of the sentence's content terms found in the passage and its
context, with every number of the sentence present in the source and the same
polarity (negated or not) as the quoted source sentence, and no name the source
lacks. A sentence without
supported citations is dropped from the answer; a sentence without markers, or with
wrong ones, is attributed to the retrieved passage that does support it, if any.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine import lexical
from engine.evidence import STRUCTURAL
from ingest.chunker import own_context
from ingest.passage import Passage
from ingest.sentences import split_sentences

_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
MIN_QUOTED_SHARE = 0.34  # share of a claim's terms that must be in the quoted words themselves
_LEADING_MARKERS = re.compile(r"^(\s*\[\d+(?:\s*,\s*\d+)*\])+\s*")
_NAME = re.compile(r"\b[A-Z][\w'-]*")
# A claim ending on a word no English sentence ends on was cut off midway by the model
# ("The principle of sovereign equality enshrined in the [1]."): every word is in the
# source, yet it states nothing whole.
_DANGLING = re.compile(r"\b(the|a|an|of|and|or|but|with|from|by|whose|their|our|its)\W*$", re.IGNORECASE)
_NEGATION = re.compile(r"\b(no|not|never|cannot|nor|none|neither|nothing)\b|n't\b", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """A draft sentence with the marker numbers the LLM attached to it."""

    text: str
    markers: tuple[int, ...]


@dataclass(frozen=True)
class Verdict:
    """The verifier's decision for one claim."""

    claim: Claim
    passage: Passage | None  # the supporting passage, None when unsupported
    quote: tuple[int, int]  # span inside passage.text that supports the claim
    support: float

    @property
    def supported(self) -> bool:
        return self.passage is not None


def parse_claims(draft: str) -> list[Claim]:
    """Split a draft into sentences and pull out their markers.

    A marker belongs to the sentence it is attached to: one written after a full stop
    ("... village. [3]") closes the sentence before it; one opening a line ("[1] Security
    ...", as small models write) opens the sentence after it.
    """
    claims: list[Claim] = []
    for line in draft.splitlines():
        line = line.strip()
        leading = _MARKERS.match(line)
        pending = _numbers(leading.group(1)) if leading else ()
        body = line[leading.end() :] if leading else line
        for start, end in split_sentences(body):
            sentence = body[start:end]
            opening = _LEADING_MARKERS.match(sentence)
            if opening and claims and start > 0:  # "[1]" right after the previous full stop
                last = claims[-1]
                claims[-1] = Claim(last.text, last.markers + _numbers(opening.group(0)))
                sentence = sentence[opening.end() :]
            markers = pending + _numbers(" ".join(m.group(1) for m in _MARKERS.finditer(sentence)))
            text = " ".join(_MARKERS.sub(" ", sentence).split())
            text = re.sub(r"\s+([.,;:!?])", r"\1", text)
            if text:
                claims.append(Claim(text, markers))
            elif markers and claims:
                last = claims[-1]
                claims[-1] = Claim(last.text, last.markers + markers)
            pending = ()
    return claims


def _numbers(group: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", group))


def support(claim: str, passage: Passage, question: str = "") -> tuple[float, tuple[int, int]]:
    """How well a passage supports a claim (0..1), and the span of the passage to quote.

    0.0 when the claim has no content words (filler such as "The answer is."), is cut off
    midway (see _DANGLING), uses a word that neither the quote nor the question has, names
    a number or name the source lacks, rests mostly on context rather than on the quoted
    words, or flips the quote's polarity.
    """
    terms = lexical.content_terms(claim)
    if not any(t.isalpha() for t in terms) or _DANGLING.search(claim):  # "1", "The answer is."
        return 0.0, (0, 0)
    span = best_span(terms, passage)
    quoted = passage.text[span[0] : span[1]]
    # Recall over the quoted sentence(s), not the whole passage: words gathered from all over
    # a paragraph ("a global initiative") make a claim the paragraph never states. A note,
    # date or title means something only with its context ("1 Mo Zi." is the source of the
    # saying); a paragraph's context (title, section) must not prop up a claim.
    context = passage.context if passage.kind in STRUCTURAL else ""
    quoted_terms = set(lexical.content_terms(quoted))
    supported_terms = quoted_terms | set(lexical.content_terms(context))
    score = lexical.recall(terms, supported_terms)
    if set(terms) - supported_terms - set(lexical.content_terms(question)):
        score = 0.0  # a word neither the source nor the asker used is a new claim ("actor")
    if lexical.recall(terms, quoted_terms) < MIN_QUOTED_SHARE:
        score = 0.0  # the context may explain a short note, but the quote must carry the claim
    if not lexical.numbers(claim) <= lexical.numbers(f"{quoted} {own_context(passage) if context else ''}"):
        score = 0.0
    if bool(_NEGATION.search(claim)) != bool(_NEGATION.search(quoted)):
        score = 0.0
    if _new_names(claim, passage):
        score = 0.0
    return score, span


def _new_names(claim: str, passage: Passage) -> set[str]:
    """Capitalised words of the claim that the passage never uses: invented names ("Confucius").

    A capitalised function word ("The", "It") opening a sentence is no name.
    """
    known = set(lexical.words(passage.text)) | set(lexical.words(passage.context))
    names = {n for n in _NAME.findall(claim) if n.lower() not in lexical.STOPWORDS}
    return {n for n in names if n.lower() not in known}


def best_span(terms: list[str], passage: Passage) -> tuple[int, int]:
    """The source sentence sharing most terms with the claim (earliest on ties).

    A claim that fuses two adjacent sentences gets both when that adds terms.
    """
    text = passage.text
    spans = passage.sentence_spans() or [(0, len(text))]
    wanted = set(terms)
    overlaps = [len(wanted & set(lexical.content_terms(text[s:e]))) for s, e in spans]
    best = max(range(len(spans)), key=lambda i: (overlaps[i], -i))
    start, end = spans[best]
    for neighbour in (best - 1, best + 1):
        if 0 <= neighbour < len(spans):
            s, e = spans[neighbour]
            merged = set(lexical.content_terms(text[min(s, start) : max(e, end)]))
            if len(wanted & merged) > overlaps[best] and overlaps[neighbour] > 0:
                start, end = min(s, start), max(e, end)
                break
    return start, end


def verify(
    claims: Sequence[Claim],
    cited: dict[int, Passage],
    candidates: Sequence[Passage],
    threshold: float,
    question: str = "",
) -> list[Verdict]:
    """Judge each claim: its own citations first, then any retrieved passage that supports it.

    A claim that only restates the question ("The speech says no country should pursue in
    cyberspace") is true of the passage yet answers nothing, so it is not kept either.
    """
    asked = set(lexical.content_terms(question))
    verdicts = []
    for claim in claims:
        if question and set(lexical.content_terms(claim.text)) <= asked:
            verdicts.append(Verdict(claim, None, (0, 0), 0.0))
            continue
        own = [cited[m] for m in claim.markers if m in cited]
        others = [p for p in candidates if p not in own]
        verdict = Verdict(claim, None, (0, 0), 0.0)
        for passage in [*own, *others]:
            score, span = support(claim.text, passage, question)
            if score >= threshold and score > verdict.support:
                verdict = Verdict(claim, passage, span, score)
            if verdict.supported and passage in own:
                break  # the cited passage suffices: keep the model's own citation
        verdicts.append(verdict)
    return verdicts
