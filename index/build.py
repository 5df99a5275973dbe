"""Open the passage index, bringing it up to date with the documents in ``data_dir``.

Embedding is the slow part, so a reopen re-embeds only documents whose bytes
changed (or that are new), and deletes the passages of documents that changed
or disappeared. Anything that changes every vector (embedder, chunker, storage
format), and any sign that collection and manifest disagree, triggers a full
rebuild: a stale passage would be cited as if it were still in the source.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from chromadb.api.models.Collection import Collection
from tqdm import tqdm

from index import store
from index.embedder import BATCH_SIZE, OnnxMiniLM
from index.manifest import DocEntry, Manifest, read_manifest, write_manifest
from ingest import chunker, library, loader
from ingest.passage import Passage
from settings import Settings

log = logging.getLogger("index")


@dataclass
class BuildReport:
    """What one open changed, by document slug."""

    full_rebuild: bool = False
    reason: str = ""  # why a full rebuild happened
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files the loader rejected
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
    docs, skipped = _load_documents(settings.data_dir)
    target = Manifest(
        model=embedder.model_name, chunker=chunker.CHUNKER_VERSION, store_format=store.STORE_FORMAT
    )
    client = store.connect(settings)
    collection = store.get_collection(client)
    previous = read_manifest(settings.index_dir)

    reason = _rebuild_reason(previous, target, collection)
    if collection is not None and previous is not None and not reason:
        manifest, report = _update(collection, previous, target, docs, embedder, progress)
        passages = _read_back(collection, manifest)
        if passages is None:
            reason = "collection and manifest disagree after the update"
    if reason:
        report = BuildReport(full_rebuild=True, reason=reason, added=list(docs))
        collection = store.recreate_collection(client)
        manifest = _index_documents(collection, target, docs, list(docs), {}, embedder, progress, report)
        passages = _read_back(collection, manifest)
        if passages is None:
            raise RuntimeError("the rebuilt Chroma collection does not hold the passages just written")
    report.skipped = skipped
    write_manifest(Path(settings.index_dir), manifest)
    _log_report(report, manifest.fingerprint)
    return PassageIndex(collection, passages, embedder, manifest.fingerprint, report)


def _load_documents(data_dir: Path) -> tuple[dict[str, loader.SourceDoc], list[str]]:
    """Every listed document keyed by slug, in listing order, and the files the loader rejected.

    A rejected file is skipped rather than fatal, so one bad upload cannot take the
    whole corpus offline; it is logged and reported, and its old passages are removed.
    """
    docs: dict[str, loader.SourceDoc] = {}
    skipped: list[str] = []
    for path in library.list_documents(data_dir):
        try:
            doc = loader.load_document(path)
        except loader.IngestError as error:
            log.warning("index: skipping %s: %s", path, error)
            skipped.append(str(path))
            continue
        if doc.slug in docs:
            # Passages are keyed by slug: two files sharing one would overwrite each other.
            raise loader.IngestError(f"{path} and {docs[doc.slug].path} share the document id {doc.slug!r}")
        docs[doc.slug] = doc
    return docs, skipped


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
    count = collection.count()
    if count != len(previous.passage_ids):
        return f"collection holds {count} passages, manifest lists {len(previous.passage_ids)}"
    return ""


def _update(
    collection: Collection,
    previous: Manifest,
    target: Manifest,
    docs: dict[str, loader.SourceDoc],
    embedder: OnnxMiniLM,
    progress: bool,
) -> tuple[Manifest, BuildReport]:
    """Re-index new and changed documents and drop removed ones; unchanged ones are not even chunked."""
    report = BuildReport()
    for slug, doc in docs.items():
        entry = previous.docs.get(slug)
        if entry is None:
            report.added.append(slug)
        elif entry.sha256 != doc.sha256:
            report.updated.append(slug)
        else:
            report.unchanged.append(slug)
    report.removed = [slug for slug in previous.docs if slug not in docs]
    # By document, not by the manifest's ids: also catches passages a crashed update left behind.
    store.delete_documents(collection, report.updated + report.removed)
    kept = {slug: previous.docs[slug] for slug in report.unchanged}
    manifest = _index_documents(
        collection, target, docs, report.added + report.updated, kept, embedder, progress, report
    )
    return manifest, report


def _index_documents(
    collection: Collection,
    target: Manifest,
    docs: dict[str, loader.SourceDoc],
    to_index: list[str],
    kept: dict[str, DocEntry],
    embedder: OnnxMiniLM,
    progress: bool,
    report: BuildReport,
) -> Manifest:
    """Chunk, embed and store the ``to_index`` documents; the manifest of ``kept`` plus them."""
    entries = dict(kept)
    passages: list[Passage] = []
    for slug in to_index:
        doc_passages = chunker.chunk(docs[slug])
        entries[slug] = DocEntry(sha256=docs[slug].sha256, passage_ids=tuple(p.id for p in doc_passages))
        passages.extend(doc_passages)
    batches = [passages[i : i + BATCH_SIZE] for i in range(0, len(passages), BATCH_SIZE)]
    bar = tqdm(
        batches,
        desc="embedding passages",
        unit="batch",
        file=sys.stderr,
        disable=not (progress and len(batches) > 1),
    )
    for batch in bar:
        store.add_passages(collection, batch, embedder.embed([p.search_text for p in batch]))
    report.embedded += len(passages)
    return Manifest(
        model=target.model,
        chunker=target.chunker,
        store_format=target.store_format,
        docs={slug: entries[slug] for slug in docs},  # listing order is document order
    )


def _read_back(collection: Collection, manifest: Manifest) -> dict[str, Passage] | None:
    """Stored passages in document order; None unless Chroma holds exactly the manifest's ids."""
    stored = {p.id: p for p in store.load_passages(collection)}
    expected = manifest.passage_ids
    if len(expected) != len(stored) or set(expected) != set(stored):
        return None
    return {pid: stored[pid] for pid in expected}


def _log_report(report: BuildReport, fingerprint: str) -> None:
    if report.full_rebuild:
        log.info(
            "index %s: full rebuild (%s): %d documents, %d passages embedded, skipped=%s",
            fingerprint, report.reason, len(report.added), report.embedded, report.skipped,
        )  # fmt: skip
    else:
        log.info(
            "index %s: added=%s updated=%s removed=%s unchanged=%d skipped=%s, %d passages embedded",
            fingerprint, report.added, report.updated, report.removed, len(report.unchanged), report.skipped,
            report.embedded,
        )  # fmt: skip
