"""Documents as kazrag reads them: decoded text, plus page numbers and headings when the
format knows them (PDF pages, Word heading styles)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from .text import nfc

TEXT_SUFFIXES = {".txt", ".md"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".jsonl"}


class DocumentError(Exception):
    """A document that cannot be read; the message says which and why, for a user."""


@dataclass
class Document:
    doc_id: str
    source: str  # NFC, "\n" line ends: every offset and line number refers to this
    path: str | None = None
    format: str = "txt"
    # PDF: the page (1-based) each source line is on
    page_of_line: list[int] | None = None
    # Word/Markdown: source line (0-based) -> heading level, when the format marks headings
    heading_lines: dict[int, int] = field(default_factory=dict)
    # the title line the chunker found (or the format gave), "" if none
    title: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        data = asdict(self)
        data["heading_lines"] = {str(k): v for k, v in self.heading_lines.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Document":
        data = dict(data)
        data["heading_lines"] = {int(k): v for k, v in (data.get("heading_lines") or {}).items()}
        return cls(**data)


def decode_text(data: bytes, name: str) -> str:
    """Bytes of a text file -> str, whatever common Cyrillic encoding it was saved in."""
    if not data.strip():
        raise DocumentError(f"{name}: the file is empty")
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError(f"{name}: this is a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise DocumentError(f"{name}: unknown text encoding (not UTF-8, UTF-16 or a "
                                "Cyrillic code page); save it as UTF-8") from None
        text = str(best)
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))


def load_jsonl_corpus(path: Path) -> list[Document]:
    """A BEIR-style `corpus.jsonl`: one passage per line, `{"_id", "title", "text"}`; each
    passage is a document whose id is its `_id`."""
    documents, seen = [], set()
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                doc_id, text = str(row["_id"]), str(row["text"])
            except (json.JSONDecodeError, KeyError, TypeError):
                raise DocumentError(f"{path.name}, line {number}: not a corpus line "
                                    '(expected JSON with "_id", "title", "text")') from None
            if doc_id in seen:
                raise DocumentError(f"{path.name}, line {number}: duplicate _id {doc_id!r}")
            seen.add(doc_id)
            title = nfc(str(row.get("title") or "")).strip()
            documents.append(Document(doc_id, nfc(text), str(path), "jsonl", title=title))
    if not documents:
        raise DocumentError(f"{path.name}: the file has no passages")
    return documents


def load_documents(path: Path) -> list[Document]:
    """One file -> its documents (a corpus.jsonl holds many)."""
    if Path(path).suffix.lower() == ".jsonl":
        return load_jsonl_corpus(Path(path))
    return [load_document(path)]


def load_document(path: Path, doc_id: str | None = None) -> Document:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"{path.name}: unsupported format {suffix or '(none)'}; "
                            f"kazrag reads {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror})") from None
    source = decode_text(data, path.name)
    doc = Document(doc_id or path.name, source, str(path), suffix.lstrip("."))
    if suffix == ".md":
        doc.heading_lines = markdown_headings(source)
    return doc


def markdown_headings(source: str) -> dict[int, int]:
    levels = {}
    for number, line in enumerate(source.split("\n")):
        stripped = line.lstrip()
        hashes = len(stripped) - len(stripped.lstrip("#"))
        if 1 <= hashes <= 6 and stripped[hashes:hashes + 1] == " ":
            levels[number] = hashes
    return levels


def discover(root: Path) -> list[Path]:
    """The readable documents under a folder (or the file itself), in a stable order."""
    root = Path(root)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise DocumentError(f"{root}: no such file or folder")
    return sorted(p for p in root.rglob("*")
                  if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                  and not p.name.startswith("."))
