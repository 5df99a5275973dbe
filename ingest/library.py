"""The document library: a plain folder of documents (see loader.SUPPORTED_SUFFIXES) the index is built from.

Adding is all or nothing: every file is validated before any is copied, so a bad
file in a batch leaves the library exactly as it was. A file whose bytes the library
already holds under another name is not copied: it would only double every citation.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ingest.loader import SUPPORTED_SUFFIXES, IngestError, SourceDoc, load_document, slugify


def list_documents(data_dir: Path) -> list[Path]:
    """The library's documents, sorted by name; sub-folders and hidden (temporary) files are ignored.

    So are symbolic links: `ingest` copies bytes, so a link was planted by hand and may point anywhere.
    """
    if not data_dir.is_dir():
        return []
    return sorted(
        path
        for path in data_dir.iterdir()
        if path.is_file()
        and not path.is_symlink()
        and path.suffix.lower() in SUPPORTED_SUFFIXES
        and not path.name.startswith(".")
    )


def add_documents(paths: list[Path], data_dir: Path) -> list[tuple[Path, str]]:
    """Copy files into the library as '<slug><suffix>'.

    Returns (library path, status) per file: 'added', 'updated', 'unchanged', or 'duplicate of NAME'
    (same bytes as library file NAME, or as an earlier file of the batch: not copied).
    Raises IngestError, copying nothing, if any file is invalid, two files would share a document id,
    or the library already holds that id under another file name.
    """
    docs = list({(doc.slug, doc.suffix, doc.sha256): doc for doc in map(load_document, paths)}.values())
    _check_ids(docs, data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    seen = {_sha256(path): path.name for path in list_documents(data_dir)}
    results = []
    for doc in docs:
        target = data_dir / f"{doc.slug}{doc.suffix}"
        original = seen.setdefault(doc.sha256, target.name)
        if original != target.name:
            results.append((target, f"duplicate of {original}"))
            continue
        results.append((target, _copy(doc, data_dir)))
    return results


def remove_documents(names: list[str], data_dir: Path) -> list[Path]:
    """Delete documents from the library by file name or document id; the removed paths.

    Raises IngestError, removing nothing, if any name is not in the library.
    """
    library = list_documents(data_dir)
    found = []
    for name in names:
        matches = [path for path in library if name in (path.name, path.stem, slugify(path.stem))]
        if not matches:
            known = ", ".join(path.name for path in library) or "none"
            raise IngestError(f"{name}: no such document in the library (documents: {known})")
        found += matches
    for path in dict.fromkeys(found):
        path.unlink()
    return list(dict.fromkeys(found))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
        if _sha256(target) == doc.sha256:
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
