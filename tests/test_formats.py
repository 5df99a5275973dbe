"""HTML, PDF and DOCX documents: extracted text is what passages index and quotes are cut from.

The fixtures are real files written here: a hand-made two-page PDF with a text layer, a .docx
written by python-docx, and an HTML page with a script and a style that must never be quoted.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from index.build import open_index
from index.embedder import OnnxMiniLM
from ingest.chunker import chunk
from ingest.loader import IngestError, load_document
from settings import Settings

HTML = """<!doctype html><html><head><title>City Report</title>
<style>p { color: red }</style><script>var secret = "never quoted";</script></head>
<body><h1>City Report</h1><p>The river bridge opened in   <b>May 2019</b>.</p>
<nav>Home &amp; About</nav><p>Traffic fell by a third.</p><script>alert("x")</script></body></html>"""


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one Helvetica text line per string, one page per list."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for lines in pages:
        body = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
        content = len(objects) + 1
        objects.append(f"<< /Length {len(body)} >>\nstream\n{body}\nendstream")
        kids.append(len(objects) + 1)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R "
            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
        )
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("latin-1")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("latin-1")
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out + trailer.encode("latin-1")


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "Annual Report.pdf"
    path.write_bytes(
        make_pdf([["Annual Report"], ["The harbour handled two million tons.", "Exports rose sharply."]])
    )
    return path


def test_html_keeps_visible_text_only_as_paragraphs(tmp_path: Path) -> None:
    (tmp_path / "city.html").write_text(HTML, encoding="utf-8")
    doc = load_document(tmp_path / "city.html")
    assert doc.text == (
        "City Report\n\nCity Report\n\nThe river bridge opened in May 2019.\n\nHome & About\n\n"
        "Traffic fell by a third."
    )
    assert "secret" not in doc.text and "color" not in doc.text and "alert" not in doc.text
    passages = chunk(doc)
    assert all(doc.text[p.start : p.end] == p.text for p in passages)
    assert any(p.text == "The river bridge opened in May 2019." for p in passages)
    assert all(p.page is None for p in passages)


def test_pdf_passages_carry_their_page(pdf: Path) -> None:
    doc = load_document(pdf)
    assert doc.pages == (0, len("Annual Report\n\n"))
    passages = chunk(doc)
    assert [(p.text, p.page) for p in passages] == [
        ("Annual Report", 1),
        ("The harbour handled two million tons.\nExports rose sharply.", 2),
    ]
    assert all(doc.text[p.start : p.end] == p.text for p in passages)


def test_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([[]]))
    with pytest.raises(IngestError, match="no text layer"):
        load_document(path)


def test_docx_paragraphs_become_passages(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Water Plan", level=1)
    document.add_paragraph("Every   village gets clean water by 2030.")
    document.add_paragraph("")
    document.add_paragraph("The plan costs nine billion.")
    document.save(tmp_path / "water.docx")
    doc = load_document(tmp_path / "water.docx")
    assert doc.text == "Water Plan\n\nEvery village gets clean water by 2030.\n\nThe plan costs nine billion."
    assert [p.text for p in chunk(doc)][1:] == [
        "Every village gets clean water by 2030.",
        "The plan costs nine billion.",
    ]


def test_pages_survive_the_index_and_reach_citations(tmp_path: Path, pdf: Path) -> None:
    data_dir = tmp_path / "corpus"
    data_dir.mkdir()
    pdf.rename(data_dir / pdf.name)
    settings = Settings(data_dir=data_dir, index_dir=tmp_path / "index")
    open_index(settings, embedder=OnnxMiniLM())
    reopened = open_index(settings, embedder=OnnxMiniLM())  # passages now come back from Chroma
    assert reopened.report.unchanged == ["annual-report"]
    assert [p.page for p in reopened.passages.values()] == [1, 2]

    from engine.engine import citation_for

    passage = reopened.passages["annual-report#p2"]
    assert citation_for(passage, (0, 10), 1).page == 2
