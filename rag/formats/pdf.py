"""PDF files: the text layer read by its layout (`pdf_layout`), with a clear message for a
damaged, encrypted or scanned file."""

from __future__ import annotations

from pathlib import Path

from kazrag.errors import DocumentError

from .limits import Budget


def read_pdf(path: Path, budget: Budget | None = None) -> tuple[str, list[int], dict[int, int]]:
    """A PDF's text layer read by its layout (rag/pdf_layout.py): source text in reading
    order without running headers, footers and page numbers; the page (1-based) of each
    source line; heading lines (from font size and weight) with their levels."""
    from .pdf_layout import PdfError, read_layout

    try:
        layout = read_layout(path, budget)
    except PdfError as exc:
        raise DocumentError(exc.args[0], kind=exc.kind) from None
    return layout.source, layout.page_of_line, layout.heading_lines
