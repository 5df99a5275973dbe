"""What a question asks for: the kind of fact, and the thing it names as its focus.

A question is only answered by evidence that contains its kind of fact ("when" needs
a date) and mentions its focus ("which city" needs a city). These checks catch the
questions whose topic is in the text but whose fact is not, which retrieval scores
cannot see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from engine import lexical
from ingest.sentences import split_sentences

_YEAR = r"\b(1[5-9]\d\d|20\d\d)\b"
_MONTH = r"(?-i:\b(January|February|March|April|May|June|July|August|September|October|November|December)\b)"
# Nouns that name a measurement: "what internet speed" wants a figure, like "how fast".
_MEASURES = "speed|size|length|height|width|weight|distance|price|cost|rate|temperature|budget|capacity"
# Counts and amounts; a bare year is a date, not a quantity ("by 2020" does not say how many).
# "one another" counts nothing, and "one of the basic norms" picks from a set it never counts.
_QUANTITY = (
    r"(?<![\d,])(?!(1[5-9]\d\d|20\d\d)\b)\d[\d,.]*|\b(one(?!\s+(another|of)\b)|two|three|four|five|six|seven|eight"
    r"|nine|ten|eleven|twelve|twenty|thirty|hundred|thousand|million|billion|percent|half|dozen|both)\b"
)
# At most one (maybe hyphenated) word between "what" and its noun, and not a preposition or verb:
# "what city", "which Chinese city" and "which non-governmental institutions" name things; "do
# what for people" does not ask for people.
_PREPOSITIONS = "for|to|about|of|on|in|with|from|by|at"
_MODIFIER = (
    rf"(?!(?:{_PREPOSITIONS}|is|are|was|were|do|does|did|will|can"
    r"|should|would|could|must|might|may|shall|has|have|had)\b)([\w-]+ )?"
)
# Auxiliaries that start a question right after "when" ("When did ...?"), unlike a clause's subject.
_WHEN_AUX = r"did|does|do|was|were|is|are|will|would|can|could|should|has|have|had"
FACT_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "date": (
        re.compile(
            # "When the speaker compares them, does he ...?": a clause, not a question ("When, per
            # the speech, did ...?" still asks when; parse drops a clause before a wh-word)
            rf"^\W*when(\s*,|\s+({_WHEN_AUX})\b)"
            r"|^\W*when\b(?![^?]*,\s*(does|do|did|is|are|was|were|can|should)\b)"
            r"|\b(what|which) (year|date|day|month)s?\b|\bin what year\b|\bon what date\b"
            # a deadline or timetable is a date: "By what deadline should the rules be finished?"
            r"|\b(what|which) (\w+ )?(deadline|timeline|timetable|target date)s?\b|\bby when\b",
            re.I,
        ),
        re.compile(f"{_YEAR}|{_MONTH}", re.I),
    ),
    # "At what time of day did the ceremony begin?" wants a clock time, which no date line gives.
    "time": (
        re.compile(r"\b(what|which) (time|hour)\b", re.I),
        re.compile(
            r"\b\d{1,2}(:\d\d)?\s*(a\.?m\b\.?|p\.?m\b\.?)|\b\d{1,2}:\d\d\b|\bo'clock\b"
            r"|\b(morning|afternoon|evening|noon|midnight|night|dawn|dusk)\b",
            re.I,
        ),
    ),
    # "How often do cybercrimes happen?" is answered by "frequently" as well as by "twice a year".
    "frequency": (
        re.compile(r"\bhow (often|frequently)\b|\b(what|which) (\w+ )?frequency\b", re.I),
        re.compile(
            _QUANTITY + r"|\b(frequent(ly)?|often|daily|weekly|monthly|yearly|annually|always|never|rarely"
            r"|seldom|sometimes|occasionally|regularly|constantly|repeatedly|every|once|twice|times)\b",
            re.I,
        ),
    ),
    # "What does the speaker blame for the slow recovery?" wants a cause: a sentence that only
    # describes the recovery gives none ("Why ..." questions are left untyped: a text explains
    # without causal words, "no country can stay immune" answers "why cooperate?").
    "cause": (
        # "Does the speaker blame only criminals ...?" names the blamed: it asks whether, not what.
        re.compile(
            r"\b(what|who|whom|which)\b[^?]*?\bblam\w*\b"
            r"|\bwhat (\w+ ){0,5}caus(e|es|ed|ing)\b|\b(cause|causes) of\b",
            re.I,
        ),
        re.compile(
            r"\b(because|due to|owing to|caus\w*|blam\w*|result(s|ed)? (of|from)|as a result|driven by"
            r"|stem(s|med)? from|lead(s)? to|led to|thanks to|responsible for|reasons?)\b",
            re.I,
        ),
    ),
    "quantity": (
        re.compile(
            # "How far does the principle reach?" asks for an extent, which words give, not a distance.
            r"\bhow (many|much|long|fast|far(?![^?]*\b(reach|extend|stretch|go|apply)(e?s)?\b)|big|large)\b"
            rf"|\b(what|which) (\w+ ){{0,2}}(percentage|percent|amount|share|sum|{_MEASURES})\b"
            # "What was China's GDP growth rate?", "what is the total budget": a possessive or
            # compound before the measure noun.
            rf"|\bwhat (is|was|are|were) (the |its |their |\w+'s )(\w+ ){{0,2}}({_MEASURES})\b"
            r"|\bwhat (\w+ )?number\b|\bestimat(e|es|ed)\b"
            # "Give me the figures", "any statistics?" (not "the figures of speech")
            r"|\b(the|any|what|which|some|exact|actual|hard)\s+(figures|statistics|stats|numbers)\b(?!\s+of\s+speech)",
            re.I,
        ),
        re.compile(_QUANTITY, re.I),
    ),
    # A place in a numbered list: "Among the five proposals, which number deals with culture?" is
    # answered by "Second, build an online platform for cultural exchange", not by a count
    # ("what number of villages" counts).
    "position": (
        re.compile(r"\bwhich (\w+ )?number\b|\bnumber what\b", re.I),  # "under proposal number what?"
        re.compile(rf"\b({'|'.join(lexical.ORDINALS)})\b", re.I),
    ),
    # Named things: answered only by a proper name the question does not already contain.
    "name": (
        re.compile(
            rf"\b(which|what) {_MODIFIER}(country|countries|city|cities|town|nation|person|people"
            r"|organi[sz]ation|institutions?|company|companies|firms?|philosopher|author|leader|president"
            r"|official|venue|place)\b"
            r"|\bname of\b|\bwho (is|was) the\b|\b(which|what) named\b"
            # "Who won the prize?", "Who delivered this speech?": a past deed has a named doer
            # ("Who should take part?" asks for roles, which the text need not name).
            r"|^\W*who (\w+ed|won|wrote|gave|said|spoke|made|led|built|founded|began|ran|held|took)\b",
            re.I,
        ),
        re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+(?: [A-Z][a-z]+)*|\b[A-Z]{2,}\b"),
    ),
}

_SPECIFIC = re.compile(
    r"\b(which|what|name the) (specific|particular|concrete)\b"
    r"|\b(which|what) \w+ exactly\b|\bexactly which\b",  # "which sectors exactly"
    re.IGNORECASE,
)
# "Name the particular attack ..." asks what "Which particular attack ..." asks. (Not every
# "Name the ...": "Name the strategy and the action plan" asks for two things, and a focus on
# the first would leave the second unquoted.)
_NAME_THE = re.compile(
    r"^\W*(?:please\s+)?(?:name|identify)\s+(?:the|a|an|any|one)\s+(?=(?:specific|particular)\b)",
    re.IGNORECASE,
)
_NOTE = re.compile(r"\b(foot)?notes?\b|\basterisk", re.IGNORECASE)
_WH = re.compile(r"\b(which|what)\s+(.*)", re.IGNORECASE)
# Words that end the noun phrase after which/what: auxiliaries, relative pronouns and the
# prepositions lexical.STOPWORDS lacks ("on what basis, per the principle": the head is "basis").
_AUX = frozenset(
    "is are was were be been do does did has have had can could should would will shall may might must "
    "of in on at for to by from about with as that who whom whose".split()
    + "per via amid among across along around behind beneath beside besides beyond despite except".split()
    + "throughout toward towards upon within without concerning including".split()
)
_COPULA = frozenset("is are was were".split())
_ARTICLES = frozenset("the a an".split())
_KIND_NOUNS = frozenset(
    "year date day month hour percentage percent number amount share sum frequency".split()
    + _MEASURES.split("|")
)
_COUNTING = frozenset("two three four five six several both pair couple few many".split())
_KIND_STEMS = frozenset(lexical.content_terms(" ".join(_KIND_NOUNS)))
# Where a fact sits on the page, not what it is about: "What date appears under the title?" asks
# for the document's date line, whose sentence never says "title".
_PLACE_STEMS = frozenset(lexical.content_terms("title heading header line top bottom page"))
_NOT_TOPIC = _KIND_STEMS | _PLACE_STEMS
# Nouns whose instances a text names outright or not at all: "What penalties does the speech
# propose?" is not answered by "crack down on all cybercrimes", unlike "what remedy", whose
# answer the text describes in its own words.
_NAMED_ONLY = frozenset("penalty penalties sanction sanctions punishment punishments".split())
# Words that grade the noun rather than name a kind of it: "what larger benefit", "what overall
# goal" ask what "what benefit" and "what goal" ask, not for a compound the text must name.
_SKIP = frozenset(
    "kind kinds sort sorts type types other specific exact particular concrete main".split()
    + "overall ultimate larger bigger broader wider greater deeper grand".split()
)
# Nouns for what something is for: a text states an aim ("to jointly build a community of shared
# future") and seldom calls it one, so even "which grand aim" asks for it described, not named.
_PURPOSE = frozenset("aim aims goal goals purpose purposes objective objectives ambition ambitions".split())
# Nouns for a collection of the things asked about: "which group of countries", "what set of rules".
_COLLECTIVE = frozenset("group groups category categories class classes set sets bunch".split())
# Verbs that follow "what" directly: "what becomes of the world" has no noun to focus on, and
# "becomes" would favour every passage that says "become".
_WH_VERBS = frozenset(
    "becomes became happens happened makes made remains lies comes goes follows occurs".split()
    # after a plural noun: "what items follow at the bottom", "which threats remain"
    + "follow come remain happen occur".split()
)
# "What is the last of the things each country may choose?" asks for one of the things: the
# place word and its "of the" lead to the noun.
_PLACE_WORDS = frozenset(lexical.ORDINALS + ("last", "final", "next", "previous", "middle"))
# Nouns for the wording of an answer ("what expression", "which phrase"): the text never calls
# its own words that, and the stem would match unrelated uses ("express train").
_WORDING = frozenset(
    "expression expressions phrase phrases term terms word words wording image images".split()
    + "verb verbs noun nouns adjective adjectives adverb adverbs".split()
)


@dataclass(frozen=True)
class Ask:
    """The parts of a question the refusal decision uses."""

    kind: str  # "date" | "time" | "frequency" | "cause" | "quantity" | "position" | "name" | ""
    focus: tuple[str, ...]  # stemmed noun phrase after which/what: ("citi",) for "which city"
    identifies: bool  # the text must name the focus ("which city"), not just describe it ("what remedy")
    terms: tuple[str, ...]  # stemmed content terms
    topic: tuple[str, ...]  # the terms that say what the fact is about: "year" left out of "which year"
    about_note: bool = False  # names a footnote ("note 1", "the asterisk footnote"): notes answer it
    specific: bool = False  # "which specific wars": the focus noun alone ("lingering wars") is no answer
    pointed: tuple[str, ...] = ()  # phrases of the text the asker points at (see pointed_phrases)


# A wh-word after a preposition, once the question has asked its own: "What two verbs does it use
# for what countries should do?" opens a relative clause, which asks for no countries.
WH_WORD = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)
_RELATIVE_WH = re.compile(rf"\b({_PREPOSITIONS}) (what|which)\b", re.IGNORECASE)
# "When the speaker compares them, which image comes first?", "When he promises ..., protection
# of what does he mean?": the opening clause sets the scene; the question starts after it.
_WHEN_CLAUSE = re.compile(
    rf"^\W*when\s+(?!({_WHEN_AUX})\b)[^?]*?,\s*"
    r"(?=([\w'-]+ ){0,3}(what|which|who|whom|how|why|where)\b)",
    re.IGNORECASE,
)
# A yes/no question asks for no measure through "how" after a preposition: "Should a country's
# say depend on how big it is?" wants no size ("Does it say how many ..." still counts).
_YES_NO = re.compile(
    r"^\W*(is|are|was|were|do|does|did|can|could|should|would|will|has|have|may|must)\b", re.I
)
_PREPOSITION_HOW = re.compile(rf"\b({_PREPOSITIONS}) how\b", re.IGNORECASE)


# "Does it name any specific company ...? Which one?", "How many principles ..., and which one
# comes last?": the noun a later "which one" stands for.
_ONE_OF = re.compile(
    r"\b(?:how\s+many|any(?:\s+(?:specific|particular|single|named|other))?)\s+([a-z]+)", re.IGNORECASE
)
_WHICH_ONE = re.compile(r"\bwhich\s+ones?\b", re.IGNORECASE)
_CLOSING_WHICH_ONE = re.compile(
    r"(?<=[?.!])\s*which\s+ones?(?:\s+(?:is|was|are|were)\s+(?:it|they))?(?=\W*$)", re.IGNORECASE
)


def _one_of(before: str) -> str | None:
    """The noun, made singular, that a "which one" after ``before`` stands for, if it names one."""
    nouns = _ONE_OF.findall(before)
    if not nouns:
        return None
    noun = nouns[-1].lower()
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


def _which_one(question: str) -> str:
    """The question with a closing "Which one?" spelt out as "which <noun>", so that it asks for
    a named thing as "Which company?" would."""
    follow_up = _CLOSING_WHICH_ONE.search(question)
    noun = _one_of(question[: follow_up.start()]) if follow_up else None
    return f"{question[: follow_up.start()]} Which {noun}?" if follow_up and noun else question


def parse(question: str) -> Ask:
    """Fact kind, focus noun and content terms of a question."""
    terms = tuple(lexical.content_terms(question))
    question = _which_one(question)
    asked = _WHEN_CLAUSE.sub("", question, count=1)  # what is asked, without a scene-setting clause
    first = WH_WORD.search(asked)
    asking = asked[: first.end()] + _RELATIVE_WH.sub(r"\1", asked[first.end() :]) if first else asked
    if _YES_NO.match(asked):
        asking = _PREPOSITION_HOW.sub(r"\1", asking)
    kind = next((name for name, (asks, _) in FACT_KINDS.items() if asks.search(asking)), "")
    topic = tuple(t for t in terms if t not in _NOT_TOPIC) if kind else terms
    return Ask(
        kind,
        *_focus(asked),
        terms,
        topic,
        bool(_NOTE.search(question)),
        bool(_SPECIFIC.search(question)),
        tuple(pointed_phrases(question)),
    )


def _focus(question: str) -> tuple[tuple[str, ...], bool]:
    """The head noun of the phrase right after which/what, stemmed, and whether it must be named.

    "which other Chinese philosopher does" -> (philosoph,); "which city hosted the" -> (citi,);
    "what was the official theme of" -> (theme,); "what does it say" -> () since no noun
    phrase follows; "what year" -> () since the date check covers it.

    Only "which N", "what is the N of" and a compound ("what prison sentence") ask to identify
    a thing the text must name. In "What remedy does the speaker offer" or "which three
    threats" the noun describes what the text says, and the text rarely uses the asker's word
    for it ("solutions", "the two wings of a bird"): such a noun is a preference, not a
    requirement.
    """
    match = _WH.search(_NAME_THE.sub("which ", question))
    if not match:
        return (), False
    words = lexical.words(match.group(2))
    if words and words[0] in _WH_VERBS:
        return (), False
    counted = bool(words) and words[0] in _COUNTING  # "which three (cyber) threats": a list described
    identifies = match.group(1).lower() == "which" and not counted
    if len(words) > 2 and words[0] in _COPULA and words[1] in _ARTICLES:
        words, identifies = words[2:], True  # "what is the title of ...": the noun after the article
    if len(words) > 2 and words[0] in _PLACE_WORDS and words[1] == "of":
        words = words[3:] if words[2] in _ARTICLES else words[2:]
    elif words and words[0] in _PLACE_WORDS:
        # "What is the third ill on that list?": the asker's label for one item of a list the text
        # gives ("lingering wars, shadows of terrorism, and incidences of crime"), not a name.
        identifies = False
    phrase, end = _noun_phrase(words)
    if phrase and words[end : end + 1] and words[end] in _DOCUMENT_NOUNS:
        return (), False  # "in which founding text": the head is the document, which names nothing
    if len(phrase) == 1 and phrase[0] in _COLLECTIVE and words[end : end + 1] == ["of"]:
        # "which group of countries" asks which countries: the text names them, never the group.
        rest = words[end + 1 :]
        phrase, _ = _noun_phrase(rest[1:] if rest[:1] and rest[0] in _ARTICLES else rest)
        end = len(words)
    if phrase and end < len(words) and words[end] in ("or", "and"):
        # "which dialogue or consultation forums": both words qualify one head, the last noun.
        # ("which cities or countries" names two heads; the first stands.)
        shared, _ = _noun_phrase(words[end + 1 :])
        phrase = phrase + shared if len(shared) > 1 else phrase
    unnamed = (_KIND_NOUNS, _WORDING, _OPINION, lexical.GENERIC_NOUNS)
    if not phrase or any(phrase[-1] in nouns for nouns in unnamed):
        return (), False  # "what year": the fact kind checks that; "which event": any text may name one
    # A compound ("what prison sentence", "what government body") names a specific kind of thing.
    compound = len(phrase) > 1 and not counted
    named = (identifies or compound or phrase[-1] in _NAMED_ONLY) and phrase[-1] not in _PURPOSE
    return tuple(lexical.content_terms(phrase[-1])), named


# Nouns lexical.STOPWORDS drops that can head the noun phrase: "which founding text" asks for a
# text, not for something "founding". ("speech" is left out: "which kinds of online speech" asks
# what people may say online, which the text must name.)
_DOCUMENT_NOUNS = frozenset("text texts document documents passage passages".split())
# "What is the speaker's view on ...?" asks what the text says, not for a thing named "view".
_OPINION = frozenset("view views opinion opinions stance stances".split())
_VERB_S = re.compile(r"[^s]s$")  # "flags", "covers", "holds" (not "access")


def _noun_phrase(words: list[str]) -> tuple[list[str], int]:
    """The noun phrase at the start of ``words`` and the index of the word that ended it."""
    phrase: list[str] = []
    end = len(words)
    for at, word in enumerate(words):
        if word in _SKIP or word in _COUNTING or word in _PLACE_WORDS or (word == "of" and not phrase):
            continue
        if word in _AUX or word in lexical.STOPWORDS or (phrase and word in _WH_VERBS):
            end = at  # "which crime comes last": the verb ends the noun phrase
            break
        phrase.append(word)
        if word in _KIND_NOUNS:
            end = at + 1  # "what date appears under", "which number deals with": a verb follows the kind noun
            break
    # "which city hosted": the verb ends the phrase ("what internet speed": "-eed" is a noun)
    read = len(phrase)
    while phrase and phrase[-1].endswith("ed") and not phrase[-1].endswith("eed"):
        phrase.pop()
    before_article = words[end : end + 1] and words[end] in _ARTICLES
    if len(phrase) == read > 1 and _VERB_S.search(phrase[-1]) and before_article:
        phrase.pop()  # "what symbol flags the footnote": a present-tense verb before an article
    return phrase, end


# Wording that asks for facts from several places: "both in the principles and in the
# proposals", "mentioned twice ... each time", "what different platforms".
_SEVERAL = re.compile(
    r"\bboth\b|\beach (time|of|one)\b|\babout each\b|\btwice\b|\bdifferent\b|\b(two|three|several|various)\b"
    # "every term that starts with 'digital'", "all the places it mentions"
    r"|\b(every|all (the )?)(term|word|phrase|expression|mention|place|time|instance|occurrence|sentence)s?\b"
    # "List every commitment to foreign firms ...", "name all the threats"
    r"|\b(list|name|give me) (every|each|all)\b"
    r"|,\s+and\s+(what|how|who|when|where|which|why)\b"
    # "in the opening and in the openness principle"
    r"|\b(in|at|from) (the )?[\w' -]{1,40}? and (in|at|from) (the )?\w",
    re.IGNORECASE,
)


# "everything the speech tells countries to reject", "all the things countries are told to oppose":
# every sentence with that verb answers (the verb ends the clause: "everything it wants to do for
# developing countries" names no verb of the text).
_EVERYTHING_TO = re.compile(
    r"\b(?:everything|every\s+thing|all\s+(?:the\s+)?things)\b[^.?!]*?\bto\s+([a-z]+)"
    r"(?=\s*(?:[?.!,;]|$)|\s+(?:in|across|throughout)\b)",
    re.IGNORECASE,
)


# "Given that the speech says the information gap is shrinking, why ...?": a premise the asker
# attributes to the text, in a clause before the question proper.
_PREMISE = re.compile(
    r"^\W*(?:given\s+that|since|now\s+that|seeing\s+that|as)\s+"
    r"(?:(?:the|this|that|his|its)\s+(?:[\w'-]+\s+){0,3}?|he\s+|she\s+|it\s+)(?:\w+ly\s+)?"
    r"(?:says?|said|claims?|states?|reports?|argues?|tells\s+us|notes?|announced|mentions?|calls?)\s+"
    r"(?:that\s+)?(.+?),\s+(?=(?:what|which|who|whom|how|why|when|where|does|do|did|is|are|was|were"
    r"|can|should|would)\b)",
    re.IGNORECASE,
)


def premise(question: str) -> str | None:
    """The claim a question says the text makes ("the information gap ... is shrinking"), or None."""
    match = _PREMISE.search(question)
    return match[1] if match else None


def wants_several(question: str) -> bool:
    """Whether the question asks for facts from more than one place in the text."""
    return bool(_SEVERAL.search(question) or _EVERYTHING_TO.search(question))


# A share of a whole is answered by a quantifier as well as by a number.
_HOW_MUCH_OF = re.compile(r"\bhow much of\b", re.IGNORECASE)
_SHARE = re.compile(r"\b(?:all|every|most|none|whole|entire|part)\b", re.IGNORECASE)


def has_kind(kind: str, text: str, question: str = "") -> bool:
    """Whether a text holds the asked-for kind of fact (always true for untyped questions).

    For names, a name already in the question does not count: "Which country besides China"
    is not answered by "China".
    """
    if not kind:
        return True
    found = [m.group(0) for m in FACT_KINDS[kind][1].finditer(text)]
    if kind == "quantity" and _HOW_MUCH_OF.search(question):
        found += _SHARE.findall(text)  # "how much of the relations does it cover?": "all aspects"
    if kind == "name":
        if _title_case(text):
            return False  # "Work Together to Build a Healthy Cyberspace": capitals mark a title, not names
        # The whole name must be new: "Broadband China" answers "what's the name of the broadband
        # strategy?", though the question says "broadband" and "China" separately.
        asked = " ".join(lexical.words(question))
        found = [
            f
            for f in found
            if f not in _COMMON_ACRONYMS
            and not re.search(rf"\b{re.escape(f.lower())}\b", asked)
            and not _demonym_of(f, asked)
        ]
        if _WHO.match(question):
            found = [f for f in found if f.split()[-1] not in _NOT_A_DOER]
    return bool(found)


_DEMONYM = re.compile(r"^([A-Z][a-z]{2,}?)(?:ese|ian|ish|an)$")


def _demonym_of(name: str, asked: str) -> bool:
    """Whether a one-word name is the people or adjective of a name the question has: "Chinese"
    of "China", "Japanese" of "Japan". "Chinese culture" names no platform the question about
    China's platform asks for."""
    match = _DEMONYM.match(name)
    return bool(match) and bool(re.search(rf"\b{match.group(1).lower()}", asked))


