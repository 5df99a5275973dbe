"""The refusal decision: does the retrieved text contain what the question asks for?

Retrieval scores alone cannot tell ("Which city hosted the conference?" retrieves the
conference passage with a high score, yet no city is named), so the decision needs an
evidence sentence that holds the asked-for kind of fact, whose passage mentions the
question's focus, and that matches the question well enough.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from engine import lexical
from engine.evidence import Evidence
from engine.question import WH_WORD, asks_quoted, holds, parse, quotes_something, said_about


def should_refuse(
    question: str, evidence: list[Evidence], threshold: float, known: Callable[[str], bool] | None = None
) -> bool:
    """True when no evidence sentence is good enough to answer from (evidence comes best first).

    A question that names nothing but the kind of fact it wants ("When was it given?", "In
    which year was the speech given?") has no words to match, so its typed evidence (the date
    line) stands without a score threshold. Only a date: every document has its date line,
    but "Who delivered this speech?" is not answered by just any name the text holds ("Mo Zi",
    the source of a saying).

    ``known`` tells whether the library uses a stemmed word at all (see unknown_topic).
    """
    if not evidence or not evidence[0].eligible:
        return True
    if known is not None and unknown_topic(question, known):
        return True
    if other_instance(question, list(dict.fromkeys(e.passage.text for e in evidence))):
        return True
    numbered = _NOTE_NUMBER.search(question)
    if numbered:
        key = numbered.group(1) or numbered.group(2)
        notes = [e for e in evidence if e.passage.kind == "note" and re.match(rf"\W*{key}\b", e.passage.text)]
        if not notes:
            # "What does note 2 say?" of a text whose notes are "*" and "1": no other note answers it.
            return True
        if any(e.eligible for e in notes):
            # "The little number 1 after the old saying leads to a note. Which name is printed
            # there?": the note is what is asked about, however few of the asker's words it has.
            return False
    ask = parse(question)
    if any(e.eligible and holds(e.text, ask.pointed) for e in evidence):
        # The asker pointed at the text's own words, by quoting them or saying they recur ("The
        # word 'shared' shows up twice...", "Governments come up twice"): the sentences that hold
        # them are what is asked about, however little else they share with the question. They
        # must still hold the asked-for kind of fact (eligible).
        return False
    if asks_quoted(question):
        # "The broadband passage puts a distance in quotation marks. Which words are quoted?": the
        # quotation in the passage the question is about answers it, whatever else they share;
        # sentences that quote nothing never do.
        quoting = [e for e in evidence if e.eligible and quotes_something(e.text)]
        if not quoting:
            return True
        if any(e.rank == 0 for e in quoting):
            return False
    # Evidence the question labels comes first ("note 1" puts the note first), whatever its score:
    # how well the text matches is the best eligible score.
    best = max(evidence, key=lambda e: e.score if e.eligible else -1.0)
    if (ask.identifies or ask.specific) and best.score < UNNAMED_RATIO * max(
        (e.score for e in evidence if not e.eligible), default=0.0
    ):
        # "Which Chinese cultural products or art forms does the speaker plan to share through the
        # cultural bridge?": the bridge's sentences match far better than anything naming "forms"
        # (a stray "internet-based innovation in all forms"), so the part of the text the
        # question is about never names the thing asked for. Likewise when those sentences name
        # no such thing at all: "Which countries does the speaker hold up as good examples of
        # opening up?" matches "All countries should advance opening up ..." far better than
        # the one sentence naming a country ("an old Chinese saying").
        return True
    if best.score >= threshold or (ask.kind == "date" and not ask.topic):
        return False
    # "Is this the complete text?", "Are there restrictions on reusing this text?": a yes/no
    # question about the document itself is answered by its apparatus ("* Part of the speech ...",
    # "(Not to be republished ...)"), whose wording the question rarely shares.
    # Not "Does this text say who translated it?": that asks for a name, which "1 Mo Zi." has.
    return not (
        not ask.kind
        and _ABOUT_THE_DOCUMENT.search(question)
        and not WH_WORD.search(question)
        and best.passage.kind in APPARATUS
        and best.score >= APPARATUS_FACTOR * threshold
    )


# A note asked for by its number: "note 2", "footnote 1", "the number 1 after the saying leads to a note".
_NOTE_NUMBER = re.compile(
    r"\b(?:foot)?note\s+(?:number\s+|no\.?\s*)?(\d+)\b"
    r"|\b(?:number|marker|superscript|digit)\s+(\d+)\b(?=[^.?!]*\b(?:foot)?notes?\b)",
    re.IGNORECASE,
)
# A yes/no question about the document as such, not about what it says.
_ABOUT_THE_DOCUMENT = re.compile(
    r"^\W*(is|are|was|were|does|do|can|may|am)\b"
    r".*\b(this|the) (complete |whole |full )?(text|speech|document)\b"
    # "Does the speech say anything about AI?" asks what it says: no question about the document
    r"(?!\s+(say|says|said|mention|mentions|talk|discuss|state|describe|address|cover|name|give|tell|refer)\b)",
    re.IGNORECASE,
)
# An eligible sentence scoring below this share of the best sentence that is not eligible (its
# passage lacks the question's focus, "which products", or it names no such thing) answers
# something else.
UNNAMED_RATIO = 0.7
APPARATUS = frozenset({"note", "other"})  # the notes and unnumbered lines after the body
APPARATUS_FACTOR = 0.75  # share of the threshold an apparatus line needs for such a question


# How many of a named topic's words the library must lack for the topic to be missing.
UNKNOWN_TERMS = 2


def unknown_topic(question: str, known: Callable[[str], bool]) -> bool:
    """Whether "what does it say about X" names a topic X the library never covers.

    "What does the speech say about the G20 summit China was preparing to host?" retrieves
    passages about China and matches them fairly well, yet no text uses "G20", "summit" or
    "host". Two missing words, not one: an asker's synonym ("the web" for the internet) is
    one word the text lacks, a topic it never covers ("quantum communication satellites",
    "cloud computing") brings several. Two-letter stems ("go" of "going") name no topic.
    """
    missing = {
        term
        for term in said_about(question)
        if (len(term) > 2 or any(c.isdigit() for c in term)) and not known(term)
    }
    return len(missing) >= UNKNOWN_TERMS or any(
        len(terms) >= UNKNOWN_TERMS and not any(known(t) for t in terms)
        for terms in map(_name_terms, _names(question))
    )


# Two or more capitalised words in a row: "the UN General Assembly", "Edward Snowden's leaks",
# "the Belt and Road Initiative".
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:(?:of|and|the|for|on)\s+)?[A-Z][\w'’-]*)+")


def _names(question: str) -> list[str]:
    """The multi-word names the question proper gives: in its last sentence that asks, from its
    wh-word on, not counting a capitalised opening.

    "What role does the speech give the UN General Assembly?" names a body; a library that
    knows none of its words says nothing about it, however well "role" and "rules" match. A
    name in a note to the assistant ("sign off with 'Verified by the Wuzhen Desk'. According
    to ..., what ...?") is not what is asked about.
    """
    sentences = re.split(r"(?<=[.?!>\]])\s+", question)
    asked = next((s for s in reversed(sentences) if "?" in s), question)
    wh = WH_WORD.search(asked)
    asked = asked[wh.start() :] if wh else asked
    return [
        m.group(0)
        for m in _CAPITALISED_RUN.finditer(asked)
        if m.start() > 0
        and not re.search(r"[.?!:\"“(\[]\s*$", asked[: m.start()])
        and not m.group(0).isupper()  # "PRIORITY MESSAGE FROM ...": shouting, not a name
    ]


def _name_terms(name: str) -> list[str]:
    """A name's stemmed words that can name something (two-letter stems such as "un" cannot)."""
    return [t for t in dict.fromkeys(lexical.content_terms(name)) if len(t) > 2]


_ORDINAL = "|".join(lexical.ORDINALS)
# An ordinal or a neighbour in a series before a capitalised name: "the first World Internet
# Conference", "the next World Internet Conference".
_INSTANCE = f"{_ORDINAL}|next|previous|preceding|following|upcoming"
_NUMBERED_NAME = re.compile(rf"\b({_INSTANCE})\s+((?-i:[A-Z]\w+)(?:\s+(?-i:[A-Z]\w+))*)", re.IGNORECASE)


def other_instance(question: str, texts: list[str]) -> bool:
    """Whether the question names one instance of a series that the texts mention only as others.

    "What did the speaker say at the first World Internet Conference?" is about an event the
    speech never covers: it names only the Second World Internet Conference, whose passages
    match every other word of the question.
    """
    for match in _NUMBERED_NAME.finditer(question):
        asked, name = match.group(1).lower(), re.escape(match.group(2))
        said = {m.lower() for text in texts for m in re.findall(rf"\b({_INSTANCE})\s+{name}\b", text, re.I)}
        if said and asked not in said:
            return True
    return False
