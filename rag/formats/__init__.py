"""Document formats: each file type read into a `Document` by its own module.

| suffix | module | what is kept |
|---|---|---|
| .txt, .md | `plaintext` (+ `markdown`) | text in any common Cyrillic encoding; Markdown structure |
| .pdf | `pdf` (+ `pdf_layout`) | text in reading order, page of each line, headings by font |
| .docx | `docx` | paragraphs, heading styles, tables row by row |
| .jsonl | `jsonl` | a BEIR corpus: one document per line |

Anything unreadable raises `DocumentError` with a one-line message naming the file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from kazrag.errors import DocumentError
from kazrag.said import Said

from .document import Document, cannot_read
from .docx import read_docx
from .html import read_html
from .jsonl import load_jsonl_corpus
from .limits import NO_LIMITS, Budget, ReadLimits
from .markdown import read_markdown
from .pdf import read_pdf
from .plaintext import decode_text

TEXT_SUFFIXES = {".txt", ".md", ".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".jsonl", ".pdf", ".docx"}

__all__ = [
    "NO_LIMITS",
    "SUPPORTED_SUFFIXES",
    "Document",
    "ReadLimits",
    "Survey",
    "decode_text",
    "discover",
    "load_document",
    "load_documents",
    "survey",
]


def load_documents(path: Path, limits: ReadLimits = NO_LIMITS) -> list[Document]:
    """One file -> its documents (a corpus.jsonl holds many), within the operator's limits."""
    if Path(path).suffix.lower() == ".jsonl":
        _check_file(Path(path), limits.start(Path(path).name))
        return load_jsonl_corpus(Path(path))
    return [load_document(path, limits=limits)]


def kind_of_entry(path: Path) -> str | None:
    """What a path that is not a regular file is ("a named pipe (FIFO)", "a socket", …), or
    None for a regular file. A FIFO must never be opened: reading it waits for a writer."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a broken link" if os.path.islink(path) else None
    except OSError:
        return None  # the read that follows says why
    for test, kind in _ENTRY_KINDS:
        if test(mode):
            return kind
    return None


_ENTRY_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _check_file(path: Path, budget: Budget) -> None:
    """A regular, readable, non-empty file within the size limit, or DocumentError."""
    kind = kind_of_entry(path)
    if kind is not None:
        raise DocumentError(
            Said(
                "not_a_file",
                "{path}: {entry}, not a regular file; kazrag reads documents saved as files",
                path=str(path),
                entry=kind,
            ),
            kind="not a regular file",
        )
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:  # fails now, by name, for a file it may not read
            handle.read(1)
    except OSError as exc:
        raise cannot_read(path, exc) from None
    if size == 0:
        raise DocumentError(
            Said("empty", "{name}: the file is empty", name=path.name), kind="empty"
        )
    budget.check_file_bytes(size)


def load_document(
    path: Path, doc_id: str | None = None, limits: ReadLimits = NO_LIMITS
) -> Document:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        english = "{name}: unsupported format {suffix}; kazrag reads {suffixes}"
        raise DocumentError(
            Said(
                "unsupported_doc" if suffix == ".doc" else "unsupported",
                english + ("; save Word .doc files as .docx" if suffix == ".doc" else ""),
                name=path.name,
                suffix=suffix or "(none)",
                suffixes=", ".join(sorted(SUPPORTED_SUFFIXES)),
            ),
            kind="unsupported format",
        )
    budget = limits.start(path.name)
    _check_file(path, budget)
    doc = Document(doc_id or path.name, "", str(path), suffix.lstrip("."))
    if suffix == ".pdf":
        doc.source, doc.page_of_line, doc.heading_lines = read_pdf(path, budget)
    elif suffix == ".docx":
        doc.source, doc.heading_lines, doc.title = read_docx(path, budget)
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise cannot_read(path, exc) from None
        doc.source = decode_text(data, path.name)
        budget.check_text(doc.source)
        if suffix in (".md", ".html", ".htm"):
            markdown = (
                read_markdown(doc.source) if suffix == ".md" else read_html(doc.source, path.name)
            )
            doc.source, doc.heading_lines, doc.blocks = (
                markdown.source,
                markdown.headings,
                markdown.blocks,
            )
            doc.title = markdown.title
    budget.check_text(doc.source)
    return doc


def discover(root: Path) -> list[Path]:
    """The readable documents under a folder (or the file itself), in a stable order."""
    return survey(root).files


@dataclass
class Survey:
    """What a path given to `index add`/`build` holds: the files to read (a supported
    suffix; special files among them are read to be refused by name) and the others."""

    files: list[Path] = field(default_factory=list)
    other_formats: list[Path] = field(default_factory=list)


def survey(root: Path) -> Survey:
    root = Path(root)
    if not root.is_dir():
        if root.exists() or root.is_symlink():
            return Survey([root])  # a file, a FIFO, a broken link: read, or refused by name
        raise DocumentError(f"{root}: no such file or folder", kind="missing")
    found = Survey()
    for path in sorted(root.rglob("*")):
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            found.files.append(path)
        else:
            found.other_formats.append(path)
    return found
