"""The manifest: what the Chroma collection was built from, so a reopen can tell what is stale.

It lives next to the collection as ``index_dir/manifest.json`` and is written
only after Chroma accepted every write, atomically, so a crash leaves either
the old manifest (the next open repairs the collection) or the new one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class DocEntry:
    """One indexed document: the hash of its source bytes and the ids of its passages, in order."""

    sha256: str
    passage_ids: tuple[str, ...]


@dataclass(frozen=True)
class Manifest:
    """Everything the stored vectors and passages depend on.

    ``model``, ``chunker`` and ``store_format`` change every passage at once,
    so any difference in them forces a full rebuild; ``docs`` is compared
    per document. ``docs`` keeps the listing order, which is the passages'
    document order.
    """

    model: str
    chunker: str
    store_format: str
    docs: dict[str, DocEntry] = field(default_factory=dict)

    def same_build(self, other: Manifest) -> bool:
        """True when both were built by the same embedder, chunker and storage format."""
        return (self.model, self.chunker, self.store_format) == (
            other.model,
            other.chunker,
            other.store_format,
        )

    @property
    def passage_ids(self) -> list[str]:
        """Every passage id, in document order."""
        return [pid for entry in self.docs.values() for pid in entry.passage_ids]

    def to_json(self) -> str:
        """Canonical JSON (stable key order), so equal manifests give equal fingerprints."""
        docs = {
            slug: {"sha256": e.sha256, "passage_ids": list(e.passage_ids)} for slug, e in self.docs.items()
        }
        payload = {
            "model": self.model,
            "chunker": self.chunker,
            "store_format": self.store_format,
            "docs": docs,
        }
        return json.dumps(payload, indent=2, ensure_ascii=False)

    @property
    def fingerprint(self) -> str:
        """A short hash of the whole index: changes whenever any retrievable passage could change.

        Callers use it to key caches of answers or evaluations to one index state.
        """
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()[:16]


def read_manifest(index_dir: Path) -> Manifest | None:
    """The stored manifest, or None when it is missing or unreadable (both mean: rebuild)."""
    try:
        raw = json.loads((index_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        docs = {
            slug: DocEntry(sha256=d["sha256"], passage_ids=tuple(d["passage_ids"]))
            for slug, d in raw["docs"].items()
        }
        return Manifest(
            model=raw["model"], chunker=raw["chunker"], store_format=raw["store_format"], docs=docs
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_manifest(index_dir: Path, manifest: Manifest) -> None:
    """Write atomically: a temp file in the same folder, then ``os.replace``."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", suffix=".json", dir=index_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(manifest.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, index_dir / MANIFEST_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
