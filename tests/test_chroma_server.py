"""The same integration checks against a real `chroma run` server on 127.0.0.1 (CHROMA_HOST/PORT).

Build, retrieval, an answer whose quotes are exact substrings of the source, and an incremental
update, all through chromadb.HttpClient.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CORPUS, SPEECH_NAME
from index.build import open_index
from index.embedder import OnnxMiniLM
from index.retriever import HybridRetriever
from ingest.loader import load_document
from settings import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real Chroma server on a free loopback port, stopped after the module."""
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    path = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while socket.socket().connect_ex(("127.0.0.1", port)):
        assert process.poll() is None and time.monotonic() < deadline, "chroma run did not start"
        time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def remote(server: int, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("served") / "corpus"
    shutil.copytree(CORPUS, data_dir)
    return Settings(
        data_dir=data_dir, index_dir=data_dir.parent / "index", chroma_host="127.0.0.1", chroma_port=server
    )


def test_index_lives_on_the_server(remote: Settings, server: int) -> None:
    idx = open_index(remote, embedder=OnnxMiniLM())
    assert idx.report.full_rebuild and idx.collection.count() == len(idx.passages) > 0
    assert not (remote.index_dir / "chroma").exists()  # nothing embedded on disk
    top = HybridRetriever(idx, candidates=10).retrieve("Broadband China strategy", k=4)
    assert "Broadband China" in top[0].passage.text


def test_answer_quotes_are_exact_through_the_server(remote: Settings) -> None:
    from engine.engine import Engine

    answer = Engine(remote).answer("By what year will broadband cover every village?")
    source = load_document(remote.data_dir / SPEECH_NAME).text
    assert not answer.refused and answer.citations
    assert all(source[c.start : c.end] == c.quote for c in answer.citations)
    assert any("2020" in c.quote for c in answer.citations)


def test_incremental_update_on_the_server(remote: Settings) -> None:
    embedder = OnnxMiniLM()
    open_index(remote, embedder=embedder)
    (remote.data_dir / "notes.txt").write_text("Notes\n\nThe server keeps every passage.\n", encoding="utf-8")
    idx = open_index(remote, embedder=embedder)
    assert idx.report.added == ["notes"] and idx.report.embedded == 2 and not idx.report.full_rebuild
    (remote.data_dir / "notes.txt").unlink()
    idx = open_index(remote, embedder=embedder)
    assert idx.report.removed == ["notes"]
    assert all(not pid.startswith("notes#") for pid in idx.collection.get(include=[])["ids"])
