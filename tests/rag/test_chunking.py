"""Section-aware chunking of the demo corpus (rag/chunking.py)."""

import re

import pytest

from kazrag.rag.chunking import chunk_document, layout, units
from kazrag.rag.config import BUNDLED_CORPUS, Config
from kazrag.rag.formats import load_document

REPORT = BUNDLED_CORPUS / "human-rights-report-2017.kk.txt"
CHILD_LABOUR = BUNDLED_CORPUS / "child-labor-findings-2015.kk.txt"


@pytest.fixture(scope="module")
def report():
    return load_document(REPORT)


@pytest.fixture(scope="module")
def report_chunks(report):
    return chunk_document(report, Config())


def test_summary_and_all_seven_sections_are_found(report_chunks):
    top_sections = {c.section[0] for c in report_chunks if c.section}
    assert "ҚЫСҚАША ШОЛУ" in top_sections
    numbers = {int(m.group(1)) for s in top_sections if (m := re.match(r"(\d)-бөл", s))}
    assert numbers == {1, 2, 3, 4, 5, 6, 7}
    # heading 6 is spelled with a Latin `i` and is still a section
    assert any(s.startswith("6-бөлiм") for s in top_sections)


def test_subsections_and_named_subheadings_have_paths(report_chunks):
    paths = {c.section_path for c in report_chunks}
    assert any(p.startswith("2-бөлім") and "a. Өз пікірін білдіру" in p for p in paths)
    assert any(p.endswith("› Әйелдер") and p.startswith("6-бөлiм") for p in paths)
    # a heading glued to the paragraph after it is still recognised
    assert any(p.endswith("› d. Ел ішінде жүру еркіндігі") for p in paths)


def test_no_chunk_crosses_a_section_boundary(report):
    blocks = [b for b in layout(report) if b.kind == "heading"]
    heading_lines = sorted(b.first + 1 for b in blocks)
    for chunk in chunk_document(report, Config()):
        inside = [h for h in heading_lines if chunk.line_start < h <= chunk.line_end]
        assert not inside, (chunk.section_path, chunk.line_start, chunk.line_end, inside)


def test_every_chunk_is_an_exact_slice_with_source_offsets(report, report_chunks):
    doc_text, _ = units(report)
    source = report.source
    for chunk in report_chunks:
        assert doc_text[chunk.start : chunk.end] == chunk.text
        assert source[chunk.src_start] == chunk.text[0]
        assert source[chunk.src_end - 1] == chunk.text[-1]
        raw = source[chunk.src_start : chunk.src_end]
        assert "".join(raw.split()) == "".join(chunk.text.split()) or "ҚАЗАҚСТАН 22" in raw
        assert source.count("\n", 0, chunk.src_start) + 1 == chunk.line_start
        for sentence in chunk.sentences:
            assert chunk.text[sentence.start : sentence.end].strip()


def test_page_header_block_is_dropped(report_chunks):
    text = " ".join(c.text for c in report_chunks)
    assert "ҚАЗАҚСТАН 22" not in text
    assert "2017 жылғы баяндамасы" not in text
    assert "АҚШ Мемлекеттік департаменті ∙" not in text


def test_a_paragraph_cut_by_a_page_break_is_one_sentence(report_chunks):
    sentences = {c.text[s.start : s.end] for c in report_chunks for s in c.sentences}
    # the footnote's link left where the page broke stays inside it: a sentence is always
    # one stretch of the file
    joined = [s for s in sentences if "реттелмегендіктен http://" in s]
    assert joined and joined[0].startswith("Мигранттардың құқықтық мәртебесі")
    assert "religiousfreedomreport/ олардың жағдайы әлсіз" in joined[0]
    assert not any(s.startswith(("http://", "www.")) for s in sentences)
    # a heading wrapped over a blank line is one heading, not a heading and a sentence
    paths = {c.section_path for c in report_chunks}
    assert any(p.endswith("қорлау жағдайында ұстау немесе жазалау") for p in paths)
    assert "ұстау немесе жазалау" not in {s.strip() for s in sentences}


def test_wrapped_hyphens_are_joined_in_chunks(report_chunks):
    text = " ".join(c.text for c in report_chunks)
    for compound in ("веб-сайт", "интернет-", "іс-шара", "ұрып-"):
        assert compound in text
    assert "іс- шара" not in text and "іс-\n" not in text


def test_chunks_fit_the_model_and_nothing_is_truncated(report):
    # a counter that makes the limit bite: long sentences must be split, not cut
    def count(text):
        return len(text.split()) * 2

    chunks = chunk_document(report, Config(chunk_max_tokens=80), count_tokens=count)
    assert max(len(u.text.split()) for u in units(report)[1]) * 2 > 80  # the limit bites
    assert all(count(c.embedding_text()) <= 80 for c in chunks)
    doc_text, all_units = units(report)
    covered = "".join(sorted({c.text for c in chunks}))  # every word appears in some chunk
    for word in set(doc_text.split()[:500]):
        assert word in covered


def test_child_labour_table_rows_are_chunks_with_their_years():
    doc = load_document(CHILD_LABOUR)
    chunks = chunk_document(doc, Config())
    assert doc.title == "Қазақстан"
    table = [c for c in chunks if c.section and "Ұсынылатын іс-әрекеттер" in c.section[0]]
    assert table, [c.section for c in chunks]
    rows = [c.text[s.start : s.end] for c in table for s in c.sentences]
    assert any(r.startswith("Заңнамалық негіз") and r.endswith("2015") for r in rows)
    assert any(r.endswith("2014 – 2015") for r in rows)
