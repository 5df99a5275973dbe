"""The document library: a plain folder of .txt/.md files that the index is built from.

Adding is all or nothing: every file is validated before any is copied, so a bad
file in a batch leaves the library exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ingest.loader import SUPPORTED_SUFFIXES, IngestError, SourceDoc, load_document, slugify


def list_documents(data_dir: Path) -> list[Path]:
    """The library's documents, sorted by name; sub-folders and hidden (temporary) files are ignored."""
    if not data_dir.is_dir():
        return []
    return sorted(
        path
        for path in data_dir.iterdir()
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith(".")
    )


def add_documents(paths: list[Path], data_dir: Path) -> list[tuple[Path, str]]:
    """Copy files into the library as '<slug><suffix>'; return (library path, 'added'|'updated'|'unchanged').

    Raises IngestError, copying nothing, if any file is invalid, two files would share a document id,
    or the library already holds that id under another file name.
    """
    docs = list({(doc.slug, doc.suffix, doc.sha256): doc for doc in map(load_document, paths)}.values())
    _check_ids(docs, data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    return [(data_dir / f"{doc.slug}{doc.suffix}", _copy(doc, data_dir)) for doc in docs]


def _check_ids(docs: list[SourceDoc], data_dir: Path) -> None:
    """Passage ids start with the slug, so one slug must mean one file in the library."""
    by_slug: dict[str, SourceDoc] = {}
    for doc in docs:
        other = by_slug.setdefault(doc.slug, doc)
        if other is not doc:
            raise IngestError(f"{other.path} and {doc.path} would both be stored as document '{doc.slug}'")
    for existing in list_documents(data_dir):
        doc = by_slug.get(slugify(existing.stem))
        if doc and existing.name != f"{doc.slug}{doc.suffix}":
            raise IngestError(f"{doc.path}: the library already has {existing.name}; remove it first")


def _copy(doc: SourceDoc, data_dir: Path) -> str:
    """Write the file atomically (temp file, then rename) unless an identical copy is there."""
    target = data_dir / f"{doc.slug}{doc.suffix}"
    status = "added"
    if target.exists():
        if hashlib.sha256(target.read_bytes()).hexdigest() == doc.sha256:
            return "unchanged"
        status = "updated"
    raw = doc.path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != doc.sha256:
        raise IngestError(f"{doc.path}: changed while it was being added; try again")
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=f".{doc.slug}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return status
