"""Word .docx files: paragraphs, heading styles as sections, tables one row a line.

The main part (`word/document.xml`) is parsed as a stream with lxml's `iterparse`, each
paragraph or table of the body dropped from memory once read, and the styles are read once
into a table: time and memory are linear in the file (python-docx looked every paragraph's
style up twice, 1.1 ms a paragraph, so a 255 KB file of 2,000,000 tiny paragraphs took more
than 300 s; benchmarks/README.md "pathological documents"). The text of a paragraph is what
python-docx gives: its runs and hyperlinks, tabs, line breaks.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import IO

from lxml import etree

from kazrag.errors import DocumentError
from kazrag.said import Said

from ..text import nfc
from .document import cannot_read, first_line
from .limits import NO_LIMITS, Budget

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = _R + "/officeDocument"
_STYLES = _R + "/styles"
_NOTES = (_R + "/footnotes", _R + "/endnotes")
_MAIN_CONTENT_TYPES = (  # a Word document, template, or macro-enabled document
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_BODY, _P, _TBL, _TR, _TC = _w("body"), _w("p"), _w("tbl"), _w("tr"), _w("tc")
_R_TAG, _SDT_CONTENT = _w("r"), _w("sdtContent")
# a run under one of these is not part of its paragraph's text: deleted or moved-away text,
# or a paragraph of its own (a text box's)
_NOT_SHOWN = {_w("del"), _w("moveFrom"), _P}
_HEADING_STYLE = re.compile(r"heading (\d)", re.IGNORECASE)
# Paragraphs are separated by two blank lines: one blank line is read as a wrap in
# double-spaced text by the chunker, two always end a paragraph.
_PARAGRAPH_BREAK = "\n\n\n"
_TIME_STEP = 1000  # body elements between two looks at the clock
# what a parse of a damaged or hostile part raises; never resolve entities or fetch anything
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False}


def _not_word(path: Path, why: str = "") -> DocumentError:
    english = "{name}: not a readable Word .docx file"
    said = (
        Said("not_word_why", english + " (damaged: {why})", name=path.name, why=why)
        if why
        else Said(
            "not_word",
            english + " (damaged, truncated, or another format renamed .docx)",
            name=path.name,
        )
    )
    return DocumentError(said, kind="damaged")


# ------------------------------------------------------------------------------ package
def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship type -> target part name, for `part` ("" for the package)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    try:
        root = etree.fromstring(archive.read(rels), etree.XMLParser(**_PARSER_OPTIONS))
    except KeyError:
        return {}
    found: dict[str, str] = {}
    for rel in root.iter(f"{{{_PACKAGE_RELS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        full = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found.setdefault(rel.get("Type", ""), posixpath.normpath(full))
    return found


def _main_part(archive: zipfile.ZipFile, path: Path) -> str:
    main = _relationships(archive, "").get(_OFFICE_DOCUMENT)
    if main is None or main not in archive.namelist():
        raise _not_word(path)
    types = etree.fromstring(
        archive.read("[Content_Types].xml"), etree.XMLParser(**_PARSER_OPTIONS)
    )
    for override in types:
        if override.get("PartName", "").lstrip("/") == main:
            if override.get("ContentType") not in _MAIN_CONTENT_TYPES:
                raise _not_word(path, f"its main part is {override.get('ContentType')}")
    return main


class _Styles:
    """Paragraph styles by id: each one's name and the styles it is based on."""

    def __init__(self, archive: zipfile.ZipFile, part: str | None):
        self.name: dict[str, str] = {}
        self.based_on: dict[str, str] = {}
        self.default: str | None = None
        if part is None or part not in archive.namelist():
            return
        root = etree.fromstring(archive.read(part), etree.XMLParser(**_PARSER_OPTIONS))
        for style in root.iter(_w("style")):
            if style.get(_w("type")) not in (None, "paragraph"):
                continue
            style_id = style.get(_w("styleId"), "")
            name = style.find(_w("name"))
            self.name[style_id] = name.get(_w("val"), "") if name is not None else ""
            based = style.find(_w("basedOn"))
            if based is not None:
                self.based_on[style_id] = based.get(_w("val"), "")
            if style.get(_w("default")) in ("1", "true", "on"):
                self.default = style_id
        self._chains: dict[str | None, list[str]] = {}

    def chain(self, style_id: str | None) -> list[str]:
        """The names of a style and of those it is based on (a custom style based on
        `Heading 2` is a level-2 heading); no style id is the default paragraph style."""
        style_id = style_id or self.default
        if style_id not in self._chains:
            names: list[str] = []
            current = style_id
            while current is not None and current in self.name and len(names) < 10:
                names.append(self.name[current])
                current = self.based_on.get(current)
            self._chains[style_id] = names
        return self._chains[style_id]

    def heading_level(self, style_id: str | None) -> int | None:
        for name in self.chain(style_id):
            match = _HEADING_STYLE.fullmatch(name.strip())
            if match:
                return max(1, int(match.group(1)))
        return None

    def is_title(self, style_id: str | None) -> bool:
        return any(name.strip().lower() == "title" for name in self.chain(style_id))


