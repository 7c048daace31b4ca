"""Word .docx files: paragraphs, heading styles as sections, tables one row a line."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from kazrag.errors import DocumentError

from ..text import nfc
from .document import first_line

_HEADING_STYLE = re.compile(r"heading (\d)", re.IGNORECASE)
# Paragraphs are separated by two blank lines: one blank line is read as a wrap in
# double-spaced text by the chunker, two always end a paragraph.
_PARAGRAPH_BREAK = "\n\n\n"


def _style_names(paragraph) -> list[str]:
    """The paragraph's style and the styles it is based on (a custom style based on
    `Heading 2` is a level-2 heading)."""
    names: list[str] = []
    style = paragraph.style
    while style is not None and len(names) < 10:
        names.append(style.name or "")
        style = style.base_style
    return names


def _heading_level(paragraph) -> int | None:
    for name in _style_names(paragraph):
        match = _HEADING_STYLE.fullmatch(name.strip())
        if match:
            return max(1, int(match.group(1)))
    return None


def _table_rows(table) -> list[str]:
    """Each row as one line, `cell | cell`; a merged cell is written once."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = " ".join(cell.text.split())
            if text:
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows


def _open_docx(path: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile):
        raise DocumentError(
            f"{path.name}: not a readable Word .docx file (damaged, "
            "truncated, or another format renamed .docx)"
        ) from None
    except (KeyError, ValueError, OSError) as exc:
        raise DocumentError(
            f"{path.name}: not a readable Word .docx file (damaged: {first_line(exc)})"
        ) from None
    except Exception as exc:  # noqa: BLE001 - lxml parse errors of a damaged part
        raise DocumentError(
            f"{path.name}: not a readable Word .docx file (damaged: {first_line(exc)})"
        ) from None


def read_docx(path: Path) -> tuple[str, dict[int, int], str]:
    """A Word file as (source, heading line -> level, title): one paragraph or table row
    per line; `Heading n` styles give the section path, the `Title` style the title."""
    from docx.text.paragraph import Paragraph

    document = _open_docx(path)
    paragraphs: list[str] = []
    headings: dict[int, int] = {}
    title = ""
    line = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if not text:
                continue
            level = _heading_level(block)
            if not title and "Title" in _style_names(block):
                title = " ".join(text.split())
                continue
            if level is not None:
                text = " ".join(text.split())  # a heading is one line
                headings[line] = level
            new = [text]
        else:
            new = _table_rows(block)
        for text in new:
            paragraphs.append(text)
            line += text.count("\n") + _PARAGRAPH_BREAK.count("\n")
    if not paragraphs:
        raise DocumentError(f"{path.name}: the Word file has no text")
    return nfc(_PARAGRAPH_BREAK.join(paragraphs)), headings, nfc(title)
