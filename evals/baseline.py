"""Stored baselines of the golden suite, one per backend, and the comparison with a run.

``evals/baselines/<backend>.json`` holds the fingerprint of what produced it, the
aggregate metrics and a snapshot of every case. It is rewritten only on purpose, with
``pytest evals/ --update-baseline``; the run's table then shows what improved and what
regressed against the old one, and ``git diff evals/baselines/`` shows it again.

Tolerances: retrieval metrics (hit@k, MRR) are deterministic on every backend, so any
drop fails. Generation metrics may drop by ``GENERATION_TOLERANCE[backend]`` (absolute):
0.02 locally, where a run is deterministic and one case moving a category by a whole
case always fails, and 0.10 with OpenAI, whose outputs vary a little between calls at
temperature 0. Mean answer length may drift by ``LENGTH_TOLERANCE`` (relative) either way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from engine.llm import backend_name, local_model_path
from evals.metrics import GENERATION, LENGTH, LOWER_IS_BETTER, RETRIEVAL, Metrics
from index.embedder import MODEL_ID
from ingest.chunker import CHUNKER_VERSION
from settings import Settings

BASELINE_DIR = Path(__file__).resolve().parent / "baselines"
GENERATION_TOLERANCE = {"local": 0.02, "openai": 0.10}
LENGTH_TOLERANCE = 0.25
REBASELINE = "pytest evals/ --update-baseline"
LIBRARIES = (
    "llama-cpp-python", "onnxruntime", "tokenizers", "chromadb", "llama-index-core",
    "llama-index-retrievers-bm25", "PyStemmer", "numpy", "openai",
)  # fmt: skip


def fingerprint(settings: Settings, cases_path: Path) -> dict[str, object]:
    """What a baseline's numbers depend on besides the code: a change makes them incomparable."""
    model: dict[str, object] = {"name": backend_name(settings)}
    if settings.backend == "local":
        path = local_model_path()
        model["file_bytes"] = path.stat().st_size if path.exists() else None
    else:
        model["base_url"] = settings.openai_base_url or "https://api.openai.com/v1"
    return {
        "backend": settings.backend,
        "model": model,
        "embedder": MODEL_ID,
        "chunker": CHUNKER_VERSION,
        "prompts": _hash_files(sorted(settings.prompts_dir.glob("*.txt"))),
        "corpus": _hash_files(sorted(settings.data_dir.iterdir())),
        "cases": _hash_files([cases_path]),
        "libraries": {name: _version(name) for name in LIBRARIES},
    }


def baseline_path(backend: str) -> Path:
    return BASELINE_DIR / f"{backend}.json"


def load(backend: str) -> dict | None:
    """The stored baseline of a backend, or None when none was recorded yet."""
    path = baseline_path(backend)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def save(backend: str, baseline: dict) -> Path:
    """Write a baseline with sorted keys, so its git diff shows only what changed."""
    path = baseline_path(backend)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(baseline, indent=1, sort_keys=True, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def fingerprint_changes(stored: dict, now: dict) -> list[str]:
    """Human-readable differences between two fingerprints ("prompts: 1a2b -> 3c4d")."""

    def flat(value: object, prefix: str = "") -> dict[str, object]:
        if isinstance(value, dict):
            return {k: v for key, item in value.items() for k, v in flat(item, f"{prefix}{key}.").items()}
        return {prefix.rstrip("."): value}

    old, new = flat(stored), flat(now)
    keys = sorted(old | new)
    return [f"{key}: {old.get(key)} -> {new.get(key)}" for key in keys if old.get(key) != new.get(key)]


@dataclass(frozen=True)
class Change:
    """One metric of one group that moved beyond its tolerance."""

    group: str
    metric: str
    before: float
    now: float

    def __str__(self) -> str:
        return f"{self.group}.{self.metric}: {self.before:.4f} -> {self.now:.4f}"


def compare(
    before: dict[str, Metrics], now: dict[str, Metrics], backend: str
) -> tuple[list[Change], list[Change]]:
    """Regressions and improvements beyond tolerance, per group (categories and overall).

    A group or metric that exists on one side only is a regression: a category that lost
    all its answerable cases must not pass silently.
    """
    regressions: list[Change] = []
    improvements: list[Change] = []
    tolerance = {m: 0.0 for m in RETRIEVAL} | {m: GENERATION_TOLERANCE[backend] for m in GENERATION}
    for group in sorted(set(before) | set(now)):
        for metric in (*RETRIEVAL, *GENERATION, LENGTH):
            old, new = before.get(group, {}).get(metric), now.get(group, {}).get(metric)
            if old is None and new is None:
                continue
            if old is None or new is None:
                regressions.append(Change(group, metric, old or 0.0, new or 0.0))
                continue
            if metric == LENGTH:
                if abs(new - old) > LENGTH_TOLERANCE * old:
                    regressions.append(Change(group, metric, old, new))
                continue
            gain = (old - new) if metric in LOWER_IS_BETTER else (new - old)
            if gain < -tolerance[metric] - 1e-9:
                regressions.append(Change(group, metric, old, new))
            elif gain > 1e-9:
                improvements.append(Change(group, metric, old, new))
    return regressions, improvements


def changed_cases(before: dict[str, dict], now: dict[str, dict]) -> dict[str, list[str]]:
    """Per case id, the snapshot fields that differ from the baseline's (new and gone cases too)."""
    changed: dict[str, list[str]] = {}
    for case_id in sorted(set(before) | set(now)):
        if case_id not in before or case_id not in now:
            changed[case_id] = ["new case" if case_id in now else "case removed"]
            continue
        old, new = before[case_id], now[case_id]
        fields = [key for key in sorted(old | new) if old.get(key) != new.get(key)]
        if fields:
            changed[case_id] = fields
    return changed


def _hash_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
