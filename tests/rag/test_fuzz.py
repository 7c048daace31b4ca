"""Property-based tests of the normaliser and the chunker on random Kazakh/Russian/Latin
text with wrapped hyphens, headings, page furniture, tables, blank lines and odd whitespace.

Properties: nothing crashes; every chunk is an exact slice of its document's unwrapped text
whose ends map back to the right source characters and lines; every sentence holds exactly
the non-space characters of its source span; folding is idempotent.
"""

from __future__ import annotations

import bisect
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kazrag.rag.chunking import chunk_document, units
from kazrag.rag.config import Config
from kazrag.rag.formats import Document
from kazrag.rag.records import embedding_text
from kazrag.rag.text import fold_lookalikes, keyword_tokens, match_key, sentence_spans

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

KAZAKH = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
LETTERS = KAZAKH + KAZAKH.upper() + "abcehikopxyzABCEHIKOPXYZ"
PUNCT = ["", "", "", ".", ",", "!", "?", ";", ":", "»", "…", ".»", "-"]
SPACES = ["", " ", "  ", "\t", "\u00a0", "\u2009"]
FIXED_LINES = [
    "1-бөлім",
    "2 - бөлім. Кіріспе",
    "a. Тақырып",
    "ә. Бөлім",
    "Глава 3",
    "Chapter 2",
    "# Тақырып",
    "## Кіші тақырып",
    "ҚАЗАҚСТАН 22",
    "АҚШ Мемлекеттік департаменті ∙ 2015",
    "ЕҢБЕК ЖӘНЕ БАЛАЛАР",
    "2013 – 2015",
    "Мектеп 2015",
    "Т.Б. Ж. 5",
    "www.gov.kz",
    "«Ол",
]

word = st.text(alphabet=LETTERS + "0123456789", min_size=1, max_size=10)
token = st.builds(
    lambda w, p, open_quote: ("«" if open_quote else "") + w + p,
    word,
    st.sampled_from(PUNCT),
    st.booleans(),
)
words = st.lists(token, min_size=1, max_size=10).map(" ".join)
line = st.one_of(
    st.tuples(st.sampled_from(SPACES), words, st.sampled_from(SPACES)).map("".join),
    words.map(lambda w: w + "-"),  # a hyphen at the line end: a wrapped compound
    st.sampled_from(["", "", " ", "\t", "   "]),  # blank lines
    st.sampled_from(FIXED_LINES),  # headings, page furniture, table rows
    st.integers(1, 999).map(str),  # page numbers
)
sources = st.lists(line, max_size=40).map("\n".join)


@st.composite
def documents(draw) -> Document:
    source = draw(sources)
    n_lines = source.count("\n") + 1
    doc = Document("fuzz.txt", source)
    if draw(st.booleans()):  # a format that marks its headings (Word, Markdown)
        marked = draw(st.sets(st.integers(0, n_lines - 1), max_size=5))
        doc.heading_lines = {n: draw(st.integers(1, 4)) for n in marked}
    if draw(st.booleans()):  # a PDF: pages never go down
        steps = draw(st.lists(st.booleans(), min_size=n_lines, max_size=n_lines))
        page, doc.page_of_line = 1, []
        for step in steps:
            page += step
            doc.page_of_line.append(page)
    return doc


