"""ui.render: document text shown through Markdown must come back exactly as it was."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from kazrag.ui.render import corpus_line, documents_rows, escape, feedback_turn, unescape

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
            "metadata": {"title": "\\[1\\] doc.txt › A, lines 1–2", "log": "score 0.900"},
        },
        {"role": "user", "content": "next question"},
        {"role": "assistant", "content": "next answer", "metadata": None},
    ]
    assert feedback_turn(history, 1) == (
        "Неше *сағат*?",
        "«72 сағат*» [1]",
        ["[1] doc.txt › A, lines 1–2 (score 0.900)"],
    )
    assert feedback_turn(history, 4) == ("next question", "next answer", [])


def test_documents_table_and_corpus_line():
    docs = {"b.txt": {"chunks": 3, "format": "txt"}, "a_1.md": {"chunks": 2, "format": "md"}}
    assert documents_rows(docs) == [["a_1.md", "md", 2], ["b.txt", "txt", 3]]
    assert unescape(corpus_line(docs)) == "Corpus: 2 documents, 5 passages — a_1.md, b.txt"
    many = {f"d{i}.txt": {"chunks": 1} for i in range(6)}
    assert unescape(corpus_line(many, shown=4)).endswith("d3.txt and 2 more")
