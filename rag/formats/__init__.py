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

from pathlib import Path

from kazrag.errors import DocumentError

from .document import Document
from .docx import read_docx
from .jsonl import load_jsonl_corpus
from .markdown import read_markdown
from .pdf import read_pdf
from .plaintext import decode_text

TEXT_SUFFIXES = {".txt", ".md"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".jsonl", ".pdf", ".docx"}

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Document",
    "decode_text",
    "discover",
    "load_document",
    "load_documents",
]


def load_documents(path: Path) -> list[Document]:
    """One file -> its documents (a corpus.jsonl holds many)."""
    if Path(path).suffix.lower() == ".jsonl":
        return load_jsonl_corpus(Path(path))
    return [load_document(path)]


def load_document(path: Path, doc_id: str | None = None) -> Document:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = "; save Word .doc files as .docx" if suffix == ".doc" else ""
        raise DocumentError(
            f"{path.name}: unsupported format {suffix or '(none)'}; "
            f"kazrag reads {', '.join(sorted(SUPPORTED_SUFFIXES))}{hint}"
        )
    try:
        if path.stat().st_size == 0:
            raise DocumentError(f"{path.name}: the file is empty")
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror})") from None
    doc = Document(doc_id or path.name, "", str(path), suffix.lstrip("."))
    if suffix == ".pdf":
        doc.source, doc.page_of_line, doc.heading_lines = read_pdf(path)
    elif suffix == ".docx":
        doc.source, doc.heading_lines, doc.title = read_docx(path)
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DocumentError(f"{path}: cannot read ({exc.strerror})") from None
        doc.source = decode_text(data, path.name)
        if suffix == ".md":
            markdown = read_markdown(doc.source)
            doc.source, doc.heading_lines, doc.blocks = (
                markdown.source,
                markdown.headings,
                markdown.blocks,
            )
            doc.title = markdown.title
    return doc


def discover(root: Path) -> list[Path]:
    """The readable documents under a folder (or the file itself), in a stable order."""
    root = Path(root)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise DocumentError(f"{root}: no such file or folder")
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
    )
