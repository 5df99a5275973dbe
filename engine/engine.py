"""The engine: one object that answers questions; the CLI, the UI and the evals all use it."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from engine import conversation, lexical
from engine.enumeration import (
    AnnouncedList,
    Item,
    announced_lists,
    beyond_item,
    lists_asked,
    middle_item,
    neighbour_item,
    ordinal_item,
    sized_item,
)
from engine.evidence import STRUCTURAL, Evidence, Weights, antecedent, gather, pinned
from engine.language import looks_english, translate
from engine.llm import ChatBackend, LLMError, backend_name, make_backend
from engine.place import Place, beyond_place, paragraph_at, place_asked
from engine.prompts import Prompts
from engine.question import (
    anchor_phrases,
    asks_quoted,
    check_question,
    holds,
    parse,
    pointed_phrases,
    premise,
    question_parts,
    quotes_something,
    wants_several,
)
from engine.refusal import should_refuse
from engine.types import Answer, Citation, Sentence, Turn
from engine.verify import Claim, Verdict, parse_claims, verify
from index.build import PassageIndex, open_index
from index.embedder import VectorCache
from index.retriever import HybridRetriever
from ingest.footnotes import marker_keys, note_key
from ingest.passage import Passage
from settings import Settings

log = logging.getLogger("engine")

RUNNER_UP = 0.85  # a second evidence sentence is shown when it scores this close to the best
RUNNERS_UP = 2  # ... and so is a third
SEVERAL_PASSAGES = 3  # "both ... and ..." questions quote up to this many passages
SEVERAL_RATIO = 0.6  # ... each with a best sentence scoring at least this share of the best
SHORT_SENTENCE = 12  # words: a best sentence this short is quoted with the sentence after it
UNTRANSLATED = "The answer could not be translated, so it is shown in the language of the text."


@dataclass
class _Cited:
    """Assigns stable marker numbers to (passage, quote span) pairs in order of first use."""

    citations: list[Citation]

    def marker(self, passage: Passage, span: tuple[int, int]) -> int:
        for citation in self.citations:
            if citation.passage_id == passage.id and citation.start == passage.start + span[0]:
                return citation.marker
        self.citations.append(citation_for(passage, span, len(self.citations) + 1))
        return len(self.citations)


def citation_for(passage: Passage, span: tuple[int, int], marker: int) -> Citation:
    """A citation whose quote is passage.text[span], with offsets into the source document."""
    start, end = span
    return Citation(
        marker=marker,
        passage_id=passage.id,
        doc=passage.doc,
        text=passage.text,
        quote=passage.text[start:end],
        start=passage.start + start,
        end=passage.start + end,
        section=passage.section,
        page=passage.page,
    )


class Engine:
    """Settings in, verified answers out."""

    def __init__(
        self,
        settings: Settings,
        index: PassageIndex | None = None,
        backend: ChatBackend | None = None,
        progress: bool = False,
    ) -> None:
        self.settings = settings
        self.index = index or open_index(settings, progress=progress)
        self.retriever = HybridRetriever(self.index, settings.candidates)
        self.prompts = Prompts(settings.prompts_dir)
        self._backend = backend
        self.weights = Weights()
        self._vectors = VectorCache(self.index.embedder.embed)

    @property
    def backend(self) -> ChatBackend:
        """The LLM, created on first use so retrieval-only callers never load it."""
        if self._backend is None:
            self._backend = make_backend(self.settings)
        return self._backend

    def evidence(
        self, question: str, documents: Sequence[str] | None = None
    ) -> tuple[list[Passage], list[Evidence]]:
        """Retrieved passages and their sentences scored against the question (within ``documents``)."""
        hits = self.retriever.retrieve(question, self.settings.top_k, documents)
        passages = [hit.passage for hit in hits]
        seen = {p.id for p in passages}

        def add(wanted: Callable[[Passage], bool]) -> None:
            """Append the library's passages ``wanted`` picks, once each.

            This scans the whole library, so ``wanted`` (cheap) goes first and membership is
            tested by id: comparing Passage dataclasses cost 0.8 s a question at 100k passages.
            """
            for passage in self.index.passages.values():
                if wanted(passage) and passage.id not in seen:
                    passages.append(passage)
                    seen.add(passage.id)

        # A phrase the asker quotes ("comparisons with 'the real world'", "besides a battlefield")
        # is meant literally: every passage that holds it is evidence, whatever the retrievers ranked.
        anchors = anchor_phrases(question)
        if anchors:
            add(lambda p: holds(p.text, anchors))
        kind = parse(question).kind
        if kind == "date":
            # A "when" question about a document is answered by its date line, which shares
            # no words with the question and so is easily missed by both retrievers.
            docs = {p.doc for p in passages}
            add(lambda p: p.kind == "date" and p.doc in docs)
        found = gather(question, passages, self._vectors, self.weights)
        if asks_quoted(question):
            # "In the broadband part, which words are in quotation marks?" is answered by the
            # sentence that quotes ("The "last kilometer" ..."), which matches few of its words.
            found.sort(key=lambda e: not quotes_something(e.text))
        # "Which principle comes third?" names an item by its rank in a list; a date or count
        # question with an ordinal ("When was the first conference?") does not.
        lists = self._lists.values()
        item = (
            None
            if kind
            else ordinal_item(question, lists)
            or neighbour_item(question, lists)
            or sized_item(question, lists, self._section_size)
            or middle_item(question, lists)
        )
        place = place_asked(question) if item is None and passages else None
        if place:
            return self._at_place(question, place, passages, found)
        if item is None:
            # "What is the name of the principle that says ...?" asks for an item's heading, a name.
            listed = (
                lists_asked(question, self._lists.values(), by_number=kind == "position")
                if kind in ("", "name", "position")
                else []
            )
            return self._in_item(question, listed, passages, found) if listed else (passages, found)
        passage, (start, end), _ = item
        section = self._section(passage)
        asked = beyond_item(question, item)  # nothing for "which principle comes third?": no section
        # The asker named the item, so its sentences are about what was asked: a focus noun the
        # item never uses ("what legal arrangement does point four want strengthened?") is the
        # asker's label for one of them, not a thing the item must name.
        inside = [
            replace(e, focused=True)
            for e in (gather(question, section, self._vectors, self.weights) if asked else [])
            if e.typed and asked & set(lexical.content_terms(e.text))
        ]
        body = [e for e in inside if (e.passage.id, e.start) != (passage.id, start)]
        if body and body[0].score >= RUNNER_UP * inside[0].score:
            inside = body
        if inside:
            # "What does the fifth proposal say there can be no room for?" asks inside the item:
            # its own sentences come first, not other sections. Its heading leads only when it
            # matches clearly better than they do ("what kind of development does the fourth
            # proposal want promoted?": "Fourth, ... promote orderly development."); it names
            # the item's subject, so it matches nearly as well as the sentence that answers.
            return list(dict.fromkeys([*section, *passages])), [
                replace(inside[0], pinned=True),
                *inside[1:],
                *_besides(found, inside),
            ]
        heading = pinned(passage, (start, end))
        return list(dict.fromkeys([passage, *passages])), [heading, *_besides(found, [heading])]

    def _section(self, passage: Passage) -> list[Passage]:
        """The passages of the section that holds ``passage``, in reading order."""
        return [p for p in self._documents[passage.doc] if p.section == passage.section]

    def _section_size(self, passage: Passage) -> int:
        """Characters the text spends on the section that holds ``passage`` (windows overlap, so
        the span from its first start to its last end)."""
        section = self._section(passage)
        return max(p.end for p in section) - min(p.start for p in section)

    def _at_place(
        self, question: str, place: Place, passages: list[Passage], found: list[Evidence]
    ) -> tuple[list[Passage], list[Evidence]]:
        """Evidence for "what does the opening paragraph say is widening?": that paragraph's best
        sentence leads, or its first or last sentence when the question names a sentence.

        The place stands for the question's focus noun ("what global trend does the first
        sentence name first?" is answered by a sentence that never says "trend"), so the lead is
        pinned (the answer starts there) when it holds the asked-for kind of fact. A named
        sentence, or a paragraph asked about as a whole, is the answer whatever its similarity
        to the question; a paragraph asked about something keeps its best sentence's score, so
        the usual threshold still refuses what the paragraph does not say. A lead that lacks the
        kind of fact still leads, so "Which city does the first sentence name?" is refused
        instead of answered from elsewhere.
        """
        leads: list[tuple[list[Passage], Evidence]] = []
        for doc in dict.fromkeys(p.doc for p in passages):  # in a library, the document that fits best
            paragraph = paragraph_at(self._documents[doc], place.first)
            inside = gather(question, paragraph, self._vectors, self.weights)
            if place.unit == "sentence" and paragraph:
                edge = paragraph[0 if place.first else -1]
                spans = edge.sentence_spans()
                named = spans[:1] if place.first else spans[-1:]
                inside = [e for e in inside if e.passage.id == edge.id and (e.start, e.end) in named]
            if inside:
                leads.append((paragraph, inside[0]))
        if not leads:
            return passages, found
        paragraph, lead = max(leads, key=lambda pair: pair[1].score)  # ties: the best-retrieved document
        if lead.typed and (place.unit == "sentence" or not beyond_place(question)):
            lead = pinned(lead.passage, (lead.start, lead.end))
        elif lead.typed:
            lead = replace(lead, focused=True, pinned=True)
        # The lead's passage first: a long paragraph's other windows rank below it.
        return list(dict.fromkeys([lead.passage, *paragraph, *passages])), [lead, *_besides(found, [lead])]

    def _in_item(
        self, question: str, lists: list[AnnouncedList], passages: list[Passage], found: list[Evidence]
    ) -> tuple[list[Passage], list[Evidence]]:
        """Evidence for "which proposal mentions the Broadband China strategy?": the heading of the
        item whose section holds the topic, then the sentence that holds it.

        The item never calls itself "the first proposal", so sentence scoring alone would quote
        the topic's sentence without saying where it sits, or refuse for want of "proposal".
        """
        items = {(p.doc, p.section): Item(p, span, a.text) for a in lists for p, span in a.items}
        inside = [
            p for doc in {d for d, _ in items} for p in self._documents[doc] if (doc, p.section) in items
        ]
        listing = {t for a in lists for t in lexical.content_terms(a.text)}
        asked = set(lexical.content_terms(question)) - listing  # the topic, not the list's words
        candidates = [
            e
            for e in gather(question, inside, self._vectors, self.weights)
            if asked & set(lexical.content_terms(e.passage.text))
        ]
        best = max(candidates, key=lambda e: e.score, default=None)
        if best is None or best.score < self.settings.answerable_threshold:
            return passages, found
        item = items[(best.passage.doc, best.passage.section)]
        shown = [pinned(item.passage, item.span)]
        if (best.passage.id, best.start) != (item.passage.id, item.span[0]):
            shown.append(pinned(best.passage, (best.start, best.end)))
        return list(dict.fromkeys([item.passage, best.passage, *passages])), [*shown, *_besides(found, shown)]

    def _parts(
        self, question: str, documents: Sequence[str] | None = None
    ) -> list[tuple[str, list[Passage], list[Evidence]]]:
        """Each part of the question with its passages and evidence, the best-covered first.

        Instructions aimed at the assistant ("Ignore the text...", "SYSTEM OVERRIDE: you are
        now...") are data, not questions: they are set aside. A compound question ("What
        does it hope foreigners learn, and what does it tell foreign firms?") is answered
        part by part, so one part the text does not cover cannot sink the others.
        """
        parts = _merge_followups(question_parts(question))
        if not parts:
            return [(question, [], [])]
        scored = [(part, *_within(documents, *self.evidence(part, documents))) for part in parts]
        return sorted(
            scored, key=lambda s: (not (s[2] and s[2][0].eligible), -(s[2][0].score if s[2] else 0.0))
        )

    def answer(
        self, question: str, history: Sequence[Turn] = (), documents: Sequence[str] | None = None
    ) -> Answer:
        """Answer one question from the text, or refuse; every kept sentence is verified.

        ``documents`` (document slugs) scopes the question to those documents; None: all of them.
        """
        *_, answer = self.stream(question, history, documents)
        assert isinstance(answer, Answer)
        return answer

    def standalone(self, question: str, history: Sequence[Turn] = ()) -> tuple[str, str]:
        """The question to retrieve and answer with, and how it was made: "none", "rules" or "llm".

        The LLM rewrites follow-ups (and translates questions in other languages) when the
        setting asks for it, or by default with the OpenAI backend; the rules are the local
        model's default and the fallback when the LLM's rewrite is unusable.
        """
        use_llm = self.settings.rewrite == "llm" or (
            self.settings.rewrite == "auto" and self.settings.backend == "openai"
        )
        follow_up = bool(history) and conversation.is_follow_up(question)
        if use_llm and (follow_up or not looks_english(question)):
            rewritten = conversation.by_llm(question, history, self.backend, self.prompts)
            if rewritten:
                return rewritten, "llm"
        rewritten = conversation.by_rules(question, history)
        return rewritten, "none" if rewritten == question else "rules"

    def stream(
        self, question: str, history: Sequence[Turn] = (), documents: Sequence[str] | None = None
    ) -> Iterator[str | Answer]:
        """Draft text pieces as the LLM writes them, then the verified Answer last.

        The draft is unverified: callers must replace it with the final Answer. With a
        history, a follow-up is first rewritten into a standalone question (reported in
        Answer.standalone_question).
        """
        question = check_question(question, self.settings.max_question_chars)
        started = time.perf_counter()
        standalone, rewrite = self.standalone(question, history)
        parts = self._parts(standalone, documents)
        threshold = self.settings.answerable_threshold
        answerable = [p for p in parts if not should_refuse(p[0], p[2], threshold, self.retriever.knows)]
        asked, passages, evidence = (answerable or parts)[0]
        passages = list(dict.fromkeys(passage for _, found, _ in answerable for passage in found)) or passages
        timings = {"retrieve": _ms(started), "generate": 0.0}
        base = dict(
            question=question,
            timings_ms=timings,
            retrieved=[p.id for p in passages],
            standalone_question=standalone,
            rewrite=rewrite,
        )
        if not answerable:
            closest = (
                citation_for(evidence[0].passage, (evidence[0].start, evidence[0].end), 0)
                if evidence
                else None
            )
            timings["total"] = _ms(started)
            yield self._in_language(
                question,
                Answer(
                    answer=self.prompts.text("refusal"),
                    refused=True,
                    citations=[],
                    sentences=[],
                    backend=self._backend_name(),
                    mode="refusal",
                    closest=closest,
                    **base,  # type: ignore[arg-type]
                ),
            )
            return
        shown = evidence[: self.settings.top_k]
        generate_started = time.perf_counter()
        draft, notice = "", ""
        try:
            for piece in self.backend.stream(self._messages(asked, shown), self.settings.llm_max_tokens):
                draft += piece
                yield piece
        except LLMError as exc:
            # A reply cut off midway is dropped whole: a half sentence must never be verified.
            log.warning("LLM failed, answering extractively: %s", exc)
            draft, notice = "", f"The language model failed ({exc}); the answer quotes the text directly."
        timings["generate"] = _ms(generate_started)
        verdicts = verify(
            parse_claims(draft),
            cited={i: e.passage for i, e in enumerate(shown, start=1)},
            candidates=passages,
            threshold=self.settings.support_threshold,
            question=" ".join(part for part, _, _ in answerable),
        )
        mode = "generated"
        kept = [v for v in verdicts if v.supported and _on_target(v, evidence[0])][:1]
        if not kept:
            mode = "extractive"
        # The best evidence is always shown verbatim unless the model's sentence already
        # restates it: a small model's fluent sentence may drop the very fact that was asked.
        chosen = _extractive_choice(evidence, wants_several(question), pointed_phrases(question)) + [
            found[0] for _, _, found in answerable[1:]
        ]
        claim = premise(standalone)
        if claim:
            # What the text says on a premise the asker attributes to it is shown too, so a false
            # one ("the information gap is shrinking") meets the sentence that corrects it.
            checked = self.evidence(claim, documents)[1][:1]
            chosen += [e for e in checked if e.eligible and e.score >= threshold]
        for extra in [v for e in chosen for v in _extract(e)] + self._announced_list(evidence[0]):
            if not any(_restates(v, extra) for v in kept):
                kept.append(extra)
        kept += self._notes_of(kept)
        if evidence[0].pinned:
            # Evidence found by the text's structure ("the third principle", a sentence of the
            # fifth proposal) is what was asked for: it leads, the model's sentence can only add.
            kept.sort(key=lambda v: v.passage != evidence[0].passage)
        verdicts = kept + [v for v in verdicts if not v.supported]
        text, citations, sentences = _present(verdicts)
        timings["total"] = _ms(started)
        log.info("answered in %.0f ms (%s, %d citations)", timings["total"], mode, len(citations))
        yield self._in_language(
            question,
            Answer(
                answer=text,
                refused=False,
                citations=citations,
                sentences=sentences,
                backend=self._backend_name(),
                mode=mode,
                notice=notice,
                **base,  # type: ignore[arg-type]
            ),
        )

    def _in_language(self, question: str, answer: Answer) -> Answer:
        """The verified answer translated into the question's language (OpenAI backend only).

        The English original stays in translated_from; citations keep their exact quotes.
        """
        if looks_english(question) or self.settings.backend != "openai":
            return answer
        translated = translate(answer.answer, question, self.backend, self.prompts)
        if translated is None:
            return replace(answer, notice=" ".join(filter(None, [answer.notice, UNTRANSLATED])))
        return replace(answer, answer=translated, translated_from=answer.answer)

    @cached_property
    def _documents(self) -> dict[str, list[Passage]]:
        """Each document's passages in reading order, grouped once: questions about a place in a
        document or an item of its lists would otherwise scan the whole library (100k passages)."""
        documents: dict[str, list[Passage]] = {}
        for passage in sorted(self.index.passages.values(), key=lambda p: (p.doc, p.position)):
            documents.setdefault(passage.doc, []).append(passage)
        return documents

    @cached_property
    def _lists(self) -> dict[str, AnnouncedList]:
        """The lists the library announces, found on first need: the index never changes under an engine."""
        return announced_lists(self.index.passages.values())

    def _announced_list(self, best: Evidence) -> list[Verdict]:
        """The items of a list the best evidence announces, each quoted by its heading sentence."""
        announced = self._lists.get(best.passage.id)
        if announced is None or announced.sentence[1] != best.end:
            return []
        return [
            Verdict(Claim(p.text[s:e].lstrip("–—-•* "), ()), p, (s, e), 1.0) for p, (s, e) in announced.items
        ]

    def _notes_of(self, verdicts: list[Verdict]) -> list[Verdict]:
        """The notes the kept sentences' markers point to, each quoted once: 'chaos."1' brings
        '1 Mo Zi.', the source of the saying, which the sentence itself never names."""
        cited = {v.passage.id for v in verdicts if v.passage is not None}
        notes: list[Verdict] = []
        for verdict in verdicts:
            if verdict.passage is None or not verdict.passage.notes:
                continue
            keys = marker_keys(verdict.passage.text[verdict.quote[0] : verdict.quote[1]])
            for note_id in verdict.passage.notes:
                note = self.index.passages.get(note_id)
                if note is None or note.id in cited or note_key(note.text) not in keys:
                    continue
                cited.add(note.id)
                for start, end in note.sentence_spans()[:1]:
                    notes.append(Verdict(Claim(note.text[start:end], ()), note, (start, end), 1.0))
        return notes

    def _messages(self, question: str, shown: list[Evidence]) -> list[dict[str, str]]:
        passages = "\n".join(
            self.prompts.render("passage", number=str(i), text=e.marker_text)
            for i, e in enumerate(shown, start=1)
        )
        return [
            {"role": "system", "content": self.prompts.text("system")},
            {"role": "user", "content": self.prompts.render("answer", passages=passages, question=question)},
        ]

    def _backend_name(self) -> str:
        """The backend's name without loading it (refusals never need the LLM)."""
        return self._backend.name if self._backend else backend_name(self.settings)


def _besides(found: list[Evidence], shown: list[Evidence]) -> list[Evidence]:
    """The found evidence minus the sentences already shown (same passage, same start), in order."""
    shown_at = {(e.passage.id, e.start) for e in shown}
    return [e for e in found if (e.passage.id, e.start) not in shown_at]


def _extractive_choice(
    evidence: list[Evidence], several: bool = False, pointed: Sequence[str] = ()
) -> list[Evidence]:
    """The best eligible sentence, plus the next two when they are nearly as good.

    A paraphrased question ("How should nations treat one another's domestic politics and
    their disagreements?") often matches the sentence that answers it a little less well than
    a neighbour that shares its words: the third best sentence is as often the answer as the second.

    When the question asks for several facts ("both ... and ..."), the best sentence of each
    of the next best passages joins too, if it is reasonably close; so does every sentence
    holding a phrase the asker points at ("The phrase 'still less' appears twice...", see
    pointed_phrases), even two in one passage, whatever their score.
    """
    chosen = evidence[:1]
    for rank, candidate in enumerate(evidence[1 : 1 + RUNNERS_UP], start=2):
        # The third best as a heading or a title line adds nothing to the sentences above it
        # ("Notes" next to "1 Mo Zi.").
        third_line = rank == 3 and candidate.passage.kind in STRUCTURAL
        if candidate.eligible and candidate.score >= RUNNER_UP * chosen[0].score and not third_line:
            chosen.append(candidate)
    if several and pointed:
        holding = [e for e in evidence if e.eligible and holds(e.text, pointed)]
        chosen += _besides(holding, chosen)[:SEVERAL_PASSAGES]
    if several and chosen:
        # A pinned list item scores 1.0 by construction; the others compare with the best found by similarity.
        reference = next((e.score for e in evidence if not e.pinned), chosen[0].score)
        for candidate in evidence:
            passages = {e.passage.id for e in chosen}
            if len(passages) >= SEVERAL_PASSAGES:
                break
            if (
                candidate.passage.id not in passages
                and candidate.eligible
                and candidate.passage.kind not in STRUCTURAL  # a footnote is not a second place in the text
                and candidate.score >= SEVERAL_RATIO * reference
            ):
                chosen.append(candidate)
    best = chosen[0] if chosen else None
    short = best is not None and len(best.text.split()) <= SHORT_SENTENCE
    if best and short and not best.pinned and best.passage.kind == "paragraph":
        # A short best sentence ("Cyber security poses a global challenge.") usually states a
        # point that its next sentence makes ("No country can ... remain immune from such challenge.").
        follows = [e for e in evidence if e.passage.id == best.passage.id and e.start >= best.end]
        if follows:
            nxt = min(follows, key=lambda e: e.start)
            if all((e.passage.id, e.start) != (nxt.passage.id, nxt.start) for e in chosen):
                chosen.append(nxt)
    return sorted(chosen, key=lambda e: (e.passage.position, e.start))  # in reading order


def _on_target(verdict: Verdict, best: Evidence) -> bool:
    """Whether a supported model sentence speaks to what was asked.

    Evidence found by the text's structure fixes where the answer is ("the second principle"):
    a sentence the model took from another section is true but answers something else.
    """
    if not best.pinned or verdict.passage is None:
        return True
    where = best.passage
    return verdict.passage.doc == where.doc and (
        verdict.passage == where or bool(where.section) and verdict.passage.section == where.section
    )


# "What's the speaker's view on both?": a part that points back at several things asked before.
_BACK_AT_SEVERAL = re.compile(r"\b(both|each|either|them|these|those)\b", re.IGNORECASE)


def _merge_followups(parts: list[str]) -> list[str]:
    """Join a part with no content words of its own ("What does it say in each?") to the one before.

    Such a sentence only points back ("it", "each"); asked alone it retrieves whatever
    matches function words, and that evidence would be quoted as an answer. So does one with a
    single content word that points back at several things ("What's the speaker's view on
    both?": alone, its "view" matched "with a view to improving").
    """
    merged: list[str] = []
    for part in parts:
        terms = lexical.content_terms(part)
        if merged and (not terms or (len(terms) == 1 and _BACK_AT_SEVERAL.search(part))):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged


def _restates(verdict: Verdict, other: Verdict) -> bool:
    """Whether a kept sentence already carries (nearly) every content term of another one."""
    terms = lexical.content_terms(other.claim.text)
    return lexical.recall(terms, set(lexical.content_terms(verdict.claim.text))) >= 0.9


def _extract(evidence: Evidence) -> list[Verdict]:
    """A verbatim source sentence as a verdict: supported by construction, quoted exactly.

    A sentence that leans on the one before ("It covers all aspects of state-to-state
    relations") comes with it: it was scored on both, and alone it may lack the very fact
    asked for ("the Charter of the United Nations"). So does the sentence that names what a
    demonstrative points at ("this strategy": see evidence.antecedent).
    """
    passage = evidence.passage
    before = [span for span in passage.sentence_spans() if span[0] == evidence.read_from]
    if not before and (named := antecedent(passage, evidence.start)):
        before = [named]
    return [
        Verdict(Claim(passage.text[s:e], ()), passage, (s, e), 1.0)
        for s, e in [*before, (evidence.start, evidence.end)]
    ]


# A bracketed number left in a sentence came from the document ("Mara Lind [7]"), not from the
# verifier: shown as is, it would read as a marker that resolves to nothing.
_STRAY_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def _present(verdicts: list[Verdict]) -> tuple[str, list[Citation], list[Sentence]]:
    """Answer text with renumbered markers, its citations, and every sentence's verdict."""
    cited = _Cited([])
    parts: list[str] = []
    sentences: list[Sentence] = []
    for verdict in verdicts:
        if verdict.passage is None:
            sentences.append(Sentence(verdict.claim.text, [], "unsupported", verdict.support))
            continue
        marker = cited.marker(verdict.passage, verdict.quote)
        body = _STRAY_MARKER.sub(r"(\1)", verdict.claim.text).rstrip().rstrip(":;,")
        end = body[-1] if body[-1] in ".!?" else ""
        parts.append(f"{body[: len(body) - len(end)]} [{marker}]{end or '.'}")
        sentences.append(Sentence(parts[-1], [marker], "supported", verdict.support))
    return " ".join(parts), cited.citations, sentences


def _within(
    documents: Sequence[str] | None, passages: list[Passage], evidence: list[Evidence]
) -> tuple[list[Passage], list[Evidence]]:
    """Only what comes from ``documents``: passages found by phrase or list position, not by the
    scoped retriever, must not bring another document into a scoped answer."""
    if documents is None:
        return passages, evidence
    return [p for p in passages if p.doc in documents], [e for e in evidence if e.passage.doc in documents]


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
