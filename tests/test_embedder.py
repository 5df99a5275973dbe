"""The ONNX MiniLM embedder: real model, no mocks."""

from __future__ import annotations

import asyncio
import sys

import numpy as np
import pytest

from index.embedder import DIMENSION, MODEL_ID, OnnxMiniLM, VectorCache


@pytest.fixture(scope="module")
def embedder() -> OnnxMiniLM:
    return OnnxMiniLM()


def test_paraphrases_are_close_and_unrelated_text_is_far(embedder: OnnxMiniLM) -> None:
    cat, cat2, tax = embedder.embed(
        ["The cat sits on the mat", "A cat is sitting on a mat", "Quarterly tax filing deadlines"]
    )
    assert float(cat @ cat2) > 0.7
    assert float(cat @ tax) < 0.3


def test_vectors_are_float32_unit_norm_and_shaped(embedder: OnnxMiniLM) -> None:
    texts = [f"sentence number {i} about the internet" for i in range(40)]  # more than one batch
    vectors = embedder.embed(texts)
    assert vectors.shape == (40, DIMENSION)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, DIMENSION)


def test_deterministic_and_independent_of_batch_neighbours(embedder: OnnxMiniLM) -> None:
    alone = embedder.embed(["Mo Zi."])
    padded = embedder.embed(
        ["Mo Zi.", "A much longer sentence that forces padding of the first one in its batch."]
    )
    np.testing.assert_array_equal(alone, embedder.embed(["Mo Zi."]))
    np.testing.assert_allclose(alone[0], padded[0], atol=1e-5)


def test_text_longer_than_the_model_window_is_truncated(embedder: OnnxMiniLM) -> None:
    long = " ".join(["cyberspace governance"] * 400)
    vector = embedder.embed([long])
    assert vector.shape == (1, DIMENSION)
    assert np.isfinite(vector).all()


def test_llama_index_methods_match_embed(embedder: OnnxMiniLM) -> None:
    texts = ["Broadband China strategy", "mutual trust"]
    expected = embedder.embed(texts)
    np.testing.assert_allclose(embedder.get_query_embedding(texts[0]), expected[0], atol=1e-6)
    np.testing.assert_allclose(embedder.get_text_embedding(texts[1]), expected[1], atol=1e-6)
    np.testing.assert_allclose(embedder.get_text_embedding_batch(texts), expected, atol=1e-6)
    np.testing.assert_allclose(asyncio.run(embedder.aget_query_embedding(texts[0])), expected[0], atol=1e-6)
    np.testing.assert_allclose(asyncio.run(embedder.aget_text_embedding_batch(texts)), expected, atol=1e-6)
    assert embedder.model_name == MODEL_ID


def test_counts_embedded_texts() -> None:
    embedder = OnnxMiniLM()
    embedder.embed(["a", "b", "c"])
    embedder.get_query_embedding("d")
    assert embedder.embedded_count == 4


def test_model_is_loaded_once_per_process() -> None:
    first, second = OnnxMiniLM(), OnnxMiniLM()
    assert first._session is second._session
    assert OnnxMiniLM(threads=1)._session is not first._session


def test_torch_is_never_imported() -> None:
    assert "torch" not in sys.modules


def test_vector_cache_returns_the_same_vectors_and_embeds_each_text_once() -> None:
    model = OnnxMiniLM()
    cache = VectorCache(model.embed, limit=3)
    texts = ["Security and development.", "Mutual trust.", "Security and development."]
    direct = model.embed(texts)
    before = model.embedded_count
    cached = cache(texts)
    assert np.allclose(cached, direct, atol=1e-6)
    assert model.embedded_count - before == 2  # the repeated text was embedded once
    cache(["Mutual trust.", "A new one.", "Another.", "And one more."])
    assert model.embedded_count - before == 5  # "Mutual trust." came from the cache
    cache(["Security and development."])  # evicted by the limit of 3: embedded again
    assert model.embedded_count - before == 6
    assert cache([]).shape == (0, direct.shape[1])
