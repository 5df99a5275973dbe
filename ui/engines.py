"""The engines the web chat answers with, and the document library it shows and adds to.

One index and one LLM per backend are shared by every user; an Engine per (backend,
top_k) is cheap on top of them. Adding documents rebuilds the index, then swaps fresh
engines in under a lock, so a question in flight finishes on the engine it started with.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from engine.engine import Engine
from engine.llm import backend_name
from index.build import BuildReport, open_index
from ingest.library import add_documents, list_documents
from ingest.loader import load_document, slugify
from settings import Settings


class Engines:
    """Engines by (backend name, top_k) over one shared index."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        first = Engine(settings)
        self._index = first.index
        self._engines: dict[tuple[str, int], Engine] = {(backend_name(settings), settings.top_k): first}

    def backends(self) -> list[str]:
        """Backend names a user may pick: the configured one, plus the local model when OpenAI is set."""
        return list(dict.fromkeys([backend_name(self.settings), backend_name(self._local_settings())]))

    def _local_settings(self) -> Settings:
        return self.settings.with_(openai_api_key="", openai_base_url="")

    def get(self, backend: str | None = None, top_k: int | None = None) -> Engine:
        """The engine for a backend name (default: the configured one) and a number of passages."""
        configured = backend_name(self.settings)
        backend = backend if backend in self.backends() else configured
        key = (backend, top_k or self.settings.top_k)
        with self._lock:
            if key not in self._engines:
                sibling = next((e for (name, _), e in self._engines.items() if name == backend), None)
                base = self.settings if backend == configured else self._local_settings()
                self._engines[key] = Engine(
                    base.with_(top_k=key[1]), index=self._index, backend=sibling.backend if sibling else None
                )
            return self._engines[key]

    def add(self, paths: list[Path]) -> tuple[list[tuple[Path, str]], BuildReport]:
        """Copy documents into the library (all or nothing; IngestError says why), then reindex.

        The index shows its progress through tqdm, which the web UI's progress bar follows.
        Engines are rebuilt over the new index, keeping their (already loaded) LLMs.
        """
        results = add_documents(paths, self.settings.data_dir)
        index = open_index(self.settings, progress=True)
        with self._lock:
            self._index = index
            self._engines = {
                key: Engine(engine.settings, index=index, backend=engine.backend)
                for key, engine in self._engines.items()
            }
        return results, index.report

    def documents(self) -> list[tuple[str, int, int]]:
        """The library's documents as (file name, size in bytes, passages indexed), by name."""
        counts = Counter(p.doc for p in self._index.passages.values())
        return [
            (path.name, path.stat().st_size, counts[slugify(path.stem)])
            for path in list_documents(self.settings.data_dir)
        ]

    def scopes(self) -> list[tuple[str, str]]:
        """What a question can be limited to, as (label, document slug); "" is every document."""
        return [("All documents", "")] + [
            (path.name, slugify(path.stem)) for path in list_documents(self.settings.data_dir)
        ]

    def document_text(self, slug: str) -> tuple[str, str] | None:
        """(file name, text exactly as the index read it) of a document; citation offsets index this text."""
        for path in list_documents(self.settings.data_dir):
            if slugify(path.stem) == slug:
                return path.name, load_document(path).text
        return None
