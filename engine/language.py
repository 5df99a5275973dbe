"""Questions in other languages: recognise them, and give the verified answer in their language.

Verification works on the text's own words, so an answer is always built and verified in
the language of the text first; only then is the verified answer translated, markers kept,
and the English original returned beside it. Translation needs a capable model, so only the
OpenAI backend does it (the 135M local model cannot translate reliably).
"""

from __future__ import annotations

import re

from engine.llm import ChatBackend, LLMError
from engine.prompts import Prompts

# Common English words that are not also everyday words of French, Spanish, Italian or German
# ("a", "de", "in", "on" are): one of them marks a question as English, imperatives included.
_ENGLISH_MARKERS = frozenset(
    "the of and is are were what which who when where why how does did your you with that this "
    "for from about please write tell".split()
)
_MARKER = re.compile(r"\[\d+\]")


def looks_english(question: str) -> bool:
    """A cheap language check: English questions almost always carry one of a few function words."""
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", question)]
    if not words:
        return True
    latin = sum(w.isascii() for w in words) / len(words)
    return latin >= 0.7 and (len(words) <= 2 or any(w in _ENGLISH_MARKERS for w in words))


def translate(answer: str, question: str, backend: ChatBackend, prompts: Prompts) -> str | None:
    """The answer in the question's language, or None when the translation fails or loses a marker."""
    messages = [
        {"role": "system", "content": prompts.text("system")},
        {"role": "user", "content": prompts.render("translate", question=question, answer=answer)},
    ]
    try:
        translated = "".join(backend.stream(messages, max_tokens=4 * len(answer) // 3 + 64)).strip()
    except LLMError:
        return None
    if not translated or sorted(_MARKER.findall(translated)) != sorted(_MARKER.findall(answer)):
        return None  # a citation lost or invented in translation would break the answer's grounding
    return translated
