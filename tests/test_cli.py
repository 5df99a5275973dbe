"""The CLI as a user runs it: `python app.py ...` subprocesses over tmp copies of the library.

Real models, real embedded Chroma; DATA_DIR and INDEX_DIR point every run at tmp folders.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.build import open_index
from index.manifest import MANIFEST_NAME
from ingest.chunker import chunk
from ingest.library import list_documents
from ingest.loader import load_document, slugify
from settings import ROOT, Settings
from tests.index_state import Snapshot, snapshot
from tests.test_engine import ANSWER_EXTRAS, ANSWER_KEYS  # one statement of the JSON contract

APP = ROOT / "app.py"
MARKER = re.compile(r"\[(\d+)\]")
ANSWERABLE = "What date is on the speech?"  # short model output keeps the runs fast
DATE = "December 16, 2015"  # the quoted evidence carries it, so the verified answer does too
REFUSED = ["Which city hosted the conference?", "What percentage of the population has internet access?"]

KESTREL_V1 = """# Kestrel Notes

The Kestrel Bridge over the river Lune was completed in 1987.

Its main span is 240 metres long.

The bridge was painted green in 2004.

A toll on the bridge was abolished in 2011.
"""
KESTREL_V2 = """# Kestrel Notes

The Kestrel Bridge over the river Lune was completed in 1987.

Its main span is 250 metres long.
"""
KESTREL_QUESTION = "In what year was the Kestrel Bridge completed?"


@dataclass(frozen=True)
class Library:
    """A tmp library and index, and the environment that points the CLI at them."""

    data_dir: Path
    index_dir: Path

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "DATA_DIR": str(self.data_dir), "INDEX_DIR": str(self.index_dir)}
        env.update(OPENAI_API_KEY="", OPENAI_BASE_URL="", CHROMA_HOST="")  # the local, offline setup
        return env

    @property
    def settings(self) -> Settings:
        return Settings().with_(data_dir=self.data_dir, index_dir=self.index_dir)

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(APP), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=ROOT,
            timeout=300,
        )

    def sources(self) -> dict[str, str]:
        """Document slug -> decoded text, for checking quotes against the library's files."""
        return {slugify(path.stem): load_document(path).text for path in list_documents(self.data_dir)}

    def snapshot(self) -> Snapshot:
        """Manifest bytes, Chroma passage count and the library's files: what a failed ingest must keep."""
        return snapshot(self.settings)


def new_library(root: Path) -> Library:
    shutil.copytree(ROOT / "data" / "corpus", root / "corpus")
    return Library(root / "corpus", root / "index")


def assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def assert_one_error_line(proc: subprocess.CompletedProcess[str], rc: int = 2) -> str:
    assert proc.returncode == rc, proc.stderr
    assert_clean(proc)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert proc.stdout == ""
    return lines[0]


def assert_exact_quotes(data: dict, sources: dict[str, str]) -> None:
    """Citations (and a refusal's closest passage) quote their document exactly."""
    cited = list(data["citations"]) + ([data["closest"]] if data.get("closest") else [])
    for citation in cited:
        assert citation["quote"].strip()
        assert citation["quote"] == sources[citation["doc"]][citation["start"] : citation["end"]]
        assert citation["quote"] in citation["text"]
        assert citation["passage_id"].startswith(citation["doc"] + "#")


def assert_answered(data: dict, sources: dict[str, str]) -> None:
    assert ANSWER_KEYS <= set(data) <= ANSWER_KEYS | ANSWER_EXTRAS
    assert data["refused"] is False and data["citations"]
    assert_exact_quotes(data, sources)
    assert {int(n) for n in MARKER.findall(data["answer"])} == {c["marker"] for c in data["citations"]}


def assert_refused(data: dict, sources: dict[str, str]) -> None:
    assert ANSWER_KEYS <= set(data) <= ANSWER_KEYS | ANSWER_EXTRAS
    assert data["refused"] is True and data["citations"] == [] and not MARKER.search(data["answer"])
    assert data["closest"] is not None
    assert_exact_quotes(data, sources)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return new_library(tmp_path_factory.mktemp("cli"))


@pytest.fixture(scope="module")
def first_answer(library: Library) -> dict:
    """`ask --json` on a fresh library: builds the index that the other ask tests reuse."""
    proc = library.run("ask", ANSWERABLE, "--json")
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout  # exactly one JSON object, nothing else on stdout
    return json.loads(lines[0])


# --- ask ----------------------------------------------------------------------------------------------


def test_ask_json_prints_one_verified_answer(library: Library, first_answer: dict) -> None:
    assert first_answer["question"] == ANSWERABLE
    assert_answered(first_answer, library.sources())
    assert DATE in first_answer["answer"]
    assert (library.index_dir / MANIFEST_NAME).is_file()


