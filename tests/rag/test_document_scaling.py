"""Reading time grows linearly with the document: four times the text may take about four
times as long, never sixteen (sentence splitting and chunking were quadratic: a 2,000-page
PDF did not finish in 8 minutes). benchmarks/pathological_documents.py measures whole PDFs and Word files."""

from __future__ import annotations

import time

from kazrag.rag.chunking import chunk_document
from kazrag.rag.config import Config
from kazrag.rag.formats import Document
from kazrag.rag.text import sentence_spans

SENTENCE = "Қазақстан Республикасының Үкіметі 2015 жылы жаңа заң қабылдады. "
LINES = (
    "Мемлекеттік органдар азаматтардың өтініштерін қарайды",
    "және оларға заңда белгіленген мерзімде жазбаша",
    "жауап береді, ал шағымдар сотта қаралады.",
)


def _seconds(run, times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def _grows_linearly(make, small: int, budget: float) -> None:
    """`make(n)` -> a callable doing n units of work; 4n must not cost 16 times n."""
    run = make(small)
    first = _seconds(run, 1)
    assert first < budget, f"{small} units took {first:.2f} s (budget {budget} s)"
    base = min(first, _seconds(run, 2))
    big = _seconds(make(4 * small))
    # linear is ~4x; quadratic is 16x; leave room for a loaded machine
    assert big < 8 * base + 0.05, f"x4 the size took {big / base:.1f}x the time"


def test_sentence_splitting_is_linear_in_paragraph_length():
    def make(n):
        text = SENTENCE * n
        return lambda: sentence_spans(text)

    assert len(sentence_spans(SENTENCE * 10)) == 10
    _grows_linearly(make, 3000, budget=1.0)


def test_chunking_one_long_block_is_linear():
    """Text extracted without blank lines is one block of many lines."""

    def make(n):
        source = "\n".join(LINES[i % 3] for i in range(3 * n))
        doc = Document("long.txt", source, format="txt")
        return lambda: chunk_document(doc, Config(), lambda t: len(t.split()))

    _grows_linearly(make, 1000, budget=2.0)
