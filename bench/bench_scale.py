"""Scale benchmark: the speech plus a seeded synthetic corpus of 1k, 10k or 100k passages.

For each size it measures ingest throughput (with the embedder's own throughput beside it),
index size on disk, serving memory (peak RSS, VmHWM, of a fresh process that opened the index
and answered one question with the configured LLM), retrieval
p50/p95 and answer p50, each next to baselines run in the same process: plain LlamaIndex
``VectorStoreIndex`` over the same Chroma collection and embedder, and brute-force NumPy
cosine over the same vectors. It also measures hit@5 of the held-out speech questions with
and without the distractors, and (``--server``) retrieval against a ``chroma run`` server.

    .venv/bin/python bench/bench_scale.py --sizes 1000 10000 --json reports/scale.json
    nohup .venv/bin/python bench/bench_scale.py --sizes 100000 --server \\
        --json reports/scale-100k.json > /tmp/scale-100k.log 2>&1 &

Corpora, indexes and an embedding cache live in ``.bench_cache/`` (git-ignored): embedding
100k passages takes most of an hour on 2 cores, so a rerun reuses the vectors. A run whose
embeddings came from the cache reports ingest throughput as ``cached`` (it then measures
chunking and storing only); the end-to-end figure is the one from the run that embedded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from llama_index.core import VectorStoreIndex  # noqa: E402
from llama_index.vector_stores.chroma import ChromaVectorStore  # noqa: E402
from pydantic import PrivateAttr  # noqa: E402

from bench import prose  # noqa: E402
from bench.bench_engine import NoLLM, _pct  # noqa: E402
from engine.engine import Engine  # noqa: E402
from evals.dataset import HELDOUT_PATH, load_cases  # noqa: E402
from index.build import PassageIndex, open_index  # noqa: E402
from index.embedder import OnnxMiniLM  # noqa: E402
from index.retriever import HybridRetriever  # noqa: E402
from ingest import chunker, loader  # noqa: E402
from settings import Settings  # noqa: E402

CACHE = ROOT / ".bench_cache"
SPEECH = ROOT / "data" / "corpus" / "work-together-to-build-a-healthy-cyberspace.txt"
PARAGRAPHS_PER_DOC = 48  # plus a title and a date line: 50 passages a document
K = 5
ROUNDS = 3  # each question is retrieved this many times per path
EMBED_SAMPLE = 1024  # passages the embedder alone is timed on

TARGET_INGEST_PER_S = 150.0
TARGET_RETRIEVE_P95_MS = 50.0
TARGET_RSS_MB = 1536.0
TARGET_HIT_DROP = 0.05

log = logging.getLogger("bench")

# 1. The synthetic corpus ------------------------------------------------------------------------


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Words and cumulative weights shaped like a real collection's: Zipf-distributed, large, topical.

    A quarter of the mass is the speech's own words at their frequency in the speech (so the
    distractors talk about the internet, development and cooperation too); the rest is 20,000
    made-up words with Zipf weights, standing in for the long tail of a real vocabulary.
    Drawing the speech's words uniformly instead would make its rarest terms the commonest in
    the corpus, which no real collection does.
    """
    counts: dict[str, int] = {}
    for word in SPEECH.read_text(encoding="utf-8").split():
        word = word.strip('.,;:"“”()!?').lower()
        if word.isalpha():
            counts[word] = counts.get(word, 0) + 1
    total = sum(counts.values())
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    tail = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))) for _ in range(25_000)})
    tail = tail[:20_000]
    rng.shuffle(tail)
    zipf = [1.0 / rank for rank in range(1, len(tail) + 1)]
    zipf_total = sum(zipf)
    weights = [0.25 * c / total for c in counts.values()] + [0.75 * z / zipf_total for z in zipf]
    cumulative, running = [], 0.0
    for weight in weights:
        running += weight
        cumulative.append(running)
    return list(counts) + tail, cumulative


def _words(rng: random.Random, vocabulary: tuple[list[str], list[float]], low: int, high: int) -> str:
    words, cumulative = vocabulary
    return " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(low, high))).capitalize()


def _salad_report(rng: random.Random, vocabulary: tuple[list[str], list[float]], number: int) -> list[str]:
    month = rng.choice(["January", "March", "June", "October"])
    paragraphs = [
        f"Report {number}: {_words(rng, vocabulary, 3, 7)}",
        f"{month} {rng.randint(1, 28)}, {rng.randint(1990, 2024)}",
    ]
    return paragraphs + [
        " ".join(_words(rng, vocabulary, 8, 20) + "." for _ in range(rng.randint(2, 5)))
        for _ in range(PARAGRAPHS_PER_DOC)
    ]


