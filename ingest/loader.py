"""Read one source file into memory, refusing anything we could not cite faithfully.

Every refusal is an IngestError with a one-line message meant for the person who
picked the file, so the CLI can print it as is instead of a traceback.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ingest import formats
from ingest.errors import IngestError

TEXT_SUFFIXES = (".txt", ".md")  # the file itself is the text quotes are cut from
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".html", ".htm", ".pdf", ".docx")
MAX_BYTES = 5 * 1024 * 1024  # far above any speech or article; guards against dumps and mistakes
# PDF and DOCX carry fonts and images besides their text, so they get a larger allowance.
MAX_PACKED_BYTES = 50 * 1024 * 1024
_PACKED = (".pdf", ".docx")

@dataclass(frozen=True)
class SourceDoc:
    """A decoded source file; passage offsets index ``text`` exactly.

    For .txt/.md ``text`` is the file itself; for other formats it is the extracted text
    (see ingest.formats), which is what citations quote.
    """

    path: Path
    slug: str  # stable document id used in passage ids
    text: str  # the decoded file, newlines untouched, or the text extracted from it
    sha256: str  # of the raw bytes: tells an updated file from an unchanged one
    suffix: str  # lower-case, one of SUPPORTED_SUFFIXES
    pages: tuple[int, ...] = ()  # PDF only: offset in ``text`` where each page starts

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding ``offset``, or None for a document without pages."""
        if not self.pages:
            return None
        return sum(1 for start in self.pages if start <= offset) or 1


def slugify(stem: str) -> str:
    """Readable id from a file name: lower-case, runs of non-alphanumerics become one '-'."""
    return re.sub(r"[\W_]+", "-", stem.lower()).strip("-")


def load_document(path: Path | str) -> SourceDoc:
    """Load and validate a supported file; raise IngestError saying why it cannot be used."""
    path = Path(path)
    if not path.exists():
        raise IngestError(f"{path}: no such file")
    if path.is_dir():
        raise IngestError(f"{path}: is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise IngestError(f"{path}: unsupported file type '{path.suffix}' (supported: {supported})")
    slug = slugify(path.stem)
    if not slug:
        raise IngestError(f"{path}: the file name has no letters or digits to name the document by")
    try:
        size = path.stat().st_size
        limit = MAX_PACKED_BYTES if suffix in _PACKED else MAX_BYTES
        if size > limit:
            raise IngestError(f"{path}: {size:,} bytes is larger than the {limit:,}-byte limit")
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    text, pages = _text(raw, suffix, str(path))
    if not text.strip():
        raise IngestError(f"{path}: is empty")
    return SourceDoc(
        path=path, slug=slug, text=text, sha256=hashlib.sha256(raw).hexdigest(), suffix=suffix, pages=pages
    )


def _text(raw: bytes, suffix: str, name: str) -> tuple[str, tuple[int, ...]]:
    """The citable text of a file and its page starts (empty unless the format has pages)."""
    if suffix == ".pdf":
        return formats.pdf_text(raw, name)
    if suffix == ".docx":
        return formats.docx_text(raw, name), ()
    if suffix in (".html", ".htm"):
        return formats.html_text(raw, name), ()
    return formats.decode_text(raw, name), ()
