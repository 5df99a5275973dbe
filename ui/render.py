"""HTML for the web chat: answers with clickable markers, source cards, the whole-document view.

Every piece of text that comes from a document, a question or the model goes through
html.escape before it meets markup: a passage holding `<script>` or `<img onerror=...>`
must show as those characters, never run. Markup here is ours alone; the browser side
(ui/web.py) finds markers and buttons by their classes, e.g. `cite c-<turn>-<marker>`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from engine.types import Answer, Citation

_MARKER = re.compile(r"\[(\d+)\]")
_PARAGRAPH = re.compile(r"#p(\d+)(?:\.(\d+))?$")
_MODES = {"generated": "model's words, verified", "extractive": "quoted", "refusal": "refused"}
CLOSEST = 0  # the marker number a refusal's closest passage is addressed by


def cite_key(turn: int, marker: int) -> str:
    """The class naming one citation of one answer (the sanitizer keeps classes, not data-*)."""
    return f"c-{turn}-{marker}"


def doc_key(turn: int, marker: int) -> str:
    """The class of a "show in document" button for one citation."""
    return f"d-{turn}-{marker}"


def parse_key(key: str) -> tuple[str, int, int] | None:
    """("cite" | "doc", turn, marker) from a key made above; None for anything else."""
    match = re.fullmatch(r"([cd])-(\d+)-(\d+)", key or "")
    if not match:
        return None
    return ("cite" if match[1] == "c" else "doc", int(match[2]), int(match[3]))


def citation(answer: Answer, marker: int) -> Citation | None:
    """The citation behind a marker; marker 0 is a refusal's closest passage."""
    if marker == CLOSEST:
        return answer.closest
    return next((c for c in answer.citations if c.marker == marker), None)


def place(c: Citation) -> str:
    """Where a passage sits, in words: 'paragraph 12, part 2 · Section title'."""
    match = _PARAGRAPH.search(c.passage_id)
    if match:
        where = f"paragraph {match[1]}" + (f", part {match[2]}" if match[2] else "")
    else:
        where = c.passage_id
    return f"{where} · {c.section}" if c.section else where


def highlight(text: str, start: int, end: int, mark_id: str = "") -> str:
    """text with text[start:end] in <mark>, every part escaped."""
    ident = f' id="{escape(mark_id)}"' if mark_id else ""
    return f"{escape(text[:start])}<mark{ident}>{escape(text[start:end])}</mark>{escape(text[end:])}"


def question_html(question: str) -> str:
    """The user's question, as text."""
    return f'<div class="question">{escape(question)}</div>'


def draft_html(draft: str) -> str:
    """The unverified draft while the model writes; the verified answer replaces it."""
    return (
        '<div class="answer draft"><div class="draft-label">Drafting, then checking every sentence '
        f'against the source…</div><div class="draft-text">{escape(draft)}</div></div>'
    )


def error_html(message: str) -> str:
    """A question the engine would not take (empty, too long): the reason, as text."""
    return f'<div class="answer error">{escape(message)}</div>'


def answer_html(answer: Answer, turn: int) -> str:
    """The verified answer with clickable markers, or a refusal with its closest passage."""
    if answer.refused:
        closest = ""
        if answer.closest:
            c = answer.closest
            closest = (
                f'<div class="closest">Closest passage ({escape(place(c))}), which does not answer it: '
                f"{_cite_button(turn, c, f'“{c.quote}”')}</div>"
            )
        return (
            '<div class="answer refusal"><div class="refusal-label">Not in the documents</div>'
            f"<p>{escape(answer.answer)}</p>{closest}{_notes(answer)}</div>"
        )

    def marker(match: re.Match[str]) -> str:
        cited = citation(answer, int(match[1]))
        if cited is None or cited.marker == CLOSEST:
            return match[0]
        return _cite_button(turn, cited, match[0])

    body = _MARKER.sub(marker, escape(answer.answer))
    rewritten = ""
    if answer.standalone_question and answer.standalone_question.strip() != answer.question.strip():
        rewritten = f'<div class="rewritten">Answered as: {escape(answer.standalone_question)}</div>'
    return f'<div class="answer {escape(answer.mode)}">{rewritten}<p>{body}</p>{_notes(answer)}</div>'


