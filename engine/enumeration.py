"""Lists announced by the text: "the following principles must be upheld:", "I wish to propose five points."

When the best evidence is such an announcement, the answer is the list that follows it,
so the engine quotes the first sentence of each item (its heading). This uses the
structure kept at ingest (each item passage carries its section) instead of hoping the
retriever ranks all items at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from engine import lexical
from ingest.passage import Passage

_ANNOUNCES = re.compile(
    r":\s*$|\b(following|two|three|four|five|six|seven|eight|nine|ten)\b(\s+\w+){0,2}\s+"
    r"(points|principles|proposals|steps|measures|ways|things|goals|priorities|areas|aspects)\b",
    re.IGNORECASE,
)


class AnnouncedList(NamedTuple):
    """A list the text announces: the passage whose last sentence announces it, and its items."""

    lead: Passage
    sentence: tuple[int, int]  # the announcing sentence's span in lead.text
    items: tuple[tuple[Passage, tuple[int, int]], ...]  # per item: its passage, its first sentence's span

    @property
    def text(self) -> str:
        return self.lead.text[self.sentence[0] : self.sentence[1]]


def announced_lists(passages: Iterable[Passage]) -> dict[str, AnnouncedList]:
    """Every announced list, by the id of its lead passage, in document order.

    Finding them splits every passage into sentences: 2.7 s at 100k passages, so the engine
    does it once per index instead of once per question.
    """
    by_doc: dict[str, list[Passage]] = {}
    for passage in passages:
        by_doc.setdefault(passage.doc, []).append(passage)
    found: dict[str, AnnouncedList] = {}
    for doc in sorted(by_doc):
        ordered = sorted(by_doc[doc], key=lambda p: p.position)
        for at, lead in enumerate(ordered):
            spans = lead.sentence_spans()
            if spans and _ANNOUNCES.search(lead.text[spans[-1][0] : spans[-1][1]]):
                found[lead.id] = AnnouncedList(lead, spans[-1], _items(ordered[at + 1 :]))
    return found


def _items(after: Sequence[Passage]) -> tuple[tuple[Passage, tuple[int, int]], ...]:
    """The items at the start of ``after``: one (passage, first-sentence span) per section, in order."""
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
    return tuple(items)


_ORDINALS = {word: n for n, word in enumerate(lexical.ORDINALS, 1)}
# "The closing proposal", "the final principle": the rank is the list's length. These words
# have other uses ("the final mile"), so one counts only beside a noun that names list items.
_LAST = frozenset(lexical.LAST_WORDS)
_ITEM_NOUNS = frozenset(lexical.content_terms("point principle proposal step measure goal priority"))
# Words that ask for an item's heading itself: "what does the fifth proposal's heading say ...?"
_HEADING = frozenset("heading headline title".split())
ORDINAL_WINDOW = 3  # the list's noun sits this close to the ordinal: "which principle comes third"


class Item(NamedTuple):
    """An item of an announced list: its passage, its first sentence's span, the announcing sentence."""

    passage: Passage
    span: tuple[int, int]
    announcement: str  # "the following principles must be upheld:", with the words that describe the list


def _item_nouns(question: str) -> set[str]:
    """The nouns for list items the question uses: "principle" in "which principle comes third"."""
    return set(lexical.content_terms(question)) & _ITEM_NOUNS


def _named_lists(nouns: set[str], lists: Iterable[AnnouncedList]) -> list[AnnouncedList]:
    """The lists whose announcement uses one of ``nouns`` ("I wish to propose five points")."""
    return [announced for announced in lists if nouns & set(lexical.content_terms(announced.text))]


def _the_named_list(question: str, lists: Iterable[AnnouncedList]) -> AnnouncedList | None:
    """The one list the question names by its item noun; None when it names none, or several."""
    named = _named_lists(_item_nouns(question), lists)
    return named[0] if len(named) == 1 else None


# "Counting along the list of criminal uses ..., which is third?": a list the asker names by its
# contents, not an announced list of principles or proposals.
_INLINE_LIST = re.compile(r"\blist\s+of\s+((?:[\w'-]+\s+){0,3}[\w'-]+)", re.IGNORECASE)