def generate_corpus(folder: Path, passages: int, distractors: str = "salad", seed: int = 7) -> Path:
    """Write ``passages`` passages of seeded synthetic reports into ``folder`` (reused when complete).

    ``salad``: word salad sharing the speech's vocabulary (see _vocabulary), the harsh case,
    since its made-up words land near any question in vector space. ``prose``: grammatical
    policy reports, some on the speech's own subject (see bench/prose.py), like a real library.
    """
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng) if distractors == "salad" else None
    for number in range(max(1, passages // (PARAGRAPHS_PER_DOC + 2))):
        if vocabulary:
            paragraphs = _salad_report(rng, vocabulary, number)
        else:
            paragraphs = prose.report(rng, number, PARAGRAPHS_PER_DOC)
        (folder / f"report-{number:05d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    done.touch()
    return folder


class CachedMiniLM(OnnxMiniLM):
    """The real embedder, remembering every vector it computes in ``.bench_cache`` across runs.

    Each call that embeds something writes one shard file at once, so a run killed halfway
    (100k passages take hours on a busy 2-core machine) keeps what it embedded. ``embedded_count``
    counts only the texts that really went through the model.
    """

    _folder: Path = PrivateAttr()
    _vectors: dict[str, np.ndarray] = PrivateAttr(default_factory=dict)

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for shard in sorted(folder.glob("*[0-9].npz")):
            with np.load(shard) as stored:
                self._vectors.update(zip(stored["keys"].tolist(), stored["vectors"], strict=True))

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        missing = sorted({i for i, key in enumerate(keys) if key not in self._vectors})
        if missing:
            fresh = super().embed([texts[i] for i in missing])
            self._vectors.update((keys[i], vector) for i, vector in zip(missing, fresh, strict=True))
            shard = self._folder / f"{time.time_ns()}.npz"
            tmp = shard.with_suffix(".tmp.npz")  # never matched by the loader's glob
            np.savez(tmp, keys=np.array([keys[i] for i in missing]), vectors=fresh)
            os.replace(tmp, shard)
        return np.stack([self._vectors[key] for key in keys]) if keys else super().embed([])


# 2. Measurements ---------------------------------------------------------------------------------


def _ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _disk_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def speech_questions() -> list[tuple[str, set[str]]]:
    """Held-out answerable single-turn English questions, with the passages their gold quotes overlap."""
    passages = chunker.chunk(loader.load_document(SPEECH))
    text = loader.load_document(SPEECH).text
    questions = []
    for case in load_cases(HELDOUT_PATH):
        if not case.answerable or case.history or case.lang != "en":
            continue
        gold = set()
        for quote in case.gold_quotes:
            at = text.find(quote)
            gold |= {p.id for p in passages if at >= 0 and p.start < at + len(quote) and at < p.end}
        if gold:
            questions.append((case.question, gold))
    return questions


def hit_at_k(retriever: HybridRetriever, questions: list[tuple[str, set[str]]]) -> float:
    hits = [bool(gold & {hit.passage.id for hit in retriever.retrieve(q, K)}) for q, gold in questions]
    return sum(hits) / len(hits)


def latencies(index: PassageIndex, questions: list[str], candidates: int) -> dict[str, dict[str, float]]:
    """p50/p95 of our hybrid retriever, plain LlamaIndex VectorStoreIndex, and NumPy brute force."""
    retriever = HybridRetriever(index, candidates)
    plain = VectorStoreIndex.from_vector_store(
        ChromaVectorStore(chroma_collection=index.collection), embed_model=index.embedder
    ).as_retriever(similarity_top_k=K)
    stored = index.collection.get(include=["embeddings"])
    ids, matrix = list(stored["ids"]), np.asarray(stored["embeddings"], dtype=np.float32)

    def numpy_cosine(question: str) -> list[str]:
        scores = matrix @ index.embedder.embed([question])[0]  # unit vectors: dot product is cosine
        best = np.argpartition(-scores, K - 1)[:K]
        return [ids[i] for i in best[np.argsort(-scores[best])]]

    paths: dict[str, Callable[[str], object]] = {
        "hybrid": lambda q: retriever.retrieve(q, K),
        "llamaindex_vector": plain.retrieve,
        "numpy_cosine": numpy_cosine,
        "query_embed": lambda q: index.embedder.embed([q]),
    }
    samples: dict[str, list[float]] = {name: [] for name in paths}
    for fn in paths.values():
        fn(questions[0])  # warm-up
    for _ in range(ROUNDS):
        for question in questions:
            for name, fn in paths.items():  # interleaved: load spikes hit every path alike
                samples[name].append(_ms(lambda f=fn, q=question: f(q)))
    return {name: {"p50": _pct(v, 50), "p95": _pct(v, 95)} for name, v in samples.items()}


def answer_p50(index: PassageIndex, settings: Settings, questions: list[str]) -> float:
    """Warm answer latency without an LLM (extractive): what the corpus size changes in answering."""
    engine = Engine(settings, index=index, backend=NoLLM())
    engine.answer(questions[0])
    return _pct([_ms(lambda q=q: engine.answer(q)) for q in questions], 50)


def serving_rss_mb(settings: Settings, question: str) -> float:
    """Peak RSS of a fresh process that opens the index, builds the retriever and answers one
    question with the configured LLM (the local model by default), as a server would."""
    env = {**os.environ, "DATA_DIR": str(settings.data_dir), "INDEX_DIR": str(settings.index_dir)}
    if settings.chroma_host:
        env |= {"CHROMA_HOST": settings.chroma_host, "CHROMA_PORT": str(settings.chroma_port)}
    command = [sys.executable, __file__, "--serve-probe", question]
    # stderr passes through: the log then shows whether the probe reused the index or rebuilt it.
    out = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def _serve_probe(question: str) -> None:
    from settings import load_settings

    logging.basicConfig(level=logging.INFO, format="[probe] %(message)s")
    Engine(load_settings()).answer(question)
    print(_peak_rss_mb())


def _peak_rss_mb() -> float:
    """Peak resident memory of this process's own address space, in MB.

    Not ``ru_maxrss``: Linux carries it through exec from the address space the process
    was started from, and Python starts children with vfork, so a probe started by a 3 GB
    bench read 3 GB whatever it used itself. VmHWM belongs to the process's own memory.
    """
    status = Path("/proc/self/status")
    for line in status.read_text().splitlines() if status.exists() else []:
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_latencies(settings: Settings, questions: list[str]) -> dict[str, dict[str, float]]:
    """The same latencies with the collection served by ``chroma run`` (a copy of the embedded store)."""
    served = settings.index_dir.parent / "served"
    shutil.rmtree(served, ignore_errors=True)
    shutil.copytree(settings.index_dir, served)
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(served / "chroma"),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while socket.socket().connect_ex(("127.0.0.1", port)) and time.monotonic() < deadline:
            time.sleep(0.2)
        remote = settings.with_(index_dir=served, chroma_host="127.0.0.1", chroma_port=port)
        index = open_index(remote)
        assert not index.report.embedded, "the served copy should be up to date"
        return latencies(index, questions, remote.candidates)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_size(size: int, server: bool, distractors: str) -> dict[str, object]:
    """Every figure for one corpus size."""
    name = str(size) if distractors == "salad" else f"{distractors}-{size}"  # salad keeps its old caches
    corpus = generate_corpus(CACHE / f"corpus-{name}", size, distractors)
    data_dir = CACHE / f"library-{name}"
    if not data_dir.exists():
        data_dir.mkdir(parents=True)
        for path in corpus.glob("*.txt"):
            os.link(path, data_dir / path.name)
        shutil.copy(SPEECH, data_dir / SPEECH.name)
    settings = Settings(data_dir=data_dir, index_dir=CACHE / f"index-{name}")
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    embedder = CachedMiniLM(CACHE / "embeddings")
    log.info("size %d: ingesting", size)
    started = time.perf_counter()
    index = open_index(settings, progress=True, embedder=embedder)
    ingest_s = time.perf_counter() - started
    # The speech's own passages are usually cached from an earlier run with the other library;
    # ingest is still end to end when (nearly) everything else went through the model.
    cached = embedder.embedded_count < 0.99 * len(index.passages)
    sample = [p.search_text for p in list(index.passages.values())[:EMBED_SAMPLE]]
    plain = OnnxMiniLM()
    index = replace(index, embedder=plain)  # served questions must really be embedded, never cached
    embed_s = _ms(lambda: plain.embed(sample)) / 1000
    questions = speech_questions()
    texts = [q for q, _ in questions]
    log.info("size %d: retrieval", size)
    speech_settings = Settings(data_dir=SPEECH.parent, index_dir=CACHE / "index-speech")
    speech_only = open_index(speech_settings, embedder=plain)
    result: dict[str, object] = {
        "size": size,
        "distractors": distractors,
        "passages": len(index.passages),
        "ingest_s": round(ingest_s, 1),
        "ingest_passages_per_s": round(len(index.passages) / ingest_s, 1),
        "embeddings_cached": cached,
        "passages_embedded": embedder.embedded_count,
        "embedder_passages_per_s": round(len(sample) / embed_s, 1),
        "index_mb": round(_disk_mb(settings.index_dir), 1),
        "latency_ms": latencies(index, texts, settings.candidates),
        "answer_p50_ms": answer_p50(index, settings, texts),
        "answer_p50_ms_speech_only": answer_p50(speech_only, speech_settings, texts),
        "hit_at_5": hit_at_k(HybridRetriever(index, settings.candidates), questions),
        "hit_at_5_speech_only": hit_at_k(HybridRetriever(speech_only, settings.candidates), questions),
        "questions": len(questions),
    }
    log.info("size %d: serving memory", size)
    result["serving_rss_mb"] = serving_rss_mb(settings, texts[0])
    if server:
        log.info("size %d: chroma server", size)
        result["server_latency_ms"] = server_latencies(settings, texts)
    return result


# 3. Report ---------------------------------------------------------------------------------------


def table(results: list[dict]) -> list[tuple[str, ...]]:
    """Rows of (size, metric, value, target, pass, baselines)."""
    rows = []
    for r in results:
        lat = r["latency_ms"]
        ingest = "cached" if r["embeddings_cached"] else f"{r['ingest_passages_per_s']:.0f}/s"
        rows += [
            (r["size"], "ingest (end to end)", ingest, f">= {TARGET_INGEST_PER_S:.0f}/s",
             _ok(None if r["embeddings_cached"] else r["ingest_passages_per_s"] >= TARGET_INGEST_PER_S),
             f"embedder alone {r['embedder_passages_per_s']:.0f}/s"),
            (r["size"], "index on disk", f"{r['index_mb']:.0f} MB", "-", "-", ""),
            (r["size"], "serving RSS", f"{r['serving_rss_mb']:.0f} MB", f"< {TARGET_RSS_MB:.0f} MB",
             _ok(r["serving_rss_mb"] < TARGET_RSS_MB), ""),
            (r["size"], "retrieve p50", f"{lat['hybrid']['p50']:.1f} ms", "-", "-",
             f"llama-index {lat['llamaindex_vector']['p50']:.1f}, numpy {lat['numpy_cosine']['p50']:.1f}, "
             f"query embed {lat['query_embed']['p50']:.1f}"),
            (r["size"], "retrieve p95", f"{lat['hybrid']['p95']:.1f} ms", f"< {TARGET_RETRIEVE_P95_MS:.0f}",
             _ok(lat["hybrid"]["p95"] < TARGET_RETRIEVE_P95_MS),
             f"llama-index {lat['llamaindex_vector']['p95']:.1f}, numpy {lat['numpy_cosine']['p95']:.1f}"),
            (r["size"], "answer p50 (no LLM)", f"{r['answer_p50_ms']:.0f} ms", "-", "-",
             f"speech only {r['answer_p50_ms_speech_only']:.0f} ms"),
            (r["size"], "hit@5 held-out", f"{r['hit_at_5']:.3f}", f"drop <= {TARGET_HIT_DROP:.2f}",
             _ok(r["hit_at_5_speech_only"] - r["hit_at_5"] <= TARGET_HIT_DROP),
             f"speech only {r['hit_at_5_speech_only']:.3f} ({r['questions']} questions)"),
        ]  # fmt: skip
        if "server_latency_ms" in r:
            srv = r["server_latency_ms"]
            hybrid, plain = srv["hybrid"], srv["llamaindex_vector"]
            baseline = f"p50 {hybrid['p50']:.1f}; llama-index p95 {plain['p95']:.1f}"
            rows.append((r["size"], "retrieve p95 (server)", f"{hybrid['p95']:.1f} ms", "-", "-", baseline))
    return [tuple(str(cell) for cell in row) for row in rows]


def _ok(passed: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "-"}[passed]


def print_table(rows: list[tuple[str, ...]]) -> None:
    header = ("passages", "metric", "value", "target", "pass", "baselines (same process)")
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    for number, line in enumerate([header, *rows]):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="synthetic passages")
    parser.add_argument("--server", action="store_true", help="also measure retrieval through chroma run")
    parser.add_argument(
        "--distractors", choices=["salad", "prose"], default="salad",
        help="word salad on the speech's vocabulary (harsh) or English policy reports (realistic)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--serve-probe", metavar="QUESTION", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_probe:
        _serve_probe(args.serve_probe)
        return 0
    logging.basicConfig(level=logging.INFO, format="[bench] %(message)s")
    CACHE.mkdir(exist_ok=True)
    results = []
    for size in args.sizes:  # JSON after each size: a long run killed at 100k keeps the smaller ones
        results.append(run_size(size, args.server, args.distractors))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print_table(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
