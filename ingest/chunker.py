"""Turn a SourceDoc into passages: one per paragraph, sentence windows for long ones.

Paragraph-level passages keep ids readable and stable ('<slug>#p7'), which is what
a citation needs. Structure the retriever and verifier benefit from (title, date,
section, lead-in, linked footnotes) goes into ``context``; ``text`` is always the
exact source span.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ingest.footnotes import Marker, find_notes, note_body
from ingest.loader import SourceDoc
from ingest.passage import Passage
from ingest.sentences import split_sentences
from ingest.structure import (
    Paragraph,
    assign_sections,
    classify,
    clip,
    document_date,
    heading_label,
    split_paragraphs,
)

CHUNKER_VERSION = "4"  # bump on any change to ids, spans, kinds or context: it feeds the index fingerprint
MAX_CONTEXT = 400
_TITLE_MAX = 120
_NOTE_MAX = 150
_NOTE_TO_MAX = 200


def chunk(doc: SourceDoc, max_chars: int = 1000) -> list[Passage]:
    """Passages of ``doc`` in reading order; ``doc.text[p.start:p.end] == p.text`` for each."""
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    markdown = doc.suffix == ".md"
    paragraphs = split_paragraphs(doc.text, markdown)
    classify(paragraphs, markdown)
    notes, markers = find_notes(paragraphs)
    assign_sections(paragraphs, markdown)
    title = _doc_title(doc, paragraphs, markers)
    date = document_date(paragraphs)
    windows = [_windows(doc.slug, para, max_chars) for para in paragraphs]

    links: dict[str, list[str]] = defaultdict(list)  # passage id -> note passage ids
    note_texts: dict[str, list[str]] = defaultdict(list)  # passage id -> texts of its notes
    refs: dict[int, list[str]] = defaultdict(list)  # note paragraph index -> referring passage ids
    # note paragraph index -> (its marker, the sentence that carries the marker)
    note_to: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for marker in markers:
        para = paragraphs[marker.paragraph]
        ref = next(pid for pid, start, end in windows[marker.paragraph] if start <= marker.start < end)
        for index in notes[marker.key]:
            links[ref] += [pid for pid, _, _ in windows[index]]
            note_texts[ref].append(note_body(paragraphs[index].text))
            refs[index].append(ref)
            note_to[index].append((marker.key, _sentence_around(doc.text, para, marker)))

    passages = []
    for index, para in enumerate(paragraphs):
        for pid, start, end in windows[index]:
            context = _context(title, date, para, note_texts[pid], note_to[index])
            passages.append(
                Passage(
                    id=pid,
                    doc=doc.slug,
                    doc_title=title,
                    text=doc.text[start:end],
                    start=start,
                    end=end,
                    kind=para.kind,
                    position=len(passages),
                    section=para.section,
                    notes=tuple(dict.fromkeys(links[pid])),
                    refs=tuple(dict.fromkeys(refs[index])),
                    context=context,
                    page=doc.page_at(start),
                )
            )
    return passages


def _windows(slug: str, para: Paragraph, max_chars: int) -> list[tuple[str, int, int]]:
    """(id, start, end) of a paragraph, or of sentence windows of at most max_chars when it is longer.

    A sentence longer than max_chars gets a window of its own rather than being cut mid-sentence,
    so a quote never straddles two passages.
    """
    if para.end - para.start <= max_chars:
        return [(f"{slug}#p{para.n}", para.start, para.end)]
    spans: list[tuple[int, int]] = []
    for start, end in split_sentences(para.text):
        start, end = para.start + start, para.start + end
        if spans and end - spans[-1][0] <= max_chars:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    if len(spans) == 1:
        return [(f"{slug}#p{para.n}", *spans[0])]
    return [(f"{slug}#p{para.n}.{w}", start, end) for w, (start, end) in enumerate(spans, 1)]


def _doc_title(doc: SourceDoc, paragraphs: list[Paragraph], markers: list[Marker]) -> str:
    """The title line without footnote markers or '#', else a title made from the file name."""
    titles = [index for index, para in enumerate(paragraphs) if para.kind == "title"]
    if not titles:
        return doc.slug.replace("-", " ").capitalize()
    para = paragraphs[titles[0]]
    text = para.text
    for marker in sorted((m for m in markers if m.paragraph == titles[0]), key=lambda m: -m.start):
        text = text[: marker.start - para.start] + text[marker.end - para.start :]
    return heading_label(text.strip())


def _sentence_around(text: str, para: Paragraph, marker: Marker) -> str:
    """The sentence of ``para`` that holds the marker, with the marker itself left out."""
    offset = marker.start - para.start
    start, end = next((s, e) for s, e in split_sentences(para.text) if s <= offset < e)
    sentence = para.text[start:offset] + para.text[marker.end - para.start : end]
    return " ".join(sentence.split())


# Structural passages say what they are, so "what is the title?" or "what date is it?" finds them.
_KIND_LABELS = {"title": "Title of the document.", "date": "Date of the document."}


def _marker_name(key: str) -> str:
    """How readers name a note's marker: "the asterisk footnote", "note 1"; the marker alone is
    punctuation or a bare number that neither retriever can match."""
    return "* (asterisk footnote)" if key == "*" else f"{key} (footnote)"


def _context(title: str, date: str, para: Paragraph, notes: list[str], note_to: list[tuple[str, str]]) -> str:
    """Compact text for retrieval and verification; never shown as the quote."""
    parts = [_header(title, date)]
    if para.lead_in:
        parts.append(para.lead_in)
    if para.section:
        parts.append(f"Section: {_as_sentence(para.section)}")
    parts += [f"Note: {_as_sentence(clip(note, _NOTE_MAX))}" for note in dict.fromkeys(notes)]
    parts += [
        f"Note {_marker_name(key)} to: {clip(sentence, _NOTE_TO_MAX)}"
        for key, sentence in dict.fromkeys(note_to)
    ]
    if para.kind in _KIND_LABELS:
        parts.append(_KIND_LABELS[para.kind])
    return clip(" ".join(parts), MAX_CONTEXT)


def _header(title: str, date: str) -> str:
    """The sentence every passage's context starts with: the document's title and date."""
    short_title = clip(title, _TITLE_MAX)
    return f"{short_title.rstrip('.')} ({date})." if date else _as_sentence(short_title)


def own_context(passage: Passage) -> str:
    """The passage's context without the document header that all its document's passages share.

    A number there (the document's date) is no evidence that this passage states it: "given on
    December 16, 2015 [1]" must cite the date line, not a footnote whose header repeats it.
    """
    for date in ("", *re.findall(r"\(([^()]*)\)", passage.context[: _TITLE_MAX + 80])):
        header = _header(passage.doc_title, date)
        if passage.context.startswith(header):
            return passage.context[len(header) :].lstrip()
    return passage.context


def _as_sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!", "…")) else f"{text}."
