"""Bounded load on loopback: USERS concurrent gradio_client users for DURATION seconds.

Starts the real web chat (tests/web_server.py) over a temporary library copy; every user
asks the held-out questions round-robin through `/ask` until the time is up. Reports
throughput and latency percentiles, and fails unless there were 0 errors, 0 wrong answers
(bench_web.problems: markers resolve, quotes are the source at their offsets, the answer is
the one a lone user got) and the server's RSS grew by less than 10% from the end of the
warm-up to the end of the load (sampled every second with psutil). The warm-up (the first
WARMUP seconds at full concurrency) is excluded because 20 concurrent sessions, threads and
buffers cost memory once; a leak shows as growth after it. RSS before any load is printed too.

    .venv/bin/python bench/bench_load.py [--users 20] [--duration 60] [--warmup 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gradio_client import Client  # noqa: E402

from bench.bench_web import problems  # noqa: E402
from evals.dataset import HELDOUT_PATH, load_cases  # noqa: E402
from ingest.loader import load_document  # noqa: E402
from tests.web_server import web_server  # noqa: E402

MAX_RSS_GROWTH = 0.10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds of load before the RSS baseline")
    args = parser.parse_args()
    cases = [c for c in load_cases(HELDOUT_PATH) if not c.history]
    results: list[tuple[float, list[str]]] = []  # (latency s, problems) per answer
    rss: list[tuple[float, int]] = []  # (seconds into the load, bytes)
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp, web_server(Path(tmp)) as server:
        sources = {p.stem: load_document(p).text for p in server.data_dir.iterdir()}
        lone = Client(server.url, verbose=False)
        alone = {c.id: lone.predict(c.question, api_name="/ask") for c in cases}  # also warms every cache
        process = psutil.Process(server.pid)
        deadline = time.perf_counter() + args.duration
        done = threading.Event()

        def sample() -> None:
            while not done.wait(1.0):
                rss.append((time.perf_counter() - started, process.memory_info().rss))

        def user(n: int) -> None:
            client = Client(server.url, verbose=False)
            i = n
            while time.perf_counter() < deadline:
                case = cases[i % len(cases)]
                i += args.users
                started = time.perf_counter()
                try:
                    found = problems(client.predict(case.question, api_name="/ask"), alone[case.id], sources)
                except Exception as exc:  # noqa: BLE001 - a failed request is a result to report
                    found = [f"{type(exc).__name__}: {exc}"]
                with lock:
                    results.append((time.perf_counter() - started, [f"{case.id}: {p}" for p in found]))

        idle = process.memory_info().rss
        started = time.perf_counter()
        sampler = threading.Thread(target=sample)
        sampler.start()
        threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        rss.append((wall, process.memory_info().rss))
    ordered = sorted(latency for latency, _ in results)
    failures = [problem for _, found in results for problem in found]
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    baseline = next(size for at, size in rss if at >= args.warmup)
    growth = rss[-1][1] / baseline - 1
    peak = max(size for _, size in rss)
    print(f"{args.users} concurrent users for {wall:.0f} s: {len(results)} answers, {len(failures)} errors")
    print(f"throughput: {len(results) / wall:.2f} answers/s")
    print(f"latency: p50 {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, max {ordered[-1]:.2f} s")
    print(
        f"server RSS: {idle / 2**20:.0f} MiB idle, {baseline / 2**20:.0f} MiB after {args.warmup:.0f} s of "
        f"warm-up, {peak / 2**20:.0f} MiB peak, {rss[-1][1] / 2**20:.0f} MiB at the end "
        f"(after warm-up {growth:+.1%}, limit {MAX_RSS_GROWTH:+.0%}; from idle {rss[-1][1] / idle - 1:+.1%})"
    )
    for failure in failures[:20]:
        print(f"  {failure}")
    return 0 if not failures and growth < MAX_RSS_GROWTH else 1


if __name__ == "__main__":
    sys.exit(main())
