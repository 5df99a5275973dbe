"""Sentence spans as offsets, so callers can cut exact quotes out of the source.

Rules over a model: the splitter runs at ingest and again in the answer verifier,
and both must agree byte for byte. A boundary is terminal punctuation (with any
closing quotes and a footnote marker glued to it) followed by whitespace and a
next word that does not start in lower case; known abbreviations, initials and
decimals are not boundaries. A blank line always is.
"""

from __future__ import annotations

import re

_TERMINATORS = re.compile(r"[.?!…]+")
_CLOSERS = "\"'”’)]»"
_MARKER = re.compile(r"\*{1,3}|\d{1,2}(?!\d)|\[\d{1,3}\]")  # footnote marker glued to the sentence end
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_INITIALISM = re.compile(r"(?:[a-z]\.)+[a-z]")  # e.g, i.e, u.s, a.m (the final dot is the terminator)

# Never end a sentence: they almost always precede a name or a word.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt vs cf al approx gen gov sen rep rev hon capt col lt sgt".split()
)
# End a sentence unless a number follows ("No. 5", "p. 12").
_NUMBER_ABBREVIATIONS = frozenset("no nos vol p pp fig art ch sec para".split())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of ``text``, whitespace-trimmed, in order.

    Together the spans hold every non-whitespace character of ``text`` exactly once.
    """
    cuts = {m.start() for m in _BLANK_LINE.finditer(text)}
    for match in _TERMINATORS.finditer(text):
        end = _sentence_end(text, match)
        if end is not None:
            cuts.add(end)
    spans = []
    start = 0
    for cut in [*sorted(cuts), len(text)]:
        span = trim_span(text, start, cut)
        if span:
            spans.append(span)
        start = cut
    return spans


def trim_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink [start, end) past surrounding whitespace; None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _sentence_end(text: str, match: re.Match[str]) -> int | None:
    """Where the sentence ending in this punctuation run stops, or None if it does not end here."""
    if match.group() == "." and _is_abbreviation(text, match.start()):
        return None
    end = match.end()
    while end < len(text) and text[end] in _CLOSERS:
        end += 1
    marker = _MARKER.match(text, end)
    # A digit right after a bare dot that follows a digit is a decimal ("3.5"), not a footnote.
    if marker and (end > match.end() or not text[match.start() - 1 : match.start()].isdigit()):
        end = marker.end()
    if end < len(text) and not text[end].isspace():
        return None
    following = _next_visible(text, end)
    if following < len(text) and text[following].islower():
        return None
    return end


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the dot at ``dot`` closes an abbreviation or an initial rather than a sentence."""
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot]
    lowered = word.lower()
    if lowered in _ABBREVIATIONS or _INITIALISM.fullmatch(lowered):
        return True
    if lowered in _NUMBER_ABBREVIATIONS:
        following = _next_visible(text, dot + 1)
        return following < len(text) and text[following].isdigit()
    return len(word) == 1 and word.isupper()


def _next_visible(text: str, pos: int) -> int:
    """Index of the first non-whitespace character at or after ``pos`` (len(text) if none)."""
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos
