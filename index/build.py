"""Open the passage index, bringing it up to date with the documents in ``data_dir``.

Embedding is the slow part, so a reopen re-embeds only documents whose bytes
changed (or that are new), and deletes the passages of documents that changed
or disappeared. Anything that changes every vector (embedder, chunker, text
extractors, storage format) triggers a full rebuild: a stale passage would be
cited as if it were still in the source.

Crash safety: the manifest is the commit record. It is rewritten after every
round of documents Chroma accepted, and each stored passage carries the hash
of the source it was cut from; a reopen checks every document against both, so
an interrupted ingest is resumed where it stopped (finished documents are kept,
a half-written one is redone) and never serves a mix of two versions of a document.
"""

from __future__ import annotations

import fcntl
import logging
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from chromadb.api.models.Collection import Collection
from tqdm import tqdm

from index import store
from index.embedder import BATCH_SIZE, OnnxMiniLM
from index.manifest import DocEntry, Manifest, read_manifest, write_manifest
from ingest import chunker, library, loader
from ingest.formats import EXTRACTOR_VERSION
from ingest.passage import Passage
from settings import Settings

log = logging.getLogger("index")

# Passages embedded and written per round; the manifest is checkpointed after each round, so an
# interrupted ingest loses at most one round. Large enough for the embedder to batch by length.
ROUND = 1024
LOCK_NAME = ".lock"


@dataclass
class BuildReport:
    """What one open changed, by document slug."""

    full_rebuild: bool = False
    reason: str = ""  # why a full rebuild happened
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)  # redone: an earlier ingest was interrupted mid-way
    skipped: list[str] = field(default_factory=list)  # files the loader rejected
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file not indexed, file it repeats)
    embedded: int = 0  # passages embedded during this open


@dataclass(frozen=True)
class PassageIndex:
    """An open, up-to-date index: what retrieval and citation need."""

    collection: Collection
    passages: dict[str, Passage]  # id -> passage, in document order
    embedder: OnnxMiniLM
    fingerprint: str  # short hash of the manifest: changes whenever any passage could
    report: BuildReport


def open_index(
    settings: Settings, progress: bool = False, embedder: OnnxMiniLM | None = None
) -> PassageIndex:
    """Open the index for ``settings``, updating or rebuilding it first.

    ``embedder`` lets a caller share one model instance (and count its calls).
    """
    embedder = embedder or OnnxMiniLM()
    index_dir = Path(settings.index_dir)
    with _exclusive(index_dir):
        docs, report = _load_documents(settings.data_dir)
        target = Manifest(
            model=embedder.model_name,
            chunker=f"{chunker.CHUNKER_VERSION}/{EXTRACTOR_VERSION}",
            store_format=store.STORE_FORMAT,
        )
        client = store.connect(settings)
        collection = store.get_collection(client)
        previous = read_manifest(index_dir)
        report.reason = _rebuild_reason(previous, target, collection)
        if previous is None or report.reason:
            report.full_rebuild = True
            collection = store.recreate_collection(client)
            previous = target
            write_manifest(index_dir, target)  # agrees with the empty collection: a crash from here resumes
        updater = _Updater(collection, previous, index_dir, embedder, report)
        manifest, passages = updater.run(docs, progress)
        count = collection.count()
        if count != len(passages):
            raise RuntimeError(f"Chroma holds {count} passages, the index {len(passages)}: another writer?")
    _log_report(report, manifest.fingerprint)
    return PassageIndex(collection, passages, embedder, manifest.fingerprint, report)