# --------------------------------------------------------------------------------- text
def _run_text(run: etree._Element) -> str:
    out = []
    for child in run:
        tag = child.tag
        if tag == _w("t"):
            out.append(child.text or "")
        elif tag in (_w("tab"), _w("ptab")):
            out.append("\t")
        elif tag == _w("br"):
            if child.get(_w("type")) in (None, "textWrapping"):
                out.append("\n")
        elif tag == _w("cr"):
            out.append("\n")
        elif tag == _w("noBreakHyphen"):
            out.append("-")
    return "".join(out)


def _paragraph_text(paragraph: etree._Element) -> str:
    """A paragraph's text as Word shows it: its runs, those of its hyperlinks, fields,
    content controls and tracked insertions (python-docx reads only the first two);
    not deleted runs, nor the paragraphs of a text box anchored in it."""
    parts = []
    for run in paragraph.iter(_R_TAG):
        ancestor = run.getparent()
        while ancestor is not None and ancestor is not paragraph:
            if ancestor.tag in _NOT_SHOWN:
                break
            ancestor = ancestor.getparent()
        else:
            parts.append(_run_text(run))
    return "".join(parts)


def _style_of(paragraph: etree._Element) -> str | None:
    style = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
    return style.get(_w("val")) if style is not None else None


def _table_rows(table: etree._Element) -> list[str]:
    """Each row as one line, `cell | cell`. A cell spanning columns is written once; a cell
    merged down over rows is written in each of them (the row reads whole on its own)."""
    rows: list[str] = []
    above: dict[int, str] = {}  # grid column -> text of the cell a vertical merge continues
    for row in table.iter(_TR):
        if row.getparent() is not table:
            continue  # a row of a nested table
        cells, column = [], 0
        for cell in row.iter(_TC):
            if cell.getparent() is not row:
                continue
            props = cell.find(_w("tcPr"))
            span, merge = 1, None
            if props is not None:
                grid_span = props.find(_w("gridSpan"))
                if grid_span is not None and (grid_span.get(_w("val")) or "").isdigit():
                    span = max(1, int(grid_span.get(_w("val"))))
                v_merge = props.find(_w("vMerge"))
                if v_merge is not None:
                    merge = v_merge.get(_w("val")) or "continue"
            if merge == "continue":
                text = above.get(column, "")
            else:
                text = " ".join(
                    " ".join(_paragraph_text(p).split()) for p in cell if p.tag == _P
                ).strip()
                if merge == "restart":
                    above[column] = text
                else:
                    above.pop(column, None)
            if text:
                cells.append(text)
            column += span
        if cells:
            rows.append(" | ".join(cells))
    return rows


def _in_body(parent: etree._Element) -> bool:
    """Is an element with this parent a block of the body: a child of the body itself, or
    of a content control (`w:sdt`) there (a table of contents, a form field, a template's
    boxes; python-docx skips them)?"""
    while parent.tag == _SDT_CONTENT:
        sdt = parent.getparent()
        grand = sdt.getparent() if sdt is not None else None
        if grand is None:
            return False
        parent = grand
    return parent.tag == _BODY


