"""The install must stay light and offline: no torch or CUDA wheels, every direct dependency pinned."""

from __future__ import annotations

import importlib.metadata
import re

from settings import ROOT

HEAVY = re.compile(r"^(torch|torchvision|torchaudio|nvidia-.*|triton|sentence-transformers)$", re.IGNORECASE)


def test_no_torch_or_cuda_installed() -> None:
    installed = {dist.metadata["Name"] for dist in importlib.metadata.distributions()}
    assert not sorted(n for n in installed if HEAVY.match(n))


def test_every_requirement_is_pinned_exactly() -> None:
    for name in ("requirements.txt", "requirements-models.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line), (
                    f"{name}: {line!r} is not pinned with =="
                )


def test_model_weights_ship_with_the_packages() -> None:
    from engine.llm import local_model_path
    from index.embedder import _tokenizer_path

    assert local_model_path().stat().st_size > 50_000_000
    assert _tokenizer_path().is_file()
