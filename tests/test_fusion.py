"""Reciprocal rank fusion, and hybrid retrieval on the real speech (real Chroma, real model)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import Stemmer

from index.build import PassageIndex, open_index
from index.fusion import RRF_K, reciprocal_rank_fusion
from index.phrases import phrase_words
from index.retriever import HybridRetriever
from settings import ROOT, Settings

SPEECH = ROOT / "data" / "corpus" / "work-together-to-build-a-healthy-cyberspace.txt"
ORDER = {name: i for i, name in enumerate("abcdefgh")}


def test_rrf_prefers_a_passage_both_retrievers_rank_well() -> None:
    fused = reciprocal_rank_fusion([["c", "a"], ["d", "a"]], tie_key=ORDER.__getitem__)
    assert [item for item, _ in fused] == ["a", "c", "d"]
    assert fused[0][1] == pytest.approx(2 / (RRF_K + 2))
    assert fused[1][1] == pytest.approx(1 / (RRF_K + 1))


def test_rrf_breaks_ties_by_document_order_whatever_the_retriever_order() -> None:
    one = reciprocal_rank_fusion([["d", "b"], ["b", "d"]], tie_key=ORDER.__getitem__)
    other = reciprocal_rank_fusion([["b", "d"], ["d", "b"]], tie_key=ORDER.__getitem__)
    assert one == other
    assert [item for item, _ in one] == ["b", "d"]
    assert one[0][1] == one[1][1]


def test_rrf_of_nothing_is_empty() -> None:
    assert reciprocal_rank_fusion([[], []], tie_key=ORDER.__getitem__) == []


@pytest.fixture(scope="module")
def speech_index(tmp_path_factory: pytest.TempPathFactory) -> PassageIndex:
    root = tmp_path_factory.mktemp("speech")
    (root / "corpus").mkdir()
    shutil.copy(SPEECH, root / "corpus" / SPEECH.name)
    return open_index(Settings(data_dir=root / "corpus", index_dir=root / "index"))


@pytest.fixture(scope="module")
def retriever(speech_index: PassageIndex) -> HybridRetriever:
    return HybridRetriever(speech_index, candidates=10)


def test_broadband_china_finds_the_first_proposal_first(retriever: HybridRetriever) -> None:
    top = retriever.retrieve("Broadband China strategy", k=4)
    assert top[0].passage.text.startswith("First, speed up the building of global internet infrastructure")


def test_mutual_care_saying_finds_the_openness_principle_in_top_two(retriever: HybridRetriever) -> None:
    top = retriever.retrieve("old Chinese saying mutual care", k=4)
    assert any(hit.passage.text.startswith("– Promotion of openness and cooperation") for hit in top[:2])


def test_mo_zi_finds_the_note_in_top_two(retriever: HybridRetriever) -> None:
    top = retriever.retrieve("Mo Zi", k=4)
    assert any(hit.passage.kind == "note" and "Mo Zi" in hit.passage.text for hit in top[:2])


def test_results_are_sorted_deterministic_and_carry_both_ranks(
    speech_index: PassageIndex, retriever: HybridRetriever
) -> None:
    question = "How should cyberspace be governed?"
    first = retriever.retrieve(question, k=6)
    assert (
        first == retriever.retrieve(question, k=6) == HybridRetriever(speech_index, 10).retrieve(question, 6)
    )
    assert len(first) == 6
    order = list(speech_index.passages)
    keys = [(-hit.score, order.index(hit.passage.id)) for hit in first]
    assert keys == sorted(keys)
    for hit in first:
        ranks = (hit.bm25_rank, hit.phrase_rank, hit.vector_rank)
        assert any(rank is not None for rank in ranks)
        expected = sum(1 / (RRF_K + rank) for rank in ranks if rank is not None)
        assert hit.score == pytest.approx(expected)


def test_vector_score_is_the_cosine_of_question_and_search_text(
    speech_index: PassageIndex, retriever: HybridRetriever
) -> None:
    question = "the digital divide between countries"
    query = speech_index.embedder.embed([question])[0]
    scored = [hit for hit in retriever.retrieve(question, k=10) if hit.vector_score is not None]
    assert scored
    for hit in scored:
        cosine = float(query @ speech_index.embedder.embed([hit.passage.search_text])[0])
        assert hit.vector_score == pytest.approx(cosine, abs=1e-3)


def test_only_the_question_is_embedded(speech_index: PassageIndex, retriever: HybridRetriever) -> None:
    before = speech_index.embedder.embedded_count
    retriever.retrieve("internet infrastructure", k=4)
    assert speech_index.embedder.embedded_count == before + 1


def test_empty_index_retrieves_nothing(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    empty = open_index(Settings(data_dir=tmp_path / "corpus", index_dir=tmp_path / "index"))
    assert empty.passages == {}
    assert HybridRetriever(empty, candidates=10).retrieve("anything", k=4) == []


def test_bm25_ranks_only_passages_that_share_a_query_term(retriever: HybridRetriever) -> None:
    hits = retriever.retrieve("Mo Zi", k=10)
    ranked = [hit for hit in hits if hit.bm25_rank is not None]
    assert ranked
    assert all("mo zi" in hit.passage.search_text.lower() for hit in ranked)


def phrase_tokens(text: str, stemmer: Stemmer.Stemmer) -> list[str]:
    """The adjacent word pairs PhraseIndex ranks by, spelt out: "door of opening up" -> door_open, open_up."""
    words = phrase_words(text, stemmer)
    return [f"{first}_{second}" for first, second in zip(words, words[1:], strict=False)]


def test_phrase_tokens_pair_adjacent_words_once_stopwords_are_gone() -> None:
    stemmer = Stemmer.Stemmer("english")
    assert phrase_tokens("China's door of opening up", stemmer) == ["china_door", "door_open", "open_up"]
    assert phrase_tokens("the door to opening", stemmer) == phrase_tokens("door of opening", stemmer)
    assert phrase_tokens("opening door", stemmer) != phrase_tokens("door opening", stemmer)
    assert phrase_tokens("Notes", stemmer) == []


def test_phrase_ranks_only_passages_using_a_word_pair_of_the_question(retriever: HybridRetriever) -> None:
    question = "What does the speech say about China's door of opening up?"
    stemmer = Stemmer.Stemmer("english")
    ranked = sorted(
        (hit for hit in retriever.retrieve(question, k=10) if hit.phrase_rank is not None),
        key=lambda hit: hit.phrase_rank or 0,
    )
    assert ranked
    assert "door of opening up" in ranked[0].passage.search_text
    asked = set(phrase_tokens(question, stemmer))
    assert all(asked & set(phrase_tokens(hit.passage.search_text, stemmer)) for hit in ranked)


def test_a_passage_using_the_words_as_a_phrase_beats_passages_that_scatter_them(tmp_path: Path) -> None:
    """Distractors holding every word of the question, scattered, and repeated so that
    single-word BM25 prefers them: the phrase ranking still puts the real sentence first."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "speech.txt").write_text(
        "A Speech\n\nThe door of opening up will never close, and the economy keeps growing.\n", "utf-8"
    )
    for n in range(6):
        (corpus / f"salad-{n}.txt").write_text(
            f"Salad {n}\n\nOpening markets, opening minds: up, up and away. Every door, every door "
            "we pass, and never a close call; close the file, never the door.\n",
            "utf-8",
        )
    index = open_index(Settings(data_dir=corpus, index_dir=tmp_path / "index"))
    retriever = HybridRetriever(index, candidates=10)
    question = "Will the door of opening up ever close?"
    assert retriever._bm25_ranked(question, None)[0].startswith("salad-")  # the trap is real
    assert retriever._phrase_ranked(question, None)[0].startswith("speech#")
    assert retriever.retrieve(question, k=1)[0].passage.doc == "speech"


def test_knows_the_library_words_and_their_kin_forms(retriever: HybridRetriever) -> None:
    assert retriever.knows("broadband") and retriever.knows("villag")  # as stemmed: "villages"
    assert retriever.knows("hack")  # "hacking": the text says "hacker", which the stemmer keeps apart
    assert not retriever.knows("pro")  # starts "promot" and "prosper", but too short to be a kin form
    assert not retriever.knows("quantum") and not retriever.knows("g20")
