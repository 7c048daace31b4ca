"""PDF text extraction libraries compared for kazrag: speed per page and reading order.

Each candidate reads (1) a generated 100-page PDF of running Kazakh text with a running
header and an `N-бет` footer (tests/pdf_samples.py, `make_long_pdf`), timed per page, and
(2) a two-column page whose lines are written interleaved across the columns (left line 1,
right line 1, ...), checked for whether each column's sentences come out whole and in order.
Candidates that give positioned text (words or runs with boxes and font sizes) are timed for
getting exactly that; their reading order is then what kazrag's own layout pass makes of it
(the `kazrag` row: rag/pdf_layout.py, on pypdfium2).

Libraries not installed are skipped. To compare all of them without adding them to the
project, install them beside it:

    pip install --target /tmp/pdfcmp pdfminer.six pdfplumber pypdfium2
    PYTHONPATH=/tmp/pdfcmp python benchmarks/pdf_extractors.py --pages 100
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, announce, write_results

sys.path.insert(0, str(ROOT / "tests"))
from pdf_samples import COLUMN_LEFT, COLUMN_RIGHT, Page, make_book, make_long_pdf  # noqa: E402


def pypdf_plain(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


def pypdf_layout(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text(extraction_mode="layout") for page in PdfReader(path).pages]


def pypdf_visitor(path: Path) -> list[str]:
    """Text pieces with their position and font size, as a layout pass would need them."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(path).pages:
        pieces = []

        def visit(text, cm, tm, font, size, pieces=pieces):
            if text.strip():
                pieces.append((tm[5] * cm[3] + cm[5], tm[4] * cm[0] + cm[4], size, text))

        page.extract_text(visitor_text=visit)
        pages.append(" ".join(p[3] for p in pieces))  # content-stream order
    return pages


def pdfminer_boxes(path: Path) -> list[str]:
    """pdfminer.six's own layout analysis (LAParams defaults): text boxes in its order."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return [
        "\n".join(box.get_text() for box in page if isinstance(box, LTTextContainer))
        for page in extract_pages(str(path))
    ]


def pdfplumber_words(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [
            " ".join(w["text"] for w in page.extract_words(extra_attrs=["fontname", "size"]))
            for page in pdf.pages
        ]


def pdfplumber_text(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() for page in pdf.pages]


def pypdfium2_text(path: Path) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def pypdfium2_runs(path: Path) -> list[str]:
    """Text runs with boxes, font size and weight (what rag/pdf_layout.py reads)."""
    import pypdfium2

    from kazrag.rag.formats.pdf_layout import page_runs

    document = pypdfium2.PdfDocument(str(path))
    try:
        return [" ".join(r.text for r in page_runs(document[i])) for i in range(len(document))]
    finally:
        document.close()


def kazrag(path: Path) -> list[str]:
    """kazrag's reader: pypdfium2 runs, then lines, columns, furniture, headings."""
    from kazrag.rag.formats.pdf_layout import read_layout

    layout = read_layout(path)
    pages: dict[int, list[str]] = {}
    for text, page in zip(layout.source.split("\n"), layout.page_of_line):
        pages.setdefault(page, []).append(text)
    return ["\n".join(pages.get(n, [])) for n in range(1, max(pages, default=0) + 1)]


CANDIDATES = {
    "pypdf extract_text (plain)": pypdf_plain,
    "pypdf extract_text (layout mode)": pypdf_layout,
    "pypdf visitor (positioned pieces)": pypdf_visitor,
    "pdfminer.six (LAParams text boxes)": pdfminer_boxes,
    "pdfplumber extract_text": pdfplumber_text,
    "pdfplumber extract_words (positioned)": pdfplumber_words,
    "pypdfium2 get_text_range (plain)": pypdfium2_text,
    "pypdfium2 runs (positioned)": pypdfium2_runs,
    "kazrag (pypdfium2 + rag/pdf_layout.py)": kazrag,
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("-\n", "-")).strip()


def column_order_ok(texts: list[str]) -> bool:
    """Every sentence of both columns whole, the left column's before the right's."""
    text = _squash(" ".join(texts))
    sentences = [
        s
        for column in (COLUMN_LEFT, COLUMN_RIGHT)
        for paragraph in column
        for s in re.split(r"(?<=\.) ", paragraph)
    ]
    positions = [text.find(_squash(s)) for s in sentences]
    return all(p >= 0 for p in positions) and positions == sorted(positions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=2, help="best of N timings")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    machine = announce("pdf_extractors")
    work = Path(tempfile.mkdtemp(prefix="kazrag-pdfcmp-"))
    long_pdf = make_long_pdf(work / "long.pdf", args.pages)
    columns = {
        order: make_book(
            work / f"columns-{order}.pdf",
            pages=[Page(items=[("h1", "Екі баған")], left=COLUMN_LEFT, right=COLUMN_RIGHT)],
            column_order=order,
        )
        for order in ("interleaved", "right-first")
    }
    rows = []
    for name, extract in CANDIDATES.items():
        try:
            best = float("inf")
            for _ in range(args.repeat):
                started = time.perf_counter()
                extract(long_pdf)
                best = min(best, time.perf_counter() - started)
            order = {k: column_order_ok(extract(p)) for k, p in columns.items()}
        except ImportError as exc:  # a library not installed here
            print(f"{name}: skipped ({exc})")
            continue
        row = {
            "candidate": name,
            "ms_per_page": round(1000 * best / args.pages, 2),
            "two_column_interleaved": order["interleaved"],
            "two_column_right_first": order["right-first"],
        }
        rows.append(row)
        print(
            f"{name:44s} {row['ms_per_page']:8.2f} ms/page   two columns in order: "
            f"interleaved {order['interleaved']}, right-first {order['right-first']}"
        )
    write_results("pdf_extractors", machine, {"pages": args.pages, "rows": rows}, args.out)


if __name__ == "__main__":
    main()
