"""Storage faults: each leaves the last good index serving, uses nothing half-written, and heals by itself.

Real Chroma, real files, real processes: a read-only bind mount (or chmod when not root),
a second process holding the lock, garbage written into chroma.sqlite3 and the manifest,
a quota (RLIMIT_FSIZE) or a 1 MB tmpfs filling up during an ingest, a process SIGKILLed
inside a full rebuild. "Restarting" in-process drops Chroma's per-path client cache, which
is what a new process starts without. (The LLM dying mid-answer is tests/test_openai_backend.py.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from chromadb.api.client import SharedSystemClient

from index import build, store
from index.build import IndexUnavailable, PassageIndex, open_index
from index.embedder import OnnxMiniLM
from index.manifest import MANIFEST_NAME, PENDING_NAME, read_manifest
from index.retriever import HybridRetriever
from ingest import chunker
from settings import ROOT, Settings
from tests import fault_worker

DOCS = {
    "alpha.txt": "Alpha Report\n\nThe alpha bridge opened in 2019.\n\nAlpha traffic fell.\n",
    "beta.txt": "Beta Report\n\nThe beta harbour handled cargo.\n\nBeta exports rose.\n",
    "gamma.txt": "Gamma Report\n\nThe gamma school hired teachers.\n\nGamma pupils read more.\n",
}
BIG_DOC = "Delta Report\n\n" + "\n\n".join(f"Delta canal {i} carried {i * 7} barges." for i in range(3000))


@pytest.fixture(scope="module")
def embedder() -> OnnxMiniLM:
    return OnnxMiniLM()


def library(root: Path) -> Settings:
    (root / "corpus").mkdir(parents=True)
    for name, text in DOCS.items():
        (root / "corpus" / name).write_text(text, encoding="utf-8")
    return Settings(data_dir=root / "corpus", index_dir=root / "index")


def restart() -> None:
    """Forget Chroma's cached clients, as a new process would: the next open reads the disk afresh."""
    SharedSystemClient.clear_system_cache()


def serves(index: PassageIndex, expected: dict) -> None:
    """The index holds exactly ``expected``'s passages and retrieval answers from them."""
    assert index.passages == expected
    hit = HybridRetriever(index, candidates=5).retrieve("When did the alpha bridge open?", 1)[0]
    assert hit.passage.id == "alpha#p2" and "2019" in hit.passage.text


