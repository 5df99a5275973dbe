"""Hostile input through the engine API, the CLI and the library: a clear message or a grounded answer,
never a traceback, and never a change to the index.

Every case runs against the session's one built index (conftest); the module's last check
compares the manifest bytes, the Chroma count and the library files with a snapshot taken
before the first case. The web API's cases are in tests/test_web_exposure.py.
`pytest tests/test_bad_input.py -s` prints how many cases were tried.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.question import QuestionError
from ingest.library import add_documents, list_documents
from ingest.loader import MAX_BYTES, IngestError, load_document, slugify
from settings import ROOT, Settings
from tests.index_state import snapshot
from tests.test_cli import assert_clean, assert_exact_quotes, assert_one_error_line

MARKER = re.compile(r"\[(\d+)\]")

# (question, what the engine says about it: an error message fragment, or None for an answer)
QUESTIONS = {
    "empty": ("", "empty"),
    "whitespace": (" \t\n\r\u3000 ", "empty"),
    "100 KB": ("broadband " * 10240, "too long"),
    "NUL bytes": ("When\x00 was\x00 the speech given?", "binary data"),
    "control characters": ("When\x07 was the\x1b[31m speech\x08 given?\x7f", None),
    "mixed scripts": ("网络 cyberspace Киберпространство سایبری 2020 — which year?", None),
    "right-to-left override": ("\u202eWhen was the speech given?\u202c", None),
    "zero-width and combining": ("Whe\u200bn was the spe\u0301ech gi\u200dven?", None),
    "emoji only": ("🤖🔥💥", None),
    "lone surrogate": ("When was the speech \ud800 given?", "not valid UTF-8"),
    "only punctuation": ("?!?!...;;", None),
}
CASES = {"tried": 0}


@pytest.fixture(scope="module", autouse=True)
def unchanged_index(engine, settings: Settings) -> Iterator[None]:  # noqa: ANN001 - engine.engine.Engine
    """The whole module must leave the index and the library exactly as it found them."""
    before = snapshot(settings)
    yield
    assert snapshot(settings) == before
    print(f"\nbad-input cases tried: {CASES['tried']}, tracebacks: 0, index changes: 0")


def tried() -> None:
    CASES["tried"] += 1


def assert_grounded(answer: dict, sources: dict[str, str]) -> None:
    """Every marker resolves to a citation whose quote is the source at its offsets."""
    assert {int(m) for m in MARKER.findall(answer["answer"])} == {c["marker"] for c in answer["citations"]}
    assert_exact_quotes(answer, sources)


@pytest.fixture(scope="module")
def sources(settings: Settings) -> dict[str, str]:
    return {slugify(p.stem): load_document(p).text for p in list_documents(settings.data_dir)}


# --- engine API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", QUESTIONS)
def test_engine_question(engine, sources: dict[str, str], name: str) -> None:  # noqa: ANN001
    question, error = QUESTIONS[name]
    tried()
    if error:
        with pytest.raises(QuestionError, match=error) as caught:
            engine.answer(question)
        assert "\n" not in str(caught.value)
    else:
        assert_grounded(engine.answer(question).to_dict(), sources)


BAD_HISTORIES = [[{"question": "\x00" * 50}], [{"question": "x" * 100_000, "answer": "[9]"}]]


@pytest.mark.parametrize("history", BAD_HISTORIES)
def test_engine_bad_history_is_answered_or_refused(engine, sources: dict[str, str], history: list) -> None:  # noqa: ANN001
    from engine.types import Turn

    tried()
    turns = [Turn(t["question"], t.get("answer", "")) for t in history]
    try:
        assert_grounded(engine.answer("And when?", turns).to_dict(), sources)
    except QuestionError as exc:
        assert "\n" not in str(exc)


# --- CLI ----------------------------------------------------------------------------------------


def cli(settings: Settings, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATA_DIR": str(settings.data_dir), "INDEX_DIR": str(settings.index_dir)}
    env.update(OPENAI_API_KEY="", OPENAI_BASE_URL="", CHROMA_HOST="")
    argv = [arg.encode("utf-8", "surrogatepass") for arg in args]  # a lone surrogate: invalid UTF-8 bytes
    proc = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), *argv], input=stdin, capture_output=True, env=env, cwd=ROOT,
        timeout=300,
    )  # fmt: skip
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, *(out.decode("utf-8", "replace") for out in (proc.stdout, proc.stderr))
    )


ARGV_ERRORS = [name for name, (q, error) in QUESTIONS.items() if error and "\x00" not in q]  # argv has no NUL


@pytest.mark.parametrize("name", ARGV_ERRORS)
def test_cli_bad_question_is_one_error_line(settings: Settings, name: str) -> None:
    question, error = QUESTIONS[name]
    tried()
    assert error in assert_one_error_line(cli(settings, "ask", question))


def test_cli_stdin_batch_of_hostile_lines(settings: Settings, sources: dict[str, str]) -> None:
    """Binary, invalid UTF-8, NUL, control characters, 100 KB: one JSON line each, never a traceback."""
    lines = [
        b"\xff\xfe\x00binary\x80\x81",  # invalid UTF-8 with a NUL
        b"When was the speech \xc3\x28 given?",  # an invalid UTF-8 sequence inside a real question
        b"\x1b[2J\x07 When was the speech given?",
        b"x" * 100_000,
        "网络 Кибер سایبر which year?".encode(),
    ]
    CASES["tried"] += len(lines)
    proc = cli(settings, "ask", "--json", stdin=b"\n".join(lines) + b"\n")
    assert_clean(proc)
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == len(lines), proc.stderr
    errors = [o["error"] for o in out if "error" in o]
    assert ["binary data" in errors[0], "not valid UTF-8" in errors[1], "too long" in errors[2]] == [True] * 3
    assert len(errors) == 3 and proc.returncode == 1  # the others are answered
    for answer in out:
        if "error" not in answer:
            assert_grounded(answer, sources)


def _empty(folder: Path) -> Path:
    (folder / "empty.txt").write_bytes(b"")
    return folder / "empty.txt"


def _binary(folder: Path) -> Path:
    (folder / "image.md").write_bytes(bytes(range(256)) * 8)
    return folder / "image.md"


def _huge(folder: Path) -> Path:
    with (folder / "huge.txt").open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: over the documented 5 MB limit without writing it
    return folder / "huge.txt"


def _latin1(folder: Path) -> Path:
    (folder / "cafe.txt").write_bytes("Le café était très bon.".encode("latin-1"))
    return folder / "cafe.txt"


def _utf16(folder: Path) -> Path:
    (folder / "notes.txt").write_bytes("Notes in UTF-16.".encode("utf-16"))
    return folder / "notes.txt"


def _fake_docx(folder: Path) -> Path:
    (folder / "report.docx").write_bytes(b"PK\x03\x04 not really a zip")
    return folder / "report.docx"


def _device(folder: Path) -> Path:
    return Path("/dev/zero")


def _executable(folder: Path) -> Path:
    (folder / "run.sh").write_text("#!/bin/sh\nrm -rf /\n")
    return folder / "run.sh"


def _dangling_link(folder: Path) -> Path:
    (folder / "gone.txt").symlink_to(folder / "nowhere.txt")
    return folder / "gone.txt"


BAD_FILES = {
    "empty": (_empty, "is empty"),
    "binary": (_binary, "not UTF-8 text"),
    "huge": (_huge, "larger than the 5,242,880-byte limit"),
    "latin-1": (_latin1, "not UTF-8 text"),
    "utf-16": (_utf16, "not UTF-8 text"),
    "fake docx": (_fake_docx, "not a readable .docx"),
    "device": (_device, "unsupported file type"),
    "script": (_executable, "unsupported file type '.sh'"),
    "dangling symlink": (_dangling_link, "no such file"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_cli_bad_file_is_one_error_line(settings: Settings, tmp_path: Path, name: str) -> None:
    make, message = BAD_FILES[name]
    tried()
    line = assert_one_error_line(cli(settings, "ingest", str(make(tmp_path))))
    assert message in line


@pytest.mark.parametrize("name", BAD_FILES)
def test_library_refuses_bad_file(settings: Settings, tmp_path: Path, name: str) -> None:
    """The library API (what the web upload calls) refuses the same files, and copies nothing."""
    make, message = BAD_FILES[name]
    tried()
    with pytest.raises(IngestError, match=re.escape(message)):
        add_documents([_fine(tmp_path), make(tmp_path)], settings.data_dir)


def _fine(folder: Path) -> Path:
    """A valid file to send with a bad one: all or nothing means it must not be copied either."""
    (folder / "fine.txt").write_text("Fine Notes\n\nA perfectly good file.\n")
    return folder / "fine.txt"


# --- paths outside the library --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../../escape.txt", "..%2F..%2Fescape.txt", "sub/../../../escape.txt", "/abs/../escape.txt", "..txt.md"],
)
def test_names_with_traversal_land_inside_the_library(tmp_path: Path, name: str) -> None:
    """Whatever the uploaded name, the copy is <slug><suffix> directly inside the library folder."""
    tried()
    source = tmp_path / "upload" / "x" / "y" / "z" / Path(name.replace("/", "_")).name
    source.parent.mkdir(parents=True)
    source.write_text("Escape Notes\n\nThis text must stay inside the library.\n")
    library = tmp_path / "library"
    [(target, status)] = add_documents([source], library)
    assert status == "added" and target.parent == library and target.resolve().is_relative_to(library)
    assert [p.name for p in tmp_path.rglob("*escape*") if p.parent == tmp_path] == []


def test_a_symlink_into_the_library_is_copied_as_its_content(tmp_path: Path) -> None:
    """`ingest link` stores the bytes, not the link: the library never points outside itself."""
    tried()
    outside = tmp_path / "outside.txt"
    outside.write_text("Outside Notes\n\nWritten outside the library.\n")
    (tmp_path / "link.txt").symlink_to(outside)
    library = tmp_path / "library"
    [(target, _)] = add_documents([tmp_path / "link.txt"], library)
    assert not target.is_symlink() and target.read_bytes() == outside.read_bytes()


def test_a_symlink_planted_in_the_library_is_not_indexed(tmp_path: Path) -> None:
    """A link placed in the library by hand (to /etc/passwd, say) is no document: it is never read."""
    tried()
    library = tmp_path / "library"
    library.mkdir()
    (library / "passwd.txt").symlink_to("/etc/passwd")
    (library / "real.txt").write_text("Real Notes\n\nA real document.\n")
    assert list_documents(library) == [library / "real.txt"]
