"""The streaming Word reader (rag/formats/docx.py) reads what python-docx reads, in time and
memory linear in the file: the probe's 2,000,000-paragraph .docx took more than 300 s."""

from __future__ import annotations

import time

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx_samples import make_many_paragraph_docx
from lxml import etree

from kazrag.errors import DocumentError
from kazrag.rag.formats import load_document
from kazrag.rag.formats.docx import read_docx


def _rich_docx(path):
    """Runs, a tab, a line break, a hyperlink, a custom heading style, merged cells."""
    document = docx.Document()
    document.add_heading("Есеп", level=0)
    document.add_heading("1-бөлім. Кіріспе", level=1)
    paragraph = document.add_paragraph("Бірінші ")
    paragraph.add_run("сөйлем").bold = True
    paragraph.add_run("\tтабуляциямен.")
    paragraph.add_run().add_break()
    paragraph.add_run("Жаңа жол.")
    link = paragraph._p.makeelement(qn("w:hyperlink"), {})
    run = link.makeelement(qn("w:r"), {})
    text = run.makeelement(qn("w:t"), {})
    text.text = " Сілтеме мәтіні."
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    custom = document.styles.add_style("Бөлімше", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = document.styles["Heading 2"]
    document.add_paragraph("Көлдер", style="Бөлімше")
    document.add_paragraph("Бурабай көлінің ауданы он шаршы шақырым.")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Атауы мен жылы"
    table.cell(0, 2).text = "Облыс"
    table.cell(1, 0).text = "Бурабай"
    table.cell(1, 1).text = "2000"
    table.cell(1, 2).merge(table.cell(2, 2)).text = "Ақмола"
    table.cell(2, 0).text = "Көкшетау"
    table.cell(2, 1).text = "1996"
    document.add_paragraph("Соңғы абзац.")
    document.save(str(path))
    return path


def _python_docx_lines(path) -> list[str]:
    """What python-docx itself reads: paragraph texts and `cell | cell` rows."""
    document = docx.Document(str(path))
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, docx.text.paragraph.Paragraph):
            if block.text.strip() and block.style.name != "Title":
                lines.append(block.text.strip())
        else:
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) not in seen and cell.text.strip():
                        cells.append(" ".join(cell.text.split()))
                    seen.add(id(cell._tc))
                lines.append(" | ".join(cells))
    return lines


def test_the_streaming_reader_reads_what_python_docx_reads(tmp_path):
    path = _rich_docx(tmp_path / "rich.docx")
    source, headings, title = read_docx(path)
    lines = source.split("\n\n\n")
    assert lines == _python_docx_lines(path)
    assert title == "Есеп"
    assert "Бірінші сөйлем\tтабуляциямен.\nЖаңа жол. Сілтеме мәтіні." in lines
    assert "Бурабай | 2000 | Ақмола" in lines and "Көкшетау | 1996 | Ақмола" in lines
    assert "Атауы мен жылы | Облыс" in lines  # a cell over two columns, once
    by_line = source.split("\n")
    assert {by_line[n]: level for n, level in headings.items()} == {
        "1-бөлім. Кіріспе": 1,
        "Көлдер": 2,  # a custom style based on Heading 2
    }


def test_a_paragraph_count_grows_the_time_linearly(tmp_path):
    small = make_many_paragraph_docx(tmp_path / "small.docx", 10_000)
    big = make_many_paragraph_docx(tmp_path / "big.docx", 40_000)

    def seconds(path):
        best = float("inf")
        for _ in range(2):
            started = time.process_time()
            read_docx(path)
            best = min(best, time.process_time() - started)
        return best

    base, large = seconds(small), seconds(big)
    assert base < 1.0, f"10,000 paragraphs took {base:.2f} s of CPU"
    assert large < 8 * base + 0.1, f"x4 the paragraphs took {large / base:.1f}x the time"
    source, headings, _ = read_docx(big)
    assert source.count("\n\n\n") + 1 == 40_000 + 40 and len(headings) == 40


def test_memory_stays_flat_while_reading(tmp_path, monkeypatch):
    # every body element is freed once read: the parsed tree never holds the whole body
    path = make_many_paragraph_docx(tmp_path / "many.docx", 30_000)
    held = []
    original = etree.iterparse

    def watching(*args, **kwargs):
        parser = original(*args, **kwargs)
        for event, element in parser:
            body = element.getparent()
            held.append(len(body) if body is not None else 0)
            yield event, element

    import kazrag.rag.formats.docx as reader

    monkeypatch.setattr(reader.etree, "iterparse", watching)
    read_docx(path)
    # lxml parses ahead of the events by a buffer (a few hundred paragraphs here), but what
    # was read is gone: never the 30,000 a whole tree holds
    assert max(held) < 2_000


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:body></w:document>",
        b"<w:document><w:body><w:p>",
    ],
    ids=["external-entity", "truncated-xml"],
)
def test_a_hostile_or_broken_main_part_is_refused_by_name(tmp_path, xml):
    import zipfile

    good = _rich_docx(tmp_path / "good.docx")
    path = tmp_path / "bad.docx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as out:
        for item in source.infolist():
            data = xml if item.filename == "word/document.xml" else source.read(item)
            out.writestr(item, data)
    try:
        doc = load_document(path)
    except DocumentError as exc:
        assert str(exc).startswith("bad.docx: ") and "\n" not in str(exc)
    else:
        assert "root:" not in doc.source  # an entity is never resolved from the disk


