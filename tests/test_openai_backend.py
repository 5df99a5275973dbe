"""The OpenAI code path end to end, through the real `openai` client against real servers.

A real llama_cpp.server serves the bundled SmolLM2 on loopback (with an API key, so a
wrong key gets a real 401). Faults the real server cannot produce on demand (429, 500, a
hang, a body cut mid-stream, a 400 on sampling parameters) come from the scripted server
in tests/llm_server.py; each such test says so.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.engine import UNTRANSLATED, Engine
from engine.types import Answer, Turn
from settings import ROOT, Settings
from tests.llm_server import MODEL_ALIAS, fault_server, llama_server
from tests.web_server import free_port

KEY = "sk-test-correct-key-000111"
WRONG_KEY = "sk-test-wrong-key-999888"
DATE_QUESTION = "When was the speech given?"
DATE = "December 16, 2015"


@pytest.fixture(scope="module")
def server():  # noqa: ANN201 - tests.llm_server.LlamaServer
    with llama_server(api_key=KEY) as served:
        yield served


def _engine(engine: Engine, settings: Settings, **changes: object) -> Engine:
    """An engine over the session's index whose LLM is the given OpenAI-compatible server."""
    changes = {"openai_model": MODEL_ALIAS, "openai_retries": 0, **changes}
    return Engine(settings.with_(**changes), engine.index)


def _check_grounded(answer: Answer, source_text: str) -> None:
    """Every marker resolves and every quote is exact source text at its offsets."""
    markers = {c.marker for c in answer.citations}
    assert {m for s in answer.sentences for m in s.markers} <= markers
    assert all(s.status == "supported" for s in answer.sentences if s.markers)
    for citation in answer.citations:
        assert source_text[citation.start : citation.end] == citation.quote
        assert f"[{citation.marker}]" in answer.answer


def test_answers_come_from_the_served_model(engine, settings, server, source_text) -> None:
    served = _engine(engine, settings, openai_base_url=server.url, openai_api_key=KEY)
    answer = served.answer(DATE_QUESTION)
    assert answer.backend == f"openai:{MODEL_ALIAS}"
    assert not answer.refused and not answer.notice
    assert answer.timings_ms["generate"] > 0
    assert DATE in answer.answer
    _check_grounded(answer, source_text)
    assert KEY not in json.dumps(answer.to_dict())


def test_served_and_in_process_model_give_the_same_answer(engine, settings, server) -> None:
    # Same GGUF, same chat template, temperature 0, same seed: the transport must not matter.
    served = _engine(engine, settings, openai_base_url=server.url, openai_api_key=KEY)
    for question in (DATE_QUESTION, "What does the speech say about broadband coverage in villages?"):
        assert served.answer(question).answer == engine.answer(question).answer


def test_streaming_yields_tokens_then_the_verified_answer(engine, settings, server, source_text) -> None:
    served = _engine(engine, settings, openai_base_url=server.url, openai_api_key=KEY)
    pieces = list(served.stream("What does the speech say about broadband coverage in villages?"))
    drafts, final = pieces[:-1], pieces[-1]
    assert len(drafts) >= 3 and all(isinstance(p, str) for p in drafts)
    assert isinstance(final, Answer) and not final.refused
    _check_grounded(final, source_text)


def test_a_wrong_key_is_a_clear_401_and_never_leaks(engine, settings, server, source_text, caplog) -> None:
    served = _engine(engine, settings, openai_base_url=server.url, openai_api_key=WRONG_KEY)
    with caplog.at_level(logging.DEBUG):
        answer = served.answer(DATE_QUESTION)
    assert "401" in answer.notice and "OPENAI_API_KEY" in answer.notice
    assert answer.mode == "extractive" and DATE in answer.answer  # the text still answers
    _check_grounded(answer, source_text)
    for text in (json.dumps(answer.to_dict()), caplog.text):
        assert WRONG_KEY not in text and WRONG_KEY[3:] not in text


def test_a_dead_server_falls_back_to_quoting_the_text(engine, settings, source_text) -> None:
    with llama_server() as doomed:
        served = _engine(engine, settings, openai_base_url=doomed.url)
        assert not served.answer(DATE_QUESTION).notice
        doomed.process.kill()  # the server dies between two questions
        doomed.process.wait()
        answer = served.answer(DATE_QUESTION)
    assert "cannot reach" in answer.notice and answer.mode == "extractive"
    assert DATE in answer.answer
    _check_grounded(answer, source_text)