def _body_blocks(stream: IO[bytes], budget: Budget):
    """The paragraphs and tables of the body, in order, each freed once yielded."""
    parser = etree.iterparse(
        stream, events=("end",), tag=(_P, _TBL), huge_tree=False, **_PARSER_OPTIONS
    )
    seen = 0
    for _, element in parser:
        parent = element.getparent()
        if parent is None or not _in_body(parent):
            continue  # a paragraph of a table cell or a text box: read with its block
        yield element
        element.clear()
        while element.getprevious() is not None:
            del parent[0]
        seen += 1
        if seen % _TIME_STEP == 0:
            budget.check_time(Said("at_paragraph", "paragraph {n:,}", n=seen))


# The heading the notes are read under: footnotes and endnotes live in parts of their own,
# after the body, and a note cited under the body's last section would be cited wrongly.
NOTES_HEADING = "Ескертпелер"
_NOT_A_NOTE = ("separator", "continuationSeparator", "continuationNotice")


def _notes(archive: zipfile.ZipFile, rels: dict[str, str], budget: Budget) -> list[str]:
    """The footnotes, then the endnotes, one line each, `<id> text` (Word numbers them in
    order of their marks, which are left out of the body's sentences)."""
    found = []
    for kind in _NOTES:
        part = rels.get(kind)
        if part is None or part not in archive.namelist():
            continue
        with archive.open(part) as stream:
            parser = etree.iterparse(
                stream,
                events=("end",),
                tag=(_w("footnote"), _w("endnote")),
                huge_tree=False,
                **_PARSER_OPTIONS,
            )
            for seen, (_, note) in enumerate(parser, start=1):
                if note.get(_w("type")) not in _NOT_A_NOTE:
                    text = " ".join(_paragraph_text(p).strip() for p in note.iter(_P)).strip()
                    if text:
                        found.append(f"{note.get(_w('id'), '')} {text}".strip())
                note.clear()
                if seen % _TIME_STEP == 0:
                    budget.check_time(Said("at_note", "note {n:,}", n=seen))
    return found


def read_docx(path: Path, budget: Budget | None = None) -> tuple[str, dict[int, int], str]:
    """A Word file as (source, heading line -> level, title): one paragraph or table row
    per line; `Heading n` styles give the section path, the `Title` style the title."""
    budget = budget or NO_LIMITS.start(path.name)
    paragraphs: list[str] = []
    headings: dict[int, int] = {}
    title = ""
    line = 0
    try:
        with zipfile.ZipFile(path) as archive:
            main = _main_part(archive, path)
            rels = _relationships(archive, main)
            styles = _Styles(archive, rels.get(_STYLES))
            with archive.open(main) as stream:
                for block in _body_blocks(stream, budget):
                    if block.tag == _P:
                        text = _paragraph_text(block).strip()
                        if not text:
                            continue
                        style = _style_of(block)
                        if not title and styles.is_title(style):
                            title = " ".join(text.split())
                            continue
                        level = styles.heading_level(style)
                        if level is not None:
                            text = " ".join(text.split())  # a heading is one line
                            headings[line] = level
                        new = [text]
                    else:
                        new = _table_rows(block)
                    for text in new:
                        budget.add_paragraphs()
                        budget.add_characters(len(text))
                        paragraphs.append(text)
                        line += text.count("\n") + _PARAGRAPH_BREAK.count("\n")
            notes = _notes(archive, rels, budget)
            if notes and paragraphs:
                headings[line] = 1
                paragraphs.append(NOTES_HEADING)
                line += _PARAGRAPH_BREAK.count("\n")
                for text in notes:
                    budget.add_paragraphs()
                    budget.add_characters(len(text))
                    paragraphs.append(text)
                    line += text.count("\n") + _PARAGRAPH_BREAK.count("\n")
    except DocumentError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        raise _not_word(path) from None
    except KeyError as exc:  # a part the package names is missing
        raise _not_word(path, f"missing part {first_line(exc)}") from None
    except OSError as exc:
        raise cannot_read(path, exc) from None
    except Exception as exc:  # noqa: BLE001 - lxml and zlib errors of a damaged part
        raise _not_word(path, first_line(exc)) from None
    if not paragraphs:
        raise DocumentError(
            Said("word_no_text", "{name}: the Word file has no text", name=path.name),
            kind="no text",
        )
    return nfc(_PARAGRAPH_BREAK.join(paragraphs)), headings, nfc(title)
