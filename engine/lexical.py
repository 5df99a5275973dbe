"""Lexical normalisation shared by evidence scoring, verification and refusal.

Support is judged on stemmed content words so "governed" supports "governance"
and function words never count as evidence.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

# Ordinal words in rank order: list items ("the third principle"), places in a list ("which
# number") and instances of a series ("the Second World Internet Conference") all use them.
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
# Words for the end of a sequence: "the closing proposal", "the final paragraph".
LAST_WORDS = ("last", "final", "closing", "concluding")

# Function words plus the words people use to *ask* (what, say, speech...): they carry
# no fact, so a question's content is what remains once they are gone.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing done down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves s t ll re ve d m tell according give gives given mention
    mentions mentioned say says said speech text speaker document passage please describe explain
    list name named kind sort type thing things one ones use used using way ways get got let make made
    many much mean means meant regard regarding refer refers called call deliver delivers delivered
    delivering gave written wrote twice thrice based appear appears appeared
    """.split()
)

# Nouns too general to carry a fact: "At which event..." is answered by "the opening ceremony
# of the Second World Internet Conference", which never says "event". They count as stopwords.
GENERIC_NOUNS = frozenset(
    "event events occasion occasions thing things way ways time times reason reasons aspect aspects "
    "example examples idea ideas part parts issue issues matter matters "
    # The form of an answer, not its content: "what rail travel metaphor" is answered by
    # "the express train of the information age", which no text calls a metaphor.
    "metaphor metaphors analogy analogies comparison comparisons simile similes imagery".split()
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters or digits), apostrophes kept inside words."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


# Nouns whose stem is an asking verb: "the old Chinese saying" is content, "says" is not.
_NOUNS_OF_STOPWORDS = {"saying": "saying", "sayings": "saying"}


def content_terms(text: str) -> list[str]:
    """Stemmed content words in order, stopwords removed, possessive 's dropped."""
    terms = []
    for word in words(text):
        word = word.removesuffix("'s")
        if word in _NOUNS_OF_STOPWORDS:
            terms.append(_NOUNS_OF_STOPWORDS[word])
            continue
        if word in STOPWORDS or word in GENERIC_NOUNS or (len(word) < 2 and not word.isdigit()):
            continue
        stem = _stem(word)
        if stem not in STOPWORDS:  # "uses" stems to the stopword "use": dropped like "use" itself
            terms.append(stem)
    return terms


def numbers(text: str) -> set[str]:
    """Numbers mentioned in a text: an answer may not invent a year or a count."""
    return set(re.findall(r"\d+(?:[.,]\d+)*", text))


def recall(needles: list[str], haystack: set[str]) -> float:
    """Share of the distinct needles found in the haystack (1.0 when there are none)."""
    distinct = set(needles)
    return len(distinct & haystack) / len(distinct) if distinct else 1.0
