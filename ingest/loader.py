"""Read one source file into memory, refusing anything we could not cite faithfully.

Every refusal is an IngestError with a one-line message meant for the person who
picked the file, so the CLI can print it as is instead of a traceback.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".md")
MAX_BYTES = 5 * 1024 * 1024  # far above any speech or article; guards against dumps and mistakes


class IngestError(Exception):
    """A file that cannot be added, with a one-line human-readable reason."""


@dataclass(frozen=True)
class SourceDoc:
    """A decoded source file; passage offsets index ``text`` exactly."""

    path: Path
    slug: str  # stable document id used in passage ids
    text: str  # the decoded file, newlines untouched
    sha256: str  # of the raw bytes: tells an updated file from an unchanged one
    suffix: str  # lower-case, one of SUPPORTED_SUFFIXES


def slugify(stem: str) -> str:
    """Readable id from a file name: lower-case, runs of non-alphanumerics become one '-'."""
    return re.sub(r"[\W_]+", "-", stem.lower()).strip("-")


def load_document(path: Path | str) -> SourceDoc:
    """Load and validate a .txt or .md file; raise IngestError saying why it cannot be used."""
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
        if size > MAX_BYTES:
            raise IngestError(f"{path}: {size:,} bytes is larger than the {MAX_BYTES:,}-byte limit")
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if b"\x00" in raw:
        raise IngestError(f"{path}: is not UTF-8 text (it looks like a binary file)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path}: is not UTF-8 text (invalid byte at offset {exc.start})") from exc
    if not text.strip():
        raise IngestError(f"{path}: is empty")
    return SourceDoc(path=path, slug=slug, text=text, sha256=hashlib.sha256(raw).hexdigest(), suffix=suffix)
