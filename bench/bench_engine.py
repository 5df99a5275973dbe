"""Speed benchmark for the grounded question-answering engine.

Every measured number is printed next to a baseline measured in the same process (or, for the
cold CLI, on the same machine a moment earlier) and the ratio between them, so a slow run on a
busy machine still says whether *our* code got slower or the machine did.

Run from the repository root:

    .venv/bin/python bench/bench_engine.py [--questions heldout|dev] [--json PATH]

Works on a temporary copy of data/corpus with temporary index folders; the real .index is
never touched. See bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from engine.engine import Engine  # noqa: E402
from evals.dataset import DEV_PATH, HELDOUT_PATH, load_cases  # noqa: E402
from index import embedder as embedder_module  # noqa: E402
from index.build import PassageIndex, open_index  # noqa: E402
from index.embedder import OnnxMiniLM  # noqa: E402
from index.retriever import HybridRetriever  # noqa: E402
from settings import Settings  # noqa: E402

# Targets on the reference 2-core machine.
TARGET_ANSWER_P50_MS = 2000.0
TARGET_RETRIEVE_P50_MS = 20.0
TARGET_COLD_ASK_S = 6.0
TARGET_BUILD_S = 3.0

BUILD_REPEATS = 3
RETRIEVAL_ROUNDS = 3
COLD_REPEATS = 3
# Environment variables that would switch the subprocess to another backend or store.
_BACKEND_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "CHROMA_HOST", "CHROMA_PORT", "TOP_K")


class NoLLM:
    """A backend that writes nothing: the engine falls back to its extractive answer."""

    name = "none"

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        return iter(())


@dataclass
class Row:
    """One line of the results table."""

    metric: str
    value: float
    unit: str
    target: float | None = None  # value must be below it
    baseline_name: str = ""
    baseline: float | None = None

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.value < self.target

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline <= 0:
            return None
        return self.value / self.baseline

    def to_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "value": round(self.value, 3),
            "unit": self.unit,
            "target": self.target,
            "pass": self.passed,
            "baseline_name": self.baseline_name,
            "baseline": None if self.baseline is None else round(self.baseline, 3),
            "ratio": None if self.ratio is None else round(self.ratio, 3),
        }


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Seconds one call took, and its result."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else float("nan")


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# 1. Index build ---------------------------------------------------------------------------------


def bench_build(base: Settings, tmp: Path, embedder: OnnxMiniLM) -> tuple[list[Row], dict, PassageIndex]:
    """Full builds into fresh folders, with the model loaded and including the model load."""
    loaded: list[float] = []
    with_load: list[float] = []
    index: PassageIndex | None = None
    for i in range(BUILD_REPEATS):
        settings = base.with_(index_dir=tmp / f"index-loaded-{i}")
        seconds, result = _timed(lambda s=settings: open_index(s, embedder=embedder))
        loaded.append(seconds)
        assert isinstance(result, PassageIndex) and result.report.full_rebuild
        index = result
    for i in range(BUILD_REPEATS):
        settings = base.with_(index_dir=tmp / f"index-cold-{i}")
        embedder_module._load.cache_clear()  # the next OnnxMiniLM() loads the model and tokenizer again
        seconds, _ = _timed(lambda s=settings: open_index(s, embedder=OnnxMiniLM()))
        with_load.append(seconds)
    assert index is not None
    texts = [p.search_text for p in index.passages.values()]
    embedder.embed(texts[:2])  # the model is warm for the baseline too
    embed_only = [_timed(lambda: embedder.embed(texts))[0] for _ in range(BUILD_REPEATS)]
    model_load: list[float] = []
    for _ in range(BUILD_REPEATS):
        embedder_module._load.cache_clear()
        model_load.append(_timed(OnnxMiniLM)[0])
    floor = statistics.median(embed_only)
    floor_with_load = floor + statistics.median(model_load)
    rows = [
        Row("index build, model loaded (median)", statistics.median(loaded), "s", TARGET_BUILD_S,
            "embed passages only", floor),
        Row("index build, incl. model load (median)", statistics.median(with_load), "s", TARGET_BUILD_S,
            "model load + embed only", floor_with_load),
    ]  # fmt: skip
    raw = {
        "passages": len(texts),
        "build_loaded_s": loaded,
        "build_with_model_load_s": with_load,
        "embed_only_s": embed_only,
        "model_load_s": model_load,
    }
    return rows, raw, index


# 2. Retrieval -----------------------------------------------------------------------------------


def bench_retrieval(
    index: PassageIndex, questions: list[str], k: int, candidates: int
) -> tuple[list[Row], dict]:
    """Warm HybridRetriever.retrieve latency against brute-force NumPy cosine and its own parts."""
    retriever = HybridRetriever(index, candidates)
    embedder = index.embedder
    stored = index.collection.get(include=["embeddings"])
    ids = list(stored["ids"])
    matrix = np.asarray(stored["embeddings"], dtype=np.float32)
    top = min(k, len(ids))

    def numpy_cosine(question: str) -> list[str]:
        query = embedder.embed([question])[0]
        scores = matrix @ query  # unit vectors: dot product is cosine
        best = np.argpartition(-scores, top - 1)[:top]
        return [ids[i] for i in best[np.argsort(-scores[best])]]

    paths: dict[str, Callable[[str], object]] = {
        "hybrid": lambda q: retriever.retrieve(q, k),
        "numpy_cosine": numpy_cosine,
        "query_embed": lambda q: embedder.embed([q]),
    }
    if index.passages:  # its parts, for attribution
        paths["bm25_only"] = lambda q: retriever._bm25_ranked(q, None)
        paths["phrase_only"] = lambda q: retriever._phrase_ranked(q, None)
        paths["vector_only"] = lambda q: retriever._vector_scored(q, None)
    for fn in paths.values():  # warm-up: first calls build caches and lazy state
        fn(questions[0])
    samples: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(RETRIEVAL_ROUNDS):
        for question in questions:
            for name, fn in paths.items():  # interleaved, so load spikes hit every path alike
                samples[name].append(_timed(lambda f=fn, q=question: f(q))[0] * 1000)
    p50 = {name: _pct(values, 50) for name, values in samples.items()}
    p95 = {name: _pct(values, 95) for name, values in samples.items()}
    rows = [
        Row("retrieve p50 (hybrid)", p50["hybrid"], "ms", TARGET_RETRIEVE_P50_MS, "numpy cosine p50",
            p50["numpy_cosine"]),
        Row("retrieve p95 (hybrid)", p95["hybrid"], "ms", None, "numpy cosine p95", p95["numpy_cosine"]),
    ]  # fmt: skip
    if "bm25_only" in p50:
        rows += [
            Row("retrieve p50 vs BM25 alone", p50["hybrid"], "ms", None, "BM25 alone p50", p50["bm25_only"]),
            Row("retrieve p50 vs vector alone", p50["hybrid"], "ms", None, "Chroma vector p50",
                p50["vector_only"]),
        ]  # fmt: skip
    rows.append(
        Row("numpy cosine p50 vs query embed", p50["numpy_cosine"], "ms", None, "query embed p50",
            p50["query_embed"])
    )  # fmt: skip
    raw = {
        "k": k,
        "candidates": candidates,
        "calls_per_path": len(samples["hybrid"]),
        "p50_ms": p50,
        "p95_ms": p95,
    }
    return rows, raw


# 3. Warm answers --------------------------------------------------------------------------------


def _answer_all(engine: Engine, questions: list[str], warm_up: str) -> dict:
    engine.answer(warm_up)  # an answerable question, so the LLM is loaded before timing starts
    totals: list[float] = []
    answered_totals: list[float] = []
    generate: list[float] = []
    cpu: list[float] = []
    refused: list[bool] = []
    modes: dict[str, int] = {}
    for question in questions:
        cpu_started = time.process_time()
        answer = engine.answer(question)
        cpu.append((time.process_time() - cpu_started) * 1000)
        totals.append(answer.timings_ms["total"])
        if not answer.refused:
            answered_totals.append(answer.timings_ms["total"])
            generate.append(answer.timings_ms["generate"])
        refused.append(answer.refused)
        modes[answer.mode] = modes.get(answer.mode, 0) + 1
    return {
        "backend": engine.backend.name,
        "total_p50_ms": _pct(totals, 50),
        "total_p95_ms": _pct(totals, 95),
        "answered_total_p50_ms": _pct(answered_totals, 50),
        "generate_p50_ms": _pct(generate, 50),
        "cpu_p50_ms": _pct(cpu, 50),
        "answered": len(answered_totals),
        "refused": sum(refused),
        "modes": modes,
        "total_ms": totals,
        "refused_flags": refused,
    }


def bench_answers(settings: Settings, index: PassageIndex, questions: list[str]) -> tuple[list[Row], dict]:
    """Engine.answer end to end with the configured LLM, against the extractive-only path."""
    extractive_engine = Engine(settings, index=index, backend=NoLLM())
    # Refusal is decided before the LLM is called, so the extractive engine finds an answerable warm-up.
    warm_up = next((q for q in questions if not extractive_engine.answer(q).refused), questions[0])
    extractive = _answer_all(extractive_engine, questions, warm_up)
    llm = _answer_all(Engine(settings, index=index), questions, warm_up)
    llm["warm_up"] = extractive["warm_up"] = warm_up
    rows = [
        Row("answer p50 total (warm, all)", llm["total_p50_ms"], "ms", TARGET_ANSWER_P50_MS,
            "extractive p50", extractive["total_p50_ms"]),
        Row("answer p95 total (warm, all)", llm["total_p95_ms"], "ms", None, "extractive p95",
            extractive["total_p95_ms"]),
        Row("answer p50 total (not refused)", llm["answered_total_p50_ms"], "ms", None,
            "extractive p50 (not refused)", extractive["answered_total_p50_ms"]),
        Row("answer p50 generate part", llm["generate_p50_ms"], "ms", None, "extractive p50 (not refused)",
            extractive["answered_total_p50_ms"]),
        Row("answer refusals", llm["refused"], "count", None, "extractive refusals", extractive["refused"]),
    ]  # fmt: skip
    return rows, {"llm": llm, "extractive": extractive}


# 4. Cold CLI ------------------------------------------------------------------------------------


def _run_cold(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return seconds, done


def bench_cold_ask(settings: Settings, question: str) -> tuple[list[Row], dict]:
    """`app.py ask --json` in a fresh process against a built index, against the import floor."""
    env = {key: value for key, value in os.environ.items() if key not in _BACKEND_ENV}
    env.update(DATA_DIR=str(settings.data_dir), INDEX_DIR=str(settings.index_dir))
    python = sys.executable
    imports: list[float] = []
    asks: list[float] = []
    reported: list[float] = []
    backend = ""
    refused = False
    for _ in range(COLD_REPEATS):  # interleaved, so a load spike hits both alike
        imports.append(_run_cold([python, "-c", "import chromadb, llama_index.core"], env)[0])
        seconds, done = _run_cold([python, "app.py", "ask", question, "--json"], env)
        asks.append(seconds)
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        reported.append(float(answer["timings_ms"]["total"]))
        backend = str(answer["backend"])
        refused = bool(answer["refused"])
    rows = [
        Row("cold `ask` wall (median)", statistics.median(asks), "s", TARGET_COLD_ASK_S,
            "cold import chromadb+llama_index", statistics.median(imports)),
    ]  # fmt: skip
    raw = {
        "question": question,
        "backend": backend,
        "refused": refused,  # True: the run never loaded the LLM, so it understates a cold answer
        "ask_wall_s": asks,
        "ask_reported_total_ms": reported,
        "import_floor_s": imports,
    }
    return rows, raw


# Report -----------------------------------------------------------------------------------------


def _fmt(value: float | None, unit: str) -> str:
    if value is None or value != value:  # None or NaN
        return "-"
    if unit == "count":
        return f"{value:.0f}"
    return f"{value:.3f} s" if unit == "s" else f"{value:.1f} ms"


def print_table(rows: list[Row]) -> None:
    header = ("metric", "value", "target", "pass", "baseline", "baseline value", "ratio")
    lines = [
        (
            row.metric,
            _fmt(row.value, row.unit),
            "-" if row.target is None else f"< {_fmt(row.target, row.unit)}",
            {True: "PASS", False: "FAIL", None: "-"}[row.passed],
            row.baseline_name or "-",
            _fmt(row.baseline, row.unit),
            "-" if row.ratio is None else f"{row.ratio:.2f}x",
        )
        for row in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    for number, line in enumerate([header, *lines]):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", choices=("heldout", "dev"), default="heldout")
    parser.add_argument("--json", type=Path, help="write every number to this file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    cases = load_cases(HELDOUT_PATH if args.questions == "heldout" else DEV_PATH)
    questions = [case.question for case in cases]
    load_before = os.getloadavg()
    started = time.perf_counter()

    tmp = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    try:
        corpus = tmp / "corpus"
        shutil.copytree(ROOT / "data" / "corpus", corpus)
        base = Settings().with_(data_dir=corpus)
        _log("loading the embedder")
        embedder = OnnxMiniLM()
        _log(f"1/4 index build ({BUILD_REPEATS}x, twice)")
        build_rows, build_raw, index = bench_build(base, tmp, embedder)
        settings = base.with_(index_dir=tmp / f"index-loaded-{BUILD_REPEATS - 1}")
        _log(f"2/4 retrieval ({len(questions)} questions x {RETRIEVAL_ROUNDS} rounds)")
        retrieval_rows, retrieval_raw = bench_retrieval(index, questions, settings.top_k, settings.candidates)
        _log(f"3/4 warm answers ({len(questions)} questions, extractive then LLM)")
        answer_rows, answer_raw = bench_answers(settings, index, questions)
        # A question the engine answers rather than refuses: only then does the cold run load the LLM.
        flags = answer_raw["llm"]["refused_flags"]
        answered = [q for q, refused in zip(questions, flags, strict=True) if not refused]
        cold_question = (answered or questions)[0]
        _log(f"4/4 cold ask ({COLD_REPEATS}x)")
        cold_rows, cold_raw = bench_cold_ask(settings, cold_question)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rows = build_rows + retrieval_rows + answer_rows + cold_rows
    load_after = os.getloadavg()
    print(
        f"\nquestions: {args.questions} ({len(questions)}), cpus: {os.cpu_count()}, "
        f"load avg before/after: {load_before[0]:.2f}/{load_after[0]:.2f}, "
        f"llm: {answer_raw['llm']['backend']}, cold ask: {cold_raw['backend']}"
        f"{' (refused)' if cold_raw['refused'] else ''}, run took {time.perf_counter() - started:.0f} s\n"
    )
    print_table(rows)
    failed = [row.metric for row in rows if row.passed is False]
    print(f"\n{'all targets met' if not failed else 'targets missed: ' + ', '.join(failed)}")
    if args.json:
        report = {
            "questions": args.questions,
            "question_count": len(questions),
            "cpu_count": os.cpu_count(),
            "loadavg_before": load_before,
            "loadavg_after": load_after,
            "rows": [row.to_dict() for row in rows],
            "build": build_raw,
            "retrieval": retrieval_raw,
            "answer": answer_raw,
            "cold_ask": cold_raw,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
