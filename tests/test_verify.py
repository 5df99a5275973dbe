"""The verifier on real passages: the corpus chunked by the real chunker, no index needed."""

from __future__ import annotations

import pytest

from engine import lexical
from engine.evidence import antecedent, readings
from engine.verify import Claim, best_span, parse_claims, support, verify
from ingest.chunker import chunk
from ingest.loader import load_document
from ingest.passage import Passage
from settings import ROOT, Settings

SPEECH = ROOT / "data" / "corpus" / "work-together-to-build-a-healthy-cyberspace.txt"
THRESHOLD = Settings().support_threshold

BROADBAND_2020 = (
    "It is estimated that by 2020, the broadband network in China will, by and large, cover every village."
)
BATTLEFIELD = "Cyberspace should not become a battlefield for countries to wrestle with one another"
SAYING = "When there is mutual care, the world will be in good order"


@pytest.fixture(scope="module")
def passages() -> list[Passage]:
    return chunk(load_document(SPEECH))


def containing(passages: list[Passage], text: str) -> Passage:
    """The one passage whose text holds ``text``."""
    found = [p for p in passages if text in p.text]
    assert len(found) == 1, f"{text!r} is in {len(found)} passages"
    return found[0]


# --- parse_claims -------------------------------------------------------------------------------------


def test_leading_marker_belongs_to_its_sentence() -> None:
    assert parse_claims("[1] China is now implementing the Broadband China strategy.") == [
        Claim("China is now implementing the Broadband China strategy.", (1,))
    ]


def test_trailing_marker_is_removed_and_kept() -> None:
    assert parse_claims("The network will cover every village [2].") == [
        Claim("The network will cover every village.", (2,))
    ]
    # Small models often put the marker after the full stop; it still belongs to that sentence.
    assert parse_claims("The network will cover every village. [3]") == [
        Claim("The network will cover every village.", (3,))
    ]


def test_markers_after_full_stops_stay_with_their_own_sentences() -> None:
    assert parse_claims("Security matters. [1] Development matters too. [2]") == [
        Claim("Security matters.", (1,)),
        Claim("Development matters too.", (2,)),
    ]


def test_marker_lists() -> None:
    assert parse_claims("Both passages say so [1, 2].") == [Claim("Both passages say so.", (1, 2))]
    assert parse_claims("Mo Zi [1] [3].") == [Claim("Mo Zi.", (1, 3))]


def test_sentences_are_split_and_keep_their_own_markers() -> None:
    assert parse_claims("Security matters [1]. Development matters too [2].") == [
        Claim("Security matters.", (1,)),
        Claim("Development matters too.", (2,)),
    ]


def test_a_leading_marker_applies_to_the_first_sentence_of_its_line_only() -> None:
    assert parse_claims("[1] First claim. Second claim.\n[2] Third claim.") == [
        Claim("First claim.", (1,)),
        Claim("Second claim.", ()),
        Claim("Third claim.", (2,)),
    ]


def test_unmarked_and_empty_drafts() -> None:
    assert parse_claims("The answer is: 2020") == [Claim("The answer is: 2020", ())]
    assert parse_claims("") == []
    assert parse_claims("\n  \n[1]\n") == []


# --- support and best_span ----------------------------------------------------------------------------


def test_every_verbatim_sentence_is_fully_supported_by_its_own_span(passages: list[Passage]) -> None:
    checked = 0
    for passage in passages:
        for start, end in passage.sentence_spans():
            score, span = support(passage.text[start:end], passage)
            assert (score, span) == (1.0, (start, end)), (passage.id, passage.text[start:end])
            checked += 1
    assert checked > 50


def test_best_span_points_at_exactly_the_quoted_sentence(passages: list[Passage]) -> None:
    passage = containing(passages, BROADBAND_2020)
    start, end = best_span(lexical.content_terms(BROADBAND_2020), passage)
    assert passage.text[start:end] == BROADBAND_2020
    assert SPEECH.read_text(encoding="utf-8")[passage.start + start : passage.start + end] == BROADBAND_2020


