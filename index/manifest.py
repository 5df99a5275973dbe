"""The manifest: what the Chroma collection was built from, so a reopen can tell what is stale.

It lives next to the collection as ``index_dir/manifest.json`` and is written
only after Chroma accepted every write, atomically, so a crash leaves either
the old manifest (the next open repairs the collection) or the new one.

It also names the collection it describes. A full rebuild goes into a fresh
collection, checkpointed in ``manifest.pending.json``, and only rewriting
``manifest.json`` to name it swaps it in: until then the last good collection
serves, and a rebuild killed midway is resumed, never served.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_NAME = "manifest.json"
PENDING_NAME = "manifest.pending.json"  # a full rebuild in progress, not served yet
# The one collection name used before rebuilds went into fresh collections: older manifests mean it.
LEGACY_COLLECTION = "passages"


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
    collection: str = LEGACY_COLLECTION  # the Chroma collection holding these passages

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

    def _content(self) -> dict[str, object]:
        docs = {
            slug: {"sha256": e.sha256, "passage_ids": list(e.passage_ids)} for slug, e in self.docs.items()
        }
        return {"model": self.model, "chunker": self.chunker, "store_format": self.store_format, "docs": docs}

    def to_json(self) -> str:
        """Canonical JSON (stable key order), so equal manifests give equal fingerprints."""
        return json.dumps({**self._content(), "collection": self.collection}, indent=2, ensure_ascii=False)

    @property
    def fingerprint(self) -> str:
        """A short hash of the whole index: changes whenever any retrievable passage could change.

        Callers use it to key caches of answers or evaluations to one index state. The
        collection name is left out: the same passages rebuilt elsewhere are the same index.
        """
        content = json.dumps(self._content(), indent=2, ensure_ascii=False)
        return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def read_manifest(index_dir: Path, name: str = MANIFEST_NAME) -> Manifest | None:
    """The stored manifest, or None when it is missing or unreadable (both mean: rebuild)."""
    try:
        raw = json.loads((index_dir / name).read_text(encoding="utf-8"))
        docs = {
            slug: DocEntry(sha256=d["sha256"], passage_ids=tuple(d["passage_ids"]))
            for slug, d in raw["docs"].items()
        }
        return Manifest(
            model=raw["model"],
            chunker=raw["chunker"],
            store_format=raw["store_format"],
            docs=docs,
            collection=str(raw.get("collection", LEGACY_COLLECTION)),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_manifest(index_dir: Path, manifest: Manifest, name: str = MANIFEST_NAME) -> None:
    """Write atomically: a temp file in the same folder, then ``os.replace``."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", suffix=".json", dir=index_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(manifest.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, index_dir / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
