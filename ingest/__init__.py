"""Ingestion: load source files, cut them into citable passages, keep the document library."""

from ingest.chunker import CHUNKER_VERSION, chunk
from ingest.library import add_documents, list_documents
from ingest.loader import MAX_BYTES, SUPPORTED_SUFFIXES, IngestError, SourceDoc, load_document
from ingest.passage import Passage
from ingest.sentences import split_sentences

__all__ = [
    "CHUNKER_VERSION",
    "MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "IngestError",
    "Passage",
    "SourceDoc",
    "add_documents",
    "chunk",
    "list_documents",
    "load_document",
    "split_sentences",
]
