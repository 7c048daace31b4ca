"""`Document`: a file as kazrag reads it, whatever its format: decoded text plus the page of
each line and the heading lines when the format knows them (PDF pages, Word heading styles,
Markdown structure)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from kazrag.errors import DocumentError
from kazrag.files import sha256_text
from kazrag.said import Said


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
    # Markdown: the blocks the format marks, as (first line, last line, kind), 0-based and
    # inclusive; kind "text" (a paragraph or list item: sentences), "heading", "row" (a
    # table row) or "code" (kept whole). None: the chunker finds blocks from blank lines.
    blocks: list[tuple[int, int, str]] | None = None

    @property
    def sha256(self) -> str:
        return sha256_text(self.source)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["heading_lines"] = {str(k): v for k, v in self.heading_lines.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Document:
        data = dict(data)
        data["heading_lines"] = {int(k): v for k, v in (data.get("heading_lines") or {}).items()}
        if data.get("blocks") is not None:
            data["blocks"] = [tuple(block) for block in data["blocks"]]
        return cls(**data)


def cannot_read(path: Path, exc: OSError) -> DocumentError:
    return DocumentError(
        Said("cannot_read", "{path}: cannot read ({why})", path=str(path), why=exc.strerror or exc),
        kind="cannot be read",
    )


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (libraries' messages run long), or its type."""
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__
