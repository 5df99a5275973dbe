"""Real OpenAI-compatible servers on loopback for the OpenAI-path tests and benchmarks.

`llama_server` runs llama-cpp-python's own server (llama_cpp.server) over the bundled GGUF:
the real thing a user would point OPENAI_BASE_URL at. `fault_server` is a small scripted
HTTP server for the faults the real one cannot be made to produce on demand (429, 5xx,
a reply that never comes): those are the only fakes, and each test that uses one says so.

Run `python -m tests.llm_server [PORT]` to serve the local model by hand, e.g. to run the
held-out targets through the openai client.
"""

from __future__ import annotations

import http.server
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from engine.llm import local_model_path
from tests.web_server import free_port

MODEL_ALIAS = "smollm2-135m"


@dataclass
class LlamaServer:
    """A running llama_cpp.server: its base URL (…/v1) and process."""

    url: str
    process: subprocess.Popen[bytes]
    ready_s: float


@contextmanager
def llama_server(api_key: str = "", port: int = 0, timeout: float = 120.0) -> Iterator[LlamaServer]:
    """Serve the bundled SmolLM2 on 127.0.0.1 until the block ends (ready when /v1/models answers)."""
    port = port or free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(local_model_path()),
        "--model_alias", MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "2048", "--n_threads", "2", "--seed", "42", "--verbose", "False",
    ]  # fmt: skip
    if api_key:
        command += ["--api_key", api_key]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(url, process, api_key, started + timeout)
        yield LlamaServer(url, process, time.perf_counter() - started)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_ready(url: str, process: subprocess.Popen[bytes], api_key: str, deadline: float) -> None:
    request = urllib.request.Request(f"{url}/models", headers={"Authorization": f"Bearer {api_key or 'x'}"})
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("llama_cpp.server did not become ready in time")


@dataclass
class FaultServer:
    """A scripted chat-completions endpoint: each request pops the next reply off `script`.

    A reply is an HTTP status (answered with an OpenAI-shaped error body), "ok" (a short
    valid stream), "cut" (half a stream, then the connection drops) or "hang" (no answer
    for `hang_s` seconds).
    """

    script: list[int | str]
    hang_s: float = 5.0
    requests: int = 0
    url: str = ""
    bodies: list[dict[str, object]] = field(default_factory=list)


@contextmanager
def fault_server(script: list[int | str], hang_s: float = 5.0) -> Iterator[FaultServer]:
    """Run a FaultServer on a free loopback port until the block ends."""
    state = FaultServer(list(script), hang_s)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            state.requests += 1
            state.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            reply = state.script.pop(0) if len(state.script) > 1 else state.script[0]
            if reply == "hang":
                time.sleep(state.hang_s)
                return
            if isinstance(reply, int):
                # A 400 names a sampling parameter, as OpenAI's reasoning models do.
                message = f"scripted {reply}" + (": 'temperature' is not supported" if reply == 400 else "")
                body = json.dumps({"error": {"message": message, "type": "test"}}).encode()
                self.send_response(reply)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            words = ["The speech ", "was given on ", "December 16, 2015."]
            for word in words[:1] if reply == "cut" else words:
                self._chunk(f"data: {json.dumps(_delta(word, None))}\n\n")
            if reply == "cut":  # half an event, then the connection drops mid-body
                self._chunk('data: {"id": "x", "choi')
                self.close_connection = True
                return
            self._chunk(f"data: {json.dumps(_delta('', 'stop'))}\n\ndata: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")

        def _chunk(self, text: str) -> None:
            data = text.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    Handler.protocol_version = "HTTP/1.1"  # chunked bodies, so a cut body is a transport error

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _delta(content: str, finish: str | None) -> dict[str, object]:
    """One OpenAI chat.completion.chunk carrying `content`."""
    return {
        "id": "x",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "scripted",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}],
    }


if __name__ == "__main__":
    # SIGTERM (kill, pkill) must stop the model server too, not leave it orphaned.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with llama_server(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8765) as served:
        print(f"serving {MODEL_ALIAS} at {served.url} (Ctrl-C to stop)", flush=True)
        print(f"  OPENAI_BASE_URL={served.url} OPENAI_MODEL={MODEL_ALIAS} .venv/bin/python app.py ask ...")
        try:
            served.process.wait()
        except KeyboardInterrupt:
            pass