def worker(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.fault_worker", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, **kwargs,
    )  # fmt: skip


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` read-only: a read-only bind mount as root (who ignores permissions), else chmod."""
    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")]}
        for path in modes:
            path.chmod(modes[path] & 0o555)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"root without mount permission cannot make a folder read-only: {mounted.stderr!r}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_read_only_index_serves_the_last_good_index_then_heals(tmp_path: Path, embedder: OnnxMiniLM) -> None:
    settings = library(tmp_path)
    good = open_index(settings, embedder=embedder).passages
    (settings.data_dir / "delta.txt").write_text("Delta Report\n\nThe delta dam holds water.\n")
    manifest = (settings.index_dir / MANIFEST_NAME).read_bytes()
    restart()
    with read_only(settings.index_dir):
        stale = open_index(settings, embedder=embedder)
        assert "read-only" in stale.report.stale
        serves(stale, good)  # delta cannot be indexed; the last good index answers
    assert (settings.index_dir / MANIFEST_NAME).read_bytes() == manifest
    restart()
    healed = open_index(settings, embedder=embedder)
    assert healed.report.added == ["delta"] and not healed.report.stale


def test_lock_held_by_another_process_waits_then_proceeds(
    tmp_path: Path, embedder: OnnxMiniLM, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = library(tmp_path)
    good = open_index(settings, embedder=embedder).passages
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.fault_worker", "hold-lock", str(settings.index_dir)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(build, "LOCK_TIMEOUT_S", 0.5)
        with pytest.raises(IndexUnavailable, match=f"locked by process {holder.pid}, which is updating"):
            open_index(settings, embedder=embedder)
        monkeypatch.setattr(build, "LOCK_TIMEOUT_S", 60.0)
        assert holder.stdin is not None
        threading.Timer(1.0, holder.stdin.close).start()  # the other process finishes its update
        serves(open_index(settings, embedder=embedder), good)
        assert f"locked by process {holder.pid} (updating it); waiting" in caplog.text
    finally:
        holder.kill()
        holder.wait()


def test_corrupted_store_is_moved_aside_and_rebuilt(tmp_path: Path, embedder: OnnxMiniLM) -> None:
    settings = library(tmp_path)
    good = open_index(settings, embedder=embedder).passages
    restart()
    sqlite = settings.index_dir / "chroma" / "chroma.sqlite3"
    sqlite.write_bytes(b"garbage, not a database\x00" * 4096)
    rebuilt = open_index(settings, embedder=embedder)
    assert rebuilt.report.full_rebuild
    serves(rebuilt, good)
    (aside,) = settings.index_dir.glob("chroma.corrupt-*")
    assert (aside / "chroma.sqlite3").read_bytes().startswith(b"garbage")  # kept for a post-mortem


def test_corrupted_manifest_rebuilds_aside_and_drops_the_old_collection(
    tmp_path: Path, embedder: OnnxMiniLM
) -> None:
    settings = library(tmp_path)
    first = open_index(settings, embedder=embedder)
    (settings.index_dir / MANIFEST_NAME).write_bytes(b'{"model": "half-writ\xff')
    rebuilt = open_index(settings, embedder=embedder)
    assert rebuilt.report.full_rebuild and rebuilt.report.reason == "no readable manifest"
    serves(rebuilt, first.passages)
    names = [c.name for c in store.connect(settings).list_collections()]
    assert names == [read_manifest(settings.index_dir).collection] != [first.collection.name]


def _mounted_tmpfs(folder: Path) -> bool:
    folder.mkdir(parents=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)]).returncode == 0


@pytest.mark.parametrize("full", ["quota", "tmpfs"])
def test_disk_full_during_ingest_keeps_the_last_good_index(tmp_path: Path, full: str) -> None:
    """quota: RLIMIT_FSIZE in the worker (no root needed); tmpfs: a real 1 MB filesystem (root only)."""
    settings = library(tmp_path)
    if full == "tmpfs" and (os.geteuid() != 0 or not _mounted_tmpfs(settings.index_dir)):
        pytest.skip("mounting a tmpfs needs root")
    try:
        good = json.loads(worker("open", str(settings.data_dir), str(settings.index_dir)).stdout)
        (settings.data_dir / "delta.txt").write_text(BIG_DOC, encoding="utf-8")
        manifest = (settings.index_dir / MANIFEST_NAME).read_bytes()
        biggest = max(p.stat().st_size for p in settings.index_dir.rglob("*") if p.is_file())
        quota = [str(biggest + 65536)] if full == "quota" else []  # room for a few pages, not for delta
        full_open = worker("open", str(settings.data_dir), str(settings.index_dir), *quota)
        assert full_open.returncode == 0 and "Traceback" not in full_open.stderr, full_open.stderr
        assert "cannot be updated" in full_open.stderr and "serving the last complete" in full_open.stderr
        served = json.loads(full_open.stdout)
        assert served["stale"] and served["passages"] == good["passages"]  # delta: nothing half of it served
        assert (settings.index_dir / MANIFEST_NAME).read_bytes() == manifest
    finally:
        if full == "tmpfs":
            shutil.copytree(settings.index_dir, tmp_path / "index-copy")  # the tmpfs goes with the mount
            subprocess.run(["umount", str(settings.index_dir)], check=True)
            shutil.rmtree(settings.index_dir)
            (tmp_path / "index-copy").rename(settings.index_dir)
    healed = json.loads(worker("open", str(settings.data_dir), str(settings.index_dir)).stdout)  # room again
    assert healed["added"] == ["delta"] and not healed["stale"]


def test_killed_rebuild_leaves_the_last_good_index_serving_and_resumes(
    tmp_path: Path, embedder: OnnxMiniLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = library(tmp_path)
    good = open_index(settings, embedder=embedder)
    manifest = (settings.index_dir / MANIFEST_NAME).read_bytes()
    killed = worker("kill-rebuild", str(settings.data_dir), str(settings.index_dir))
    assert killed.returncode == -9, killed.stderr
    restart()
    assert (settings.index_dir / MANIFEST_NAME).read_bytes() == manifest  # the swap never happened
    assert list(read_manifest(settings.index_dir, PENDING_NAME).docs) == ["alpha"]  # one round committed

    # The last good index still serves: a copy opened by the old release finds it current.
    shutil.copytree(settings.index_dir, tmp_path / "copy")
    old_release = open_index(settings.with_(index_dir=tmp_path / "copy"), embedder=embedder)
    assert not old_release.report.full_rebuild and old_release.report.embedded == 0
    serves(old_release, good.passages)

    # The new release's next start resumes the rebuild (alpha is not embedded again), then swaps.
    monkeypatch.setattr(chunker, "CHUNKER_VERSION", fault_worker.NEW_CHUNKER)
    resumed = open_index(settings, embedder=embedder)
    assert resumed.report.full_rebuild and resumed.report.unchanged == ["alpha"]
    assert resumed.report.embedded == len([p for p in good.passages if not p.startswith("alpha#")])
    serves(resumed, good.passages)
    assert not (settings.index_dir / PENDING_NAME).exists()
    names = [c.name for c in store.connect(settings).list_collections()]
    assert names == [resumed.collection.name] != [good.collection.name]