@contextmanager
def _exclusive(index_dir: Path) -> Iterator[None]:
    """One process at a time checks and updates an index: two concurrent builds would interleave."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_NAME, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load_documents(data_dir: Path) -> tuple[dict[str, loader.SourceDoc], BuildReport]:
    """Every listed document keyed by slug, in listing order, and a report of the files left out.

    A rejected file is skipped rather than fatal, so one bad upload cannot take the
    whole corpus offline; it is logged and reported, and its old passages are removed.
    A file with the same bytes as an earlier one is a duplicate: indexing it would only
    make every answer cite the same passage twice, so it is reported and left out.
    """
    docs: dict[str, loader.SourceDoc] = {}
    by_hash: dict[str, loader.SourceDoc] = {}
    report = BuildReport()
    for path in library.list_documents(data_dir):
        try:
            doc = loader.load_document(path)
        except loader.IngestError as error:
            log.warning("index: skipping %s: %s", path, error)
            report.skipped.append(str(path))
            continue
        if doc.slug in docs:
            # Passages are keyed by slug: two files sharing one would overwrite each other.
            raise loader.IngestError(f"{path} and {docs[doc.slug].path} share the document id {doc.slug!r}")
        original = by_hash.setdefault(doc.sha256, doc)
        if original is not doc:
            log.warning("index: %s repeats %s; not indexed twice", path.name, original.path.name)
            report.duplicates.append((path.name, original.path.name))
            continue
        docs[doc.slug] = doc
    return docs, report


def _rebuild_reason(previous: Manifest | None, target: Manifest, collection: Collection | None) -> str:
    """Why the stored index cannot be updated in place ("" when it can)."""
    if previous is None:
        return "no readable manifest"
    if collection is None:
        return "no Chroma collection"
    if not previous.same_build(target):
        return (
            f"built by {previous.model}/{previous.chunker}/{previous.store_format}, "
            f"now {target.model}/{target.chunker}/{target.store_format}"
        )
    return ""


class _Updater:
    """Brings the collection from ``previous`` to the documents on disk, checkpointing the manifest."""

    def __init__(
        self,
        collection: Collection,
        previous: Manifest,
        index_dir: Path,
        embedder: OnnxMiniLM,
        report: BuildReport,
    ) -> None:
        self.collection = collection
        self.previous = previous
        self.index_dir = index_dir
        self.embedder = embedder
        self.report = report
        self.entries = dict(previous.docs)  # what the collection holds, as far as finished writes go

    def run(
        self, docs: dict[str, loader.SourceDoc], progress: bool
    ) -> tuple[Manifest, dict[str, Passage]]:
        """Update, then return the final manifest and every passage in document order."""
        stored = self._stored() if self.collection.count() else {}
        by_doc: dict[str, list[Passage]] = {}
        to_index = []
        for slug, doc in docs.items():
            entry = self.previous.docs.get(slug)
            kept = stored.get(slug, {})
            if entry is None:
                self.report.added.append(slug)
            elif entry.sha256 != doc.sha256:
                self.report.updated.append(slug)
            elif set(kept) != set(entry.passage_ids) or any(sha != entry.sha256 for _, sha in kept.values()):
                self.report.repaired.append(slug)
            else:
                self.report.unchanged.append(slug)
                by_doc[slug] = [kept[pid][0] for pid in entry.passage_ids]
                continue
            to_index.append(slug)
        self.report.removed = [slug for slug in self.previous.docs if slug not in docs]
        # Passages of documents the manifest never committed: what an interrupted first ingest left.
        leftovers = [slug for slug in stored if slug not in docs and slug not in self.previous.docs]
        if self.report.removed or leftovers:
            store.delete_documents(self.collection, self.report.removed + leftovers)
            for slug in self.report.removed:
                del self.entries[slug]
            self._checkpoint(docs)
        self._index(docs, to_index, by_doc, progress)
        manifest = self._checkpoint(docs)
        return manifest, {p.id: p for slug in docs for p in by_doc[slug]}

    def _stored(self) -> dict[str, dict[str, tuple[Passage, str]]]:
        """Stored passages by document, then by id, with the hash of the source each was cut from."""
        stored: dict[str, dict[str, tuple[Passage, str]]] = defaultdict(dict)
        for passage, sha in store.load_passages(self.collection):
            stored[passage.doc][passage.id] = (passage, sha)
        return stored

    def _index(
        self,
        docs: dict[str, loader.SourceDoc],
        to_index: list[str],
        by_doc: dict[str, list[Passage]],
        progress: bool,
    ) -> None:
        """Chunk, embed and store ``to_index`` in rounds of about ROUND passages, committing each."""
        for slug in to_index:
            by_doc[slug] = chunker.chunk(docs[slug])
        total = sum(len(by_doc[slug]) for slug in to_index)
        bar = tqdm(
            total=total, desc="embedding passages", unit="passage", file=sys.stderr,
            disable=not (progress and total > BATCH_SIZE),
        )  # fmt: skip
        pending: list[str] = []
        for position, slug in enumerate(to_index):
            pending.append(slug)
            if sum(len(by_doc[s]) for s in pending) >= ROUND or position == len(to_index) - 1:
                self._write_round(docs, pending, by_doc)
                bar.update(sum(len(by_doc[s]) for s in pending))
                pending = []
        bar.close()

    def _write_round(
        self, docs: dict[str, loader.SourceDoc], slugs: list[str], by_doc: dict[str, list[Passage]]
    ) -> None:
        """Replace these documents' passages, then commit them to the manifest."""
        passages = [p for slug in slugs for p in by_doc[slug]]
        vectors = self.embedder.embed([p.search_text for p in passages])  # one call: batched by length
        # By document, not by the manifest's ids: also removes passages a crashed update left behind.
        store.delete_documents(self.collection, slugs)
        store.add_passages(self.collection, passages, vectors, {slug: docs[slug].sha256 for slug in slugs})
        for slug in slugs:
            self.entries[slug] = DocEntry(docs[slug].sha256, tuple(p.id for p in by_doc[slug]))
        self.report.embedded += len(passages)
        self._checkpoint(docs)

    def _checkpoint(self, docs: dict[str, loader.SourceDoc]) -> Manifest:
        """Write the manifest of what the collection now holds, documents in listing order."""
        manifest = Manifest(
            model=self.previous.model,
            chunker=self.previous.chunker,
            store_format=self.previous.store_format,
            docs={slug: self.entries[slug] for slug in docs if slug in self.entries},
        )
        write_manifest(self.index_dir, manifest)
        return manifest


def _log_report(report: BuildReport, fingerprint: str) -> None:
    if report.full_rebuild:
        log.info(
            "index %s: full rebuild (%s): %d documents, %d passages embedded, skipped=%s",
            fingerprint, report.reason, len(report.added), report.embedded, report.skipped,
        )  # fmt: skip
    else:
        log.info(
            "index %s: added=%s updated=%s removed=%s repaired=%s unchanged=%d skipped=%s duplicates=%s, "
            "%d passages embedded",
            fingerprint, report.added, report.updated, report.removed, report.repaired, len(report.unchanged),
            report.skipped, report.duplicates, report.embedded,
        )  # fmt: skip
