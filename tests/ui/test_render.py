"""ui.render: document text shown through Markdown must come back exactly as it was."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from kazrag.rag.lang import frame
from kazrag.rag.records import Answer, Chunk, Passage, Quote, Sentence
from kazrag.ui.render import (
    answer_stages,
    chat_text,
    corpus_line,
    documents_rows,
    escape,
    feedback_turn,
    plain_answer,
    unescape,
)

MARKDOWN_TEXT = st.lists(
    st.sampled_from(list("ab әң 12.-+=)*_[]<>#|~$&!`{}\\\n") + ["1. ", "- ", "---", "\n  2) "]),
    max_size=40,
).map("".join)


@given(MARKDOWN_TEXT)
def test_unescape_inverts_escape(text):
    assert unescape(escape(text)) == text


@given(MARKDOWN_TEXT)
def test_escaped_text_has_no_bare_markdown_syntax(text):
    escaped = escape(text)
    # every special character is preceded by an odd number of backslashes
    for match in re.finditer(r"(\\*)([*_\[\]<>#|~$&!`{}])", escaped):
        assert len(match.group(1)) % 2 == 1, (text, escaped)
    for line in escaped.split("\n"):
        assert not re.match(r"\s*([-+=]|\d+[.)](\s|$))", line), (text, escaped)


def test_feedback_turn_reads_gradio_history():
    history = [
        {"role": "user", "content": [{"type": "text", "text": "Неше \\*сағат\\*?"}]},
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "«72 сағат\\*» \\[1\\]"}],
            "metadata": None,
        },
        {
            "role": "assistant",
            "content": "passage",
            "metadata": {"title": "\\[1\\] doc.txt › A, lines 1–2"},
        },
        {"role": "user", "content": "next question"},
        {"role": "assistant", "content": "next answer", "metadata": None},
    ]
    assert feedback_turn(history, 1) == (
        "Неше *сағат*?",
        "«72 сағат*» [1]",
        ["[1] doc.txt › A, lines 1–2"],
    )
    assert feedback_turn(history, 4) == ("next question", "next answer", [])


def test_documents_table_and_corpus_line():
    docs = {"b.txt": {"chunks": 3, "format": "txt"}, "a_1.md": {"chunks": 2, "format": "md"}}
    assert documents_rows(docs) == [["a_1.md", "md", 2], ["b.txt", "txt", 3]]
    assert unescape(corpus_line(docs)) == "Corpus: 2 documents, 5 passages — a_1.md, b.txt"
    many = {f"d{i}.txt": {"chunks": 1} for i in range(6)}
    assert unescape(corpus_line(many, shown=4)).endswith("d3.txt and 2 more")


def cited_answer() -> Answer:
    """An answer quoting one sentence (lines 291–292) of a passage spanning lines 290–300."""
    text = "Бірінші сөйлем. Полиция адамды 72 сағат ұстай алады. Соңғы сөйлем."
    sentences = (Sentence(0, 15, 290, 290), Sentence(16, 52, 291, 292), Sentence(53, 66, 293, 300))
    chunk = Chunk(7, "report.kk.txt", ("Құқықтар",), text, 0, 66, 0, 66, 290, 300, sentences)
    quote = Quote(1, text[16:52], "report.kk.txt", "Құқықтар", 291, 292, None, 1, 0.8731)
    return Answer(
        "Қанша сағат?",
        "kk",
        "answered",
        f"{frame('kk', 'intro')}\n«{quote.text}» [1]",
        [quote],
        [Passage(1, chunk, 0.91234)],
    )


def test_a_citation_is_shown_once_with_the_quotes_own_lines_and_no_score():
    answer = cited_answer()
    final = list(answer_stages(answer))[-1]
    text, box = unescape(final[0]["content"]), final[1]
    # the answer quotes with [1]; the one place is the box's title, the quote's own lines
    assert text == f"{frame('kk', 'intro')}\n«{answer.quotes[0].text}» [1]"
    assert unescape(box["metadata"]["title"]) == "[1] report.kk.txt, Құқықтар, lines 291–292"
    assert "lines 290–300" not in str(final)
    assert "<mark>Полиция адамды 72 сағат ұстай алады.</mark>" in box["content"]
    assert "0.91" not in str(final) and "0.87" not in str(final) and "score" not in str(final)


def test_the_api_text_lists_each_quotes_place_once_under_sources():
    answer = cited_answer()
    assert plain_answer(answer).split("\n") == [
        frame("kk", "intro"),
        f"«{answer.quotes[0].text}» [1]",
        "",
        frame("kk", "sources"),
        "[1] report.kk.txt, Құқықтар, lines 291–292",
    ]
    # the chat shows the same body without the list (the source box carries the place)
    assert chat_text(answer) == "\n".join(plain_answer(answer).split("\n")[:2])


def test_a_retrieval_mode_other_than_the_default_is_named_after_the_quotes():
    final = list(answer_stages(cited_answer(), "Answered by keyword search (bm25) only."))[-1]
    assert unescape(final[0]["content"]).endswith("[1]\n\nAnswered by keyword search (bm25) only.")
