"""Text out of HTML, PDF and DOCX files: the text that passages index and quotes are cut from.

A citation must be an exact substring of its document's text at the offsets it gives.
For these formats the *extracted* text is that text: extraction is deterministic for a
given file and extractor version, and ``EXTRACTOR_VERSION`` feeds the index fingerprint,
so an upgraded extractor (which could move offsets) rebuilds the index instead of
serving quotes that no longer match.

Paragraph structure is kept as blank lines, the separator the chunker splits on, so a
PDF page break or an HTML block never lands inside a passage.
"""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser
from importlib.metadata import version

from ingest.errors import IngestError

PARAGRAPH_BREAK = "\n\n"
# Bump _HTML_VERSION whenever the HTML extraction below changes its output.
_HTML_VERSION = "1"
EXTRACTOR_VERSION = f"html{_HTML_VERSION}-pypdf{version('pypdf')}-docx{version('python-docx')}"

# Elements whose text is never content a reader sees.
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object"})
# Elements that start a new paragraph (everything else flows inline).
_BLOCKS = frozenset(
    "address article aside blockquote body br dd details div dl dt figcaption figure footer form h1 h2 h3 "
    "h4 h5 h6 header hr li main nav ol p pre section summary table td th title tr ul".split()
)
_SPACES = re.compile(r"\s+")


class _HTMLText(HTMLParser):
    """Collects visible text as paragraphs: one per block element, whitespace collapsed as a browser does."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []
        self._skipping: list[str] = []  # open skipped elements; text inside any of them is dropped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            # <title> lives in <head> but names the document: it becomes the first paragraph.
            self._skipping = [t for t in self._skipping if t != "head"]
        if tag in _SKIPPED:
            self._skipping.append(tag)
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._skipping:
            del self._skipping[len(self._skipping) - 1 - self._skipping[::-1].index(tag)]
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._current.append(data)

    def _flush(self) -> None:
        text = _SPACES.sub(" ", "".join(self._current)).strip()
        if text:
            self.paragraphs.append(text)
        self._current = []

    def close(self) -> None:
        super().close()
        self._flush()


def html_text(raw: bytes, name: str) -> str:
    """Visible text of an HTML page, one paragraph per block; scripts, styles and <head> dropped."""
    parser = _HTMLText()
    parser.feed(decode_text(raw, name))
    parser.close()
    return PARAGRAPH_BREAK.join(parser.paragraphs)


def pdf_text(raw: bytes, name: str) -> tuple[str, tuple[int, ...]]:
    """The PDF's text layer and the offset where each page starts (page n starts at ``pages[n - 1]``).

    Pages without text keep their slot (so numbering matches the viewer) but add no characters.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        texts = [_tidy(page.extract_text() or "") for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise IngestError(f"{name}: is not a readable PDF ({exc})") from exc
    text, pages = "", []
    for page_text in texts:
        if page_text and text:
            text += PARAGRAPH_BREAK
        pages.append(len(text))
        text += page_text
    if not text.strip():
        raise IngestError(f"{name}: the PDF has no text layer (a scan?); only text PDFs can be cited")
    return text, tuple(pages)


def docx_text(raw: bytes, name: str) -> str:
    """The paragraphs of a Word document (tables excluded), one per blank-line separated block."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, ValueError, KeyError) as exc:
        raise IngestError(f"{name}: is not a readable .docx file ({exc})") from exc
    paragraphs = [_SPACES.sub(" ", p.text).strip() for p in document.paragraphs]
    return PARAGRAPH_BREAK.join(p for p in paragraphs if p)


def _tidy(page: str) -> str:
    """A page's text with trailing spaces and runs of blank lines reduced, so paragraphs stay apart."""
    lines = [line.rstrip() for line in page.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", PARAGRAPH_BREAK, "\n".join(lines)).strip()


def decode_text(raw: bytes, name: str) -> str:
    """UTF-8 text (a BOM is dropped); IngestError for binary or otherwise undecodable bytes."""
    if b"\x00" in raw:
        raise IngestError(f"{name}: is not UTF-8 text (it looks like a binary file)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{name}: is not UTF-8 text (invalid byte at offset {exc.start})") from exc
