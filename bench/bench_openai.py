"""Streaming and conversation benchmark for the OpenAI code path, against a real server.

Starts llama_cpp.server with the bundled SmolLM2 on loopback and measures, through the
`openai` client, the time from a question to its first streamed token; the baseline is the
same model in-process (llama-cpp-python directly), measured in the same run. Then compares
the two ways of rewriting follow-ups (rules, LLM) by whether the rewritten question
retrieves a passage holding the gold quote, next to no rewriting at all.

    .venv/bin/python bench/bench_openai.py [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench_engine import Row, _log, _pct, print_table  # noqa: E402

from engine.engine import Engine  # noqa: E402
from engine.types import Turn  # noqa: E402
from evals.dataset import HELDOUT_PATH, load_cases  # noqa: E402
from index.build import open_index  # noqa: E402
from settings import Settings  # noqa: E402
from tests.llm_server import MODEL_ALIAS, llama_server  # noqa: E402

TARGET_FIRST_TOKEN_MS = 1000.0
GOLDEN = ROOT / "evals" / "data" / "golden.jsonl"


def first_token_ms(engine: Engine, questions: list[str]) -> list[float]:
    """Milliseconds from calling stream() to its first draft piece, per answered question.

    Each stream is read to its end, as a user's would be: a stream dropped after its first
    piece left the server finishing that reply while the next question waited (this made
    the served figure look about 250 ms slower than it is).
    """
    times = []
    for question in questions:
        started = time.perf_counter()
        pieces = engine.stream(question)
        if isinstance(next(pieces), str):  # a refusal comes as the Answer itself
            times.append((time.perf_counter() - started) * 1000)
        for _ in pieces:
            pass
    return times


def rewrite_hits(engine: Engine, rules: Engine) -> dict[str, object]:
    """Per method: share of follow-ups whose standalone question retrieves a gold quote."""
    cases = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]
    follow_ups = [c for c in cases if c.get("history") and c.get("answerable")]
    hits = {"none": 0, "rules": 0, "llm": 0}
    llm_ms: list[float] = []
    examples = []
    for case in follow_ups:
        history = [Turn(t["question"], t.get("answer", "")) for t in case["history"]]
        started = time.perf_counter()
        llm_question, how = engine.standalone(case["question"], history)
        llm_ms.append((time.perf_counter() - started) * 1000)
        asked = {"none": case["question"], "rules": rules.standalone(case["question"], history)[0]}
        asked["llm"] = llm_question if how == "llm" else asked["rules"]  # a fallback counts as rules
        for method, question in asked.items():
            passages, _ = engine.evidence(question)
            hits[method] += any(q in p.text for p in passages for q in case["gold_quotes"])
        examples.append({"question": case["question"], **asked, "how": how})
    total = max(len(follow_ups), 1)
    return {
        "cases": len(follow_ups),
        "hit_rate": {method: round(count / total, 3) for method, count in hits.items()},
        "llm_rewrite_ms_p50": round(statistics.median(llm_ms), 1) if llm_ms else None,
        "llm_fell_back": sum(e["how"] != "llm" for e in examples),
        "examples": examples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write every number to this file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    questions = [c.question for c in load_cases(HELDOUT_PATH)]
    tmp = Path(tempfile.mkdtemp(prefix="bench-openai-"))
    try:
        shutil.copytree(ROOT / "data" / "corpus", tmp / "corpus")
        base = Settings().with_(data_dir=tmp / "corpus", index_dir=tmp / "index")
        index = open_index(base)
        local = Engine(base, index)
        _log("starting llama_cpp.server")
        with llama_server() as server:
            served = Engine(base.with_(openai_base_url=server.url, openai_model=MODEL_ALIAS), index)
            for engine in (local, served):  # warm both: model load and first-call costs are not streaming
                engine.answer(questions[0])
            _log(f"first token, {len(questions)} questions each way")
            served_ms = first_token_ms(served, questions)
            local_ms = first_token_ms(local, questions)
            _log("follow-up rewrites: rules vs LLM")
            rewrites = rewrite_hits(Engine(served.settings.with_(rewrite="llm"), index), local)
            server_ready_s = server.ready_s
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rows = [
        Row("first token p50, llama_cpp.server", _pct(served_ms, 50), "ms", TARGET_FIRST_TOKEN_MS,
            "in-process llama.cpp", _pct(local_ms, 50)),
        Row("first token p95, llama_cpp.server", _pct(served_ms, 95), "ms", None,
            "in-process llama.cpp", _pct(local_ms, 95)),
        Row("server start to ready", server_ready_s, "s"),
    ]  # fmt: skip
    print(f"\nanswered (streamed) questions: {len(served_ms)} served, {len(local_ms)} in-process, "
          f"cpus: {os.cpu_count()}, load avg: {os.getloadavg()[0]:.2f}\n")  # fmt: skip
    print_table(rows)
    print(f"\nfollow-up rewrites ({rewrites['cases']} golden follow-ups): gold passage retrieved "
          + ", ".join(f"{k} {v:.0%}" for k, v in rewrites["hit_rate"].items())  # type: ignore[union-attr]
          + f"; LLM rewrite p50 {rewrites['llm_rewrite_ms_p50']} ms, fell back to rules "
          f"{rewrites['llm_fell_back']}x")  # fmt: skip
    if args.json:
        report = {"rows": [r.to_dict() for r in rows], "served_ms": served_ms, "local_ms": local_ms,
                  "rewrites": rewrites}  # fmt: skip
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    failed = [row.metric for row in rows if row.passed is False]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
