"""Follow-up questions made standalone before retrieval, so "And what year does it give for
that?" is searched with the topic of the turn before.

Two methods. An LLM rewrite (a strong model resolves "that" to the right noun phrase, and
translates a question asked in another language into the text's English); and a rule-based
rewrite that attaches the previous question as context. The rules never invent words, so
they are the default for the small local model, whose rewrites are often wrong, and the
fallback whenever an LLM rewrite fails or looks malformed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from engine import lexical
from engine.llm import ChatBackend, LLMError
from engine.prompts import Prompts
from engine.types import Turn

# Words that point back into the conversation, and openers that continue it.
_ANAPHORA = re.compile(
    r"\b(it|its|it's|that|this|these|those|they|them|their|he|him|his|she|her|such|same|former|latter)\b",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(r"^\W*(and|but|so|also|then|what about|how about)\b[\s,]*", re.IGNORECASE)
_CONTEXT = re.compile(r"\s*\(regarding: (.*)\)\W*$")
MAX_TOPICS = 2  # a chain of follow-ups keeps the last two topics, not the whole conversation
HISTORY_TURNS = 3  # turns shown to the LLM rewriter


def is_follow_up(question: str) -> bool:
    """Whether a question leans on the conversation: a pronoun pointing back, or no topic of its own.

    A continuing opener alone does not make a follow-up: "What about cyber security?" names
    its own topic and is searched as it stands.
    """
    return bool(_ANAPHORA.search(question) or len(lexical.content_terms(question)) < 2)


def by_rules(question: str, history: Sequence[Turn]) -> str:
    """The follow-up with the previous question(s) attached as context; unchanged otherwise.

    "And what year does it give for that?" after "What does it say about broadband?" becomes
    "What year does it give for that (regarding: What does it say about broadband)?": both
    retrievers then see the topic, and the question's own wh-word still sets the fact kind.
    """
    if not history or not is_follow_up(question):
        return question
    previous = history[-1].standalone_question or history[-1].question
    match = _CONTEXT.search(previous)
    earlier = match.group(1).split("; ") if match else []
    body = _clean(previous[: match.start()] if match else previous)
    topics = [t for t in [body, *earlier] if t][:MAX_TOPICS]
    asked = _CONTINUATION.sub("", question.strip(), count=1).rstrip(" ?.!") or question.strip()
    if not topics:
        return question
    return f"{asked[0].upper()}{asked[1:]} (regarding: {'; '.join(topics)})?"


def by_llm(question: str, history: Sequence[Turn], backend: ChatBackend, prompts: Prompts) -> str | None:
    """The LLM's standalone English question, or None when it fails or returns something unusable."""
    shown = "\n".join(
        f"User: {turn.standalone_question or turn.question}\nAssistant: {_strip_markers(turn.answer)[:300]}"
        for turn in history[-HISTORY_TURNS:]
    )
    messages = [
        {"role": "system", "content": prompts.text("system")},
        {"role": "user", "content": prompts.render("rewrite", history=shown or "(none)", question=question)},
    ]
    try:
        reply = "".join(backend.stream(messages, max_tokens=96)).strip()
    except LLMError:
        return None
    lines = [line.strip().strip('"') for line in reply.splitlines() if line.strip()]
    if not lines:
        return None
    rewritten = re.sub(r"^(standalone question|question|rewritten question)\s*:\s*", "", lines[0], flags=re.I)
    rewritten = rewritten.strip().strip('"')
    if not rewritten or len(rewritten) > 3 * len(question) + 200 or not lexical.content_terms(rewritten):
        return None
    return rewritten if rewritten.endswith("?") else rewritten.rstrip(".") + "?"


def _clean(question: str) -> str:
    """A previous question as a context phrase: one line, no sentence-ending punctuation inside."""
    return re.sub(r"[?.!]+(\s|$)", r"; ", question.strip()).strip(" ;")


def _strip_markers(text: str) -> str:
    return re.sub(r"\s*\[\d+\]", "", text)
