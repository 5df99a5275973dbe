"""A conversation as Markdown: each question, its verified answer, and its sources with quotes.

Text is HTML-escaped (`<` -> `&lt;`): Markdown viewers render raw HTML, so a quote holding
`<script>` would otherwise run when the export is opened. Viewers show the entities as the
original characters, so the rendered quotes still read exactly as the source.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from engine.types import Answer, Citation
from ui.render import place


def _text(text: str) -> str:
    return escape(text, quote=False)


def _quote(c: Citation) -> str:
    return f"{_text(c.doc)} ({_text(place(c))}, chars {c.start}–{c.end}):\n  > {_text(c.quote)}"


def conversation_markdown(answers: Sequence[Answer]) -> str:
    """The whole conversation, in order, ready to save as a .md file."""
    lines = ["# Conversation", ""]
    for n, answer in enumerate(answers, start=1):
        lines += [f"## {n}. {_text(answer.question)}", ""]
        if answer.refused:
            lines += [f"*Not in the documents.* {_text(answer.answer)}", ""]
            if answer.closest:
                lines += [f"Closest passage: {_quote(answer.closest)}", ""]
            continue
        lines += [_text(answer.answer), ""]
        lines += [f"- [{c.marker}] {_quote(c)}" for c in answer.citations]
        lines += ["", f"*{_text(answer.backend)}, {answer.timings_ms.get('total', 0):.0f} ms*", ""]
    return "\n".join(lines)
