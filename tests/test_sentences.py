"""Sentence spans: exact offsets, and boundaries that survive quotes, footnotes and abbreviations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.sentences import split_sentences
from settings import ROOT

SPEECH = ROOT / "data" / "corpus" / "work-together-to-build-a-healthy-cyberspace.txt"


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def assert_exact_cover(text: str, spans: list[tuple[int, int]]) -> None:
    """Spans are trimmed, ordered, disjoint, and hold every non-space character once."""
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        assert not text[previous_end:start].strip(), "a non-space character fell between two sentences"
        previous_end = end
    assert not text[previous_end:].strip(), "a non-space character fell after the last sentence"


def test_footnote_digit_after_closing_quote_ends_the_sentence() -> None:
    text = 'As a saying goes, "When there is hatred, the world will be in chaos."1 To improve it, act.'
    assert sentences(text) == [
        'As a saying goes, "When there is hatred, the world will be in chaos."1',
        "To improve it, act.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith met Dr. Jones today.",
        "Use a tool, e.g. a hammer, or i.e. anything hard.",
        "The U.S. Congress voted.",
        "See No. 5 for details.",
        "It costs 3.5 dollars on average.",
        "He paused... and then went on.",
        '"Stop!" he said to them.',
        "J. R. Tolkien wrote it.",
    ],
)
def test_no_false_boundaries(text: str) -> None:
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Is it true? Yes! It is.", ["Is it true?", "Yes!", "It is."]),
        ("Wait... Then go.", ["Wait...", "Then go."]),
        ('He said "Go." Then he left.', ['He said "Go."', "Then he left."]),
        ("It grew in 2015. Then it fell.", ["It grew in 2015.", "Then it fell."]),
        ("He said no. Then he left.", ["He said no.", "Then he left."]),
        ("The title\n\nthe body goes on.", ["The title", "the body goes on."]),
        ("Part of the speech.* Next part.", ["Part of the speech.*", "Next part."]),
    ],
)
def test_boundaries(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_spans_are_trimmed_offsets() -> None:
    text = "  One here.   Two there.  "
    assert split_sentences(text) == [(2, 11), (14, 24)]


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_speech_sentences_cover_the_file() -> None:
    text = SPEECH.read_text(encoding="utf-8")
    spans = split_sentences(text)
    assert_exact_cover(text, spans)
    assert 'the world will be in chaos."1' in [text[s:e][-29:] for s, e in spans]


TRICKY = st.sampled_from(
    [".", "?", "!", "…", "...", '"', "”", "'", ")", "1", "12", "*", "[1]", " ", "\n", "\n\n", "\t", "A", "a"]
)


@given(st.one_of(st.text(max_size=300), st.lists(TRICKY, max_size=80).map("".join)))
def test_spans_are_exact_and_disjoint_for_any_text(text: str) -> None:
    assert_exact_cover(text, split_sentences(text))
