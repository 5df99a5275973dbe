"""other_instance: a question about one instance of a series the text covers only as others."""

from __future__ import annotations

import pytest

from engine.refusal import other_instance

NOTE = "Part of the speech at the opening ceremony of the Second World Internet Conference."


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did the speaker say at the first World Internet Conference?", True),
        ("When was the Third World Internet Conference held?", True),
        ("In which city was the Second World Internet Conference held?", False),  # the one the text names
        ("What was said at the World Internet Conference?", False),  # no instance asked for
        ("What is the first proposal?", False),  # no name after the ordinal
        # a neighbour in the series is another instance too
        ("What dates were given for the next World Internet Conference?", True),
        ("Who spoke at the previous World Internet Conference?", True),
    ],
)
def test_an_instance_the_text_never_names_is_another_thing(question: str, expected: bool) -> None:
    assert other_instance(question, [NOTE]) is expected


def test_a_name_the_text_never_numbers_is_not_contradicted() -> None:
    assert not other_instance("What happened at the first World Internet Conference?", ["It met."])