def test_ask_human_output_has_the_answer_then_its_citations(library: Library, first_answer: dict) -> None:
    proc = library.run("ask", ANSWERABLE)
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    lines = proc.stdout.rstrip("\n").splitlines()
    assert lines[0] == first_answer["answer"]  # the same answer as the JSON run: deterministic
    assert lines[1] == ""
    sources = library.sources()
    citation_lines = lines[2:-1]
    assert len(citation_lines) == 2 * len(first_answer["citations"])
    for head, quote_line, citation in zip(
        citation_lines[::2], citation_lines[1::2], first_answer["citations"], strict=True
    ):
        match = re.fullmatch(r"\[(\d+)\] (\S+?)(?: \(.*\))?, chars (\d+)-(\d+):", head)
        assert match, head
        marker, passage_id, start, end = int(match[1]), match[2], int(match[3]), int(match[4])
        assert (marker, passage_id, start, end) == (
            citation["marker"],
            citation["passage_id"],
            citation["start"],
            citation["end"],
        )
        assert quote_line == f'    "{sources[passage_id.split("#")[0]][start:end]}"'
    assert re.fullmatch(r"\(local:\S+, \d+ ms\)", lines[-1]), lines[-1]


def test_stream_shows_the_draft_then_the_verified_answer(library: Library, first_answer: dict) -> None:
    proc = library.run("ask", "--stream", ANSWERABLE)
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    draft, verified = proc.stdout.split("\n--- verified ---\n")
    assert draft.startswith("(draft, unverified) ") and len(draft) > len("(draft, unverified) ")
    assert verified.splitlines()[0] == first_answer["answer"]  # the same verified answer as without --stream


def test_history_makes_a_follow_up_find_its_topic(library: Library, tmp_path: Path) -> None:
    turns = tmp_path / "turns.json"
    turns.write_text(json.dumps([{"question": "What does the speech say about broadband in villages?"}]))
    follow_up = library.run("ask", "--json", "--history", str(turns), "And by what year will that happen?")
    data = json.loads(follow_up.stdout)
    assert data["rewrite"] == "rules" and "broadband" in data["standalone_question"]
    assert_answered(data, library.sources())
    assert "2020" in data["answer"]


@pytest.mark.parametrize("content", ["{not json", '{"question": "a dict, not a list"}', '[{"answer": "x"}]'])
def test_a_bad_history_file_is_one_error_line(library: Library, tmp_path: Path, content: str) -> None:
    turns = tmp_path / "turns.json"
    turns.write_text(content)
    assert "history file" in assert_one_error_line(library.run("ask", "--history", str(turns), "Why?"))
    missing = library.run("ask", "--history", str(tmp_path / "missing.json"), "Why?")
    assert "cannot read" in assert_one_error_line(missing)


def test_stdin_batch_skips_blank_lines_and_prints_one_json_line_each(library: Library) -> None:
    proc = library.run("ask", "--json", stdin=f"{REFUSED[0]}\n   \n{REFUSED[1]}\n")
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    answers = [json.loads(line) for line in proc.stdout.strip().splitlines()]
    assert [a["question"] for a in answers] == REFUSED
    for answer in answers:
        assert_refused(answer, library.sources())


def test_a_bad_line_in_a_batch_is_an_error_object_and_the_rest_is_answered(library: Library) -> None:
    too_long = "Why " + "really " * 400 + "?"
    proc = library.run("ask", "--json", stdin=f"{REFUSED[0]}\n{too_long}\n{REFUSED[1]}\n")
    assert proc.returncode == 1, proc.stderr
    assert_clean(proc)
    first, error, last = (json.loads(line) for line in proc.stdout.strip().splitlines())
    sources = library.sources()
    assert first["question"] == REFUSED[0] and last["question"] == REFUSED[1]
    assert_refused(first, sources)
    assert_refused(last, sources)
    assert set(error) == {"question", "error"}
    assert "too long" in error["error"] and error["question"] == too_long[:200]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ask", ""), "empty"),
        (("ask", "   ", "--json"), "empty"),
        (("ask", "word " * 20480), "too long"),  # 100 KB in one argument
        (("ask", "--json", "word " * 20480), "too long"),
    ],
)
def test_a_bad_question_is_one_error_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    library = new_library(tmp_path)
    line = assert_one_error_line(library.run(*args))
    assert message in line
    assert not library.index_dir.exists()  # refused before any index or model was touched


# --- ingest -------------------------------------------------------------------------------------------


def _missing(folder: Path) -> Path:
    return folder / "absent.txt"


