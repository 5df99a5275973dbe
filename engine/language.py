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
# Everyday function and question words of French, Spanish, Italian and German that English
# does not use ("die", "was", "come", "per" are English words too, so they are left out).
_FOREIGN_MARKERS = frozenset(
    "le la les des du est que qui quel quelle quels pourquoi comment où dans avec sur une il elle "
    "nous vous ce cette sont el los las del es qué cuál cuáles cómo dónde cuándo por para una sobre "
    "discurso gli della delle è di perché quale quali sono nel der das ist und wie wer wo wann "
    "warum mit für nicht ein eine dem sind welche welcher welchem wurde wird".split()
)
_MARKER = re.compile(r"\[\d+\]")
# A translation keeps at least this share of the answer's letters: Chinese, the densest script
# we expect, runs at about a third of English; "[1] no [2] yes" for a long answer is no translation.
MIN_TRANSLATED_SHARE = 0.2


def looks_english(question: str) -> bool:
    """A cheap language check: a question in Latin script is English unless it uses a word that is
    everyday French, Spanish, Italian or German and never English, and carries no English marker.

    ("Can any nation just stay unaffected by online security threats?" has no "the", "is" or
    "what", and was once taken for another language and "translated" into nonsense.)
    """
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", question)]
    if not words:
        return True
    latin = sum(w.isascii() for w in words) / len(words)
    if latin < 0.7:
        return False
    return any(w in _ENGLISH_MARKERS for w in words) or not any(w in _FOREIGN_MARKERS for w in words)


def translate(answer: str, question: str, backend: ChatBackend, prompts: Prompts) -> str | None:
    """The answer in the question's language, or None when the translation fails, loses a marker
    or leaves the answer as it was."""
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
    if _letters(translated) < MIN_TRANSLATED_SHARE * _letters(answer):
        return None  # markers kept around a word or two: the answer itself was lost
    if translated.split() == answer.split():
        return None  # the model echoed the English: shown as a translation, it would hide the notice
    return translated


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in _MARKER.sub("", text))
