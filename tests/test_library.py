"""The document library folder: listing, and all-or-nothing adds with added/updated/unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.library import add_documents, list_documents
from ingest.loader import IngestError


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return tmp_path / "library"


def make(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


def test_list_documents_is_sorted_flat_and_filtered(tmp_path: Path) -> None:
    for name in ("b.md", "a.txt", "c.TXT", "notes.pptx", ".a.txt.tmp", ".hidden.txt"):
        make(tmp_path, name, b"Text.")
    make(tmp_path / "sub", "d.txt", b"Text.")
    assert [p.name for p in list_documents(tmp_path)] == ["a.txt", "b.md", "c.TXT"]
    assert list_documents(tmp_path / "missing") == []


def test_add_then_unchanged_then_updated(tmp_path: Path, library: Path) -> None:
    source = make(tmp_path / "in", "My Speech.txt", b"Title\nFirst version.\n")
    target = library / "my-speech.txt"
    assert add_documents([source], library) == [(target, "added")]
    assert target.read_bytes() == b"Title\nFirst version.\n"
    assert add_documents([source], library) == [(target, "unchanged")]
    source.write_bytes(b"Title\nSecond version.\n")
    assert add_documents([source], library) == [(target, "updated")]
    assert target.read_bytes() == b"Title\nSecond version.\n"
    assert add_documents([target], library) == [(target, "unchanged")]
    assert sorted(p.name for p in library.iterdir()) == ["my-speech.txt"]  # no temporary files left


def test_one_bad_file_adds_nothing(tmp_path: Path, library: Path) -> None:
    kept = make(library, "kept.txt", b"Old text.\n")
    good = make(tmp_path / "in", "good.txt", b"Good text.\n")
    changed = make(tmp_path / "in", "kept.txt", b"New text.\n")
    bad = make(tmp_path / "in", "bad.txt", b"\x00\x01binary")
    with pytest.raises(IngestError, match="bad.txt: is not UTF-8 text"):
        add_documents([good, changed, bad], library)
    assert sorted(p.name for p in library.iterdir()) == ["kept.txt"]
    assert kept.read_bytes() == b"Old text.\n"


def test_missing_file_adds_nothing(tmp_path: Path, library: Path) -> None:
    good = make(tmp_path / "in", "good.txt", b"Good text.\n")
    with pytest.raises(IngestError, match="no such file"):
        add_documents([good, tmp_path / "in" / "absent.md"], library)
    assert not library.exists()


def test_two_inputs_with_one_id_but_different_text_are_refused(tmp_path: Path, library: Path) -> None:
    first = make(tmp_path / "a", "Speech.txt", b"One.\n")
    second = make(tmp_path / "b", "speech.txt", b"Two.\n")
    with pytest.raises(IngestError, match="would both be stored as document 'speech'"):
        add_documents([first, second], library)
    assert not library.exists()


def test_the_same_file_twice_is_added_once(tmp_path: Path, library: Path) -> None:
    first = make(tmp_path / "a", "speech.txt", b"Same.\n")
    second = make(tmp_path / "b", "Speech.txt", b"Same.\n")
    assert add_documents([first, second], library) == [(library / "speech.txt", "added")]


@pytest.mark.parametrize("held", ["speech.md", "Speech!.txt"])
def test_an_id_held_under_another_file_name_is_refused(tmp_path: Path, library: Path, held: str) -> None:
    make(library, held, b"# Speech\n")
    source = make(tmp_path / "in", "speech.txt", b"Speech.\n")
    with pytest.raises(IngestError, match=f"already has {held}"):
        add_documents([source], library)
    assert [p.name for p in list_documents(library)] == [held]


def test_the_same_text_as_txt_and_md_is_refused(tmp_path: Path, library: Path) -> None:
    files = [make(tmp_path / "in", name, b"Speech.\n") for name in ("speech.txt", "speech.md")]
    with pytest.raises(IngestError, match="would both be stored"):
        add_documents(files, library)
