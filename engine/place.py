"""Questions that point at a place in the document: "the very first sentence", "the closing paragraph".

The place is found by the document's order, not by similarity: "Which development does the
first sentence name first?" shares almost no words with that sentence, and "the first
sentence" must not be read as the first item of a list (see enumeration.ordinal_item).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from engine import lexical
from ingest.passage import Passage

# "the opening paragraph", "the final sentence", but not "the last sentence of the fourth proposal":
# that place is inside a list item, which the document's order alone cannot find.
_START = ("first", "opening")
_DOCUMENT = "speech|text|document|address|talk"  # what "the last sentence of the ..." may name
_PLACE = re.compile(
    rf"\b({'|'.join(_START + lexical.LAST_WORDS)})\s+(sentence|paragraph)s?\b"
    r"(?!\s+(?:of|in)\s+(?:the|this|that|its|his|her)\s+"
    rf"(?!(?:(?:main|whole|entire|full)\s+)?(?:{_DOCUMENT}|article|body)\b)\w)",
    re.IGNORECASE,
)


# "the opening", "the intro", "the conclusion" as a part of the text: its first or last paragraph
# (not "the opening ceremony", "opening up" or "the opening of the Second World Internet Conference").
_PART = re.compile(
    r"\b(?:the|its|his|her)\s+(?:(opening|intro|introduction)|(conclusion|ending|close))\b"
    rf"(?!\s*-?\s*(?:ceremony|up)\b|\s+of\s+(?!(?:the\s+|this\s+)?(?:{_DOCUMENT})\b))",
    re.IGNORECASE,
)


# "How does the speech end?", "How does the main body of the text wrap up?", "What does it open
# with?": the verb names the edge, and its sentence answers. Not "How does the speaker close the
# list?" (an object follows) nor "How does the fourth proposal end?" (a list item, which the
# document's order cannot find).
_EDGE_VERB = re.compile(
    r"\b(?:how|what)\s+(?:does|did|do)\s+(?:it|he|she|(?:the|this|that|his|her)\s+"
    rf"(?:(?:main\s+)?body\s+of\s+the\s+)?(?:{_DOCUMENT}|speaker))"
    r"\s+(?:actually\s+|finally\s+)?(?:(begin|start|open)|(end|finish|close|conclude|wrap\s+up))"
    r"(?=\s*(?:[?.!,;]|$)|\s+(?:with|on)\b)",
    re.IGNORECASE,
)


class Place(NamedTuple):
    """Where the question points: the start or the end of a document, by sentence or paragraph."""

    first: bool
    unit: str  # "sentence" | "paragraph"


def place_asked(question: str) -> Place | None:
    """The place the question names, or None."""
    match = _PLACE.search(question)
    if match:
        return Place(match.group(1).lower() in _START, match.group(2).lower())
    part = _PART.search(question)
    if part:
        return Place(bool(part.group(1)), "paragraph")
    edge = _EDGE_VERB.search(question)  # how a text begins or ends is its first or last sentence
    return Place(bool(edge.group(1)), "sentence") if edge else None


_PLACE_TERMS = frozenset(
    lexical.content_terms(
        " ".join(
            (
                *_START,
                *lexical.LAST_WORDS,
                "sentence paragraph intro introduction conclusion ending",
                "begin start open end finish close conclude wrap main body",
                _DOCUMENT.replace("|", " "),
            )
        )
    )
)


def beyond_place(question: str) -> set[str]:
    """What the question asks besides naming the place: nothing for "What does the last sentence say?"."""
    return set(lexical.content_terms(question)) - _PLACE_TERMS


def paragraph_at(document: Iterable[Passage], first: bool) -> list[Passage]:
    """The passages (a long paragraph's windows) of a document's first or last body paragraph, in order.

    Body paragraphs only: the title, the date line and the notes are not what "the opening
    paragraph" or "the closing sentence" of a speech means.
    """
    body = sorted((p for p in document if p.kind == "paragraph"), key=lambda p: p.position)
    if not body:
        return []
    edge = body[0 if first else -1].paragraph
    return [p for p in body if p.paragraph == edge]
