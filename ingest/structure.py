"""Paragraphs and their roles (title, date, heading, list item, ...) from plain text or markdown.

Speeches and articles arrive as one-paragraph-per-line text or as blank-line
separated prose; both are read without a parser so that every paragraph stays an
exact span of the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.sentences import split_sentences, trim_span

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_LINE = re.compile(r"[^\n]+")
_MD_HEADING = re.compile(r"(#{1,6})\s+(\S.*)")
_LIST_ITEM = re.compile(r"(?:[–•-]\s+|—\s*)")
_ORDINAL = re.compile(
    r"(?:(?:First|Second|Third|Fourth|Fifth)(?:ly)?|Sixth|Seventh|Eighth|Ninth|Tenth|Finally|Lastly)\s*,"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    rf"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{4}}"
    r"|\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2})\.?",
    re.IGNORECASE,
)
_TITLE_MAX = 200
_HEADING_MAX = 80
_SECTION_MAX = 150
_LEAD_IN_MAX = 200


@dataclass
class Paragraph:
    """A paragraph being classified; ``n`` is its 1-based number in the document."""

    n: int
    start: int
    end: int
    text: str
    kind: str = "paragraph"
    section: str = ""
    lead_in: str = ""  # for list items: the paragraph ending in ':' that introduces the list


def split_paragraphs(text: str, markdown: bool) -> list[Paragraph]:
    """Blank-line separated blocks if the text has blank lines, else one paragraph per line.

    In markdown a heading line is always a paragraph of its own and each list item starts one,
    even without blank lines around them.
    """
    splitter = _BLANK_LINE if _BLANK_LINE.search(text) else re.compile(r"\n")
    blocks, start = [], 0
    for match in splitter.finditer(text):
        blocks.append((start, match.start()))
        start = match.end()
    blocks.append((start, len(text)))
    if markdown:
        blocks = [piece for block in blocks for piece in _split_markdown_block(text, *block)]
    spans = [span for block in blocks if (span := trim_span(text, *block))]
    return [Paragraph(n, start, end, text[start:end]) for n, (start, end) in enumerate(spans, 1)]


def _split_markdown_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a markdown block so that each '#' line is a piece and each list item starts one."""
    pieces, pending = [], start
    for line in _LINE.finditer(text, start, end):
        stripped = line.group().strip()
        if _MD_HEADING.fullmatch(stripped):
            pieces += [(pending, line.start()), line.span()]
            pending = line.end()
        elif _LIST_ITEM.match(stripped):
            pieces.append((pending, line.start()))
            pending = line.start()
    return [*pieces, (pending, end)]


def heading_label(text: str) -> str:
    """The words of a heading: no '#' marks, no trailing colon, whitespace collapsed."""
    match = _MD_HEADING.fullmatch(text)
    if match:
        text = re.sub(r"\s+#+$", "", match.group(2))
    return " ".join(text.split()).rstrip(":")


def classify(paragraphs: list[Paragraph], markdown: bool) -> None:
    """Set each paragraph's kind from its own text (notes are found later, from the whole document)."""
    for index, para in enumerate(paragraphs):
        para.kind = _kind(para.text, index == 0, markdown)


def _kind(text: str, first: bool, markdown: bool) -> str:
    heading = _MD_HEADING.fullmatch(text) if markdown else None
    if heading:
        return "title" if first and heading.group(1) == "#" else "heading"
    if _DATE.fullmatch(text):
        return "date"
    if first and len(text) < _TITLE_MAX and not text.endswith((".", ":", ";", ",")):
        return "title"
    if text.startswith("(") and text.endswith(")"):
        return "other"
    if _looks_like_heading(text):
        return "heading"
    return "paragraph"


def _looks_like_heading(text: str) -> bool:
    """A short single line with no final punctuation, such as 'Notes' or 'Introduction'."""
    return (
        "\n" not in text
        and len(text) <= _HEADING_MAX
        and not text.endswith((".", ",", ";", ":", "!", "?", '"', "'", "”", "’", ")"))
        and not _LIST_ITEM.match(text)
    )


def assign_sections(paragraphs: list[Paragraph], markdown: bool) -> None:
    """List items and ordinal paragraphs name their own section; markdown headings name what follows."""
    current = ""
    for index, para in enumerate(paragraphs):
        if markdown and para.kind == "heading" and _MD_HEADING.fullmatch(para.text):
            current = heading_label(para.text)
            para.section = current
        elif para.kind == "paragraph" and (dash := _LIST_ITEM.match(para.text)):
            para.section = _first_sentence(para.text, dash.end())
            para.lead_in = _lead_in(paragraphs, index)
        elif para.kind == "paragraph" and _ORDINAL.match(para.text):
            para.section = _first_sentence(para.text, 0)
        elif para.kind != "title":
            para.section = current


def _first_sentence(text: str, skip: int) -> str:
    """The first sentence after ``skip`` characters, without its final period, clipped for context."""
    rest = text[skip:]
    sentences = split_sentences(rest)
    if not sentences:  # a bare dash
        return ""
    start, end = sentences[0]
    return clip(" ".join(rest[start:end].split()).rstrip("."), _SECTION_MAX)


def _lead_in(paragraphs: list[Paragraph], index: int) -> str:
    """The paragraph ending in ':' just before the list that item ``index`` belongs to."""
    while index > 0 and _LIST_ITEM.match(paragraphs[index - 1].text):
        index -= 1
    before = paragraphs[index - 1].text if index > 0 else ""
    return clip(" ".join(before.split()), _LEAD_IN_MAX) if before.endswith(":") else ""


def document_date(paragraphs: list[Paragraph]) -> str:
    """The text of the first date line, or '' when the document has none."""
    return next((" ".join(p.text.split()).rstrip(".") for p in paragraphs if p.kind == "date"), "")


def clip(text: str, limit: int) -> str:
    """Shorten to at most ``limit`` characters at a word boundary, marking the cut with '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"
