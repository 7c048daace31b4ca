"""Reading documents: every format, every encoding, and a clear DocumentError for each kind
of bad file. No model needed: these run in well under a second each."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest
from kazakh_docs import (
    CP1251_TEXT,
    DOCX_TITLE,
    KZ1048_TEXT,
    PDF_PAGES,
    UTF16_MD,
    make_docx,
    make_pdf,
    make_scanned_pdf,
)

from kazrag.errors import DocumentError
from kazrag.rag.chunking import chunk_document
from kazrag.rag.config import Config
from kazrag.rag.formats import decode_text, discover, load_document, load_documents


def _error(path: Path) -> str:
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    message = str(caught.value)
    assert "\n" not in message and path.name in message
    return message


# ------------------------------------------------------------------------ encodings
@pytest.mark.parametrize(
    "encoding, prefix",
    [
        ("utf-8", b""),
        ("utf-8-sig", b""),
        ("utf-16", b""),  # Python's utf-16 writes a BOM
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("kz1048", b""),
    ],
)
def test_kazakh_text_is_decoded_in_each_encoding(encoding, prefix):
    assert decode_text(prefix + KZ1048_TEXT.encode(encoding), "x.txt") == KZ1048_TEXT


def test_cp1251_russian_text_is_decoded():
    assert decode_text(CP1251_TEXT.encode("cp1251"), "x.txt") == CP1251_TEXT


@pytest.mark.parametrize(
    "text",
    [
        "Қазақстан Қазақстанның бала ең",  # charset-normalizer guesses cp1251
        "Ақсу-Жабағылы қорығы 1926 жылы құрылған.",  # ... cp949 (Korean)
        "Үкімет 2015 жылы",  # ... a Latin code page
        "ғ қ ң ө ұ ү һ і ә",
    ],
)
def test_short_kz1048_text_keeps_its_kazakh_letters(text):
    assert decode_text(text.encode("kz1048"), "x.txt") == text


def test_windows_line_ends_become_newlines():
    assert decode_text("бір\r\nекі\rүш".encode(), "x.txt") == "бір\nекі\nүш"


@pytest.mark.parametrize("data", [b"", b"  \n\t\n", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_empty_text_file_is_rejected(tmp_path, data):
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    assert "the file is empty" in _error(path)


@pytest.mark.parametrize(
    "make",
    [
        lambda: gzip.compress("Қазақстан".encode() * 50),
        lambda: bytes(range(256)) * 4,
        lambda: b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200),
        lambda: b"\x01\x02\x03\x04\x05\x06" * 50,  # no NUL, still binary
    ],
)
def test_binary_file_renamed_txt_is_rejected(tmp_path, make):
    path = tmp_path / "picture.txt"
    path.write_bytes(make())
    assert "binary file, not text" in _error(path)


def test_unsupported_format_names_the_supported_ones(tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    message = _error(path)
    assert ".docx" in message and ".pdf" in message and "save Word .doc files" in message


# ------------------------------------------------------------------------------- PDF
def test_pdf_text_keeps_the_page_of_every_line(tmp_path):
    doc = load_document(make_pdf(tmp_path / "cities.pdf"))
    assert doc.format == "pdf" and len(doc.page_of_line) == doc.source.count("\n") + 1
    lines = doc.source.split("\n")
    for page, (heading, _) in enumerate(PDF_PAGES, start=1):
        assert doc.page_of_line[lines.index(heading)] == page


def test_pdf_chunks_carry_their_pages(tmp_path):
    doc = load_document(make_pdf(tmp_path / "cities.pdf"))
    chunks = chunk_document(doc, Config())
    by_section = {c.section[-1] if c.section else doc.title: c for c in chunks}
    assert by_section["Түркістан қаласы"].page_start == 3
    assert by_section["Алматы қаласы"].page_start == by_section["Алматы қаласы"].page_end == 2
    assert all(s.page is not None for c in chunks for s in c.sentences)


def test_pdf_with_only_an_owner_password_is_read(tmp_path):
    doc = load_document(make_pdf(tmp_path / "locked.pdf", owner_password="owner"))
    assert "Медеу" in doc.source


def test_password_protected_pdf_is_rejected(tmp_path):
    path = make_pdf(tmp_path / "secret.pdf", owner_password="o", user_password="secret")
    assert "password-protected" in _error(path)


def test_scanned_pdf_without_text_layer_is_rejected(tmp_path):
    assert "no extractable text (scanned?)" in _error(make_scanned_pdf(tmp_path / "scan.pdf"))


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: b"%PDF-1.4\n" + bytes(range(256)) * 8,  # garbage after a PDF header
        lambda data: "Бұл PDF емес.".encode(),  # text renamed .pdf
    ],
)
def test_corrupt_pdf_is_rejected(tmp_path, damage):
    good = make_pdf(tmp_path / "good.pdf").read_bytes()
    path = tmp_path / "broken.pdf"
    path.write_bytes(damage(good))
    assert "not a readable PDF" in _error(path)


# ------------------------------------------------------------------------------ DOCX
def test_docx_headings_title_and_table(tmp_path):
    doc = load_document(make_docx(tmp_path / "parks.docx"))
    assert doc.format == "docx" and doc.title == DOCX_TITLE
    lines = doc.source.split("\n")
    assert {lines[n]: level for n, level in doc.heading_lines.items()} == {
        "1-бөлім. Солтүстік": 1,
        "Көлдер": 2,
        "2-бөлім. Оңтүстік": 1,
    }
    assert "Ақсу-Жабағылы | 1926" in lines and DOCX_TITLE not in doc.source


def test_docx_chunks_get_section_paths(tmp_path):
    doc = load_document(make_docx(tmp_path / "parks.docx"))
    sections = {c.section_path: c.text for c in chunk_document(doc, Config())}
    assert "Көлдің ең терең жері" in sections["1-бөлім. Солтүстік › Көлдер"]
    assert "1926 жылы құрылған" in sections["2-бөлім. Оңтүстік"]
    assert "Оқжетпес" in sections["1-бөлім. Солтүстік"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: b"just text",
    ],
)
def test_corrupt_docx_is_rejected(tmp_path, damage):
    good = make_docx(tmp_path / "good.docx").read_bytes()
    path = tmp_path / "broken.docx"
    path.write_bytes(damage(good))
    assert "not a readable Word .docx file" in _error(path)


def test_zip_that_is_not_a_docx_is_rejected(tmp_path):
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "сәлем")
    assert "not a readable Word .docx file" in _error(path)


def test_docx_without_text_is_rejected(tmp_path):
    import docx

    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    assert "has no text" in _error(path)


# ------------------------------------------------------------------------ markdown etc.
def test_utf16_markdown_headings(tmp_path):
    path = tmp_path / "food.md"
    path.write_bytes(UTF16_MD.encode("utf-16"))
    doc = load_document(path)
    assert [doc.source.split("\n")[n] for n in sorted(doc.heading_lines)] == [
        "# Қазақ тағамдары",
        "## Бешбармақ",
        "## Қымыз",
    ]


def test_jsonl_that_is_not_utf8_is_rejected(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_bytes('{"_id": "1", "text": "Қазақстан"}\n'.encode("kz1048"))
    with pytest.raises(DocumentError, match="must be UTF-8"):
        load_documents(path)


def test_discover_finds_every_supported_format(tmp_path):
    for name in ("a.txt", "b.md", "c.pdf", "d.docx", "e.jsonl", "f.png", ".hidden.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in discover(tmp_path)] == ["a.txt", "b.md", "c.pdf", "d.docx", "e.jsonl"]
