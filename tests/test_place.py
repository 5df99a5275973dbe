"""Places in a document named by the question: "the first sentence", "the closing paragraph"."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SPEECH_NAME
from engine.place import Place, paragraph_at, place_asked
from ingest import chunker, loader
from ingest.passage import Passage

SPEECH = "work-together-to-build-a-healthy-cyberspace"


@pytest.fixture(scope="module")
def passages(corpus_dir: Path) -> list[Passage]:
    return chunker.chunk(loader.load_document(corpus_dir / SPEECH_NAME))


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("The very first sentence lists several trends. Which one comes first?", Place(True, "sentence")),
        ("What does the opening paragraph say is widening?", Place(True, "paragraph")),
        ("What is the speech's closing sentence about?", Place(False, "sentence")),
        ("Quote the final paragraph of the speech.", Place(False, "paragraph")),
        ("What does the last sentence of this text say?", Place(False, "sentence")),
        ("What's the final sentence of the main text?", Place(False, "sentence")),
        ("Quote the first sentence of the whole speech.", Place(True, "sentence")),
        # a place inside a list item: the document's order cannot find it
        ("What does the last sentence of the fourth proposal say?", None),
        ("What did the speaker say at the opening ceremony?", None),
        ("Which principle comes first?", None),
        # the opening, the intro, the conclusion: parts of the text, its first or last paragraph
        ("Which trend does the opening name?", Place(True, "paragraph")),
        ("How does the intro characterize cyber surveillance?", Place(True, "paragraph")),
        ("What does the conclusion of the speech hope for?", Place(False, "paragraph")),
        ("What does the speech say about China's door of opening up?", None),
        ("What happened at the opening of the Second World Internet Conference?", None),
        ("Why was the opening-up policy kept?", None),
        # a verb of beginning or ending with the text as its subject: the edge sentence
        ("How does the main body of the text actually wrap up?", Place(False, "sentence")),
        ("How does the speech end?", Place(False, "sentence")),
        ("What does the speaker open with?", Place(True, "sentence")),
        ("How does it begin?", Place(True, "sentence")),
        ("How does the speaker close the list?", None),  # an object: not the text's end
        ("How does the fourth proposal end?", None),  # a list item
    ],
)
def test_place_asked(question: str, place: Place | None) -> None:
    assert place_asked(question) == place


def test_the_opening_paragraph_is_the_first_body_paragraph_with_all_its_windows(
    passages: list[Passage],
) -> None:
    first = paragraph_at(reversed(passages), first=True)  # input order does not matter
    assert [p.id for p in first] == [f"{SPEECH}#p3.1", f"{SPEECH}#p3.2"]  # not the title or the date line
    assert first[0].text.startswith("With the development of world multipolarity")


def test_the_closing_paragraph_is_the_last_body_paragraph_not_the_notes(passages: list[Passage]) -> None:
    last = paragraph_at(passages, first=False)
    assert [p.id for p in last] == [f"{SPEECH}#p14.1", f"{SPEECH}#p14.2"]
    assert last[-1].text.endswith("healthy development of the internet.")


def test_a_document_without_body_paragraphs_has_no_place(passages: list[Passage]) -> None:
    assert paragraph_at([p for p in passages if p.kind != "paragraph"], first=True) == []


def test_windows_of_one_paragraph_share_its_number(passages: list[Passage]) -> None:
    numbers = {p.id: p.paragraph for p in passages}
    assert numbers[f"{SPEECH}#p3.1"] == numbers[f"{SPEECH}#p3.2"] == "3"
    assert numbers[f"{SPEECH}#p13"] == "13"
