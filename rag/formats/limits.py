"""Limits an operator sets on one document (`Config.max_*`, `--max-*` on the command line):
file size, pages, paragraphs, characters and seconds spent reading it.

Reading is linear in a document's size (benchmarks/README.md, "pathological documents"), but
linear in two million paragraphs is still minutes of work and hours of embedding: a limit
refuses such a file by name, early (a PDF's page count before any page is read, a Word file's
paragraphs as they are parsed), and the other files of a batch are indexed as usual.
A limit of 0 is no limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from kazrag.errors import DocumentError
from kazrag.said import Said

from ..config import DOCUMENT_LIMITS

# the command-line option that sets each Config field (ui/options.py makes them)
OPTION_OF = {name: "--" + name.replace("_", "-") for name in DOCUMENT_LIMITS}
LIMIT_KIND = "over a limit"  # DocumentError.kind of every refusal here


def _size(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} bytes"


@dataclass(frozen=True)
class ReadLimits:
    """The limits of one read; 0 = none. Made from a Config (`ReadLimits.of`)."""

    max_file_bytes: int = 0
    max_pages: int = 0
    max_paragraphs: int = 0
    max_characters: int = 0
    max_document_seconds: float = 0.0

    @classmethod
    def of(cls, config: object) -> ReadLimits:
        return cls(**{name: getattr(config, name) for name in DOCUMENT_LIMITS})

    def start(self, name: str) -> Budget:
        """The budget of reading the file `name`, its clock started now."""
        return Budget(self, name, time.monotonic())


NO_LIMITS = ReadLimits()


@dataclass
class Budget:
    """What one document may still use while it is read; each `check_*` raises a
    DocumentError naming the file and the limit once it is exceeded."""

    limits: ReadLimits
    name: str
    started: float
    paragraphs: int = 0
    characters: int = 0

    def _refuse(self, what: Said, field: str) -> DocumentError:
        return DocumentError(
            Said(
                "over_limit",
                "{name}: {what} ({option}); not indexed",
                name=self.name,
                what=what,
                option=OPTION_OF[field],
            ),
            kind=LIMIT_KIND,
        )

    def check_file_bytes(self, size: int) -> None:
        most = self.limits.max_file_bytes
        if most and size > most:
            raise self._refuse(
                Said(
                    "limit_bytes",
                    "the file is {size}, more than the limit of {most}",
                    size=_size(size),
                    most=_size(most),
                ),
                "max_file_bytes",
            )

    def check_pages(self, pages: int) -> None:
        most = self.limits.max_pages
        if most and pages > most:
            raise self._refuse(
                Said(
                    "limit_pages",
                    "{pages:,} pages, more than the limit of {most:,}",
                    pages=pages,
                    most=most,
                ),
                "max_pages",
            )

    def add_paragraphs(self, count: int = 1) -> None:
        self.paragraphs += count
        most = self.limits.max_paragraphs
        if most and self.paragraphs > most:
            raise self._refuse(
                Said("limit_paragraphs", "more than the limit of {most:,} paragraphs", most=most),
                "max_paragraphs",
            )

    def add_characters(self, count: int) -> None:
        self.characters += count
        most = self.limits.max_characters
        if most and self.characters > most:
            raise self._refuse(
                Said(
                    "limit_characters",
                    "more than the limit of {most:,} characters of text",
                    most=most,
                ),
                "max_characters",
            )

    def check_time(self, where: Said | None = None) -> None:
        """Called between steps of a read (a page, a thousand paragraphs)."""
        most = self.limits.max_document_seconds
        if most and time.monotonic() - self.started > most:
            english = "reading took longer than the limit of {most:g} s"
            took = (
                Said("limit_seconds_at", english + ", stopped at {where}", most=most, where=where)
                if where
                else Said("limit_seconds", english, most=most)
            )
            raise self._refuse(took, "max_document_seconds")

    def check_text(self, source: str) -> None:
        """The limits a whole text is checked against once it is read (characters, and
        paragraphs: runs of lines between blank lines)."""
        self.add_characters(len(source) - self.characters)
        if self.limits.max_paragraphs:
            paragraphs, blank = 0, True
            for line in source.split("\n"):
                if line.strip():
                    paragraphs += blank
                    blank = False
                else:
                    blank = True
            self.add_paragraphs(paragraphs - self.paragraphs)
        self.check_time()