def _nonspace(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def _line_of(source: str, offset: int) -> int:
    """1-based line number of a source offset."""
    starts = [0] + [m.end() for m in re.finditer("\n", source)]
    return bisect.bisect_right(starts, offset)


# ------------------------------------------------------------------------- normaliser
any_text = st.one_of(sources, st.text(max_size=200))


@FUZZ
@given(any_text)
def test_fold_lookalikes_is_idempotent_and_keeps_length(text):
    folded = fold_lookalikes(text)
    assert len(folded) == len(text)
    assert fold_lookalikes(folded) == folded


@FUZZ
@given(any_text)
@example("AAУ")  # found by this test: casefolding left the word mixed (`aaу`)
@example("ßа")  # `ss` outnumbers `а` only after casefolding
@example("Ǳаǰ")  # casefolding decomposes `ǰ`
def test_match_key_is_idempotent(text):
    key = match_key(text)
    assert match_key(key) == key
    assert key == key.strip() and "  " not in key and "\n" not in key


@FUZZ
@given(any_text, st.integers(0, 6))
def test_keyword_tokens_are_folded_words(text, prefix):
    whole = keyword_tokens(text)
    for token in whole:
        assert token and token == match_key(token)
    assert keyword_tokens(text, prefix) == [
        t if t.isdigit() or not prefix else t[:prefix] for t in whole
    ]


@FUZZ
@given(st.lists(words, max_size=6).map(" ".join))
def test_sentence_spans_cover_the_text_in_order(text):
    spans = sentence_spans(text)
    position = 0
    for start, end in spans:
        assert position <= start < end <= len(text)
        assert text[position:start].strip() == ""  # only spaces between sentences
        assert not text[start].isspace() and not text[end - 1].isspace()
        position = end
    assert text[position:].strip() == ""


# ---------------------------------------------------------------------------- chunker
@FUZZ
@given(documents())
# a paragraph cut by a page break, with the link left on the break's line (2026-12-07)
@example(Document("fuzz.txt", "0\n\nwww.gov.kz\nwww.gov.kz"))
def test_units_hold_exactly_their_source_characters(doc):
    doc_text, found = units(doc)
    source = doc.source
    for unit in found:
        assert unit.text == doc_text[unit.start : unit.end] and unit.text.strip() == unit.text
        span = source[unit.src_start : unit.src_end]
        assert _nonspace(unit.text) == _nonspace(span)
        assert unit.text[0] == source[unit.src_start]
        assert unit.text[-1] == source[unit.src_end - 1]
        assert unit.line_start == _line_of(source, unit.src_start)
        assert unit.line_end == _line_of(source, unit.src_end - 1)
        if doc.page_of_line:
            assert unit.page == doc.page_of_line[unit.line_start - 1]


@FUZZ
@given(documents(), st.integers(5, 60), st.integers(0, 2))
def test_chunks_are_exact_slices_with_correct_offsets(doc, target_words, overlap):
    config = Config(chunk_target_words=target_words, chunk_overlap_sentences=overlap)
    doc_text, _ = units(doc)
    source = doc.source
    chunks = chunk_document(doc, config)
    for chunk in chunks:
        assert chunk.text == doc_text[chunk.start : chunk.end]
        assert chunk.text[0] == source[chunk.src_start]
        assert chunk.text[-1] == source[chunk.src_end - 1]
        assert chunk.line_start == _line_of(source, chunk.src_start)
        assert chunk.line_end == _line_of(source, chunk.src_end - 1)
        # the sentences tile the chunk: nothing but spaces between them
        position = 0
        for sentence in chunk.sentences:
            assert chunk.text[position : sentence.start].strip() == ""
            assert chunk.line_start <= sentence.line_start <= sentence.line_end
            assert sentence.line_end <= chunk.line_end
            position = sentence.end
        assert position == len(chunk.text)
        if doc.page_of_line:
            assert chunk.page_start == doc.page_of_line[chunk.line_start - 1]
            assert chunk.page_end <= doc.page_of_line[chunk.line_end - 1]
    # every sentence of the document is in some chunk
    covered = {(c.start + s.start, c.start + s.end) for c in chunks for s in c.sentences}
    assert covered == {(u.start, u.end) for u in units(doc)[1]}


@FUZZ
@given(documents(), st.integers(3, 40))
def test_chunks_fit_the_token_limit(doc, limit):
    """A cheap counter (one token per word and per 4 letters of a long word) and a small
    limit force sentences to be cut: they still fit and stay slices of the text."""

    def count(text: str) -> int:
        return sum(1 + len(w) // 4 for w in text.split())

    config = Config(chunk_max_tokens=limit)
    doc_text, _ = units(doc)
    for chunk in chunk_document(doc, config, count_tokens=count):
        assert chunk.text == doc_text[chunk.start : chunk.end] and chunk.text
        if count(chunk.embedding_text()) > limit:
            # only when the title and section alone leave no room (found by this test:
            # cutting on recursed without end)
            heading_and_a_letter = embedding_text(chunk.title, chunk.section, chunk.text[:1])
            assert len(chunk.sentences) == 1 and count(heading_and_a_letter) > limit
