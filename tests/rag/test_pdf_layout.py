"""PDFs read by their layout (rag/pdf_layout.py): running headers, footers and page numbers
kept out of passages, every sentence cited by the page it starts on, headings from the
fonts as sections, two-column pages read column by column. Generated PDFs
(tests/pdf_samples.py), no model: these run in a few seconds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdf_samples import (
    BOOK,
    BOOK_SECTIONS,
    BOOK_SENTENCES,
    COLUMN_LEFT,
    COLUMN_RIGHT,
    FOOTERS,
    HEADER,
    Page,
    make_book,
)

from kazrag.errors import DocumentError
from kazrag.rag.chunking import chunk_document
from kazrag.rag.config import Config
from kazrag.rag.formats import load_document, load_documents, pdf_layout
from kazrag.rag.formats.pdf_layout import Run


def _chunks(path, **config):
    doc = load_documents(path)[0]
    return doc, chunk_document(doc, Config(**config))


def _sentences(chunks):
    """(sentence text, its page, its chunk) for every sentence of every chunk."""
    return [(c.text[s.start : s.end], s.page, c) for c in chunks for s in c.sentences]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return make_book(tmp_path_factory.mktemp("pdf") / "parks.pdf")


# ------------------------------------------------------------------- page furniture
def test_running_header_and_page_footer_are_in_no_passage(book):
    doc, chunks = _chunks(book)
    assert chunks
    for chunk in chunks:
        assert "анықтамалық" not in chunk.text and "2024" not in chunk.text
        assert not re.search(r"\d-бет", chunk.text), chunk.text
    assert HEADER not in doc.source and "1-бет" not in doc.source


@pytest.mark.parametrize("style", sorted(FOOTERS))
def test_each_page_number_style_is_dropped(tmp_path, style):
    doc, chunks = _chunks(make_book(tmp_path / f"{style}.pdf", footer=FOOTERS[style]))
    footers = [FOOTERS[style].format(n=n, total=len(BOOK)) for n in range(1, len(BOOK) + 1)]
    text = "\n".join(c.text for c in chunks)
    assert not [f for f in footers if f in text]
    assert all(line.strip() not in footers for line in doc.source.split("\n"))


def test_furniture_lines_keep_every_other_line_on_its_page(book):
    doc = load_document(book)
    lines = doc.source.split("\n")
    assert len(doc.page_of_line) == len(lines)
    for page, heading in (
        (1, "Бурабай ұлттық паркі"),
        (2, "Жартастар"),
        (3, "Алтынемел ұлттық паркі"),
        (4, "Жануарлар"),
    ):
        assert doc.page_of_line[lines.index(heading)] == page


# ------------------------------------------------------------------------- citations
def test_every_sentence_is_cited_by_the_page_it_starts_on(book):
    _, chunks = _chunks(book)
    found = {text: page for text, page, _ in _sentences(chunks)}
    assert found == BOOK_SENTENCES


def test_a_sentence_over_a_page_break_is_whole_and_the_passage_spans_both_pages(book):
    _, chunks = _chunks(book)
    [(text, page, chunk)] = [s for s in _sentences(chunks) if "турист демалады" in s[0]]
    assert text == "Паркте жыл сайын үш жүз мыңнан астам турист демалады." and page == 2
    assert (chunk.page_start, chunk.page_end) == (2, 3)
    assert chunk.location() == "pp. 2–3"


def test_a_footnote_does_not_cut_the_sentence_running_on_to_the_next_page(tmp_path):
    note = "¹ Дереккөз: http://www.example.kz/parks/report-2017"
    pages = [
        Page(items=BOOK[1].items + [("note", note)]),  # ends "…үш жүз мыңнан астам"
        BOOK[2],  # begins "турист демалады."
    ]
    _, chunks = _chunks(make_book(tmp_path / "notes.pdf", pages=pages))
    found = {text: page for text, page, _ in _sentences(chunks)}
    assert found["Паркте жыл сайын үш жүз мыңнан астам турист демалады."] == 1
    assert found[note] == 1  # the note is kept, cited by its own page
    assert not any("example.kz" in text and "турист" in text for text in found)


def test_a_passage_on_one_page_says_that_page(book):
    _, chunks = _chunks(book)
    [chunk] = [c for c in chunks if "құлан" in c.text]
    assert chunk.location() == "p. 4" and {s.page for s in chunk.sentences} == {4}


# -------------------------------------------------------------------------- headings
def test_headings_from_font_size_and_weight_are_sections(book):
    doc, chunks = _chunks(book)
    lines = doc.source.split("\n")
    assert {lines[n]: level for n, level in doc.heading_lines.items()} == {
        "Бурабай ұлттық паркі": 1,
        "Көлдер": 2,
        "Жартастар": 2,
        "Алтынемел ұлттық паркі": 1,
        "Жануарлар": 2,
    }
    section_of = {text: chunk.section for text, _, chunk in _sentences(chunks)}
    assert {s: section_of[s] for s in BOOK_SECTIONS} == BOOK_SECTIONS


def test_a_pdf_without_bigger_or_bold_lines_has_no_font_headings(tmp_path):
    pages = [
        Page(items=[("p", "Бірінші бет мәтіні. Онда екі сөйлем бар.")]),
        Page(items=[("p", "Екінші беттің мәтіні. Бұл да қысқа.")]),
    ]
    doc, chunks = _chunks(make_book(tmp_path / "plain.pdf", pages=pages))
    assert doc.heading_lines == {} and all(not c.section for c in chunks)
    assert [c.text for c in chunks] == [
        "Бірінші бет мәтіні. Онда екі сөйлем бар.\nЕкінші беттің мәтіні. Бұл да қысқа."
    ]


# ---------------------------------------------------------------------- two columns
def _column_sentences():
    return [
        s
        for column in (COLUMN_LEFT, COLUMN_RIGHT)
        for paragraph in column
        for s in re.split(r"(?<=\.) ", paragraph)
    ]


@pytest.mark.parametrize("order", ["interleaved", "right-first"])
def test_two_column_page_is_read_column_by_column(tmp_path, order):
    pages = [
        Page(
            items=[("h1", "Ұлттық парктер"), ("p", "Бұл бетте екі баған бар.")],
            left=COLUMN_LEFT,
            right=COLUMN_RIGHT,
        ),
        Page(items=[("h1", "Қосымша"), ("p", "Соңғы бет.")]),
    ]
    doc, chunks = _chunks(
        make_book(tmp_path / f"columns-{order}.pdf", pages=pages, column_order=order)
    )
    sentences = [text for text, _, _ in _sentences(chunks)]
    expected = _column_sentences()
    assert [s for s in sentences if s in expected] == expected  # whole, and in column order
    assert sentences.index("Бұл бетте екі баған бар.") < sentences.index(expected[0])


def test_single_column_page_with_short_lines_is_not_cut_into_columns(tmp_path):
    items = [("h1", "Тізім")] + [("p", f"{n}-тармақ қысқа жол.") for n in range(1, 8)]
    # one page: nothing to compare a header with, so the sample has none
    doc, chunks = _chunks(make_book(tmp_path / "list.pdf", pages=[Page(items=items)], header=""))
    sentences = [text for text, _, _ in _sentences(chunks)]
    assert sentences == [f"{n}-тармақ қысқа жол." for n in range(1, 8)]


# --------------------------------------------------------------------------- errors
def test_pdf_of_nothing_but_page_furniture_is_refused(tmp_path):
    path = make_book(tmp_path / "blank-pages.pdf", pages=[Page(), Page(), Page()])
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    message = str(caught.value)
    assert message.startswith("blank-pages.pdf: ") and "\n" not in message
    assert "nothing but page headers, footers and page numbers" in message


def test_chapter_headings_at_page_tops_are_not_taken_for_running_headers(tmp_path):
    """`1-ТАРАУ`, `2-ТАРАУ` at the top of the pages chapters start on repeat once digits are
    blanked, like a running header; being headings (bigger, bold), they stay."""
    pages = []
    for n in range(10):
        items = [("h1", f"{n // 3 + 1}-ТАРАУ")] if n % 3 == 0 else []
        pages.append(
            Page(items=items + [("p", f"Бұл {n + 1}-беттің мәтіні. Ол бірнеше сөйлемнен тұрады.")])
        )
    doc, chunks = _chunks(make_book(tmp_path / "chapters.pdf", pages=pages))
    assert sorted({c.section for c in chunks}) == [(f"{k}-ТАРАУ",) for k in range(1, 5)]
    sentences = [text for text, _, _ in _sentences(chunks)]
    # and body text at the top of a page, recurring but for its digits, is kept too
    assert [s for s in sentences if s.startswith("Бұл ")] == [
        f"Бұл {n}-беттің мәтіні." for n in range(1, 11)
    ]
    assert not any("анықтамалық" in c.text or re.search(r"\d-бет\b", c.text) for c in chunks)


# ----------------------------------------------------------- any layout, nothing lost
_run = st.builds(
    lambda word, x, width, row, size, bold: Run(
        word, x, x + width, row * 14.0, row * 14.0 + size, size, bold
    ),
    st.sampled_from(["Қазақ", "тілі.", "Бет", "12", "- 3 -", "Алматы", "және", "1-бет"]),
    st.floats(0, 500),
    st.floats(5, 300),
    st.integers(0, 55),
    st.sampled_from([8.0, 11.0, 16.0]),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_run, max_size=40), min_size=1, max_size=4))
def test_layout_keeps_every_word_of_the_lines_it_does_not_drop(pages):
    """Whatever the positions, the reading order and paragraphs lose and repeat nothing:
    the words out are the words of the lines not taken for page furniture."""
    lines = [(pdf_layout.lines_of(runs, n + 1), 842.0) for n, runs in enumerate(pages)]
    kept, _ = pdf_layout.drop_furniture(lines)
    ordered = [pdf_layout.reading_order(page)[0] for page in kept]
    assert [sorted(map(id, o)) for o in ordered] == [sorted(map(id, k)) for k in kept]
    pdf_layout.mark_headings(ordered)
    out, page_of, headings = pdf_layout.assemble(ordered)
    assert len(out) == len(page_of) and all(out[n] for n in headings)
    words_in = sorted(w for page in kept for line in page for w in line.text.split())
    assert sorted(w for line in out for w in line.split()) == words_in
