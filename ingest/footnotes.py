"""Footnotes: the note lines at the end of a document and the markers in the body that point at them.

A marker is only believed when a note with that marker exists, so years ('by 2020'),
names ('G20') and decimals never turn into footnote links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.structure import Paragraph, heading_label

_NOTE_LINE = re.compile(r"(\*|\[\d{1,2}\]|\d{1,2}\.?)\s+\S")
_NOTES_HEADINGS = frozenset({"notes", "note", "footnotes", "endnotes"})
_STAR_MARK = re.compile(r"(?<=[^\s*])\*(?![\w*])")  # 'Cyberspace*', not '**bold**' or 'a*b'
# Digits glued to a closing quote or sentence punctuation ('chaos."1'), or bracketed ('[1]').
_DIGIT_MARK = re.compile(r"(?<=[.?!,;:\"'”’)])(?P<glued>\d{1,2})(?!\w)|\[(?P<bracketed>\d{1,2})\]")


@dataclass(frozen=True)
class Marker:
    """A footnote marker in the body: absolute offsets, the note key it names, its paragraph index."""

    start: int
    end: int
    key: str
    paragraph: int


def note_body(text: str) -> str:
    """A note line without its leading marker ('1 Mo Zi.' -> 'Mo Zi.')."""
    return text[note_body_start(text) :].strip()


def note_body_start(text: str) -> int:
    """Offset where a note line's text begins after its marker (0 when there is no marker)."""
    match = _NOTE_LINE.match(text)
    if not match:
        return 0
    start = match.end(1)
    return start + len(text[start:]) - len(text[start:].lstrip())


def find_notes(paragraphs: list[Paragraph]) -> tuple[dict[str, list[int]], list[Marker]]:
    """Mark the document's notes (kind 'note'); return note paragraph indices by key, and the markers.

    Notes are note-shaped lines ('* ...', '1 ...', '[1] ...') in the run of lines that ends the
    document. One counts as a note when it follows a 'Notes' heading or the body has its marker;
    that keeps a closing bullet list or a numbered line from becoming a note.
    """
    area = _notes_area_start(paragraphs)
    candidates: dict[str, list[int]] = {}
    after_heading: set[int] = set()
    seen_heading = False
    for index in range(area, len(paragraphs)):
        text = paragraphs[index].text
        key = note_key(text)
        if _is_notes_heading(paragraphs[index]):
            seen_heading = True
        elif key:
            candidates.setdefault(key, []).append(index)
            if seen_heading:
                after_heading.add(index)
    markers = [m for index in range(area) for m in _markers(paragraphs[index], index) if m.key in candidates]
    referenced = {m.key for m in markers}
    notes: dict[str, list[int]] = {}
    for key, indices in candidates.items():
        for index in indices:
            if key in referenced or index in after_heading:
                paragraphs[index].kind = "note"
                notes.setdefault(key, []).append(index)
    return notes, markers


def _notes_area_start(paragraphs: list[Paragraph]) -> int:
    """Index of the first paragraph of the trailing run of notes, notes headings and trailers."""
    start = len(paragraphs)
    while start > 1:
        para = paragraphs[start - 1]
        if not (para.kind == "other" or note_key(para.text) or _is_notes_heading(para)):
            break
        start -= 1
    return start


def _is_notes_heading(para: Paragraph) -> bool:
    return para.kind == "heading" and heading_label(para.text).lower() in _NOTES_HEADINGS


def note_key(text: str) -> str | None:
    """'*' for a '* ' line, the number for '1 ', '1. ' or '[1] ' lines, else None."""
    match = _NOTE_LINE.match(text)
    if not match:
        return None
    marker = match.group(1).strip("[].")
    return marker if marker == "*" else str(int(marker))


def marker_keys(text: str) -> set[str]:
    """The note keys of the marker-shaped spots in a text ('chaos."1' -> {"1"}).

    Only a key whose note exists is a marker (see find_notes); callers match against their notes.
    """
    return {key for _, _, key in _spots(text)}


def _markers(para: Paragraph, index: int) -> list[Marker]:
    """Every marker-shaped spot in a paragraph, in order."""
    return [Marker(para.start + start, para.start + end, key, index) for start, end, key in _spots(para.text)]


def _spots(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of every marker-shaped spot in a text, in order."""
    found = [(m.start(), m.end(), "*") for m in _STAR_MARK.finditer(text)]
    for match in _DIGIT_MARK.finditer(text):
        glued = match.group("glued")
        if glued and match.start() >= 2 and text[match.start() - 2].isdigit():
            continue  # '1,000' or '3.5': the punctuation sits inside a number
        found.append((match.start(), match.end(), str(int(glued or match.group("bracketed")))))
    return sorted(found)