def _xml(fragment: str):
    return etree.fromstring(
        f'<w:root xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"{fragment}</w:root>"
    )[0]


def test_text_word_shows_is_read_and_text_it_hides_is_not(tmp_path):
    # content controls, tracked insertions and fields are shown; deleted text and a text
    # box's own paragraphs are not part of the paragraph (python-docx drops the former too)
    document = docx.Document()
    body = document.element.body
    shown = document.add_paragraph("Бурабай ")
    shown._p.append(_xml('<w:ins w:id="1" w:author="a"><w:r><w:t>көлі </w:t></w:r></w:ins>'))
    shown._p.append(
        _xml('<w:del w:id="2" w:author="a"><w:r><w:delText>ЖОҚ </w:delText></w:r></w:del>')
    )
    shown._p.append(_xml('<w:fldSimple w:instr="PAGE"><w:r><w:t>терең.</w:t></w:r></w:fldSimple>'))
    box = _xml(
        "<w:r><w:pict><w:txbxContent><w:p><w:r><w:t>ҚОРАП</w:t></w:r></w:p>"
        "</w:txbxContent></w:pict></w:r>"
    )
    shown._p.append(box)
    control = _xml(
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>Мазмұны: Кіріспе, Көлдер.</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    body.insert(len(body) - 1, control)  # before the section properties
    path = tmp_path / "shown.docx"
    document.save(str(path))
    lines = read_docx(path)[0].split("\n\n\n")
    assert lines == ["Бурабай көлі терең.", "Мазмұны: Кіріспе, Көлдер."]


def _with_notes(path, footnotes: dict[str, str], endnotes: dict[str, str]):
    """Add footnote and endnote parts to a saved .docx, as Word writes them: the two
    separator notes first, then one note per id, each a paragraph."""
    import zipfile

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def part(tag: str, notes: dict[str, str]) -> str:
        separators = (
            f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
            f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r>'
            f"<w:continuationSeparator/></w:r></w:p></w:{tag}>"
        )
        body = "".join(
            f'<w:{tag} w:id="{i}"><w:p><w:r><w:{tag}Ref/></w:r><w:r><w:t xml:space="preserve"> '
            f"{text}</w:t></w:r></w:p></w:{tag}>"
            for i, text in notes.items()
        )
        return f'<?xml version="1.0" encoding="UTF-8"?><w:{tag}s {w}>{separators}{body}</w:{tag}s>'

    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kinds = {"footnotes": footnotes, "endnotes": endnotes}
    source = path.with_suffix(".plain.docx")
    path.rename(source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                extra = "".join(
                    f'<Relationship Id="rIdN{k}" Type="{rel}/{k}" Target="{k}.xml"/>' for k in kinds
                )
                data = data.replace(b"</Relationships>", extra.encode() + b"</Relationships>")
            elif item.filename == "[Content_Types].xml":
                extra = "".join(
                    f'<Override PartName="/word/{k}.xml" ContentType="application/'
                    f'vnd.openxmlformats-officedocument.wordprocessingml.{k}+xml"/>'
                    for k in kinds
                )
                data = data.replace(b"</Types>", extra.encode() + b"</Types>")
            new.writestr(item, data)
        for k, notes in kinds.items():
            new.writestr(f"word/{k}.xml", part(k[:-1], notes))
    return path


def test_footnotes_and_endnotes_are_read_under_a_heading_of_their_own(tmp_path):
    document = docx.Document()
    document.add_heading("1-бөлім. Сайлау", level=1)
    paragraph = document.add_paragraph("Назарбаевқа 97,5 пайыз дауыс берілді.")
    paragraph._p.append(_xml('<w:r><w:footnoteReference w:id="1"/></w:r>'))
    document.add_paragraph("Соңғы абзац.")
    path = tmp_path / "notes.docx"
    document.save(str(path))
    _with_notes(
        path,
        {"1": "Орталық сайлау комиссиясының хабарламасы.", "2": "Екінші ескерту."},
        {"1": "Соңғы ескерту."},
    )
    source, headings, _ = read_docx(path)
    lines = source.split("\n\n\n")
    assert lines == [
        "1-бөлім. Сайлау",
        "Назарбаевқа 97,5 пайыз дауыс берілді.",  # the mark is not in the sentence
        "Соңғы абзац.",
        "Ескертпелер",
        "1 Орталық сайлау комиссиясының хабарламасы.",
        "2 Екінші ескерту.",
        "1 Соңғы ескерту.",
    ]
    notes_line = source.split("\n").index("Ескертпелер")
    assert headings == {0: 1, notes_line: 1}
    # and a passage cites the note under that heading, not under the body's last section
    doc = load_document(path)
    from kazrag.rag.chunking import chunk_document
    from kazrag.rag.config import Config

    cited = [c.section_path for c in chunk_document(doc, Config()) if "комиссиясының" in c.text]
    assert cited == ["Ескертпелер"]