def _notes(answer: Answer) -> str:
    """What the reader must know besides the answer: a failed LLM, a translation's original."""
    notes = ""
    if answer.translated_from:
        original = escape(answer.translated_from)
        notes += f'<div class="translated">Translated from the verified answer: {original}</div>'
    if answer.notice:
        notes += f'<div class="notice">{escape(answer.notice)}</div>'
    return notes


def _cite_button(turn: int, c: Citation, label: str) -> str:
    """A clickable marker; hovering shows the quote (title), clicking opens the source card."""
    key = cite_key(turn, c.marker)
    return f'<button class="cite {key}" title="{escape(c.quote)}">{escape(label)}</button>'


def card_html(c: Citation, turn: int, focused: bool, closest: bool = False) -> str:
    """One cited passage with its quote highlighted, its place, and a "show in document" button."""
    at = c.text.find(c.quote)
    text = highlight(c.text, at, at + len(c.quote)) if at >= 0 else escape(c.text)
    label = "closest passage (does not answer the question)" if closest else f"[{c.marker}]"
    return (
        f'<article class="source-card{" focus" if focused else ""}{" closest" if closest else ""}">'
        f'<header><span class="src-marker">{label}</span> <span class="src-doc">{escape(c.doc)}</span> · '
        f'<span class="src-place">{escape(place(c))}</span> · '
        f'<span class="src-chars">chars {c.start}–{c.end}</span>'
        f'</header><p class="src-text">{text}</p>'
        f'<button class="show-doc {doc_key(turn, c.marker)}">Show in document</button></article>'
    )


def sources_html(answer: Answer | None, turn: int, focus: int | None = None) -> str:
    """The source panel for one answer: every cited passage, the focused one first-class."""
    if answer is None:
        return '<div class="sources empty">Sources appear here: click a marker like [1] in an answer.</div>'
    if answer.refused:
        if answer.closest is None:
            return '<div class="sources empty">No passage came close to this question.</div>'
        return f'<div class="sources">{card_html(answer.closest, turn, True, closest=True)}</div>'
    cards = "".join(card_html(c, turn, c.marker == focus) for c in answer.citations)
    return f'<div class="sources">{cards}</div>'


def document_html(name: str, text: str, c: Citation, turn: int) -> str:
    """The whole document with the cited quote marked (#doc-focus, scrolled into view)."""
    back = f'<button class="back-to-sources {cite_key(turn, c.marker)}">Back to sources</button>'
    if text[c.start : c.end] != c.quote:
        warning = (
            '<div class="warning">This document changed after it was indexed; '
            "re-add it to update the citations.</div>"
        )
        body = escape(text)
    else:
        warning = ""
        body = highlight(text, c.start, c.end, mark_id="doc-focus")
    return (
        f'<div class="document">{back}<h3>{escape(name)}</h3>{warning}'
        f'<div class="doc-text focus">{body}</div></div>'
    )


def status_html(answer: Answer) -> str:
    """Which backend answered, how, and how long it took."""
    t = answer.timings_ms
    parts = [
        f"{answer.backend}",
        f"{t.get('total', 0):.0f} ms (retrieval {t.get('retrieve', 0):.0f}, "
        f"generation {t.get('generate', 0):.0f})",
        _MODES.get(answer.mode, answer.mode),
        f"{len(answer.citations)} source{'s' if len(answer.citations) != 1 else ''}",
    ]
    return f'<div class="status">{escape(" · ".join(parts))}</div>'


def documents_html(documents: Sequence[tuple[str, int, int]]) -> str:
    """The library as a table of (file name, size in bytes, passages indexed)."""
    if not documents:
        return "<p>The library is empty: add a document below.</p>"
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{size:,} bytes</td><td>{passages:,}</td></tr>"
        for name, size, passages in documents
    )
    return f'<table class="doc-list"><tr><th>Document</th><th>Size</th><th>Passages</th></tr>{rows}</table>'


def ingest_html(results: Sequence[tuple[str, str]], summary: str) -> str:
    """What an upload did, file by file ('added', 'updated', 'unchanged'), then the index summary."""
    items = "".join(f"<li>{escape(status)}: {escape(name)}</li>" for name, status in results)
    return f'<div class="ingest-ok"><ul>{items}</ul><p>{escape(summary)}</p></div>'


def ingest_error_html(message: str) -> str:
    """Why nothing was added (unsupported, empty, binary, too large...): the library is unchanged."""
    return f'<div class="ingest-error">Nothing was added: {escape(message)}</div>'
