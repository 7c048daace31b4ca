"""ui.reader: a cited passage shown in its document, from the real index."""

from __future__ import annotations

import pytest
from kazakh_docs import PDF_QUESTION, QUESTIONS

from kazrag.rag.config import BUNDLED_CORPUS
from kazrag.rag.text import match_key
from kazrag.ui.reader import reader_text, source_box, surrounding
from kazrag.ui.render import cited_passages, source_messages, unescape

pytestmark = pytest.mark.slow

QUESTION = "Полиция ұсталған адамды айып тақпай тұрып қанша сағат ұстай алады?"


def test_the_reader_widens_the_passage_with_the_documents_own_text_around_it(engine):
    answer = engine.ask(QUESTION)
    passage, quotes = cited_passages(answer)[0]
    retriever = engine.snapshot.retriever
    before, after = surrounding(retriever, passage.chunk)
    assert before and after  # a passage inside a long report has text on both sides
    # what is around it is the document itself, word for word, with no sentence twice
    document = (BUNDLED_CORPUS / passage.chunk.doc).read_text(encoding="utf-8")
    assert match_key(before + passage.chunk.text + after) in match_key(document)

    shown = unescape(reader_text(passage, quotes, retriever)).replace("  \n", "\n")
    heading = shown.split("\n")[0]
    assert passage.chunk.doc in heading and " › ".join(passage.chunk.section) in heading
    quote = quotes[0]
    assert f"[1] lines {quote.line_start}–{quote.line_end}" in heading or (
        f"[1] line {quote.line_start}" in heading
    )
    assert f"<mark>{quote.text}</mark>" in shown or "<mark>" in shown and quote.text in shown
    assert match_key(before[-200:]) in match_key(shown) and match_key(after[:200]) in match_key(
        shown
    )


def test_the_reader_gives_a_pdf_quotes_page(small_engine):
    answer = small_engine.ask(PDF_QUESTION)
    passage, quotes = cited_passages(answer)[0]
    shown = unescape(reader_text(passage, quotes, small_engine.snapshot.retriever))
    assert shown.startswith("**cities.pdf")
    assert f"[1] p. {QUESTIONS[PDF_QUESTION][1]}" in shown.split("\n")[0]


def test_a_click_on_an_answer_opens_its_first_source(engine):
    answer = engine.ask(QUESTION)
    boxes = source_messages(answer)
    history = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}, *boxes]
    assert source_box(history, 1) is boxes[0] and source_box(history, 2) is boxes[0]
    assert source_box(history, 0) is None and source_box(history, 99) is None
    assert source_box("forged", 0) is None