def specifies(focus: tuple[str, ...], text: str, question: str) -> bool:
    """Whether a text that uses the focus noun also says which one: a name the question lacks, or a
    phrase after the noun that the question lacks ("a convention against terrorism"). "There are
    still lingering wars" answers no "which specific wars", and "hacker attacks against government
    networks" no "which particular hacker attack on a government network": it only repeats it."""
    joins = "against|on|for|of|to|about|with|that|which|called|named"
    qualified = rf"\b{re.escape(focus[-1])}\w*\s+(?:{joins})\s+([^.,;:]+)"
    asked = set(lexical.content_terms(question))
    return has_kind("name", text, question) or any(
        set(lexical.content_terms(" ".join(m.group(1).split()[:3]))) - asked
        for m in re.finditer(qualified, text, re.IGNORECASE)
    )


def _title_case(text: str) -> bool:
    """Whether most longer words are capitalised, as in a title or heading."""
    longer = [w for w in re.findall(r"[A-Za-z]+", text) if len(w) > 3]
    return len(longer) >= 3 and sum(w[0].isupper() for w in longer) >= 0.8 * len(longer)


# Capitals that abbreviate common nouns, not names: "the IT infrastructure" names no country.
_COMMON_ACRONYMS = frozenset("IT ICT AI GDP PC TV ID IP CPU".split())
_WHO = re.compile(r"^\W*who\b", re.IGNORECASE)
# Names of events and documents: "Who delivered this speech?" is not answered by "the Second
# World Internet Conference", the occasion a note names.
_NOT_A_DOER = frozenset(
    "Conference Forum Summit Ceremony Congress Expo".split()
    + "Strategy Plan Charter Declaration Convention Agenda".split()
)


