"""Lists the text announces, found once per index, and items picked by their rank."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from conftest import SPEECH_NAME
from engine import enumeration
from engine.engine import Engine
from engine.enumeration import AnnouncedList, Item, announced_lists
from ingest import chunker, loader
from ingest.passage import Passage


@pytest.fixture(scope="module")
def passages(corpus_dir: Path) -> list[Passage]:
    return chunker.chunk(loader.load_document(corpus_dir / SPEECH_NAME))


def test_the_speech_announces_its_principles_and_its_proposals(passages: list[Passage]) -> None:
    lists = list(announced_lists(reversed(passages)).values())  # input order does not matter
    assert [a.text for a in lists] == [
        "To make progress in the transformation of the global internet governance system, "
        "the following principles must be upheld:",
        "To this end, I wish to propose five points.",
    ]
    headings = [[p.text[s:e] for p, (s, e) in a.items] for a in lists]
    assert headings[0] == [
        "– Respect for cyber sovereignty.",
        "– Maintenance of peace and security.",
        "– Promotion of openness and cooperation.",
        "– Good order.",
    ]
    assert len(headings[1]) == 5 and headings[1][1].startswith("Second, build an online platform")


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        ("Which principle comes third?", "– Promotion of openness and cooperation."),
        ("What is the third point?", "Third, promote innovative development"),
        ("What does the speech say about openness?", None),
        # "last", "final" and "closing" beside a list's noun name its last item
        ("What should governance rest on, per the closing proposal?", "Fifth, build an internet governance"),
        ("Which principle is listed last?", "– Good order."),
        # ... not beside a word no announcement shares, nor beside a shared word ("internet")
        # that names no list item
        ('What is the "last kilometer" of infrastructure?', None),
        ("What does it call the 'final mile' of internet infrastructure?", None),
        # "first ..., then ..." orders the asker's steps: no rank
        ("How does it treat the law, first in the principles and then in the proposals?", None),
        ("Which principle comes first, and what does it say?", "– Respect for cyber sovereignty."),
        # a rank said by number, after the noun or as "3rd"
        ("What does point five ask for?", "Fifth, build an internet governance"),
        ("Which countries does proposal no. 2 want to share cultures?", "Second, build an online platform"),
        ("What is the 4th principle?", "– Good order."),
        ("Does he propose two things here?", None),
        # a list the asker names by its contents lies inside a sentence: "principle" is where it sits
        (
            "Counting along the list of criminal uses of cyberspace in the peace and security principle, "
            "which is third?",
            None,
        ),
        ("Which principle is third in the list of principles?", "– Promotion of openness and cooperation."),
    ],
)
def test_an_ordinal_picks_the_item_of_the_list_its_noun_names(
    passages: list[Passage], question: str, heading: str | None
) -> None:
    assert_heading(enumeration.ordinal_item(question, announced_lists(passages).values()), heading)


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        ("Which proposal follows the one about culture?", "Third, promote innovative development"),
        ("What principle precedes good order?", "– Promotion of openness and cooperation."),
        (
            "Which principle sits between cyber sovereignty and openness?",
            "– Maintenance of peace and security.",
        ),
        ("Which proposal comes just before the infrastructure one?", None),  # the first has none before it
        ("What comes after the saying?", None),  # no list named
        ("Which proposal comes after the cyber one?", None),  # "cyber" fits two headings
    ],
)
def test_a_neighbour_is_found_by_the_headings_beside_it(
    passages: list[Passage], question: str, heading: str | None
) -> None:
    assert_heading(enumeration.neighbour_item(question, announced_lists(passages).values()), heading)


def _section_size(passages: list[Passage]) -> Callable[[Passage], int]:
    def size(passage: Passage) -> int:
        section = [p for p in passages if p.section == passage.section]
        return max(p.end for p in section) - min(p.start for p in section)

    return size


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        # Good order runs to 1152 characters, the other principles to 1000 at most
        ("Which of the four principles gets the longest write-up in the text?", "– Good order."),
        # the second proposal: 909 characters, the fewest
        ("Which proposal is the shortest?", "Second, build an online platform"),
        ("Which proposal takes up the most space?", "Third, promote innovative development"),
        ("Which is the longest paragraph?", None),  # no list named
        ("Which principle is about order?", None),  # no size asked
    ],
)
def test_a_size_picks_the_longest_or_shortest_item(
    passages: list[Passage], question: str, heading: str | None
) -> None:
    lists = announced_lists(passages).values()
    assert_heading(enumeration.sized_item(question, lists, _section_size(passages)), heading)


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        ("Which of the numbered points sits exactly in the middle of the list?", "Third, promote innovative"),
        ("What is the middle proposal about?", "Third, promote innovative"),
        ("Which principle is in the middle?", None),  # four principles: no middle one
        ("What sits in the middle of the speech?", None),  # no list named
    ],
)
def test_the_middle_item_of_an_odd_list(passages: list[Passage], question: str, heading: str | None) -> None:
    assert_heading(enumeration.middle_item(question, announced_lists(passages).values()), heading)


def assert_heading(item: Item | None, heading: str | None) -> None:
    """No item was found when none is expected, else the one whose passage starts with ``heading``."""
    if heading is None:
        assert item is None
    else:
        assert item and item.passage.text.startswith(heading)


def test_a_question_about_an_items_heading_asks_nothing_inside_it(passages: list[Passage]) -> None:
    lists = announced_lists(passages).values()
    question = "What does the fifth proposal's heading say the governance system should promote?"
    item = enumeration.ordinal_item(question, lists)
    assert item is not None and enumeration.beyond_item(question, item) == set()
    inside = "What does the fifth proposal say the governance system should promote?"
    assert enumeration.beyond_item(inside, item)  # without "heading" it asks inside the item


@pytest.mark.parametrize(
    ("question", "announcement"),
    [
        ("Which numbered proposal is the Broadband China strategy mentioned in?", "propose five points"),
        ("Under which of the four principles is the UN Charter brought up?", "principles must be upheld"),
        ("The Mo Zi saying appears inside which principle?", "principles must be upheld"),
        # a count and "numbered" between "of the" and the item noun
        ("In which of the five numbered proposals is broadband mentioned?", "propose five points"),
        ("What is the name of the principle that statement belongs to?", "principles must be upheld"),
        ("What principles must be upheld?", None),  # plural: the whole list
        ("Which point deals with cultural exchange?", "propose five points"),
        ("Which of the speech's principles rules out cyber hegemony?", "principles must be upheld"),
        ("What point is the speaker using the old saying to make?", None),  # an argument, not an item
        ("Which principle comes third?", None),  # by rank: ordinal_item's
        ("What does the speech say about broadband?", None),
        # "global" and "government" are words of an announcement, not nouns for its items
        ("Which global trends will make the internet play a bigger role?", None),
        ("Which government body organized the conference?", None),
    ],
)
def test_a_which_item_question_names_its_list(
    passages: list[Passage], question: str, announcement: str | None
) -> None:
    texts = [a.text for a in enumeration.lists_asked(question, announced_lists(passages).values())]
    if announcement is None:
        assert texts == []
    else:
        assert len(texts) == 1 and announcement in texts[0]


def test_which_number_names_its_list_anywhere_in_the_question(passages: list[Passage]) -> None:
    # "Which number is it?" points back at "one of the five proposals": a position in that list.
    question = "Developing countries get a mention in just one of the five proposals. Which number is it?"
    lists = announced_lists(passages).values()
    texts = [a.text for a in enumeration.lists_asked(question, lists, by_number=True)]
    assert len(texts) == 1 and "propose five points" in texts[0]
    assert enumeration.lists_asked(question, lists) == []  # no "which proposal" to name the list


def test_the_engine_finds_the_lists_once(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 100k passages finding them costs 2.7 s: every ordinal question paid it before."""
    calls: list[int] = []

    def counted(passages: Iterable[Passage]) -> dict[str, AnnouncedList]:
        calls.append(1)
        return announced_lists(passages)

    monkeypatch.setattr("engine.engine.announced_lists", counted)
    engine.__dict__.pop("_lists", None)  # a fresh cache, so this test sees the first computation
    for question in (
        "Which principle comes third?",
        "What does the fifth proposal say there can be no room for?",
    ):
        assert not engine.answer(question).refused
    assert len(calls) == 1