def test_best_span_merges_adjacent_sentences_only_when_that_adds_terms(passages: list[Passage]) -> None:
    passage = containing(passages, BROADBAND_2020)
    fused = (
        "China is implementing the Broadband China strategy so broadband will cover every village by 2020."
    )
    start, end = best_span(lexical.content_terms(fused), passage)
    assert (
        passage.text[start:end] == "China is now implementing the Broadband China strategy. " + BROADBAND_2020
    )
    assert support(fused, passage)[0] == 1.0


def test_an_invented_year_gets_no_support(passages: list[Passage]) -> None:
    passage = containing(passages, BROADBAND_2020)
    claim = BROADBAND_2020.replace("2020", "2030")
    assert support(claim, passage)[0] == 0.0
    assert support("The broadband network will cover every village by 2030.", passage)[0] == 0.0


@pytest.mark.parametrize("cut", ["enshrined in the", "enshrined in the Charter of"])
def test_a_sentence_cut_off_midway_gets_no_support(passages: list[Passage], cut: str) -> None:
    whole = "The principle of sovereign equality enshrined in the Charter of the United Nations"
    passage = containing(passages, whole)
    assert support(f"{whole}.", passage)[0] >= THRESHOLD
    claim = f"The principle of sovereign equality {cut}"
    assert claim in passage.text  # every word is the source's own, yet it states nothing whole
    assert support(f"{claim}.", passage)[0] == 0.0


def test_flipped_polarity_gets_no_support(passages: list[Passage]) -> None:
    passage = containing(passages, BATTLEFIELD)
    assert support(BATTLEFIELD + ".", passage)[0] == 1.0
    assert (
        support("Cyberspace should become a battlefield for countries to wrestle with one another.", passage)[
            0
        ]
        == 0.0
    )
    assert support("Cyberspace should become a battlefield.", passage)[0] == 0.0


@pytest.mark.parametrize(
    "claim",
    [
        "Confucius said that when there is mutual care, the world will be in good order.",
        "The saying by Confucius is that when there is mutual care, the world will be in good order.",
    ],
)
def test_an_invented_name_gets_no_support(passages: list[Passage], claim: str) -> None:
    passage = containing(passages, SAYING)
    assert support(SAYING + ".", passage)[0] == 1.0  # the same claim without the name is supported
    assert support(claim, passage)[0] < THRESHOLD


@pytest.mark.parametrize("filler", ["The answer is.", "It is what it is.", "The text says so.", "...", "[1]"])
def test_filler_gets_no_support(passages: list[Passage], filler: str) -> None:
    for passage in passages:
        assert support(filler, passage)[0] == 0.0


def test_a_claim_without_content_words_quotes_nothing(passages: list[Passage]) -> None:
    assert support("It is what it is.", passages[3]) == (0.0, (0, 0))


@pytest.mark.parametrize(
    "claim",
    [
        # Each mixes words from sentences of the broadband paragraph that never say this together.
        "The digital divide will be narrowed in every village by the Broadband China strategy.",
        "Information resources will cover every village.",
        "Developing countries will cover every village with investment.",
    ],
)
def test_words_gathered_from_across_a_paragraph_are_not_support(passages: list[Passage], claim: str) -> None:
    passage = containing(passages, BROADBAND_2020)
    terms = set(lexical.content_terms(claim))
    assert terms <= set(lexical.content_terms(passage.text + " " + passage.context)) | {"develop"}
    assert support(claim, passage)[0] < THRESHOLD


# --- verify -------------------------------------------------------------------------------------------


def test_an_uncited_supported_claim_is_attributed_to_the_passage_that_supports_it(
    passages: list[Passage],
) -> None:
    right = containing(passages, BROADBAND_2020)
    wrong = containing(passages, BATTLEFIELD)
    for markers in [(), (1,), (7,)]:  # no marker, a wrong marker, a marker that points nowhere
        (verdict,) = verify(
            [Claim(BROADBAND_2020, markers)], cited={1: wrong}, candidates=[wrong, right], threshold=THRESHOLD
        )
        assert verdict.supported and verdict.passage is right, markers
        assert right.text[verdict.quote[0] : verdict.quote[1]] == BROADBAND_2020
        assert verdict.support == 1.0


