"""Web pages (rag/formats/html.py): headings as sections, paragraphs, loose text and list
items as sentences, table rows one unit each, `pre` whole; scripts, styles, menus, footers
and comments are not text; any encoding the text reader knows. No model needed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kazrag.errors import DocumentError
from kazrag.rag.chunking import chunk_document, units
from kazrag.rag.config import Config
from kazrag.rag.formats import SUPPORTED_SUFFIXES, load_documents
from kazrag.rag.indexing import read_indexable

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Еңбек кодексі &mdash; Әділет</title>
<style>p { color: red }</style><script>var hidden = "Бұл мәтін емес.";</script></head>
<body>
<nav><a href="/">Басты бет</a> | <a href="/laws">Заңдар</a></nav>
<h1>Еңбек кодексі</h1>
<h2>1-тарау. Жалпы <em>ережелер</em></h2>
<p>Жұмыс уақытының қалыпты ұзақтығы аптасына <b>40 сағаттан</b>
   аспауға тиіс. Бұл туралы <a href="/68">68-бап</a> айтады&nbsp;&laquo;анық&raquo;.</p>
<div>Он сегіз жасқа толмағандар үшін жұмыс уақыты қысқартылады.<br>
Бұл ереже барлық ұйымдарға қолданылады.
  <p>Ішкі абзац.</p>Абзацтан кейінгі мәтін.</div>
<ul><li>Бірінші тармақ: демалыс күні.</li><li>Екінші тармақ: мереке күндері.</li></ul>
<!-- түсініктеме: көрсетілмейді -->
<h2>2-тарау. Жалақы</h2>
<table><tr><th>Жыл</th><th>Ең төменгі жалақы</th></tr>
<tr><td>2024</td><td>85 000 теңге</td></tr></table>
<form><input value="Іздеу"><button>Табу</button></form>
<footer>© 2024 Әділет. Барлық құқықтар қорғалған.</footer>
</body></html>
"""


def _read(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    [doc] = load_documents(path)
    return doc


def test_a_web_page_reads_as_sections_sentences_and_rows(tmp_path):
    doc = _read(tmp_path, "labour.html", PAGE.encode("utf-8"))
    assert doc.title == "Еңбек кодексі — Әділет"
    _, found = units(doc)
    by_section: dict[tuple[str, ...], list[str]] = {}
    for unit in found:
        by_section.setdefault(unit.section, []).append(unit.text)
    assert by_section == {
        ("Еңбек кодексі", "1-тарау. Жалпы ережелер"): [
            "Жұмыс уақытының қалыпты ұзақтығы аптасына 40 сағаттан аспауға тиіс.",
            "Бұл туралы 68-бап айтады «анық».",
            "Он сегіз жасқа толмағандар үшін жұмыс уақыты қысқартылады.",
            "Бұл ереже барлық ұйымдарға қолданылады.",
            "Ішкі абзац.",
            "Абзацтан кейінгі мәтін.",
            "Бірінші тармақ: демалыс күні.",
            "Екінші тармақ: мереке күндері.",
        ],
        ("Еңбек кодексі", "2-тарау. Жалақы"): ["Жыл | Ең төменгі жалақы", "2024 | 85 000 теңге"],
    }
    text = doc.source
    for not_text in ("hidden", "color", "Басты бет", "түсініктеме", "Іздеу", "Табу", "©"):
        assert not_text not in text
    # a citation's line is the line of the text kazrag shows for the page
    for unit in found:
        assert unit.text.split()[0] in text.split("\n")[unit.line_start - 1]


def test_a_page_in_kz_1048_or_utf_16_reads_the_same(tmp_path):
    expected = units(_read(tmp_path, "utf8.html", PAGE.encode("utf-8")))[1]
    for name, data in (
        ("kz1048.htm", PAGE.replace("utf-8", "kz-1048").encode("kz1048")),
        ("utf16.html", PAGE.encode("utf-16")),
    ):
        found = units(_read(tmp_path, name, data))[1]
        assert [u.text for u in found] == [u.text for u in expected], name


def test_html_is_a_supported_format_and_a_page_of_nothing_is_refused_by_name(tmp_path):
    assert {".html", ".htm"} <= SUPPORTED_SUFFIXES
    path = tmp_path / "menu.html"
    path.write_text("<html><body><nav>Басты бет</nav><script>x()</script></body></html>")
    with pytest.raises(DocumentError) as caught:
        read_indexable(path)
    assert str(caught.value).startswith("menu.html: gave no passages")


_PIECES = ["<p>", "</p>", "<div>", "</div>", "<br>", "<b>", "</b>", "<h2>", "</h2>", "<table>",
           "<tr>", "<td>", "</td>", "<pre>", "</pre>", "<li>", "<!--", "-->", "<script>",
           "</script>", "&amp;", "&", "<", ">", " ", "\n", "Сөз", "Ә.", "екі.", "«", "»"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=50).map("".join))
def test_any_web_page_reads_and_chunks_without_error(text):
    from kazrag.rag.formats import Document
    from kazrag.rag.formats.html import read_html

    page = read_html(text or " ", "x.html")
    doc = Document(
        "x.html", page.source, format="html", heading_lines=page.headings, blocks=page.blocks
    )
    last = -1
    for first, end, _ in page.blocks:
        assert last < first <= end
        last = end
    for chunk in chunk_document(doc, Config()):
        assert chunk.text.strip()


def test_note_marks_leave_the_sentence_and_exponents_stay(tmp_path):
    page = (
        "<h1>Көл</h1><p>Ауданы 10 км<sup>2</sup>.<sup class='reference'><a href='#cite-1'>[1]"
        "</a></sup> Тереңдігі 30 метр.<a href='#fn2' class='footnote-ref'><sup>2</sup></a> "
        "Суы тұщы.</p><ol><li id='cite-1'>Көлдер анықтамалығы, 2010.</li></ol>"
    )
    doc = _read(tmp_path, "lake.html", page.encode("utf-8"))
    assert [u.text for u in units(doc)[1]] == [
        "Ауданы 10 км2.",
        "Тереңдігі 30 метр.",
        "Суы тұщы.",
        "Көлдер анықтамалығы, 2010.",  # the note itself is read where the page has it
    ]


def test_the_sites_frame_and_hidden_text_are_not_read_but_an_articles_header_is(tmp_path):
    page = (
        "<body><header><a href='/'>Әділет</a> Басты бет Заңдар</header>"
        "<div role='navigation'>Мәзір: Жаңалықтар</div>"
        "<article><header><h1>Еңбек кодексі</h1><p>2024 жылғы редакция.</p></header>"
        "<p>Жұмыс аптасы 40 сағат.<span hidden>Жасырын мәтін.</span>"
        "<span aria-hidden='true'>★</span></p></article>"
        "<div role='contentinfo'>Байланыс: 1414</div></body>"
    )
    doc = _read(tmp_path, "frame.html", page.encode("utf-8"))
    assert [(u.section, u.text) for u in units(doc)[1]] == [
        (("Еңбек кодексі",), "2024 жылғы редакция."),
        (("Еңбек кодексі",), "Жұмыс аптасы 40 сағат."),
    ]
