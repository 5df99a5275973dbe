"""A second process for the fault tests: holds the index lock, dies mid-rebuild, or opens under a quota.

    python -m tests.fault_worker hold-lock INDEX_DIR              # lock, print "held", wait for stdin
    python -m tests.fault_worker kill-rebuild DATA_DIR INDEX_DIR  # SIGKILL itself inside a full rebuild
    python -m tests.fault_worker open DATA_DIR INDEX_DIR [FSIZE]  # open_index (FSIZE: a quota), print JSON

Faults a test process cannot inflict on itself without dying too live here, so what the
tests check afterwards is what a restarted process really finds on disk.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import signal
import sys
from pathlib import Path

import numpy as np

from index import build
from index.embedder import OnnxMiniLM
from ingest import chunker
from settings import Settings

# The chunker version a "new release" brings: it forces the full rebuild the kill interrupts.
NEW_CHUNKER = chunker.CHUNKER_VERSION + "-next"
_EMBED_CALLS = itertools.count(1)  # the embedder is a pydantic model: no plain attributes on it


class _DiesOnSecondRound(OnnxMiniLM):
    """The real embedder; on its second call the process is SIGKILLed, so one round is committed."""

    def embed(self, texts: list[str]) -> np.ndarray:
        if next(_EMBED_CALLS) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().embed(texts)


def main(argv: list[str]) -> int:
    mode, *paths = argv
    if mode == "hold-lock":
        with build._exclusive(Path(paths[0])):
            print("held", flush=True)
            sys.stdin.read()
        return 0
    settings = Settings(data_dir=Path(paths[0]), index_dir=Path(paths[1]))
    if mode == "kill-rebuild":
        chunker.CHUNKER_VERSION = NEW_CHUNKER
        build.ROUND = 1  # one document per round: the kill lands between two committed rounds
        build.open_index(settings, embedder=_DiesOnSecondRound())
        return 1  # not reached: the embedder kills the process
    if len(paths) > 2:  # a quota: writes past it fail with EFBIG, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(paths[2]), resource.RLIM_INFINITY))
    index = build.open_index(settings)
    report = index.report
    print(json.dumps({"passages": sorted(index.passages), "stale": report.stale, "added": report.added}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