def ordinal_item(question: str, lists: Iterable[AnnouncedList]) -> Item | None:
    """The n-th item of a list the text announces, when the question asks for one by its rank.

    "Which principle comes third?" is answered by the third item after "the following
    principles must be upheld:", which neither retrieval nor sentence scoring can find
    (the item never says "third"; another list's "Third, ..." does). The announcing
    sentence must share a word near the ordinal with the question, so "the third point"
    picks the list of points.
    """
    words = _rank_words(question)
    at = _ordinal_at(words)
    inline = _INLINE_LIST.search(question)
    if at < 0 or (inline and not _item_nouns(inline[1])):
        return None  # "the third in the list of criminal uses": a list inside a sentence
    terms = _near_ordinal(question, words, at)
    if words[at] in _LAST and not terms & _ITEM_NOUNS:
        return None
    best: tuple[int, Item] | None = None
    for announced in lists:
        rank = _ORDINALS.get(words[at], len(announced.items))
        shared = terms & set(lexical.content_terms(announced.text))
        if shared and len(announced.items) >= rank > 0 and (best is None or len(shared) > best[0]):
            best = (len(shared), Item(*announced.items[rank - 1], announced.text))
    return best[1] if best else None


# "point five", "proposal 2", "the 3rd principle": a rank said without an ordinal word.
_CARDINALS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_NUMBER = "|".join(_CARDINALS) + r"|10|[1-9]"
_NOUN_NUMBER = re.compile(
    rf"\b(point|principle|proposal|step|measure|goal|priority)\s+(?:number\s+|no\.?\s*)?({_NUMBER})\b", re.I
)
_NUMBERED = re.compile(r"\b(10|[1-9])(?:st|nd|rd|th)\b", re.IGNORECASE)


def _rank_words(question: str) -> list[str]:
    """The question's words with a rank said by number made an ordinal: "point five" -> "fifth point"."""

    def ordinal(number: str) -> str:
        return lexical.ORDINALS[int(number) - 1 if number.isdigit() else _CARDINALS.index(number.lower())]

    question = _NOUN_NUMBER.sub(lambda m: f"{ordinal(m.group(2))} {m.group(1)}", question)
    return lexical.words(_NUMBERED.sub(lambda m: ordinal(m.group(1)), question))


def _ordinal_at(words: list[str]) -> int:
    """Index of the first ordinal word ("third", "last"), or -1.

    "first in the principles and then in the proposals" orders the asker's steps: that "first"
    is an adverb, not a rank.
    """
    at = next((i for i, word in enumerate(words) if word in _ORDINALS or word in _LAST), -1)
    return -1 if at >= 0 and words[at] == "first" and "then" in words[at + 1 :] else at


def _near_ordinal(question: str, words: list[str], at: int) -> set[str]:
    """Content terms next to the ordinal at ``at``: the list's noun ("third principle")."""
    near = words[max(0, at - ORDINAL_WINDOW) : at] + words[at + 1 : at + 1 + ORDINAL_WINDOW]
    names = {w.lower() for w in re.findall(r"(?<=\w )[A-Z]\w*", question)}  # "the first World ... Conference"
    kept = (w for w in near if w not in _ORDINALS and w not in _LAST and w not in names)
    return set(lexical.content_terms(" ".join(kept)))


def beyond_item(question: str, item: Item) -> set[str]:
    """What a question asks about an item besides naming it: {"room"} for "what does the fifth
    proposal say there can be no room for?", nothing for "which principle comes third?".

    Words of the sentence that announced the list describe the list, not something inside the
    item: "the third of the principles listed for transforming global internet governance"
    asks for the item itself, and so does a question about its heading.
    """
    words = _rank_words(question)
    at = _ordinal_at(words)
    if at < 0 or _HEADING & set(words):
        return set()
    return (
        set(lexical.content_terms(question))
        - _near_ordinal(question, words, at)
        - set(lexical.content_terms(words[at]))
        - set(lexical.content_terms(item.announcement))
    )


# "Which of the four principles gets the longest write-up?": the item whose section is longest.
_LONGEST = r"longest|lengthiest|most\s+(?:space|words|room|detail)|(?:greatest|most)\s+length"
_SHORTEST = r"shortest|briefest|least\s+(?:space|words|room|detail)"
_SIZE = re.compile(rf"\b(?:({_LONGEST})|({_SHORTEST}))\b", re.IGNORECASE)


def sized_item(question: str, lists: Iterable[AnnouncedList], size: Callable[[Passage], int]) -> Item | None:
    """The longest or shortest item of the one list the question names, by ``size`` (its section's
    length): no similarity measure can tell which item the text spends most words on."""
    asked = _SIZE.search(question)
    announced = _the_named_list(question, lists) if asked else None
    if asked is None or announced is None:
        return None
    items = [Item(passage, span, announced.text) for passage, span in announced.items]
    return (max if asked[1] else min)(items, key=lambda item: size(item.passage))


