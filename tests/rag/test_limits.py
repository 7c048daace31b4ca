"""The operator's limits on one document (Config.max_*, rag/formats/limits.py): each
refusal names the file and the limit, comes early (before the pages of a PDF are read, as a
Word file's paragraphs are parsed), and 0 turns a limit off."""

from __future__ import annotations

import time

import pytest
from docx_samples import make_many_paragraph_docx
from kazakh_docs import make_pdf

from kazrag.errors import ConfigError, DocumentError
from kazrag.rag.config import DOCUMENT_LIMITS, Config
from kazrag.rag.indexing import load_corpus, read_indexable

TEXT = "Бурабай ұлттық паркі Ақмола облысында орналасқан.\n\nПарк 2000 жылы құрылды.\n\n"


def _refusal(path, **limits) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        read_indexable(path, Config(**limits))
    assert info.value.kind == "over a limit" and "\n" not in str(info.value)
    return info.value


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(TEXT * 100, encoding="utf-8")
    error = _refusal(path, max_file_bytes=1000)
    assert str(error) == (
        "big.txt: the file is 13.4 KB, more than the limit of 1.0 KB (--max-file-bytes); "
        "not indexed"
    )


def test_a_pdf_over_the_page_limit_is_refused_before_a_page_is_read(tmp_path, monkeypatch):
    path = make_pdf(tmp_path / "cities.pdf")
    import kazrag.rag.formats.pdf_layout as layout

    monkeypatch.setattr(layout, "page_runs", lambda page: pytest.fail("a page was read"))
    error = _refusal(path, max_pages=1)
    assert str(error) == "cities.pdf: 3 pages, more than the limit of 1 (--max-pages); not indexed"


@pytest.mark.slow  # no model, but writing the file takes ~10 s
def test_a_docx_of_two_million_paragraphs_is_refused_in_seconds(tmp_path):
    path = make_many_paragraph_docx(tmp_path / "many.docx", 2_000_000)
    assert path.stat().st_size < 10_000_000
    started = time.process_time()
    error = _refusal(path)  # the default limit: 200,000 paragraphs
    # CPU seconds (the machine is shared): the parse stops at the 200,001st paragraph
    assert time.process_time() - started < 10
    assert str(error) == (
        "many.docx: more than the limit of 200,000 paragraphs (--max-paragraphs); not indexed"
    )


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_text_over_the_paragraph_or_character_limit_is_refused(tmp_path, suffix):
    path = tmp_path / f"notes{suffix}"
    path.write_text(TEXT * 3, encoding="utf-8")  # 6 paragraphs, 228 characters
    assert "limit of 5 paragraphs (--max-paragraphs)" in str(_refusal(path, max_paragraphs=5))
    error = _refusal(path, max_characters=100)
    assert "limit of 100 characters of text (--max-characters)" in str(error)
    assert read_indexable(path, Config(max_paragraphs=6, max_characters=300))


def test_reading_longer_than_the_time_limit_stops_at_the_page_it_reached(tmp_path):
    path = make_pdf(tmp_path / "cities.pdf")
    error = _refusal(path, max_document_seconds=1e-9)
    assert str(error).startswith(
        "cities.pdf: reading took longer than the limit of 1e-09 s, stopped at page "
    )
    assert "(--max-document-seconds); not indexed" in str(error)


def test_zero_is_no_limit_and_every_limit_is_validated():
    off = Config(**{name: 0 for name in DOCUMENT_LIMITS})
    assert all(getattr(off, name) == 0 for name in DOCUMENT_LIMITS)
    for name in DOCUMENT_LIMITS:
        for bad in (-1, "10", True, float("nan")):
            with pytest.raises(ConfigError, match=name):
                Config(**{name: bad})
    with pytest.raises(ConfigError, match="max_pages must be a whole number"):
        Config(max_pages=1.5)
    assert Config(max_document_seconds=0.5).max_document_seconds == 0.5


def test_a_file_over_a_limit_does_not_stop_the_others(tmp_path):
    (tmp_path / "small.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "large.txt").write_text(TEXT * 50, encoding="utf-8")
    documents, skipped = load_corpus([tmp_path], Config(max_file_bytes=2000))
    assert [d.doc_id for d in documents] == ["small.txt"]
    assert [s.kind for s in skipped] == ["over a limit"] and "large.txt" in skipped[0]
