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

A full rebuild is atomic: it fills a fresh collection beside the one being served,
checkpointing into a pending manifest, and swaps it in by rewriting the manifest. A
rebuild killed midway leaves the last good index serving and is resumed at the next open.
When the index cannot be written (disk full, read-only folder), the last complete index
is served as it is and the next open tries again; a store Chroma cannot open at all
(corrupted) is moved aside and rebuilt from the library, which is the source of truth.
"""

from __future__ import annotations

import atexit
import errno
import fcntl
import logging
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from chromadb.api import ClientAPI
from chromadb.api.client import SharedSystemClient
from chromadb.api.models.Collection import Collection
from chromadb.errors import ChromaError
from tqdm import tqdm

from index import store
from index.embedder import BATCH_SIZE, OnnxMiniLM
from index.manifest import MANIFEST_NAME, PENDING_NAME, DocEntry, Manifest, read_manifest, write_manifest
from ingest import chunker, library, loader
from ingest.formats import EXTRACTOR_VERSION
from ingest.passage import Passage
from settings import Settings

log = logging.getLogger("index")

# Passages embedded and written per round; the manifest is checkpointed after each round, so an
# interrupted ingest loses at most one round. Large enough for the embedder to batch by length.
ROUND = 1024
LOCK_NAME = ".lock"
LOCK_TIMEOUT_S = 600.0  # how long an open waits for another process's update before giving up
# Failures of the storage itself (disk full, read-only folder): the last complete index still serves.
STORAGE_ERRORS = (OSError, ChromaError)
# What Chroma says about a store file that is not a database: only then is the store moved aside.
_CORRUPT = ("not a database", "malformed", "corrupt")


class IndexUnavailable(RuntimeError):
    """The index can be neither opened nor served; the message says why, in one line."""


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
    stale: str = ""  # why the index could not be updated and the last complete one is served ("" if it was)
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
        client, read_only = _connect(settings, index_dir)
        try:
            if read_only:
                raise PermissionError(f"{index_dir / 'chroma'} is read-only")
            manifest, collection, passages = _update(
                client, index_dir, target, docs, embedder, report, progress
            )
        except STORAGE_ERRORS as error:
            report.stale = f"{type(error).__name__}: {error}".splitlines()[0]
            manifest, collection, passages = _last_good(client, index_dir, target, report.stale)
    _log_report(report, manifest.fingerprint)
    return PassageIndex(collection, passages, embedder, manifest.fingerprint, report)


def _update(
    client: ClientAPI,
    index_dir: Path,
    target: Manifest,
    docs: dict[str, loader.SourceDoc],
    embedder: OnnxMiniLM,
    report: BuildReport,
    progress: bool,
) -> tuple[Manifest, Collection, dict[str, Passage]]:
    """Bring the index up to date in place, or rebuild it aside and swap it in; drop what it replaced."""
    previous = read_manifest(index_dir)
    collection = store.get_collection(client, previous.collection) if previous else None
    report.reason = _rebuild_reason(previous, target, collection)
    commit_to = MANIFEST_NAME
    if report.reason:
        report.full_rebuild = True
        collection, previous = _start_rebuild(client, index_dir, target)
        commit_to = PENDING_NAME
    assert collection is not None and previous is not None  # no rebuild reason: both exist
    updater = _Updater(collection, previous, index_dir, embedder, report, commit_to)
    manifest, passages = updater.run(docs, progress)
    count = collection.count()
    if count != len(passages):
        raise RuntimeError(f"Chroma holds {count} passages, the index {len(passages)}: another writer?")
    if commit_to == PENDING_NAME:
        write_manifest(index_dir, manifest)  # the swap: from here on the new collection is the index
    (index_dir / PENDING_NAME).unlink(missing_ok=True)
    dropped = store.drop_collections(client, keep=manifest.collection)
    if dropped:
        log.info("index: dropped replaced or abandoned collections %s", dropped)
    return manifest, collection, passages


def _start_rebuild(client: ClientAPI, index_dir: Path, target: Manifest) -> tuple[Collection, Manifest]:
    """The collection a full rebuild fills, beside the one being served, and its pending manifest.

    A pending rebuild for the same build that a killed process left is resumed; otherwise a
    new, empty collection is created (an abandoned one is dropped once the swap is done).
    """
    pending = read_manifest(index_dir, PENDING_NAME)
    if pending is not None and pending.same_build(target):
        collection = store.get_collection(client, pending.collection)
        if collection is not None:
            log.info("index: resuming the rebuild into %s", pending.collection)
            return collection, pending
    name = store.new_collection_name()
    fresh = Manifest(target.model, target.chunker, target.store_format, collection=name)
    collection = store.recreate_collection(client, fresh.collection)
    write_manifest(index_dir, fresh, PENDING_NAME)  # agrees with the empty collection: a crash resumes
    return collection, fresh


def _last_good(
    client: ClientAPI, index_dir: Path, target: Manifest, why: str
) -> tuple[Manifest, Collection, dict[str, Passage]]:
    """The last complete index, served as it is when it could not be updated.

    Only documents whose passages are all stored are served: one whose update failed half-way
    is left out rather than served half-replaced.
    """
    committed = read_manifest(index_dir)
    collection = store.get_collection(client, committed.collection) if committed else None
    if committed is None or collection is None or not committed.same_build(target):
        raise IndexUnavailable(f"the index cannot be written ({why}) and there is no complete index to serve")
    stored = {passage.id: (passage, sha) for passage, sha in store.load_passages(collection)}
    docs = {
        slug: entry
        for slug, entry in committed.docs.items()
        if all(pid in stored and stored[pid][1] == entry.sha256 for pid in entry.passage_ids)
    }
    served = Manifest(committed.model, committed.chunker, committed.store_format, docs, committed.collection)
    log.warning(
        "index: cannot be updated (%s); serving the last complete index (%d of %d documents); "
        "the next start tries again", why, len(docs), len(committed.docs),
    )  # fmt: skip
    passages = {pid: stored[pid][0] for entry in docs.values() for pid in entry.passage_ids}
    return served, collection, passages


def _connect(settings: Settings, index_dir: Path) -> tuple[ClientAPI, bool]:
    """The Chroma client, and whether it reads a read-only copy of the store (nothing can be updated).

    The library is the source of truth, so a store Chroma cannot read (corrupted) is moved aside
    (``chroma.corrupt-<time>``, kept for a post-mortem) and rebuilt from it with no manual step.
    Chroma cannot open a store it may not write to, so a read-only one is served from a copy.
    """
    try:
        return store.connect(settings), False
    except ChromaError as error:
        message = str(error).lower()
        if settings.chroma_host or not (any(sign in message for sign in _CORRUPT) or "readonly" in message):
            raise
        SharedSystemClient.clear_system_cache()  # Chroma caches the failed client by path
        if "readonly" in message:
            copy = Path(tempfile.mkdtemp(prefix="index-readonly-")) / "chroma"
            shutil.copytree(index_dir / "chroma", copy)
            atexit.register(shutil.rmtree, copy.parent, ignore_errors=True)
            log.warning("index: %s is read-only; serving a copy of it, unchanged", index_dir / "chroma")
            return store.connect(settings, copy), True
        aside = index_dir / f"chroma.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
        log.warning("index: the Chroma store is unreadable (%s); moved to %s and rebuilt", error, aside.name)
        (index_dir / "chroma").rename(aside)
        return store.connect(settings), False


@contextmanager
def _exclusive(index_dir: Path) -> Iterator[None]:
    """One process at a time checks and updates an index: two concurrent builds would interleave.

    The holder writes its pid into the lock file, so a process kept waiting can say who holds it.
    In a read-only index folder nobody can write: the lock file is locked read-only, if it exists.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(index_dir / LOCK_NAME, "a+")  # noqa: SIM115 - closed below, after unlocking
    except OSError as error:
        if error.errno not in (errno.EROFS, errno.EACCES):
            raise
        if not (index_dir / LOCK_NAME).exists():
            yield
            return
        handle = open(index_dir / LOCK_NAME)  # noqa: SIM115 - flock needs no write access
    with handle:
        _lock(handle, index_dir)
        try:
            if handle.writable():
                handle.truncate(0)
                handle.write(str(os.getpid()))
                handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock(handle: IO[str], index_dir: Path) -> None:
    """Take the lock, waiting up to LOCK_TIMEOUT_S for another process (saying so once) before giving up."""
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    waited = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            if time.monotonic() >= deadline:
                raise IndexUnavailable(
                    f"{index_dir} is locked by process {holder}, which is updating the index; try again later"
                ) from None
            if not waited:
                log.warning("index: %s is locked by process %s (updating it); waiting", index_dir, holder)
                waited = True
            time.sleep(0.2)


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
        manifest_name: str = MANIFEST_NAME,
    ) -> None:
        self.collection = collection
        self.previous = previous
        self.index_dir = index_dir
        self.embedder = embedder
        self.report = report
        self.manifest_name = manifest_name  # the pending manifest during a full rebuild
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
            collection=self.previous.collection,
        )
        write_manifest(self.index_dir, manifest, self.manifest_name)
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
