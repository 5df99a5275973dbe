"""The passage: the unit that is indexed, retrieved and cited.

A passage is an exact span of a source document. ``text`` is always
``source[start:end]``, so a citation can be checked against the file in one
click; everything added for retrieval lives in ``context``, never in ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.footnotes import note_body_start
from ingest.sentences import split_sentences


@dataclass(frozen=True)
class Passage:
    """One citable span of a document, with its place in the document's structure."""

    id: str  # stable and readable: "<doc slug>#p<paragraph>[.<window>]"
    doc: str  # document slug, derived from the file name
    doc_title: str  # the document's title line (first paragraph)
    text: str  # exactly source[start:end]
    start: int  # character offset into the decoded source text
    end: int
    kind: str  # "title" | "date" | "heading" | "paragraph" | "note" | "other"
    position: int  # order of the passage inside its document (0-based)
    section: str = ""  # the section the passage belongs to ("" when none)
    notes: tuple[str, ...] = field(default_factory=tuple)  # ids of notes its markers point to
    refs: tuple[str, ...] = field(default_factory=tuple)  # for notes: ids of passages that point here
    context: str = ""  # text used for retrieval and verification: title, section, linked notes
    page: int | None = None  # 1-based page of a PDF where the passage starts; None without pages

    def sentence_spans(self) -> list[tuple[int, int]]:
        """Sentence spans inside ``text``; a note's leading marker ("1 ") is left out of quotes."""
        skip = note_body_start(self.text) if self.kind == "note" else 0
        return [(skip + s, skip + e) for s, e in split_sentences(self.text[skip:])]

    @property
    def paragraph(self) -> str:
        """The number of the source paragraph ("7" for "<slug>#p7.2"): a long paragraph's windows share it."""
        return self.id.rsplit("#p", 1)[1].split(".")[0]

    @property
    def search_text(self) -> str:
        """What retrieval indexes: the passage plus its structural context."""
        return f"{self.context}\n{self.text}" if self.context else self.text