def test_rate_limits_are_retried_with_backoff(engine, settings, source_text) -> None:
    # Scripted server: a real one cannot be made to answer 429 on demand.
    with fault_server([429, 429, "ok"]) as fault:
        answer = _engine(engine, settings, openai_base_url=fault.url, openai_retries=2).answer(DATE_QUESTION)
    assert fault.requests == 3
    assert not answer.notice and answer.mode == "generated"
    _check_grounded(answer, source_text)


@pytest.mark.parametrize(("script", "message"), [([500], "(500, retried)"), ([429], "rate limited")])
def test_persistent_server_errors_are_explained(engine, settings, script, message) -> None:
    # Scripted server: a real one cannot be made to fail on demand.
    with fault_server(script) as fault:
        answer = _engine(engine, settings, openai_base_url=fault.url, openai_retries=1).answer(DATE_QUESTION)
    assert fault.requests == 2  # the first try and one retry
    assert message in answer.notice and answer.mode == "extractive"


def test_a_server_that_never_answers_times_out(engine, settings) -> None:
    # Scripted server: it accepts the request and then says nothing.
    with fault_server(["hang"], hang_s=3.0) as fault:
        started = time.perf_counter()
        served = _engine(engine, settings, openai_base_url=fault.url, openai_timeout=0.5)
        answer = served.answer(DATE_QUESTION)
    assert time.perf_counter() - started < 2.5
    assert "did not answer in time" in answer.notice and DATE in answer.answer


def test_a_stream_cut_midway_is_never_shown_as_verified(engine, settings, source_text) -> None:
    # Scripted server: sends "The speech " and half an event, then drops the connection.
    with fault_server(["cut"]) as fault:
        pieces = list(_engine(engine, settings, openai_base_url=fault.url).stream(DATE_QUESTION))
    final = pieces[-1]
    assert pieces[:-1] == ["The speech "]  # the draft was shown while it streamed ...
    assert isinstance(final, Answer) and final.mode == "extractive" and final.notice
    assert all(s.text != "The speech" for s in final.sentences)  # ... and never survives as an answer
    _check_grounded(final, source_text)


def test_models_that_reject_sampling_parameters_are_asked_again_without(engine, settings) -> None:
    # Scripted server: answers 400 naming 'temperature', as OpenAI's reasoning models do.
    with fault_server([400, "ok"]) as fault:
        answer = _engine(engine, settings, openai_base_url=fault.url).answer(DATE_QUESTION)
    assert not answer.notice and answer.mode == "generated"
    first, second = fault.bodies
    assert first["temperature"] == 0 and first["max_tokens"]
    assert "temperature" not in second and second["max_completion_tokens"] == first["max_tokens"]


def test_follow_ups_and_other_languages_use_the_llm_rewrite(engine, settings, server, source_text) -> None:
    # Plumbing only: the 135M model's rewrites are often unusable and then the rules take over.
    served = _engine(engine, settings, openai_base_url=server.url, openai_api_key=KEY)
    history = [Turn("What does the speech say about broadband coverage in villages?")]
    for question, turns in (("And by what year?", history), ("¿Cuándo se pronunció el discurso?", [])):
        answer = served.answer(question, turns)
        assert answer.rewrite in {"llm", "rules", "none"} and answer.standalone_question
        _check_grounded(answer, source_text)
    # The non-English question's verified answer is translated with its markers, or says it is not.
    translated = answer.translated_from and answer.translated_from != answer.answer
    assert translated or UNTRANSLATED in answer.notice


def test_cli_reports_a_dead_server_in_one_note_line(corpus_dir: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    dead = f"http://127.0.0.1:{free_port()}/v1"
    env.update(DATA_DIR=str(corpus_dir), INDEX_DIR=str(tmp_path), OPENAI_BASE_URL=dead,
               OPENAI_API_KEY=KEY, OPENAI_RETRIES="0")  # fmt: skip
    run = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "ask", DATE_QUESTION],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    notes = [line for line in run.stdout.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and "cannot reach the LLM server" in notes[0]
    assert DATE in run.stdout and "Traceback" not in run.stderr
    assert KEY not in run.stdout + run.stderr
