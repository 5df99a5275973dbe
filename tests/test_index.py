"""Building, reopening and updating the index: real Chroma in tmp_path, real ONNX model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import index.embedder
from index import store
from index.build import LOCK_NAME, PassageIndex, open_index
from index.embedder import BATCH_SIZE, OnnxMiniLM
from index.manifest import MANIFEST_NAME, read_manifest
from ingest import chunker
from ingest.formats import EXTRACTOR_VERSION
from ingest.loader import load_document
from ingest.passage import Passage
from settings import ROOT, Settings

SPEECH = ROOT / "data" / "corpus" / "work-together-to-build-a-healthy-cyberspace.txt"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    data_dir = tmp_path / "corpus"
    data_dir.mkdir()
    shutil.copy(SPEECH, data_dir / SPEECH.name)
    return Settings(data_dir=data_dir, index_dir=tmp_path / "index")


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    """A four-line library for the rebuild decisions, where embedding the whole speech only adds time."""
    data_dir = tmp_path / "small"
    data_dir.mkdir()
    (data_dir / "short-speech.txt").write_text(
        "A Short Speech\nJanuary 1, 2016\nThe internet connects every village.\nCooperation needs trust.\n",
        encoding="utf-8",
    )
    return Settings(data_dir=data_dir, index_dir=tmp_path / "small-index")


@pytest.fixture(scope="module")
def embedder() -> OnnxMiniLM:
    return OnnxMiniLM()


def expected_passages(data_dir: Path) -> list[Passage]:
    """What the chunker makes of the corpus, in document order: the index must hold exactly this."""
    return [p for path in sorted(data_dir.iterdir()) for p in chunker.chunk(load_document(path))]


def stored_ids(idx: PassageIndex) -> list[str]:
    return sorted(idx.collection.get(include=[])["ids"])


def test_cold_build_stores_the_chunker_output_and_writes_the_manifest(
    settings: Settings, embedder: OnnxMiniLM
) -> None:
    idx = open_index(settings, embedder=embedder)
    expected = expected_passages(settings.data_dir)
    assert idx.report.full_rebuild
    assert idx.report.embedded == len(expected) > 10
    # Rebuilt from Chroma metadata alone, in document order, equal to the chunker's output.
    assert list(idx.passages.values()) == expected
    assert stored_ids(idx) == sorted(p.id for p in expected)
    manifest = json.loads((settings.index_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["model"] == index.embedder.MODEL_ID
    assert manifest["chunker"] == f"{chunker.CHUNKER_VERSION}/{EXTRACTOR_VERSION}"
    doc = load_document(SPEECH)
    assert manifest["docs"][doc.slug] == {"sha256": doc.sha256, "passage_ids": [p.id for p in expected]}
    assert len(idx.fingerprint) == 16


def test_stored_vectors_embed_the_search_text(small: Settings, embedder: OnnxMiniLM) -> None:
    idx = open_index(small, embedder=embedder)
    records = idx.collection.get(include=["embeddings"])
    stored = dict(zip(records["ids"], records["embeddings"], strict=True))
    note = next(p for p in idx.passages.values() if p.context)
    assert float(stored[note.id] @ embedder.embed([note.search_text])[0]) > 0.999


def test_reopen_embeds_nothing_and_keeps_the_fingerprint(settings: Settings, embedder: OnnxMiniLM) -> None:
    first = open_index(settings, embedder=embedder)
    before = embedder.embedded_count
    second = open_index(settings, embedder=embedder)
    assert embedder.embedded_count == before
    assert second.report.embedded == 0 and not second.report.full_rebuild
    assert second.report.unchanged == [load_document(SPEECH).slug]
    assert second.fingerprint == first.fingerprint
    assert second.passages == first.passages


def test_changed_file_replaces_its_passages_without_stale_ids(
    settings: Settings, embedder: OnnxMiniLM
) -> None:
    first = open_index(settings, embedder=embedder)
    path = settings.data_dir / SPEECH.name
    lines = path.read_text(encoding="utf-8").split("\n")
    # Drop four paragraphs so the old trailing ids no longer exist, and reword one.
    del lines[9:13]
    lines[5] = lines[5].replace("cyber sovereignty", "digital sovereignty")
    path.write_text("\n".join(lines), encoding="utf-8")

    second = open_index(settings, embedder=embedder)
    expected = expected_passages(settings.data_dir)
    assert second.report.updated == [load_document(path).slug] and not second.report.full_rebuild
    assert second.report.embedded == len(expected)
    assert list(second.passages.values()) == expected
    assert stored_ids(second) == sorted(p.id for p in expected)
    assert len(expected) < len(first.passages)
    assert second.fingerprint != first.fingerprint


def test_new_file_embeds_only_its_own_passages(settings: Settings, embedder: OnnxMiniLM) -> None:
    open_index(settings, embedder=embedder)
    extra = settings.data_dir / "another-speech.txt"
    extra.write_text("Another Speech\nJanuary 1, 2016\nThe internet connects villages.\n", encoding="utf-8")
    idx = open_index(settings, embedder=embedder)
    new_passages = chunker.chunk(load_document(extra))
    assert idx.report.added == ["another-speech"]
    assert idx.report.embedded == len(new_passages)
    assert list(idx.passages.values()) == expected_passages(settings.data_dir)


def test_removed_file_deletes_its_passages(settings: Settings, embedder: OnnxMiniLM) -> None:
    extra = settings.data_dir / "another-speech.txt"
    extra.write_text("Another Speech\nJanuary 1, 2016\nThe internet connects villages.\n", encoding="utf-8")
    open_index(settings, embedder=embedder)
    extra.unlink()
    idx = open_index(settings, embedder=embedder)
    assert idx.report.removed == ["another-speech"]
    assert idx.report.embedded == 0
    assert all(p.doc != "another-speech" for p in idx.passages.values())
    assert stored_ids(idx) == sorted(p.id for p in expected_passages(settings.data_dir))
    assert "another-speech" not in read_manifest(settings.index_dir).docs


def test_rejected_file_is_skipped_and_reported(small: Settings, embedder: OnnxMiniLM) -> None:
    (small.data_dir / "empty.txt").write_text("   \n", encoding="utf-8")
    idx = open_index(small, embedder=embedder)
    assert idx.report.skipped == [str(small.data_dir / "empty.txt")]
    assert list(idx.passages.values()) == chunker.chunk(load_document(small.data_dir / "short-speech.txt"))


def test_changed_chunker_version_rebuilds_everything(
    small: Settings, embedder: OnnxMiniLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_index(small, embedder=embedder)
    monkeypatch.setattr(chunker, "CHUNKER_VERSION", chunker.CHUNKER_VERSION + "-next")
    idx = open_index(small, embedder=embedder)
    assert idx.report.full_rebuild and "-next" in idx.report.reason
    assert idx.report.embedded == len(idx.passages)
    assert read_manifest(small.index_dir).chunker.startswith(chunker.CHUNKER_VERSION + "/")


def test_changed_model_id_rebuilds_everything(small: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    first = open_index(small)
    monkeypatch.setattr(index.embedder, "MODEL_ID", "another-model")
    idx = open_index(small)
    assert idx.report.full_rebuild and "another-model" in idx.report.reason
    assert idx.fingerprint != first.fingerprint


def test_collection_out_of_step_with_manifest_redoes_that_document(
    small: Settings, embedder: OnnxMiniLM
) -> None:
    first = open_index(small, embedder=embedder)
    # As after a crash between the Chroma writes and the manifest write.
    first.collection.delete(ids=[next(iter(first.passages))])
    idx = open_index(small, embedder=embedder)
    assert idx.report.repaired == ["short-speech"] and not idx.report.full_rebuild
    assert idx.passages == first.passages
    assert stored_ids(idx) == sorted(first.passages)


def test_missing_manifest_rebuilds(small: Settings, embedder: OnnxMiniLM) -> None:
    open_index(small, embedder=embedder)
    (small.index_dir / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    assert open_index(small, embedder=embedder).report.full_rebuild


def test_manifest_write_leaves_no_temp_files(small: Settings, embedder: OnnxMiniLM) -> None:
    open_index(small, embedder=embedder)
    open_index(small, embedder=embedder)
    assert sorted(p.name for p in small.index_dir.iterdir()) == [LOCK_NAME, "chroma", MANIFEST_NAME]


def test_every_passage_field_round_trips_through_chroma(small: Settings) -> None:
    passages = [
        Passage(
            id="doc#p3",
            doc="doc",
            doc_title="Title — with “quotes”",
            text="Text with a marker.1",
            start=10,
            end=30,
            kind="paragraph",
            position=3,
            section="Principles",
            notes=("doc#n1", "doc#n2"),
            context="Title\nPrinciples\nNote: Mo Zi.",
        ),
        Passage(
            id="doc#n1",
            doc="doc",
            doc_title="T",
            text="1 Mo Zi.",
            start=40,
            end=48,
            kind="note",
            position=4,
            refs=("doc#p3",),
            page=2,
        ),  # fmt: skip
    ]
    collection = store.recreate_collection(store.connect(small))
    vectors = OnnxMiniLM().embed([p.search_text for p in passages])
    store.add_passages(collection, passages, vectors, {"doc": "abc123"})
    stored = sorted(store.load_passages(collection), key=lambda record: record[0].position)
    assert stored == [(p, "abc123") for p in passages]


def test_passages_load_in_pages(
    small: Settings, embedder: OnnxMiniLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A collection larger than one page (100k passages broke a single get()) loads whole, once each."""
    index = open_index(small, embedder=embedder)
    monkeypatch.setattr(store, "LOAD_PAGE", 3)  # 4 passages: a full page, then a short one
    loaded = [p.id for p, _ in store.load_passages(index.collection)]
    assert len(index.passages) == 4
    assert sorted(loaded) == sorted(index.passages)


def test_progress_bar_shows_only_when_asked_and_there_are_several_batches(
    tmp_path: Path, small: Settings, embedder: OnnxMiniLM, capsys: pytest.CaptureFixture[str]
) -> None:
    open_index(small, progress=True, embedder=embedder)  # a single batch: nothing to show
    assert "embedding passages" not in capsys.readouterr().err
    data_dir = tmp_path / "many"
    data_dir.mkdir()
    lines = [f"Paragraph {i} is about topic number {i}." for i in range(BATCH_SIZE + 8)]
    (data_dir / "many.txt").write_text("Many Paragraphs\n" + "\n".join(lines) + "\n", encoding="utf-8")
    quiet = Settings(data_dir=data_dir, index_dir=tmp_path / "quiet")
    open_index(quiet, embedder=embedder)
    assert "embedding passages" not in capsys.readouterr().err
    loud = open_index(
        Settings(data_dir=data_dir, index_dir=tmp_path / "loud"), progress=True, embedder=embedder
    )
    assert len(loud.passages) > BATCH_SIZE
    assert "embedding passages" in capsys.readouterr().err
