"""Incremental ingest at the document level: duplicates, removal, resuming an interrupted ingest, scoping.

The interruption is real: an embedder that fails on its second call (as a killed process or a
full disk would) stops open_index between two committed rounds.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index import build, store
from index.build import open_index
from index.embedder import OnnxMiniLM
from index.manifest import PENDING_NAME, read_manifest
from index.retriever import HybridRetriever
from ingest.library import add_documents, remove_documents
from ingest.loader import IngestError
from settings import Settings

DOCS = {
    "alpha.txt": "Alpha Report\n\nThe alpha bridge opened in 2019.\n\nAlpha traffic fell.\n",
    "beta.txt": "Beta Report\n\nThe beta harbour handled cargo.\n\nBeta exports rose.\n",
    "gamma.txt": "Gamma Report\n\nThe gamma school hired teachers.\n\nGamma pupils read more.\n",
}


class FailingMiniLM(OnnxMiniLM):
    """The real embedder, failing from its ``fail_at``-th call on: an ingest killed midway."""

    def __init__(self, fail_at: int) -> None:
        super().__init__()
        self._calls = [0, fail_at]

    def embed(self, texts: list[str]) -> np.ndarray:
        self._calls[0] += 1
        if self._calls[0] >= self._calls[1]:
            raise KeyboardInterrupt("killed")
        return super().embed(texts)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    data_dir = tmp_path / "corpus"
    data_dir.mkdir()
    for name, text in DOCS.items():
        (data_dir / name).write_text(text, encoding="utf-8")
    return Settings(data_dir=data_dir, index_dir=tmp_path / "index")


@pytest.fixture(scope="module")
def embedder() -> OnnxMiniLM:
    return OnnxMiniLM()


def test_interrupted_ingest_resumes_without_redoing_committed_documents(
    settings: Settings, embedder: OnnxMiniLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "ROUND", 3)  # one document per round
    with pytest.raises(KeyboardInterrupt):
        open_index(settings, embedder=FailingMiniLM(fail_at=2))
    # A first build is a full rebuild: it commits to the pending manifest, nothing is served yet.
    assert read_manifest(settings.index_dir) is None
    assert list(read_manifest(settings.index_dir, PENDING_NAME).docs) == ["alpha"]  # the round that finished

    resumed = open_index(settings, embedder=embedder)
    assert resumed.report.full_rebuild and not (settings.index_dir / PENDING_NAME).exists()
    assert resumed.report.unchanged == ["alpha"] and resumed.report.added == ["beta", "gamma"]
    assert resumed.report.embedded == 6
    fresh = open_index(settings.with_(index_dir=settings.index_dir.parent / "fresh"), embedder=embedder)
    assert resumed.passages == fresh.passages
    assert sorted(resumed.collection.get(include=[])["ids"]) == sorted(fresh.passages)


def test_half_replaced_document_is_redone_not_served(settings: Settings, embedder: OnnxMiniLM) -> None:
    first = open_index(settings, embedder=embedder)
    # A crashed update of beta: one passage already holds new text from a newer file version.
    newer = replace(first.passages["beta#p2"], text="Half new text.")
    store.add_passages(first.collection, [newer], embedder.embed([newer.text]), {"beta": "newer-sha"})
    idx = open_index(settings, embedder=embedder)
    assert idx.report.repaired == ["beta"] and idx.report.embedded == 3
    assert idx.passages == first.passages


def test_duplicate_file_is_reported_and_not_indexed(settings: Settings, embedder: OnnxMiniLM) -> None:
    (settings.data_dir / "zeta-copy.txt").write_text(DOCS["alpha.txt"], encoding="utf-8")
    idx = open_index(settings, embedder=embedder)
    assert idx.report.duplicates == [("zeta-copy.txt", "alpha.txt")]
    assert {p.doc for p in idx.passages.values()} == {"alpha", "beta", "gamma"}


def test_adding_a_copy_under_another_name_is_refused_as_duplicate(tmp_path: Path, settings: Settings) -> None:
    copy = tmp_path / "Alpha Again.txt"
    copy.write_text(DOCS["alpha.txt"], encoding="utf-8")
    results = add_documents([copy], settings.data_dir)
    assert results == [(settings.data_dir / "alpha-again.txt", "duplicate of alpha.txt")]
    assert not (settings.data_dir / "alpha-again.txt").exists()


def test_removed_document_leaves_the_index(settings: Settings, embedder: OnnxMiniLM) -> None:
    open_index(settings, embedder=embedder)
    assert remove_documents(["beta"], settings.data_dir) == [settings.data_dir / "beta.txt"]
    idx = open_index(settings, embedder=embedder)
    assert idx.report.removed == ["beta"] and idx.report.embedded == 0
    assert all(not pid.startswith("beta#") for pid in idx.collection.get(include=[])["ids"])
    with pytest.raises(IngestError, match="no such document"):
        remove_documents(["beta"], settings.data_dir)


def test_scoped_retrieval_returns_only_that_document(settings: Settings, embedder: OnnxMiniLM) -> None:
    retriever = HybridRetriever(open_index(settings, embedder=embedder), candidates=10)
    assert retriever.retrieve("bridge opened", 1)[0].passage.doc == "alpha"
    scoped = retriever.retrieve("bridge opened", 5, documents=["gamma"])
    assert scoped and {hit.passage.doc for hit in scoped} == {"gamma"}
    assert retriever.retrieve("bridge opened", 5, documents=[]) == []
