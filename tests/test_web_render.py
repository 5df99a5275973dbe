"""The web chat's HTML and Markdown: escaping, clickable markers, highlighted quotes, export."""

from __future__ import annotations

import re
from html import unescape

from engine.types import Answer, Citation
from ui import render
from ui.export import conversation_markdown

INJECTED = 'Beware <script>alert("x")</script> and <img src=x onerror="alert(1)"> here.'
DOC = "Title\n\nFirst paragraph. " + INJECTED + " Last words.\n"


def _citation(marker: int = 1, quote: str = INJECTED) -> Citation:
    passage = DOC[DOC.index("First") :].rstrip("\n")
    start = DOC.index(quote)
    return Citation(marker, "notes#p2", "notes", passage, quote, start, start + len(quote), "Section <b>")


def _answer(**changes: object) -> Answer:
    fields: dict[str, object] = dict(
        question="What <b>is</b> here?",
        answer=f"{INJECTED} [1] Unknown [7].",
        refused=False,
        citations=[_citation()],
        sentences=[],
        backend="local:test",
        timings_ms={"total": 12.0, "retrieve": 3.0, "generate": 9.0},
        mode="extractive",
    )
    fields.update(changes)
    return Answer(**fields)  # type: ignore[arg-type]


def _marked(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r"<mark[^>]*>(.*?)</mark>", html, re.S)]


def _assert_inert(html: str) -> None:
    """No tag from the text survives: only our own markup."""
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html or "&lt;b&gt;" in html


def test_answer_markers_are_buttons_and_text_is_escaped() -> None:
    html = render.answer_html(_answer(), turn=3)
    _assert_inert(html)
    assert re.search(r'<button class="cite c-3-1" title="[^"<]*">\[1\]</button>', html)
    assert "[7]" in html and "c-3-7" not in html  # no marker without a source


def test_refusal_is_distinct_and_offers_the_closest_passage() -> None:
    refusal = _answer(refused=True, answer="Not said.", citations=[], closest=_citation(render.CLOSEST))
    html = render.answer_html(refusal, turn=0)
    assert 'class="answer refusal"' in html and "c-0-0" in html
    _assert_inert(html)
    panel = render.sources_html(refusal, 0)
    assert "closest passage" in panel and _marked(panel) == [INJECTED]


def test_source_card_highlights_exactly_the_quote() -> None:
    quote = "First paragraph."
    html = render.sources_html(_answer(citations=[_citation(2, quote)]), turn=1, focus=2)
    assert _marked(html) == [quote]
    assert "source-card focus" in html and "d-1-2" in html and "paragraph 2" in html
    _assert_inert(render.card_html(_citation(), 0, focused=False))


def test_document_view_marks_the_quote_at_its_offsets() -> None:
    c = _citation()
    html = render.document_html("notes.txt", DOC, c, turn=0)
    assert _marked(html) == [DOC[c.start : c.end]] and 'id="doc-focus"' in html
    _assert_inert(html)
    changed = render.document_html("notes.txt", "x" + DOC, c, turn=0)
    assert "changed" in changed and not _marked(changed)


def test_keys_round_trip_and_reject_anything_else() -> None:
    assert render.parse_key(render.cite_key(4, 2)) == ("cite", 4, 2)
    assert render.parse_key(render.doc_key(0, 1)) == ("doc", 0, 1)
    for bad in ["", "c-1", "x-1-2", "c-1-2; alert(1)", "c--1-2"]:
        assert render.parse_key(bad) is None


def test_place_names_paragraph_part_and_section() -> None:
    c = _citation()
    assert render.place(c) == "paragraph 2 · Section <b>"
    assert render.place(Citation(1, "doc#p12.2", "doc", "t", "t", 0, 1)) == "paragraph 12, part 2"


def test_status_and_documents_are_text() -> None:
    assert "local:test" in render.status_html(_answer()) and "12 ms" in render.status_html(_answer())
    _assert_inert(render.documents_html([("<script>.txt", 10, 3)]))
    assert "<td>1,234</td>" in render.documents_html([("a.txt", 99, 1234)])
    _assert_inert(render.ingest_error_html("<b>bad</b>.pdf: unsupported"))


def test_export_lists_questions_answers_and_quotes_safely() -> None:
    closest = _citation(render.CLOSEST)
    refusal = _answer(question="Which city?", refused=True, answer="Not said.", citations=[], closest=closest)
    text = conversation_markdown([_answer(), refusal])
    assert text.startswith("# Conversation")
    assert "## 1. What &lt;b&gt;is&lt;/b&gt; here?" in text and "## 2. Which city?" in text
    assert f"- [1] notes (paragraph 2 · Section &lt;b&gt;, chars {_citation().start}" in text
    assert "<script" not in text and unescape("&lt;script&gt;") in unescape(text)
    assert "Closest passage" in text


def test_notices_and_translations_are_shown_as_text() -> None:
    html = render.answer_html(_answer(notice="LLM <b>down</b>", translated_from="Orig <script>x</script>"), 1)
    _assert_inert(html)
    assert 'class="notice">LLM &lt;b&gt;down' in html and 'class="translated">' in html
    assert 'class="notice"' not in render.answer_html(_answer(), 1)