def test_an_unsupported_claim_gets_no_passage(passages: list[Passage]) -> None:
    (verdict,) = verify(
        [Claim("Paris is the capital of France.", (1,))],
        cited={1: passages[3]},
        candidates=passages,
        threshold=THRESHOLD,
    )
    assert not verdict.supported and verdict.passage is None and verdict.support < THRESHOLD


def test_a_claim_that_only_restates_the_question_is_dropped(passages: list[Passage]) -> None:
    passage = containing(passages, "No country should pursue cyber hegemony")
    claim = Claim("No country should pursue in cyberspace.", (1,))
    question = "What should no country pursue in cyberspace?"
    assert (
        support(claim.text, passage)[0] >= THRESHOLD
    )  # true of the passage, so only the question rule drops it
    (dropped,) = verify(
        [claim], cited={1: passage}, candidates=[passage], threshold=THRESHOLD, question=question
    )
    assert not dropped.supported
    (kept,) = verify([claim], cited={1: passage}, candidates=[passage], threshold=THRESHOLD)
    assert kept.supported and kept.passage is passage


def test_the_models_own_citation_is_kept_when_it_supports(passages: list[Passage]) -> None:
    sentence = "We are ready to step up cooperation with all countries."
    # "ready" is only in the best passage; the question lends it to the other one, so the
    # model's own citation supports the claim too, just less well.
    question = "Is China ready to step up cooperation?"
    best = containing(passages, sentence)
    own = containing(passages, "Countries should step up communication")
    assert support(sentence, best, question)[0] > support(sentence, own, question)[0] >= THRESHOLD
    assert support(sentence, own)[0] == 0.0  # without the question, "ready" is a new claim
    cited = {1: own}
    (verdict,) = verify([Claim(sentence, (1,))], cited, [best, own], THRESHOLD, question)
    assert verdict.passage is own
    (uncited,) = verify([Claim(sentence, ())], cited, [own, best], THRESHOLD, question)
    assert uncited.passage is best  # without a citation the best-supporting passage wins


def test_verdicts_keep_claim_order(passages: list[Passage]) -> None:
    claims = [Claim(BROADBAND_2020, (1,)), Claim("The answer is.", ()), Claim(BATTLEFIELD + ".", ())]
    verdicts = verify(claims, cited={1: passages[0]}, candidates=passages, threshold=THRESHOLD)
    assert [v.claim for v in verdicts] == claims
    assert [v.supported for v in verdicts] == [True, False, True]


def test_readings_join_a_leaning_sentence_to_the_one_before_and_quote_it_alone() -> None:
    text = (
        "Cyber security poses a global challenge. No country can remain immune from such challenge. "
        "Such problems as hacking grow. To this end, we act. It is late. We go."
    )
    passage = Passage(
        id="d#p1", doc="d", doc_title="D", text=text, start=0, end=len(text), kind="paragraph", position=1
    )
    sentences = [text[s:e] for s, e, _ in readings(passage)]
    read = {text[s:e]: text[r:e] for s, e, r in readings(passage)}
    assert sentences == [text[s:e] for s, e in passage.sentence_spans()]
    assert read["No country can remain immune from such challenge."].startswith("Cyber security poses")
    # "such ... as" names what it means
    assert read["Such problems as hacking grow."] == "Such problems as hacking grow."
    assert read["To this end, we act."].startswith("Such problems")
    assert read["It is late."].startswith("To this end")
    assert read["We go."] == "We go."
    assert read["Cyber security poses a global challenge."] == "Cyber security poses a global challenge."


def test_a_demonstrative_points_at_the_earlier_sentence_that_uses_its_noun(passages: list[Passage]) -> None:
    passage = containing(passages, "thanks to this strategy")
    text = passage.text
    starts = {text[s:e]: s for s, e in passage.sentence_spans()}
    pointing = next(s for sentence, s in starts.items() if "thanks to this strategy" in sentence)
    named = antecedent(passage, pointing)
    assert (
        named is not None and text[slice(*named)] == "China is now implementing the Broadband China strategy."
    )
    # the nearest earlier sentence using the noun, and none when no earlier one does
    assert antecedent(passage, starts["China is now implementing the Broadband China strategy."]) is None
    assert antecedent(passage, starts[BROADBAND_2020]) is None
