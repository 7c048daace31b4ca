"""Word files for tests and benchmarks that python-docx would take minutes to write: a
`.docx` of very many tiny paragraphs (the probe's 255 KB file of 2,000,000 paragraphs).

python-docx makes a blank document (its styles, relationships and content types); the body
of `word/document.xml` is then written straight into the zip, a paragraph at a time, so two
million paragraphs take seconds and little memory.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

_BODY_START = "<w:body>"
_PARAGRAPH = '<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>'
_HEADING = '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>{}</w:t></w:r></w:p>'


def make_many_paragraph_docx(path: Path, paragraphs: int, heading_every: int = 1000) -> Path:
    """A .docx of `paragraphs` one-line Kazakh paragraphs (`N-тармақ орындалды.`), with a
    `Heading 1` paragraph every `heading_every` of them."""
    import docx

    path = Path(path)
    template = path.with_name(path.name + ".template.docx")
    blank = docx.Document()
    blank.add_heading("Бөлім", level=1)  # makes python-docx write the Heading 1 style
    blank.save(str(template))
    with zipfile.ZipFile(template) as source:
        document_xml = source.read("word/document.xml").decode("utf-8")
        head, rest = document_xml.split(_BODY_START, 1)
        section = rest[rest.index("<w:sectPr") : rest.index("</w:body>")]
        tail = rest[rest.index("</w:body>") :]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for item in source.infolist():
                if item.filename != "word/document.xml":
                    out.writestr(item, source.read(item.filename))
            with out.open("word/document.xml", "w", force_zip64=True) as body:
                body.write((head + _BODY_START).encode("utf-8"))
                chunk: list[str] = []
                for i in range(paragraphs):
                    if heading_every and i % heading_every == 0:
                        chunk.append(_HEADING.format(f"{i // heading_every + 1}-бөлім"))
                    chunk.append(_PARAGRAPH.format(f"{i + 1}-тармақ орындалды."))
                    if len(chunk) >= 10_000:
                        body.write("".join(chunk).encode("utf-8"))
                        chunk = []
                body.write(("".join(chunk) + section + tail).encode("utf-8"))
    template.unlink()
    return path
