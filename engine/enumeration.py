"""Lists announced by the text: "the following principles must be upheld:", "I wish to propose five points."

When the best evidence is such an announcement, the answer is the list that follows it,
so the engine quotes the first sentence of each item (its heading). This uses the
structure kept at ingest (each item passage carries its section) instead of hoping the
retriever ranks all items at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.passage import Passage

_ANNOUNCES = re.compile(
    r":\s*$|\b(following|two|three|four|five|six|seven|eight|nine|ten)\b(\s+\w+){0,2}\s+"
    r"(points|principles|proposals|steps|measures|ways|things|goals|priorities|areas|aspects)\b",
    re.IGNORECASE,
)


def announces_list(passage: Passage, end: int) -> bool:
    """Whether the sentence ending at ``end`` is the last of its passage and announces a list."""
    spans = passage.sentence_spans()
    if not spans or spans[-1][1] != end:
        return False
    start = spans[-1][0]
    return bool(_ANNOUNCES.search(passage.text[start:end]))


def list_items(lead: Passage, ordered: Sequence[Passage]) -> list[tuple[Passage, tuple[int, int]]]:
    """The items right after ``lead``: one (passage, first-sentence span) per section, in order."""
    after = [p for p in ordered if p.doc == lead.doc and p.position > lead.position]
    after.sort(key=lambda p: p.position)
    items: list[tuple[Passage, tuple[int, int]]] = []
    seen: set[str] = set()
    for passage in after:
        if not passage.section or passage.kind != "paragraph":
            break
        if passage.section in seen:
            continue  # a later window of the same item
        seen.add(passage.section)
        spans = passage.sentence_spans()
        if spans:
            items.append((passage, spans[0]))
    return items
