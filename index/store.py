"""The Chroma side of the index: one cosine collection holding passages, vectors and metadata.

Chroma is the single store of passages: every Passage field goes into the
record, so the passages can be rebuilt from Chroma alone and never drift
from what vector search returns. Vectors always come from our own embedder;
the collection gets ``embedding_function=None`` because Chroma's default
embedding function would try to download a model.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, get_origin, get_type_hints

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from ingest.passage import Passage
from settings import Settings

COLLECTION = "passages"  # every collection of ours is named this, or this plus "-" and a build id
# Stored with the field names, so adding or renaming a Passage field forces a rebuild
# instead of failing to rebuild passages from old metadata.
STORE_FORMAT = "2:" + ",".join(f.name for f in fields(Passage))

# Chroma metadata values must be scalars: tuple fields are stored as JSON strings.
_TUPLE_FIELDS = frozenset(name for name, hint in get_type_hints(Passage).items() if get_origin(hint) is tuple)
# id and text are the record's own id and document, so they are not repeated in metadata.
_RECORD_FIELDS = frozenset({"id", "text"})
# Not a Passage field: the hash of the source file a passage was cut from. A reopen compares it
# with the manifest, so passages that a crashed update half-replaced are found and redone.
SOURCE_KEY = "source_sha256"


def connect(settings: Settings, path: Path | None = None) -> ClientAPI:
    """An HTTP client when ``chroma_host`` is set, else an embedded store at ``path`` or index_dir/chroma."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    path = path or Path(settings.index_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def get_collection(client: ClientAPI, name: str = COLLECTION) -> Collection | None:
    """The passages collection called ``name``, or None when it does not exist yet."""
    try:
        return client.get_collection(name, embedding_function=None)
    except NotFoundError:
        return None


def recreate_collection(client: ClientAPI, name: str = COLLECTION) -> Collection:
    """Drop the collection ``name`` (if any) and create an empty cosine one: the start of a full rebuild."""
    if get_collection(client, name) is not None:
        client.delete_collection(name)
    return client.create_collection(
        name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )


def new_collection_name() -> str:
    """A name no earlier build used: a full rebuild fills it beside the collection being served."""
    return f"{COLLECTION}-{uuid.uuid4().hex[:12]}"


def drop_collections(client: ClientAPI, keep: str) -> list[str]:
    """Delete our collections other than ``keep`` (replaced or abandoned builds); their names.

    Only names this module gives out are touched, so a shared Chroma server's other collections are safe.
    """
    dropped = [
        c.name for c in client.list_collections()
        if c.name != keep and (c.name == COLLECTION or c.name.startswith(COLLECTION + "-"))
    ]  # fmt: skip
    for name in dropped:
        client.delete_collection(name)
    return dropped


def to_metadata(passage: Passage) -> dict[str, str | int]:
    """Every Passage field except id and text, as Chroma-compatible scalars.

    Chroma has no null: a None field (a passage without a page) is left out, and
    :func:`from_record` gets it back from the field's default.
    """
    return {
        name: json.dumps(list(value), ensure_ascii=False) if name in _TUPLE_FIELDS else value
        for name, value in asdict(passage).items()
        if name not in _RECORD_FIELDS and value is not None
    }


def from_record(passage_id: str, text: str, metadata: dict[str, Any]) -> Passage:
    """The Passage stored as (id, document, metadata); the inverse of :func:`to_metadata`."""
    values = {
        name: tuple(json.loads(value)) if name in _TUPLE_FIELDS else value
        for name, value in metadata.items()
        if name != SOURCE_KEY
    }
    return Passage(id=passage_id, text=text, **values)


def add_passages(
    collection: Collection, passages: list[Passage], vectors: np.ndarray, sources: Mapping[str, str]
) -> None:
    """Store passages with their vectors and the hash of their source (``sources``: doc slug -> sha256).

    Upsert, so a retried or resumed build cannot fail on ids it wrote before.
    """
    collection.upsert(
        ids=[p.id for p in passages],
        embeddings=vectors,
        documents=[p.text for p in passages],
        metadatas=[{**to_metadata(p), SOURCE_KEY: sources[p.doc]} for p in passages],
    )


def delete_documents(collection: Collection, slugs: list[str]) -> None:
    """Remove every passage of these documents, including any the manifest does not know about."""
    if slugs:
        collection.delete(where={"doc": {"$in": slugs}})


# Records fetched per get(): one get() of a whole 100k-passage collection fails inside Chroma
# with SQLite's "too many SQL variables", so a fresh process could not open such an index.
LOAD_PAGE = 5_000


def load_passages(collection: Collection) -> list[tuple[Passage, str]]:
    """Every stored passage with the sha256 of the source it was cut from, from Chroma alone (unordered)."""
    loaded: list[tuple[Passage, str]] = []
    while True:
        records = collection.get(include=["documents", "metadatas"], limit=LOAD_PAGE, offset=len(loaded))
        loaded += [
            (from_record(pid, text, metadata), str(metadata.get(SOURCE_KEY, "")))
            for pid, text, metadata in zip(
                records["ids"], records["documents"], records["metadatas"], strict=True
            )
        ]
        if len(records["ids"]) < LOAD_PAGE:
            return loaded