# "Which of the numbered points sits in the middle of the list?": the centre item of an odd list.
_MIDDLE = re.compile(r"\b(middle|midpoint|centre|center|halfway)\b", re.IGNORECASE)


def middle_item(question: str, lists: Iterable[AnnouncedList]) -> Item | None:
    """The centre item of the one list the question names, when it asks for the middle one.

    Like an ordinal, "the middle" is a rank the item never states; an even list has no middle.
    """
    announced = _the_named_list(question, lists) if _MIDDLE.search(question) else None
    if announced is None or len(announced.items) % 2 == 0:
        return None
    passage, span = announced.items[len(announced.items) // 2]
    return Item(passage, span, announced.text)


# "Which principle is sandwiched between 'A' and 'B'?", "Which proposal comes directly after the
# one on the cyber economy?": an item found by its neighbours, whose headings the question names.
_BETWEEN = re.compile(r"\bbetween\s+(.+?)\s+and\s+(.+?)(?=[?.;]|$)", re.IGNORECASE)
_NEXT_TO = re.compile(
    r"\b(after|before|follows|precedes|following|preceding)\s+(.+?)(?=[?,.;]|\s+and\b|$)", re.IGNORECASE
)
_FORWARD = frozenset("after follows following".split())


def neighbour_item(question: str, lists: Iterable[AnnouncedList]) -> Item | None:
    """The item of a list the question names that sits next to, or between, items it describes.

    Neither retrieval nor sentence scoring can find it: the question's words are those of the
    neighbours' headings, not of the item asked for.
    """
    nouns = _item_nouns(question)
    between, beside = _BETWEEN.search(question), _NEXT_TO.search(question)
    if not nouns or not (between or beside):
        return None
    for announced in _named_lists(nouns, lists):
        headings = [set(lexical.content_terms(p.text[s:e])) for p, (s, e) in announced.items]
        if between:
            found = [_heading_of(between.group(g), headings) for g in (1, 2)]
            if None not in found and abs(found[0] - found[1]) == 2:
                return Item(*announced.items[min(found) + 1], announced.text)
        at = _heading_of(beside.group(2), headings) if beside else None
        if beside and at is not None:
            at += 1 if beside.group(1).lower() in _FORWARD else -1
            if 0 <= at < len(announced.items):
                return Item(*announced.items[at], announced.text)
    return None


def _heading_of(phrase: str, headings: list[set[str]]) -> int | None:
    """The index of the one heading sharing the most content words with the phrase, or None."""
    terms = set(lexical.content_terms(phrase)) - _ITEM_NOUNS
    shared = [len(terms & heading) for heading in headings]
    best = max(shared, default=0)
    return shared.index(best) if best and shared.count(best) == 1 else None


# "Which of the five proposals mentions the World Internet Conference?", "Under which principle is
# the UN Charter brought up?": a list's noun after which/what, singular or after "of the".
_WHAT_POINT = re.compile(r"\bwhat\s+point\b", re.IGNORECASE)
# "which of the five numbered proposals", "which of the speech's principles": up to three words
# after "of the" and a possessive.
_WHICH_ITEM = re.compile(
    r"\b(?:which|what(?:\s+(?:is|was)\s+the\s+(?:name|title|heading)\s+of\s+the)?)\s+(?:one\s+)?"
    r"(?:of\s+(?:the|his|its|these|those)\s+(?:\w+['’]s\s+)?(\w+(?:\s+\w+){0,2})|(?:numbered\s+)?(\w+))",
    re.IGNORECASE,
)


def lists_asked(
    question: str, lists: Iterable[AnnouncedList], by_number: bool = False
) -> list[AnnouncedList]:
    """The lists of which the question asks for one item by what the item says, not by its rank.

    "Which numbered proposal is the Broadband China strategy mentioned in?" names the list
    ("I wish to propose five points.") and a topic inside one of its items, which never calls
    itself a proposal. "What principles must be upheld?" (plural) asks for the whole list, and
    "the third principle" for an item by rank (see ordinal_item).
    """
    if _ordinal_at(_rank_words(question)) >= 0:
        return []
    nouns = _item_nouns(question) if by_number else set()
    for of_the, single in _WHICH_ITEM.findall(question):
        if of_the or not single.lower().endswith("s"):
            nouns |= set(lexical.content_terms(of_the or single)) & _ITEM_NOUNS  # not "which global trends"
    if _WHAT_POINT.search(question):
        nouns.discard("point")  # "What point is the saying used to make?" asks for an argument
    return _named_lists(nouns, lists)
