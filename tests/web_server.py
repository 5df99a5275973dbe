"""Start the real web chat (`python app.py web`) in a subprocess over a private library copy.

Used by the web API and browser tests and by bench/bench_web.py: a real server, its own
corpus copy and index folder, so ingesting in a test never touches data/corpus or .index.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from settings import ROOT

READY_LINE = "Web chat on http://"


@dataclass(frozen=True)
class Server:
    """A running web chat: its URL, its library folder, and how long it took to become ready."""

    url: str
    data_dir: Path
    ready_s: float
    pid: int = 0  # the server process, for benchmarks that watch its memory


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def web_server(workdir: Path, timeout: float = 180.0) -> Iterator[Server]:
    """Run the chat until the block ends; ready means its start-up line was printed."""
    data_dir = workdir / "corpus"
    shutil.copytree(ROOT / "data" / "corpus", data_dir)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHROMA_", "TOP_K"))}
    env.update(DATA_DIR=str(data_dir), INDEX_DIR=str(workdir / "index"), PORT=str(port))
    log = (workdir / "server.log").open("w+", encoding="utf-8")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "web"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        while READY_LINE not in (workdir / "server.log").read_text(encoding="utf-8"):
            if process.poll() is not None or time.perf_counter() - started > timeout:
                raise RuntimeError(f"web chat did not start:\n{(workdir / 'server.log').read_text()}")
            time.sleep(0.2)
        yield Server(f"http://127.0.0.1:{port}/", data_dir, time.perf_counter() - started, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