def _folder(folder: Path) -> Path:
    (folder / "notes.txt").mkdir()
    return folder / "notes.txt"


def _binary(folder: Path) -> Path:
    (folder / "blob.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe")
    return folder / "blob.txt"


def _pdf(folder: Path) -> Path:
    (folder / "speech.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    return folder / "speech.pdf"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_missing, "no such file"),
        (_folder, "is a folder"),
        (_binary, "not UTF-8 text"),
        (_pdf, "is not a readable PDF"),
    ],
)
def test_a_bad_ingest_is_one_error_line_and_changes_nothing(
    library: Library, first_answer: dict, tmp_path: Path, make, message: str
) -> None:
    bad = make(tmp_path)
    before = library.snapshot()
    line = assert_one_error_line(library.run("ingest", str(bad)))
    assert str(bad) in line and message in line
    assert library.snapshot() == before


@pytest.fixture(scope="module")
def kestrel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Library, Path, subprocess.CompletedProcess]:
    """A library with a built index, then `ingest` of a new Markdown file into it."""
    root = tmp_path_factory.mktemp("cli-ingest")
    library = new_library(root)
    built = library.run("ask", "--json", REFUSED[0])  # builds the index for the speech alone
    assert built.returncode == 0, built.stderr
    source = root / "incoming" / "Kestrel Notes.md"
    source.parent.mkdir()
    source.write_text(KESTREL_V1, encoding="utf-8")
    return library, source, library.run("ingest", str(source))


def test_ingest_adds_a_markdown_file_and_embeds_only_it(
    kestrel: tuple[Library, Path, subprocess.CompletedProcess],
) -> None:
    library, source, proc = kestrel
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    stored = library.data_dir / "kestrel-notes.md"
    assert stored.read_bytes() == source.read_bytes()
    new_passages = len(chunk(load_document(stored)))
    assert f"added: {stored}" in proc.stdout.splitlines()
    embedded = f"{new_passages} passages embedded"
    report = f"index: 1 added, 0 updated, 0 removed, 0 repaired, 1 unchanged, {embedded}"
    assert report in proc.stdout


def test_ask_cites_the_ingested_file(kestrel: tuple[Library, Path, subprocess.CompletedProcess]) -> None:
    library = kestrel[0]
    proc = library.run("ask", KESTREL_QUESTION, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    sources = library.sources()
    assert_answered(data, sources)
    assert any(c["doc"] == "kestrel-notes" and "1987" in c["quote"] for c in data["citations"])
    assert "1987" in data["answer"]


def test_reingest_skips_an_unchanged_file_and_replaces_a_changed_one(
    kestrel: tuple[Library, Path, subprocess.CompletedProcess],
) -> None:
    library, source, _ = kestrel
    stored = library.data_dir / "kestrel-notes.md"
    manifest = (library.index_dir / MANIFEST_NAME).read_bytes()

    same = library.run("ingest", str(source))
    assert same.returncode == 0, same.stderr
    assert f"unchanged: {stored}" in same.stdout.splitlines()
    assert "index: 0 added, 0 updated, 0 removed, 0 repaired, 2 unchanged, 0 passages embedded" in same.stdout
    assert (library.index_dir / MANIFEST_NAME).read_bytes() == manifest

    source.write_text(KESTREL_V2, encoding="utf-8")
    changed = library.run("ingest", str(source))
    assert changed.returncode == 0, changed.stderr
    assert f"updated: {stored}" in changed.stdout.splitlines()
    expected = chunk(load_document(stored))
    counts = f"0 added, 1 updated, 0 removed, 0 repaired, 1 unchanged, {len(expected)} passages embedded"
    assert counts in changed.stdout
    assert stored.read_text(encoding="utf-8") == KESTREL_V2

    index = open_index(library.settings)
    assert index.report.embedded == 0 and not index.report.full_rebuild  # the CLI left it up to date
    kestrel_passages = [p for p in index.passages.values() if p.doc == "kestrel-notes"]
    assert [(p.id, p.text) for p in kestrel_passages] == [(p.id, p.text) for p in expected]
    first_version = source.parent / "v1" / "kestrel-notes.md"
    first_version.parent.mkdir(exist_ok=True)
    first_version.write_text(KESTREL_V1, encoding="utf-8")
    dropped = {p.id for p in chunk(load_document(first_version))} - {p.id for p in expected}
    assert dropped and not dropped & set(index.passages)  # no stale passage ids left behind
    assert not any("painted green" in p.text or "240 metres" in p.text for p in index.passages.values())
    assert index.collection.count() == len(index.passages)
    sources = library.sources()
    for passage in index.passages.values():
        assert sources[passage.doc][passage.start : passage.end] == passage.text
