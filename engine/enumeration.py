"""Lists announced by the text: "the following principles must be upheld:", "I wish to propose five points."

When the best evidence is such an announcement, the answer is the list that follows it,
so the engine quotes the first sentence of each item (its heading). This uses the
structure kept at ingest (each item passage carries its section) instead of hoping the
retriever ranks all items at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from engine import lexical
from ingest.passage import Passage

_ANNOUNCES = re.compile(
    r":\s*$|\b(following|two|three|four|five|six|seven|eight|nine|ten)\b(\s+\w+){0,2}\s+"
    r"(points|principles|proposals|steps|measures|ways|things|goals|priorities|areas|aspects)\b",
    re.IGNORECASE,
)


def announces_list(passage: Passage, end: int) -> bool:
    """Whether the sentence ending at ``end`` is the last of its passage and announces a list."""
    spans = passage.sentence_spans()
    if not spans or spans[-1][1] != end:
        return False
    start = spans[-1][0]
    return bool(_ANNOUNCES.search(passage.text[start:end]))


def list_items(lead: Passage, ordered: Sequence[Passage]) -> list[tuple[Passage, tuple[int, int]]]:
    """The items right after ``lead``: one (passage, first-sentence span) per section, in order."""
    after = [p for p in ordered if p.doc == lead.doc and p.position > lead.position]
    after.sort(key=lambda p: p.position)
    items: list[tuple[Passage, tuple[int, int]]] = []
    seen: set[str] = set()
    for passage in after:
        if not passage.section or passage.kind != "paragraph":
            break
        if passage.section in seen:
            continue  # a later window of the same item
        seen.add(passage.section)
        spans = passage.sentence_spans()
        if spans:
            items.append((passage, spans[0]))
    return items


_ORDINALS = {
    word: n
    for n, word in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split(), 1)
}
ORDINAL_WINDOW = 3  # the list's noun sits this close to the ordinal: "which principle comes third"


class Item(NamedTuple):
    """An item of an announced list: its passage, its first sentence's span, the announcing sentence."""

    passage: Passage
    span: tuple[int, int]
    lead: str  # "the following principles must be upheld:", with the words that describe the list


def ordinal_item(question: str, passages: Sequence[Passage]) -> Item | None:
    """The n-th item of a list the text announces, when the question asks for one by its rank.

    "Which principle comes third?" is answered by the third item after "the following
    principles must be upheld:", which neither retrieval nor sentence scoring can find
    (the item never says "third"; another list's "Third, ..." does). The announcing
    sentence must share a word near the ordinal with the question, so "the third point"
    picks the list of points.
    """
    words = lexical.words(question)
    at = _ordinal_at(words)
    if at < 0:
        return None
    terms = _near_ordinal(question, words, at)
    best: tuple[int, Item] | None = None
    for lead in sorted(passages, key=lambda p: (p.doc, p.position)):
        spans = lead.sentence_spans()
        if not spans or not announces_list(lead, spans[-1][1]):
            continue
        sentence = lead.text[spans[-1][0] : spans[-1][1]]
        shared = terms & set(lexical.content_terms(sentence))
        items = list_items(lead, passages)
        if shared and len(items) >= _ORDINALS[words[at]] and (best is None or len(shared) > best[0]):
            best = (len(shared), Item(*items[_ORDINALS[words[at]] - 1], sentence))
    return best[1] if best else None


def _ordinal_at(words: list[str]) -> int:
    """Index of the first ordinal word ("third"), or -1."""
    return next((i for i, word in enumerate(words) if word in _ORDINALS), -1)


def _near_ordinal(question: str, words: list[str], at: int) -> set[str]:
    """Content terms next to the ordinal at ``at``: the list's noun ("third principle")."""
    near = words[max(0, at - ORDINAL_WINDOW) : at] + words[at + 1 : at + 1 + ORDINAL_WINDOW]
    names = {w.lower() for w in re.findall(r"(?<=\w )[A-Z]\w*", question)}  # "the first World ... Conference"
    return set(lexical.content_terms(" ".join(w for w in near if w not in _ORDINALS and w not in names)))


def beyond_item(question: str, item: Item) -> set[str]:
    """What a question asks about an item besides naming it: {"room"} for "what does the fifth
    proposal say there can be no room for?", nothing for "which principle comes third?".

    Words of the sentence that announced the list describe the list, not something inside the
    item: "the third of the principles listed for transforming global internet governance"
    asks for the item itself.
    """
    words = lexical.words(question)
    at = _ordinal_at(words)
    if at < 0:
        return set()
    return (
        set(lexical.content_terms(question))
        - _near_ordinal(question, words, at)
        - set(lexical.content_terms(words[at]))
        - set(lexical.content_terms(item.lead))
    )
