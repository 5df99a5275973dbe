"""Loading and chunking: on the real speech, on small files in tmp_path, and on arbitrary text."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.chunker import MAX_CONTEXT, chunk
from ingest.footnotes import marker_keys
from ingest.loader import MAX_BYTES, IngestError, SourceDoc, load_document
from ingest.passage import Passage
from ingest.sentences import split_sentences
from settings import ROOT

SPEECH = ROOT / "data" / "corpus" / "work-together-to-build-a-healthy-cyberspace.txt"
SLUG = "work-together-to-build-a-healthy-cyberspace"
TITLE = "Work Together to Build a Healthy Cyberspace"
SAYING = (
    'As an old Chinese saying goes, "When there is mutual care, the world will be in good order; '
    'when there is mutual hatred, the world will be in chaos."'
)


@pytest.fixture(scope="module")
def speech() -> list[Passage]:
    return chunk(load_document(SPEECH))


def by_id(passages: list[Passage]) -> dict[str, Passage]:
    return {p.id.split("#", 1)[1]: p for p in passages}


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


# --- the speech ---------------------------------------------------------------------------------


def test_speech_passages_and_ids(speech: list[Passage]) -> None:
    assert [p.id.split("#", 1)[1] for p in speech] == [
        "p1", "p2", "p3.1", "p3.2", "p4", "p5", "p6", "p7", "p8.1", "p8.2", "p9", "p10", "p11",
        "p12.1", "p12.2", "p13", "p14.1", "p14.2", "p15", "p16", "p17", "p18",
    ]  # fmt: skip
    assert all(re.fullmatch(rf"{SLUG}#p\d+(\.\d+)?", p.id) for p in speech)
    assert [p.position for p in speech] == list(range(len(speech)))
    assert {p.doc for p in speech} == {SLUG}


def test_speech_ids_are_stable_across_runs_and_copies(speech: list[Passage], tmp_path: Path) -> None:
    copy = write(tmp_path, SPEECH.name, SPEECH.read_bytes())
    assert chunk(load_document(SPEECH)) == speech
    assert [p.id for p in chunk(load_document(copy))] == [p.id for p in speech]


def test_every_passage_is_an_exact_trimmed_span(speech: list[Passage]) -> None:
    source = load_document(SPEECH).text
    for p in speech:
        assert source[p.start : p.end] == p.text == p.text.strip()
    assert "".join(source.split()) == "".join("".join(p.text.split()) for p in speech)


def test_speech_kinds_and_title(speech: list[Passage]) -> None:
    kinds = {key: p.kind for key, p in by_id(speech).items()}
    special = {"p1": "title", "p2": "date", "p15": "note", "p16": "heading", "p17": "note", "p18": "other"}
    assert {key: kind for key, kind in kinds.items() if kind != "paragraph"} == special
    assert {p.doc_title for p in speech} == {TITLE}


def test_speech_date_is_in_every_context(speech: list[Passage]) -> None:
    assert all(p.context.startswith(f"{TITLE} (December 16, 2015).") for p in speech)
    assert by_id(speech)["p2"].context.endswith("Date of the document.")
    assert by_id(speech)["p1"].context.endswith("Title of the document.")


def test_principles_are_sections_with_their_lead_in(speech: list[Passage]) -> None:
    items = by_id(speech)
    assert [items[key].section for key in ("p5", "p6", "p7", "p8.1", "p8.2")] == [
        "Respect for cyber sovereignty",
        "Maintenance of peace and security",
        "Promotion of openness and cooperation",
        "Good order",
        "Good order",
    ]
    for key in ("p5", "p6", "p7", "p8.1", "p8.2"):
        assert "the following principles must be upheld: Section:" in items[key].context
    assert "following principles" not in items["p9"].context


def test_proposals_are_sections(speech: list[Passage]) -> None:
    items = by_id(speech)
    sections = [items[key].section for key in ("p10", "p11", "p12.1", "p13", "p14.1")]
    assert sections == [
        "First, speed up the building of global internet infrastructure and promote inter-connectivity",
        "Second, build an online platform for cultural exchange and mutual learning",
        "Third, promote innovative development of the cyber economy for common prosperity",
        "Fourth, maintain cyber security and promote orderly development",
        "Fifth, build an internet governance system to promote fairness and justice",
    ]
    assert items["p12.2"].section == sections[2]
    assert f"Section: {sections[0]}." in items["p10"].context
    unsectioned = ("p1", "p2", "p3.1", "p4", "p9", "p15", "p16", "p17", "p18")
    assert {items[key].section for key in unsectioned} == {""}


def test_footnotes_link_both_ways(speech: list[Passage]) -> None:
    items = by_id(speech)
    star_note, mo_zi = items["p15"], items["p17"]
    assert items["p1"].notes == (star_note.id,) and star_note.refs == (items["p1"].id,)
    assert items["p7"].notes == (mo_zi.id,) and mo_zi.refs == (items["p7"].id,)
    assert "Note: Part of the speech at the opening ceremony" in items["p1"].context
    assert "Note: Mo Zi." in items["p7"].context
    assert f"Note * (asterisk footnote) to: {TITLE}" in star_note.context
    assert SAYING in mo_zi.context
    assert [p.id for p in speech if p.notes] == [items["p1"].id, items["p7"].id]
    assert [p.id for p in speech if p.refs] == [star_note.id, mo_zi.id]


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ('the world will be in chaos."1 To improve', {"1"}),
        ("Work Together to Build a Healthy Cyberspace*", {"*"}),
        ("as the report says [2], and", {"2"}),
        ("By 2020, 1,000 villages and 3.5 million people", set()),  # numbers, not markers
    ],
)
def test_marker_keys(text: str, keys: set[str]) -> None:
    assert marker_keys(text) == keys


def test_years_are_not_footnote_markers(speech: list[Passage]) -> None:
    year = next(p for p in speech if "by 2020," in p.text)
    assert year.notes == () and "Note:" not in year.context


def test_long_paragraphs_become_sentence_windows(speech: list[Passage]) -> None:
    source = load_document(SPEECH).text
    first, second = by_id(speech)["p3.1"], by_id(speech)["p3.2"]
    assert len(first.text) <= 1000 and len(second.text) <= 1000
    assert source.splitlines()[2] == source[first.start : second.end]
    assert first.text.endswith("have become a global scourge.")
    assert second.text.startswith("In the face of these problems and challenges")
    assert all(len(p.text) <= 1000 for p in speech)


def test_contexts_stay_compact(speech: list[Passage]) -> None:
    assert max(len(p.context) for p in speech) <= MAX_CONTEXT


# --- chunking small files ------------------------------------------------------------------------


def test_windows_respect_max_chars_and_sentences(tmp_path: Path) -> None:
    sentence = "This sentence has exactly fifty characters in it. "
    long_one = "A single very long sentence " + "that keeps going " * 10 + "until it ends."
    path = write(tmp_path, "w.txt", "Title\n" + sentence * 5 + long_one + " Short end.\n" + long_one)
    passages = chunk(load_document(path), max_chars=120)
    assert passages[-1].id == "w#p3" and passages[-1].text == long_one  # one sentence: nothing to split
    windows = [p for p in passages if p.id.startswith("w#p2.")]
    assert [p.id for p in windows] == ["w#p2.1", "w#p2.2", "w#p2.3", "w#p2.4", "w#p2.5"]
    assert [len(p.text) for p in windows[:3]] == [99, 99, 49]
    assert windows[3].text == long_one and len(long_one) > 120  # an over-long sentence stays whole
    assert windows[4].text == "Short end."


def test_small_max_chars_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        chunk(load_document(write(tmp_path, "a.txt", "Some text.")), max_chars=0)


@pytest.mark.parametrize("date", ["December 16, 2015", "16 December 2015", "2015-12-16", "Dec. 16, 2015"])
def test_date_lines(tmp_path: Path, date: str) -> None:
    passages = chunk(load_document(write(tmp_path, "d.txt", f"A Title\n{date}\nBody text here.\n")))
    assert [p.kind for p in passages] == ["title", "date", "paragraph"]
    assert passages[2].context == f"A Title ({date})."
    assert passages[1].context == f"A Title ({date}). Date of the document."


def test_no_title_gives_a_title_from_the_file_name(tmp_path: Path) -> None:
    passages = chunk(load_document(write(tmp_path, "my_speech-2015.txt", "It begins here.\nAnd goes on.\n")))
    assert [p.kind for p in passages] == ["paragraph", "paragraph"]
    assert {p.doc_title for p in passages} == {"My speech 2015"}
    assert passages[0].context == "My speech 2015."


def test_blank_line_paragraphs_keep_their_line_breaks(tmp_path: Path) -> None:
    text = "The Title\r\n\r\nFirst line of one paragraph\r\ncontinues here.\r\n\r\nSecond paragraph.\r\n"
    doc = load_document(write(tmp_path, "b.txt", text))
    passages = chunk(doc)
    assert [p.id for p in passages] == ["b#p1", "b#p2", "b#p3"]
    assert passages[1].text == "First line of one paragraph\r\ncontinues here."
    assert all(doc.text[p.start : p.end] == p.text for p in passages)


def test_markdown_headings_set_sections(tmp_path: Path) -> None:
    text = (
        "# The Report*\n\nIntro **bold** paragraph.\n\n## Background\nFirst point.\n\nSecond point.\n\n"
        "## Plan\n\n- Build roads. Then more.\n- Fix bridges.\n\nThe Notes\n\n## Notes\n\n* Draft only.\n"
    )
    doc = load_document(write(tmp_path, "Report.md", text))
    got = [(p.id, p.kind, p.section) for p in chunk(doc)]
    assert got == [
        ("report#p1", "title", ""),
        ("report#p2", "paragraph", ""),
        ("report#p3", "heading", "Background"),
        ("report#p4", "paragraph", "Background"),
        ("report#p5", "paragraph", "Background"),
        ("report#p6", "heading", "Plan"),
        ("report#p7", "paragraph", "Build roads"),
        ("report#p8", "paragraph", "Fix bridges"),
        ("report#p9", "heading", "Plan"),
        ("report#p10", "heading", "Notes"),
        ("report#p11", "note", "Notes"),
    ]
    passages = chunk(doc)
    assert passages[0].text == "# The Report*" and passages[0].doc_title == "The Report"
    assert passages[1].notes == ()  # emphasis stars are not footnote markers
    assert passages[2].text == "## Background"
    assert passages[6].text == "- Build roads. Then more." and passages[7].text == "- Fix bridges."
    assert passages[0].notes == ("report#p11",) and passages[10].refs == ("report#p1",)


def test_markdown_list_items_name_their_section(tmp_path: Path) -> None:
    text = "# Plan\n\nWe will do three things:\n- Build roads. Soon.\n- Fix bridges.\n\nThat is all.\n"
    passages = chunk(load_document(write(tmp_path, "plan.md", text)))
    assert [p.section for p in passages] == ["", "", "Build roads", "Fix bridges", ""]
    assert "We will do three things: Section: Build roads." in passages[2].context


def test_markers_need_a_matching_note(tmp_path: Path) -> None:
    body = (
        'Title\nThe G20 met in 2020, and 1,000 people paid 1.2 million. He said "so."1 Then left.[2] Fine.\n'
    )
    without_notes = chunk(load_document(write(tmp_path, "a.txt", body)))
    assert all(p.notes == () and p.kind != "note" for p in without_notes)
    notes = "Notes\n1 A source.\n2 Another.\n20 Unused.\n"
    with_notes = chunk(load_document(write(tmp_path, "b.txt", body + notes)))
    assert with_notes[1].notes == ("b#p4", "b#p5")
    assert [p.kind for p in with_notes] == ["title", "paragraph", "heading", "note", "note", "note"]
    assert with_notes[3].context.endswith('Note 1 (footnote) to: He said "so."')
    assert with_notes[5].refs == ()


def test_closing_numbered_lines_without_markers_or_heading_are_not_notes(tmp_path: Path) -> None:
    passages = chunk(load_document(write(tmp_path, "n.txt", "Title\nSome text here.\n1 Final point.\n")))
    assert [p.kind for p in passages] == ["title", "paragraph", "paragraph"]


# --- loading --------------------------------------------------------------------------------------


def test_load_keeps_the_text_exact(tmp_path: Path) -> None:
    raw = "\ufeffTitle\r\nCafé line.\r\n".encode()
    doc = load_document(write(tmp_path, "My Speech (2015) FINAL.TXT", raw))
    assert doc.text == "Title\r\nCafé line.\r\n"
    assert doc.slug == "my-speech-2015-final" and doc.suffix == ".txt"
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert isinstance(doc, SourceDoc) and doc.path == tmp_path / "My Speech (2015) FINAL.TXT"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "no such file"),
        ("folder.txt", "DIR", "is a folder"),
        ("paper.pdf", "%PDF-1.4", "is not a readable PDF"),
        ("slides.pptx", "PK", "unsupported file type '.pptx' (supported: .txt, .md, .html, .htm, .pdf"),
        ("empty.txt", "", "is empty"),
        ("blank.md", " \n\t\r\n", "is empty"),
        ("binary.txt", b"Title\x00\x01\x02", "is not UTF-8 text"),
        ("latin.txt", "Café au lait".encode("latin-1"), "is not UTF-8 text"),
        ("___.txt", "Text.", "no letters or digits"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, name: str, content: str | bytes | None, message: str) -> None:
    path = tmp_path / name
    if content == "DIR":
        path.mkdir()
    elif content is not None:
        write(tmp_path, name, content)
    with pytest.raises(IngestError) as caught:
        load_document(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_too_big_files_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"a" * (MAX_BYTES + 1))
    with pytest.raises(IngestError, match="larger than"):
        load_document(path)
    assert load_document(write(tmp_path, "ok.txt", b"a" * MAX_BYTES)).text == "a" * MAX_BYTES


# --- properties -----------------------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        "\n", "\n\n", "\r\n", " ", "\t", "# ", "## ", "* ", "1 ", "[1] ", "Notes", "– ", "- ", "— ",
        "First, ", "Cyberspace*", 'chaos."1', "December 16, 2015", ". ", "? ", "word", "Word", "(trailer)",
        "2020", ":",
    ]
)  # fmt: skip


@given(
    text=st.one_of(st.text(max_size=400), st.lists(PIECES, max_size=60).map("".join)),
    suffix=st.sampled_from([".txt", ".md"]),
    max_chars=st.integers(min_value=1, max_value=120),
)
def test_chunks_map_back_exactly_for_any_text(text: str, suffix: str, max_chars: int) -> None:
    doc = SourceDoc(path=Path(f"doc{suffix}"), slug="doc", text=text, sha256="", suffix=suffix)
    passages = chunk(doc, max_chars=max_chars)
    ids = {p.id: p for p in passages}
    assert len(ids) == len(passages)
    previous_end = 0
    for p in passages:
        assert p.text and text[p.start : p.end] == p.text == p.text.strip()
        assert not text[previous_end : p.start].strip()  # nothing skipped, nothing overlapping
        assert len(p.text) <= max_chars or len(split_sentences(p.text)) == 1
        assert all(p.id in ids[note].refs for note in p.notes)
        assert all(p.id in ids[ref].notes for ref in p.refs)
        previous_end = p.end
    assert not text[previous_end:].strip()