# A quoted phrase: straight or curly quotes, the apostrophe of "speech's" excluded by the
# requirement that the opening quote follows a non-word character.
_QUOTED = re.compile(r"""(?<![\w])["'“‘]([^"'“”‘’]{2,80}?)["'”’](?![\w])""")


# "What does the speech say about the G20 summit ...?", "Does it mention anything on cloud
# computing?": the words after a verb of saying name the topic the asker wants covered.
_SAID_ABOUT = re.compile(
    r"\b(?:say|says|said|saying|mention|mentions|mentioned|talk|talks|talking|discuss|discusses|discussed)"
    r"(?:\s+(?:anything|something|much|at\s+all))*\s+(?:about|on|regarding|concerning)\s+([^?.!;:]+)",
    re.IGNORECASE,
)
_CLAUSE_START = re.compile(rf"^\W*(?:{WH_WORD.pattern}|whether\b|if\b)", re.IGNORECASE)
_ASKING = re.compile(r"^\W*(?:what|how|does|do|did|is|was|has|have|can|could|will|would)\b", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def said_about(question: str) -> list[str]:
    """The stemmed content terms of the topic a "what does it say about X" question names.

    Empty for other questions; for a statement ("The speaker talks about countries finding
    more chances to work together. Chances for what?"), which retells the text in the asker's
    words; and for a clause ("say about how big it is"), which describes what is asked
    rather than name a topic.
    """
    for sentence in _SENTENCE_END.split(question):
        match = _SAID_ABOUT.search(sentence) if _ASKING.match(sentence) else None
        if match and not _CLAUSE_START.match(match.group(1)):
            return list(dict.fromkeys(lexical.content_terms(match.group(1))))
    return []


# "Which words are put in quotation marks?", "What phrase appears in quotes?": the asker wants the
# text's own quotation, whatever it says.
_ASKS_QUOTED = re.compile(
    r"\bquotation marks?\b|\binverted commas\b|\bin (?:double |single |scare )?quotes\b"
    r"|\b(?:words?|phrases?|terms?|expressions?) (?:is |are |gets? |were |was )?quoted\b",
    re.IGNORECASE,
)
# A quotation inside a sentence of the text (straight or curly double quotes).
_QUOTATION = re.compile(r"[\"“][^\"“”]{2,}[\"”]")


def asks_quoted(question: str) -> bool:
    """Whether the question asks which words the text puts in quotation marks."""
    return bool(_ASKS_QUOTED.search(question))


def quotes_something(sentence: str) -> bool:
    """Whether a sentence of the text holds a quotation ("The "last kilometer" of ...")."""
    return bool(_QUOTATION.search(sentence))


def quoted_phrases(question: str) -> list[str]:
    """Phrases the question quotes, lower-cased: "comparisons with 'the real world'" -> ["the real world"]."""
    return [m.group(1).strip().lower() for m in _QUOTED.finditer(question) if m.group(1).strip()]


# "Governments come up twice in the speech", "Dialogue gets called for in the opening, in the
# fourth proposal and ...": a sentence whose subject recurs in the text names it as plainly as a quote.
_WORD_NOUNS = ("word", "phrase", "term", "name", "idea")  # "the word 'shared'": the quote is the subject
_RECURRING = re.compile(
    rf"(?:^|[.?!]\s+)(?:the\s+(?:{'|'.join(_WORD_NOUNS)})\s+)?([A-Za-z][\w'-]*(?:\s+[\w'-]+){{0,3}}?)\s+"
    r"(?:comes?\s+up|appears?|shows?\s+up|occurs?|recurs?|(?:is|are|gets?)\s+(?:mentioned|used|called\s+for"
    r"|named|cited|brought\s+up|invoked))\s+(?:twice|two\s+times|three\s+times|several\s+times"
    r"|more\s+than\s+once|repeatedly|in\s+(?:the|both|several|two|three)\b)",
    re.IGNORECASE,
)
_THE_TEXT_ITSELF = frozenset(lexical.content_terms("speech text document speaker address talk"))


def pointed_phrases(question: str) -> list[str]:
    """Phrases of the text the asker points at, lower-cased: quoted ones, the subject of
    "X comes up twice" (a plural's "s" dropped, so "governments" finds "government networks")
    and the verb of "everything countries are told to reject".

    The sentences that hold them are what the question is about, whatever else it says.
    """
    recurring = []
    for match in _RECURRING.finditer(question):
        words = lexical.words(match.group(1))
        while words and (words[0] in _ARTICLES or words[0] in _WORD_NOUNS):
            words = words[1:]  # "The word 'shared' shows up twice": the quote itself
        if not set(lexical.content_terms(" ".join(words))) - _THE_TEXT_ITSELF:
            continue  # "The speech appears in ..." points at no phrase of the text
        if len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
            words[-1] = words[-1][:-1]
        recurring.append(" ".join(words))
    acts = [m.group(1).lower() for m in _EVERYTHING_TO.finditer(question) if lexical.content_terms(m[1])]
    return list(dict.fromkeys(quoted_phrases(question) + recurring + acts))


def holds(text: str, phrases: Iterable[str]) -> bool:
    """Whether a text holds any of the (lower-cased) phrases a question points at or anchors on."""
    lowered = text.lower()
    return any(phrase in lowered for phrase in phrases)


# "Besides a battlefield, what else ...": the asker repeats words of the text, and the answer
# sits beside them.
_BESIDES = re.compile(
    r"^\W*(?:besides|apart from|aside from|other than|in addition to)\s+(?:(?:a|an|the)\s+)?([^,?]{2,60}),",
    re.IGNORECASE,
)


# "which one comes right before gambling", "what is named immediately after terrorism": the
# asker names the answer's neighbour in a list.
_NEIGHBOUR = re.compile(
    r"\b(?:right|immediately|just|directly)\s+(?:before|after)\s+(?:the\s+)?([\w'-]+(?:\s+[\w'-]+){0,3}?)"
    r"(?=\s*[,?.;]|\s+(?:in|on|within|among|under|of)\b|\s*$)",
    re.IGNORECASE,
)


def anchor_phrases(question: str) -> list[str]:
    """Words the question takes from the text, lower-cased: the phrases it points at, a "besides X"
    phrase and the X of "right before X".

    The sentence that holds them is where the answer is, whatever the retrievers ranked.
    """
    besides = _BESIDES.match(question)
    # "right after it" names nothing: a neighbour without content words is no anchor.
    neighbours = [
        m.group(1).strip().lower() for m in _NEIGHBOUR.finditer(question) if lexical.content_terms(m.group(1))
    ]
    return pointed_phrases(question) + ([besides.group(1).strip().lower()] if besides else []) + neighbours


class QuestionError(ValueError):
    """The question cannot be answered as asked (empty, too long); message is user-facing."""


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_question(question: str, limit: int) -> str:
    """The question, stripped, or a QuestionError that says what is wrong with it."""
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("the question is empty: type a question about the text")
    if "\x00" in question:
        raise QuestionError("the question contains binary data (NUL bytes)")
    if _SURROGATE.search(question):  # undecodable bytes read with surrogateescape, or a broken JSON string
        raise QuestionError("the question is not valid UTF-8 text")
    text = " ".join(question.split())
    if len(text) > limit:
        raise QuestionError(f"the question is too long ({len(text):,} characters; the limit is {limit:,})")
    return text


# Sentences that address the assistant instead of asking about the text.
_INSTRUCTION = re.compile(
    r"^\W*(ignore|disregard|forget|pretend|act as|you are now|from now on|new instructions?|system\b"
    r"|override\b)|\b(previous|prior|above|earlier) instructions\b|\byou are now\b"
    # a note signed by someone who would run the assistant: "Admin note: ...", "[Note from
    # your operator: ...]"
    r"|^\W*(admin|administrator|operator|developer|moderator)\s+(note|notice|message|instructions?)\b"
    r"|^\W*(note|notice|message|instructions?)\s+(from|to)\s+(your|the)\s+(\w+\s+)?"
    r"(admin\w*|operator|owner|developer|moderator|system|assistant|team|staff)\b",
    re.IGNORECASE,
)


def question_parts(question: str) -> list[str]:
    """The questions a text asks, instructions to the assistant left out.

    Each sentence is a part, and so is each ", and what/which/..." clause that stands on its
    own: "What date appears under the title, and what restriction is stated in the final
    line?" asks two things whose facts sit in different places, and the first clause's kind
    of fact (a date) must not be demanded of the second. A clause that points back ("..., and
    who announced it?") stays joined: alone, its "it" would lose its referent and be answered
    from the wrong passage. A statement right before a question sets up that question ("The
    saying carries note 1. What source does that note give?"), so it joins it; so does a short
    request right after a question ("Has the plan produced results? Give me the figures."),
    which says what kind of answer that question wants.
    """
    sentences = [
        question[s:e] for s, e in split_sentences(question) if not _INSTRUCTION.search(question[s:e])
    ]
    joined: list[str] = []
    for sentence in sentences:
        asks = sentence.rstrip().endswith("?")
        follows_question = bool(joined) and joined[-1].rstrip().endswith("?")
        if joined and (
            (not follows_question and asks)
            or (follows_question and not asks and len(lexical.content_terms(sentence)) <= 1)
        ):
            joined[-1] = f"{joined[-1]} {sentence}"
        else:
            joined.append(sentence)
    return [clause for sentence in joined for clause in _clauses(sentence)]


_CLAUSE = re.compile(r"(,)?\s+and\s+(?=(?:what|which|who|whom|when|where|how|why)\b)", re.IGNORECASE)
_POINTS_BACK = frozenset("it its they them their that this these those he him his she her each both".split())
# "What's the title of this speech and what date is it from?": an "it" that can only mean the
# document itself loses nothing when its clause stands alone.
_THE_DOCUMENT = re.compile(r"\b(this|the) (speech|text|document|address)\W*$", re.IGNORECASE)
# "How does the speaker size up the world economy, and what does he expect e-commerce to
# spur?": a "he" that means the speaker, like an "it" that means the document, loses nothing.
_PERSONAL = frozenset("he him his she her".split())
_THE_SPEAKER = re.compile(r"\b(speaker|author|writer|president|he|she)\b", re.IGNORECASE)
# A clause whose pointer is only its subject "they" (the actors: "..., and what kind of outcomes
# should they look for opportunities for?") retrieves its answer with this many content words
# of its own. An "it" or "them" is usually the topic ("what should countries do about it?").
OWN_TERMS = 3


def _clauses(sentence: str) -> list[str]:
    """The sentence split at each ", and <wh-word>" whose clause has no word pointing back.

    Without the comma ("... and what date is it from?") the first clause must be a question
    of its own (four words or more): "Which principles and which proposals mention it?" asks
    one thing.
    """
    clauses, start = [], 0
    for match in _CLAUSE.finditer(sentence):
        before, rest = sentence[start : match.start()], sentence[match.end() :]
        pointers = _POINTS_BACK & set(lexical.words(rest))
        if pointers and not (
            (pointers <= {"it", "its"} and _THE_DOCUMENT.search(before))
            or (pointers <= _PERSONAL and _THE_SPEAKER.search(before))
            or (pointers == {"they"} and len(set(lexical.content_terms(rest))) >= OWN_TERMS)
        ):
            continue
        if match.group(1) or len(lexical.words(before)) >= 4:
            clauses.append(before)
            start = match.end()
    last = sentence[start:]
    one = _WHICH_ONE.match(last)
    noun = _one_of(sentence[:start]) if one and clauses else None
    # ", and which one comes last?" alone would lose what it picks from: "which principle comes last?"
    return [*clauses, f"which {noun}{last[one.end():]}" if one and noun else last]
