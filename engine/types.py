"""What the engine returns: one Answer, the same for the CLI, the UI and the evals."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation, as a client remembers it.

    standalone_question is what the engine answered last time (the follow-up rewritten
    with its own history); passing it back lets a chain of follow-ups keep its topic.
    """

    question: str
    answer: str = ""
    standalone_question: str = ""


@dataclass(frozen=True)
class Citation:
    """A marker's target: the passage and the exact supporting quote inside it."""

    marker: int
    passage_id: str
    doc: str
    text: str  # the whole passage, exactly as in the source
    quote: str  # exact substring of the source document at [start, end)
    start: int
    end: int
    section: str = ""
    page: int | None = None  # 1-based PDF page the passage starts on; None for documents without pages


@dataclass(frozen=True)
class Sentence:
    """One answer sentence with the markers it carries and the verifier's verdict."""

    text: str
    markers: list[int]
    status: str  # "supported" | "unsupported"
    support: float = 0.0  # the verifier's score, for debugging and tuning


@dataclass
class Answer:
    """The verified answer in the JSON contract of DESIGN.md section 7."""

    question: str
    answer: str
    refused: bool
    citations: list[Citation]
    sentences: list[Sentence]
    backend: str
    timings_ms: dict[str, float]
    mode: str = "generated"  # "generated" | "extractive" | "refusal"
    closest: Citation | None = None  # for refusals: the nearest passage, for context
    retrieved: list[str] = field(default_factory=list)  # passage ids in retrieval order
    standalone_question: str = ""  # the question as retrieved and answered (follow-ups rewritten)
    rewrite: str = "none"  # how the follow-up was rewritten: "none" | "rules" | "llm"
    notice: str = ""  # what the reader should know, e.g. that the LLM was unreachable
    translated_from: str = ""  # the verified answer in the text's language, when `answer` is translated

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dict."""
        return asdict(self)
