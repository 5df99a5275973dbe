"""Shared fixtures for tests/ and evals/: one tmp copy of the corpus, one index, one Engine per session.

The engine loads the real ONNX embedder, real embedded Chroma (under a tmp folder) and,
on its first generated answer, the real local SmolLM2 model; building it once keeps the
integration tests within a few minutes on two cores.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.loader import load_document
from settings import ROOT, Settings

CORPUS = ROOT / "data" / "corpus"
SPEECH_NAME = "work-together-to-build-a-healthy-cyberspace.txt"


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of data/corpus: tests never touch the real library."""
    target = tmp_path_factory.mktemp("library") / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def settings(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Default (local, offline) settings over the corpus copy and a tmp index folder."""
    return Settings().with_(data_dir=corpus_dir, index_dir=tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def engine(settings: Settings):  # noqa: ANN201 - engine.engine.Engine, imported lazily
    """The real engine, shared by every test of the session (the index is built on first use)."""
    from engine.engine import Engine

    return Engine(settings)


@pytest.fixture(scope="session")
def source_text(corpus_dir: Path) -> str:
    """The speech exactly as the loader decodes it: citation offsets index this string."""
    return load_document(corpus_dir / SPEECH_NAME).text
